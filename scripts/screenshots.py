"""Screenshots of the main pages in every language at phone and desktop width, for review.

    .venv/bin/python scripts/screenshots.py OUTDIR [LOCALE ...] [--widths 360,1366]
        [--pages report,report-errors,check-answers,receipt,status-claim]

Starts the app on a scratch SQLite database with a small world (claims at each step of the
browser journeys: assessed, flagged as a possible duplicate, appealed, re-approved for a
top-up, insured and waiting for its settlement; a compensation, an insurance and an incentive
scheme with an incentive payment to pay and one in a batch), serves it over HTTP and drives
the distribution's headless Chromium with Playwright (scripts/install-browser.sh), signed in
as the role that works on each page; a page that is the answer to a button (the assessment
preview, a decision's confirmation) is reached by pressing it. Full-page PNGs
go to OUTDIR/<width>/<locale>-<page>.png, and each page's sideways overflow, if any, is
listed in OUTDIR/overflow.txt. The images are for review and are not kept in git.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


STATUS_PIN = "135790"


def _world(app):
    from datetime import date
    from decimal import Decimal

    import flask_migrate

    from conflict_app.extensions import db
    from conflict_app.schemes import operations as scheme_ops
    from conflict_app.schemes import params
    from tests import helpers
    from tests.conftest import World

    with app.app_context():
        flask_migrate.upgrade()
        world = World()
        scheme = scheme_ops.create_scheme(world.manager, scheme_ops.SchemeInput(
            "AM-COMP", "Syunik compensation", params.SchemeKind.COMPENSATION, "AM", None,
            "AMD", "Example fund", Decimal(5_000_000), "queue", date(2025, 1, 1), None,
            Decimal(0), None))
        version = scheme_ops.add_version(world.manager, scheme.id, date(2025, 1, 1),
                                         params.defaults(params.SchemeKind.COMPENSATION)
                                         | {"cap_incident_heads": "2"})
        scheme_ops.publish_version(world.manager, version.id)
        claim = helpers.assessed(world, photos=[helpers.photo_bytes()])
        paid, batch, incentive = _paid_and_incentive(world)
        more = _journeys(world, incentive)
        _landscape(work_dir=app.config["EVIDENCE_DIR"])
        # A claim the herder can look up (known PIN), and its receipt's signed link.
        from conflict_app.claims import pins
        from conflict_app.status import receipts

        claim.pin_hash = pins.hash_pin(STATUS_PIN)
        db.session.commit()
        with app.test_request_context():
            receipt_url = receipts.receipt_link(claim)
        reference = claim.reference
        people = {name: SimpleNamespace(id=getattr(world, name).id,
                                        email=getattr(world, name).email,
                                        totp_secret=getattr(world, name).totp_secret)
                  for name in ("clerk", "supervisor", "verifier", "approver", "finance",
                               "manager", "analyst")}
        ids = SimpleNamespace(claim=claim.id, scheme=scheme.id, receipt=receipt_url,
                              reference=reference, paid=paid, batch=batch,
                              incentive=incentive, **vars(more), **people)
        db.session.remove()
    return ids


def _landscape(work_dir: str) -> None:
    """Households with corrals and guarding dogs, for the effectiveness page's plots."""
    from pathlib import Path

    from conflict_app.analytics import synthetic
    from conflict_app.analytics.landscape import generate
    from conflict_app.bundles.importer import import_bundle
    from conflict_app.bundles.writer import write_rows

    land = generate(7, villages=4, households=(30, 40), design="random",
                    measures={"corral": 0.3, "guard_dog": 0.6}, uptake=0.5)
    path = Path(work_dir).parent / "landscape"
    write_rows(path, households=land.households, herds=land.herds, measures=land.measures,
               incidents=land.incidents)
    synthetic.ensure_area("AM")
    import_bundle(path)


