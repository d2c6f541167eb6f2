"""Status PINs: a keyed hash, old hashes upgraded at the next right PIN, the lock intact."""

from __future__ import annotations

from sqlalchemy import event, select
from werkzeug.security import generate_password_hash

from conflict_app.claims import pins
from conflict_app.claims.models import Claim
from conflict_app.extensions import db
from conflict_app.status import operations
from conflict_app.status.models import PinGuard
from tests import helpers
from tests.conftest import csrf_token


def _stored(claim_id: int) -> str:
    return db.session.scalar(select(Claim.pin_hash).where(Claim.id == claim_id))


def test_pin_is_stored_as_a_keyed_hash_that_needs_the_key(app, world):
    claim, pin = helpers.report(world)
    stored = _stored(claim.id)
    assert stored.startswith("hmac-sha256$") and pin not in stored
    assert operations.lookup(claim.reference, pin).id == claim.id
    # Without the key the same PIN does not verify: the database alone is not enough.
    key = app.config["PIN_KEY"]
    app.config["PIN_KEY"] = b"another key of at least thirty-two bytes!"
    try:
        assert pins.check_pin(stored, pin) == (False, False)
    finally:
        app.config["PIN_KEY"] = key


def test_old_scrypt_hash_still_works_once_and_is_replaced(app, world):
    claim, pin = helpers.report(world)
    old = generate_password_hash(pin, method="pbkdf2:sha256:1000")
    db.session.execute(Claim.__table__.update().where(Claim.__table__.c.id == claim.id)
                       .values(pin_hash=old))
    db.session.commit()
    version = db.session.scalar(select(Claim.version).where(Claim.id == claim.id))
    assert operations.lookup(claim.reference, "000000" if pin != "000000" else "111111") is None
    assert _stored(claim.id) == old  # a wrong PIN upgrades nothing
    assert operations.lookup(claim.reference, pin).id == claim.id
    assert _stored(claim.id).startswith("hmac-sha256$")
    assert db.session.scalar(select(Claim.version).where(Claim.id == claim.id)) == version
    assert operations.lookup(claim.reference, pin).id == claim.id


def test_lock_still_holds_and_a_right_pin_writes_nothing(app, world):
    claim, pin = helpers.report(world)
    wrong = "000000" if pin != "000000" else "111111"
    assert operations.lookup(claim.reference, pin) is not None
    assert db.session.get(PinGuard, claim.id) is None  # success: nothing written
    for _ in range(app.config["PIN_FAILURES_BEFORE_LOCK"]):
        assert operations.lookup(claim.reference, wrong) is None
    assert operations.lookup(claim.reference, pin) is None  # locked, even the right PIN


def test_status_page_answers_with_the_keyed_pin(app, world):
    claim, pin = helpers.report(world)
    client = app.test_client()
    page = client.post("/status", data={"csrf_token": csrf_token(client, "/status"),
                                        "reference": claim.reference, "pin": pin})
    assert page.status_code == 200
    assert claim.reference in page.get_data(as_text=True)


def test_status_form_page_is_per_language_with_each_visitor_s_own_token(app, world):
    claim, pin = helpers.report(world)
    first, second = app.test_client(), app.test_client()
    token_1, token_2 = csrf_token(first, "/status"), csrf_token(second, "/status")
    assert token_1 != token_2
    farsi = first.get("/status?lang=fa").get_data(as_text=True)
    assert 'dir="rtl"' in farsi and 'dir="rtl"' not in second.get("/status").get_data(
        as_text=True)
    answer = second.post("/status", data={"csrf_token": token_2, "reference": claim.reference,
                                          "pin": pin})
    assert answer.status_code == 200 and claim.reference in answer.get_data(as_text=True)
    stolen = first.post("/status", data={"csrf_token": token_2, "reference": claim.reference,
                                         "pin": pin})
    assert stolen.status_code == 400  # another visitor's token is refused


def test_status_check_reads_only_what_the_page_shows(app, world):
    """A herder's check waits on each round trip: the claim comes with its PIN guard, the
    history without its actors, the places' zones with the claim, the payments without a
    join back to the claim."""
    claim, pin = helpers.report(world)
    client = app.test_client()
    token = csrf_token(client, "/status")
    reference = claim.reference
    db.session.commit()
    db.session.expunge_all()  # a herder's request starts with nothing loaded
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        page = client.post("/status", data={"csrf_token": token, "reference": reference,
                                            "pin": pin})
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert page.status_code == 200 and reference in page.get_data(as_text=True)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # The claim with its guard and its zone, the history, the payments: nothing else.
    assert len(selects) <= 3, [s[:60] + " … " + s[s.find("FROM"):][:120] for s in selects]
    assert not [s for s in selects if "FROM settlement_item" in s]  # nothing decided yet
    assert not [s for s in selects if "pin_guard" in s and "claim.reference" not in s]
    assert not [s for s in selects if 'JOIN "user"' in s or "JOIN user" in s]


def test_a_paid_claim_s_check_reads_its_payment_once(app, world):
    """The payment reference a paid claim shows comes with its figures: no second read of
    the claim's payments for the steps."""
    from tests.test_herder_figures import pay_claim

    claim, pin = helpers.report(world)
    claim = helpers.approved(world, claim=claim)
    pay_claim(world, helpers.reload(claim), "MM-4711")
    client = app.test_client()
    token = csrf_token(client, "/status?lang=en")
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        page = client.post("/status?lang=en", data={"csrf_token": token, "pin": pin,
                                                     "reference": claim.reference})
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert page.status_code == 200 and "MM-4711" in page.get_data(as_text=True)
    assert len([s for s in statements if "FROM payment_item" in s]) == 1


def test_reference_and_pin_typed_in_native_digits_open_the_claim(app, world):
    """As herders type them on a phone: Persian or Arabic-Indic digits, lower case,
    spaces, the PIN in groups. Each is the same claim, not a wrong guess."""
    claim, pin = helpers.report(world)
    persian = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    arabic = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    typed = [
        (claim.reference.translate(persian), pin.translate(persian)),
        (" " + claim.reference.lower().translate(arabic) + " ",
         pin[:3].translate(arabic) + " " + pin[3:].translate(arabic)),
        # Written down in two groups, as six digits are read out and kept on paper.
        (claim.reference.replace("-", "\u2013"), f"{pin[:3]}-{pin[3:]}"),
        (claim.reference, f"{pin[:3]}\u00a0{pin[3:]}"),
    ]
    for reference, given in typed:
        client = app.test_client()
        page = client.post("/status", data={"csrf_token": csrf_token(client, "/status"),
                                            "reference": reference, "pin": given})
        assert page.status_code == 200, (reference, given)
        assert claim.reference in page.get_data(as_text=True)
    # None of them counted as a failure towards the lock.
    assert db.session.get(PinGuard, claim.id) is None