def _paid_and_incentive(world) -> tuple[int, int, int]:  # noqa: ANN001
    """A claim paid through a batch (its timeline has every kind of step), an open batch
    to release, and an incentive scheme with a presence record."""
    from datetime import date
    from decimal import Decimal

    from conflict_app.core import clock
    from conflict_app.payments import operations as pay
    from conflict_app.payments.models import PaymentMethod
    from conflict_app.schemes import incentives, params
    from conflict_app.schemes import operations as scheme_ops
    from tests import helpers

    paid = helpers.approved(world, hh=helpers.household(world, name="Anahit Grigoryan"))
    done = pay.create_batch(world.finance, [paid.id], PaymentMethod.CASH)
    pay.export_batch(world.finance, done.id)
    pay.record_paid(world.finance, done.items[0].id, "TX-2026-0042")
    waiting = helpers.approved(world, hh=helpers.household(world, name="Gohar Sahakyan"))
    batch = pay.create_batch(world.finance, [waiting.id], PaymentMethod.CASH)
    scheme = scheme_ops.create_scheme(world.manager, scheme_ops.SchemeInput(
        "AM-INC", "Syunik conservation incentives", params.SchemeKind.INCENTIVE, "AM", None,
        "AMD", "Example fund", Decimal(2_000_000), "refuse", date(2025, 1, 1), None,
        Decimal(0), None))
    version = scheme_ops.add_version(world.manager, scheme.id, date(2025, 1, 1),
                                     params.defaults(params.SchemeKind.INCENTIVE))
    scheme_ops.publish_version(world.manager, version.id)
    incentives.record_presence(world.verifier, scheme.id, world.shvanidzor.id,
                               "reproduction", clock.today(),
                               "Camera trap CT-7: a female with two cubs at the gorge")
    _agreement(world, scheme.id)
    return paid.id, batch.id, scheme.id


def _agreement(world, scheme_id: int) -> None:  # noqa: ANN001
    """A household's three-year agreement (the first of the database) with its first year
    verified and its instalment due."""
    from datetime import timedelta
    from decimal import Decimal

    from conflict_app.core import clock
    from conflict_app.schemes import agreements
    from tests import helpers

    household = helpers.household(world, name="Hayk Avetisyan")
    agreement = agreements.sign(world.manager, scheme_id, None, household.id, agreements.Terms(
        signed_on=clock.today() - timedelta(days=400), term_years=3, amount=Decimal(150_000),
        milestones=["corral", "no_killing"]))
    for milestone in agreement.milestones[:2]:
        start, after = agreement.year_bounds(1)
        agreements.verify_milestone(world.verifier, milestone.id,
                                    after if milestone.kind == "no_killing" else start,
                                    "Field visit: the corral is roofed and locked at night")


def _fill_report(page, complete: bool) -> None:  # noqa: ANN001
    """The report form sent empty (every error at once) or filled in (check your answers)."""
    if complete:
        page.fill("#name", "Karen Sargsyan")
        page.fill("#phone", "094 111 222")
        page.select_option("#village_id", index=1)
        page.select_option("#setting", "night_corral")
        page.fill("#occurred_on", "2026-03-01")
        page.select_option("#part_of_day", "night")
        page.select_option("#species", "sheep")
        page.select_option("#age_class", "adult_female")
        page.fill("#killed", "2")
        page.check("#protection-0")
        page.check("#protection-1")
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def _journeys(world, incentive_scheme: int) -> SimpleNamespace:  # noqa: ANN001
    """The states the browser journeys pass through besides plain compensation: a flagged
    report, an appeal, a top-up waiting for payment, an insured loss waiting for its
    settlement, a claim to assess, and incentive payments (one ready, one in a batch)."""
    from datetime import date, timedelta
    from decimal import Decimal

    from conflict_app.claims import appeals
    from conflict_app.claims import operations as claim_ops
    from conflict_app.core import clock
    from conflict_app.payments import operations as pay
    from conflict_app.payments.models import PaymentMethod
    from conflict_app.schemes import incentives, insurance, params
    from conflict_app.schemes import operations as scheme_ops
    from conflict_app.verification import operations as verification_ops
    from conflict_app.verification.checklist import Confidence, Predator
    from tests import helpers

    today = clock.today()
    # A second report of one household within days of the first: flagged for the clerk.
    twice = helpers.household(world, name="Narek Hovhannisyan")
    helpers.report(world, hh=twice, killed=1, days_ago=3)
    flagged, _pin = helpers.report(world, hh=twice, killed=2, days_ago=2)
    # A rejection appealed: a supervisor or an approver decides.
    rejected = helpers.assessed(world, hh=helpers.household(world, world.shikahogh,
                                                            "Lusine Avagyan"))
    claim_ops.reject(rejected.id, world.approver, rejected.version, "Killed by dogs")
    appeals.appeal(rejected.id, world.clerk, rejected.version, "The herder saw the leopard")
    # Paid for 1 of 2 sheep, appealed, a new visit finds 2: the top-up waits for finance.
    topup = helpers.approved(world, hh=helpers.household(world, name="Ani Mkrtchyan"),
                             killed=2, confirmed=1, days_ago=4)
    batch = pay.create_batch(world.finance, [topup.id], PaymentMethod.CASH)
    pay.export_batch(world.finance, batch.id)
    pay.record_paid(world.finance, batch.items[0].id, "TX-2026-0051")
    appeals.appeal(topup.id, world.clerk, topup.version, "Two sheep were killed")
    claim_ops.assign_verifier(topup.id, world.supervisor, topup.version, world.verifier.id,
                              appeal=True)
    verification_ops.file_verification(topup.id, world.verifier, topup.version,
                                       verification_ops.VerificationInput(
                                           visited_on=today, signs=helpers.signs(),
                                           predator=Predator.LEOPARD,
                                           confidence=Confidence.CONFIRMED,
                                           confirmed={ln.id: (ln.killed, ln.injured)
                                                      for ln in topup.incident.lines}))
    claim_ops.assess(topup.id, world.clerk, topup.version)
    claim_ops.approve(topup.id, world.approver, topup.version)
    # An insured household's loss, approved, waiting for its period's settlement.
    ins = scheme_ops.create_scheme(world.manager, scheme_ops.SchemeInput(
        "AM-INS", "Syunik livestock insurance", params.SchemeKind.INSURANCE, "AM",
        world.syunik.id, "AMD", "Example fund", Decimal(0), "refuse", date(2025, 1, 1), None,
        Decimal(0), None))
    version = scheme_ops.add_version(world.manager, ins.id, date(2025, 1, 1),
                                     params.defaults(params.SchemeKind.INSURANCE)
                                     | {"waiting_days": "0"})
    scheme_ops.publish_version(world.manager, version.id)
    insured = helpers.household(world, name="Hasmik Sargsyan")
    enrolment = insurance.enrol(world.clerk, ins.id, insured.id, today,
                                today + timedelta(days=364),
                                [insurance.InsuredLine(helpers.Species.SHEEP, 50,
                                                       Decimal(60000))], True)
    insurance.record_premium(world.finance, enrolment.id, today)
    helpers.household(world, name="Gayane Harutyunyan")  # to enrol on the enrolment page
    insured_claim = helpers.approved(world, hh=insured, killed=1, days_ago=0)
    # A claim the clerk assesses next.
    to_assess = helpers.verified(world, hh=helpers.household(world, name="Tigran Manukyan"))
    # The incentive scheme's performance payments: one waits for finance, one is batched.
    incentives.record_presence(world.verifier, incentive_scheme, world.shikahogh.id,
                               "regular", today, "Tracks along the reserve's border")
    payments = incentives.compute_performance(world.manager, incentive_scheme, today.year)
    reward_batch = pay.create_batch(world.finance, [], PaymentMethod.CASH,
                                    [payments[0].id])
    return SimpleNamespace(flagged=flagged.id, appealed=rejected.id, topup=topup.id,
                           insurance=ins.id, insured_claim=insured_claim.id,
                           to_assess=to_assess.id, reward_batch=reward_batch.id)


def _press(selector: str):  # noqa: ANN202
    """A page reached by a button of the page opened first (a preview, a confirmation)."""
    def run(session) -> None:  # noqa: ANN001
        with session.page.expect_navigation():
            session.page.locator(selector).first.click()
    return run


def _status_claim(ids):  # noqa: ANN001, ANN202
    """The page a herder's reference and PIN open."""
    def run(session) -> None:  # noqa: ANN001
        session.page.fill("input[name=reference]", ids.reference)
        session.page.fill("input[name=pin]", STATUS_PIN)
        session.page.click("form[action='/status'] button")
        session.page.wait_for_load_state()
    return run


def main() -> None:
    from config import TestConfig
    from conflict_app import create_app
    from conflict_app.i18n import LOCALES, catalogues
    from tests import browser_support as bs

    parser = argparse.ArgumentParser()
    parser.add_argument("outdir", type=Path, nargs="?", default=Path("screenshots"))
    parser.add_argument("locales", nargs="*", default=list(LOCALES))
    parser.add_argument("--widths", default="360,1366")
    parser.add_argument("--pages", default="", help="only these pages, e.g. receipt,status")
    args = parser.parse_args()
    reason = bs.missing()
    if reason and "axe" not in reason:
        sys.exit(reason)
    catalogues.compile_all(quiet=True)
    work = Path(tempfile.mkdtemp())

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{work / 'shots.sqlite'}"
        EVIDENCE_DIR = str(work / "evidence")

    app = create_app(Config)
    ids = _world(app)
    pages = {
        "start": (None, "/"), "report": (None, "/report?country=AM"),
        "status": (None, "/status"), "receipt": (None, ids.receipt),
        "status-claim": (None, "/status", _status_claim(ids)), "privacy": (None, "/privacy"),
        "login": (None, "/login"),
        "queue": (ids.clerk, "/queue"), "claim": (ids.clerk, f"/claims/{ids.claim}"),
        "claim-approver": (ids.approver, f"/claims/{ids.claim}"),
        "confirm-approve": (ids.approver, f"/claims/{ids.claim}",
                            _press("form[action$='/actions/approve'] button[type=submit]")),
        "assess-preview": (ids.clerk, f"/claims/{ids.to_assess}",
                           _press("form[action$='/actions/assess'] button[type=submit]")),
        "claim-flagged": (ids.clerk, f"/claims/{ids.flagged}"),
        "claim-appealed": (ids.supervisor, f"/claims/{ids.appealed}"),
        "claim-topup": (ids.finance, f"/claims/{ids.topup}"),
        "claim-insured": (ids.finance, f"/claims/{ids.insured_claim}"),
        "visits": (ids.verifier, "/verification/visits"),
        "households": (ids.clerk, "/households/"),
        "payments": (ids.finance, "/payments/"),
        "schemes": (ids.manager, "/schemes/"), "scheme": (ids.manager, f"/schemes/{ids.scheme}"),
        "scheme-insurance": (ids.finance, f"/schemes/{ids.insurance}"),
        "enrol": (ids.clerk, f"/schemes/{ids.insurance}/enrol"),
        "claim-paid": (ids.clerk, f"/claims/{ids.paid}"),
        "batch": (ids.finance, f"/payments/batches/{ids.batch}"),
        "batch-incentive": (ids.finance, f"/payments/batches/{ids.reward_batch}"),
        "release": (ids.finance, f"/payments/batches/{ids.batch}/export"),
        "scheme-incentive": (ids.manager, f"/schemes/{ids.incentive}"),
        "scheme-incentive-verifier": (ids.verifier, f"/schemes/{ids.incentive}"),
        "agreements": (ids.manager, f"/schemes/{ids.incentive}/agreements"),
        "agreement": (ids.verifier, "/schemes/agreements/1"),
        "community": (ids.manager, "/schemes/villages/1/agreements"),
        "rates": (ids.manager, "/schemes/rates"),
        "analytics": (ids.analyst, "/analytics/"),
        "effectiveness": (ids.analyst, "/analytics/effectiveness"),
        "measure": (ids.analyst, "/analytics/measures/corral"),
    }
    if args.pages:
        pages = {name: pages[name] for name in args.pages.split(",")}
    server = bs.LiveServer(app)
    overflow_lines = []
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    try:
        # Signing in reads the one-time code's last step from the database.
        with app.app_context(), sync_playwright() as p:
            browser = bs.chromium(p)
            for width in (int(w) for w in args.widths.split(",")):
                viewport = {"width": width, "height": 800}
                folder = args.outdir / str(width)
                folder.mkdir(parents=True, exist_ok=True)
                for locale in args.locales:
                    visit = bs.Visit(outdir=work)
                    sessions = {}
                    for name, (user, url, *then) in pages.items():
                        key = user.id if user else None
                        if key not in sessions:
                            sessions[key] = bs.Session(browser, server, visit, locale,
                                                       viewport)
                            if user:
                                sessions[key].login(user)
                        session = sessions[key]
                        try:
                            session.goto(url, check=False)
                            for step in then:
                                step(session)
                        except (AssertionError, PlaywrightError) as error:
                            overflow_lines.append(f"{width} {locale} {name}: failed {error}")
                            continue
                        for line in bs.overflow(session.page):
                            overflow_lines.append(f"{width} {locale} {name}: {line}")
                        png = folder / f"{locale}-{name}.png"
                        session.page.screenshot(path=str(png), full_page=True)
                        print(png)
                    for session in sessions.values():
                        session.close()
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    (args.outdir / "overflow.txt").write_text("\n".join(overflow_lines) + "\n",
                                              encoding="utf-8")
    print(f"{len(overflow_lines)} overflow lines in {args.outdir / 'overflow.txt'}")


if __name__ == "__main__":
    main()
