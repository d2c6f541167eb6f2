"""Demo data: places, staff of every role in two jurisdictions, prices, households and
claims in every state, all made through the real operations. Demo passwords only."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pyotp
from sqlalchemy import func, select

from conflict_app import demo_harm, demo_herd
from conflict_app.auth.models import User
from conflict_app.claims import appeals, intake
from conflict_app.claims import operations as ops
from conflict_app.claims.models import AgeClass, Claim, Setting
from conflict_app.claims.workflow import State
from conflict_app.core import clock
from conflict_app.core.permissions import Role
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.geo.models import AdminArea, Village
from conflict_app.geo.reference import load_reference_geography
from conflict_app.herders import operations as household_ops
from conflict_app.herders.models import Species
from conflict_app.payments import operations as pay
from conflict_app.payments.models import PaymentMethod
from conflict_app.schemes import agreements, funds, incentives, insurance, params
from conflict_app.schemes import operations as scheme_ops
from conflict_app.schemes import prices as scheme_prices
from conflict_app.schemes.fund_models import EntryKind, FundKind
from conflict_app.schemes.models import MarketPrice
from conflict_app.schemes.params import SchemeKind
from conflict_app.verification import committee_demo
from conflict_app.verification import operations as verification_ops
from conflict_app.verification.checklist import (
    BiteLocation,
    CameraTrap,
    CarcassHandling,
    Confidence,
    Predator,
    Signs,
    Tracks,
)

PASSWORD = "demo-pardus-2026"  # noqa: S105 - printed as demo-only, for a local demo
# A fixed authenticator key for the demo accounts that need two-factor sign-in.
DEMO_TOTP = "PARDUSDEMOPARDUSDEMOPARDUSDEMO23"

PRICES = {  # (species, age class): AMD, IRR
    ("sheep", "adult_female"): ("60000", "45000000"), ("sheep", "adult_male"): ("75000",
                                                                                 "55000000"),
    ("sheep", "young"): ("30000", "22000000"), ("goat", "adult_female"): ("50000", "38000000"),
    ("goat", "adult_male"): ("60000", "42000000"), ("goat", "young"): ("25000", "18000000"),
    ("cattle", "adult_female"): ("450000", "350000000"),
    ("cattle", "adult_male"): ("500000", "400000000"), ("cattle", "young"): ("200000",
                                                                             "150000000"),
    ("horse", "adult_male"): ("600000", "450000000"), ("donkey", "adult_female"): ("120000",
                                                                                   "90000000"),
}
HOUSEHOLDS = {
    "AM": [("Armen Petrosyan", "+37491100201"), ("Gohar Hakobyan", "+37493100202"),
           ("Suren Mkrtchyan", "+37494100203"), ("Anahit Sargsyan", "+37495100204"),
           ("Hayk Grigoryan", "+37496100205"), ("Lusine Avetisyan", "+37497100206"),
           ("Tigran Harutyunyan", "+37498100207"), ("Narine Karapetyan", "+37499100208")],
    "IR": [("Reza Ahmadi", "+989111000301"), ("Fatemeh Mohammadi", "+989121000302"),
           ("Ali Hosseini", "+989131000303"), ("Maryam Rezaei", "+989141000304"),
           ("Hossein Karimi", "+989151000305"), ("Zahra Moradi", "+989161000306"),
           ("Mohammad Rahimi", "+989171000307")],
}


def build() -> Iterator[str]:
    if db.session.scalar(select(func.count(User.id))):
        yield "Demo data already present: nothing changed."
        return
    created = load_reference_geography()
    db.session.commit()
    yield (f"Geography: {created['country']} countries, {created['admin_area']} areas, "
           f"{created['village']} villages")
    staff = _staff()
    _prices(staff)
    _compensation_example(staff)
    committee_scheme = committee_demo.example_scheme(
        staff[("golestan", Role.SCHEME_MANAGER)], staff["places"]["golestan"][1])
    yield "DEMO ONLY: every account below has the password " + PASSWORD
    yield ("Approvers, finance and the admin sign in with a code from an authenticator app "
           f"set up with the key {DEMO_TOTP}")
    for email, roles, place in sorted(staff["listing"]):
        yield f"  {email:38} {roles:28} {place}"
    try:
        counts = _claims(staff)
        herd = demo_herd.examples(staff)
        harm = demo_harm.examples(staff)
    finally:
        clock.freeze(None)
    yield "Claims by state: " + ", ".join(f"{s} {n}" for s, n in sorted(counts.items()))
    yield "Example schemes (EXAMPLE-AM-COMP valued the Armenian claims):"
    yield "  " + herd
    yield "  " + harm
    yield "  " + _insurance_example(staff)
    yield "  " + _incentive_example(staff)
    yield (f"  {committee_scheme}: a village committee confirms each Golestan claim before "
           "its assessment (minutes on the claims)")
    yield _alerts_example()


def _alerts_example() -> str:
    """Verified leopard attacks above texted their neighbours (``alerts.operations``)."""
    from conflict_app.alerts.models import Alert

    alerts = db.session.scalars(select(Alert).where(Alert.phones > 0)).all()
    return (f"Prevention alerts: {len(alerts)} verified attacks texted "
            f"{sum(a.phones for a in alerts)} neighbouring phones (see /alerts as "
            "supervisor.syunik@demo.pardus)")


def _staff() -> dict:
    def area(country: str, name: str) -> AdminArea:
        return db.session.scalars(select(AdminArea).where(
            AdminArea.country_code == country, AdminArea.name == name,
            AdminArea.parent_id.is_(None))).one()

    places = {"syunik": ("AM", area("AM", "Syunik")), "golestan": ("IR", area("IR", "Golestan"))}
    out: dict = {"listing": []}

    def user(email: str, name: str, roles: set[Role], country: str | None,
             area_obj: AdminArea | None, locale: str) -> User:
        account = _account(email, name, roles, country, area_obj, locale)
        out["listing"].append((email, ", ".join(sorted(r.value for r in roles)),
                               f"{country or '*'} {area_obj.name if area_obj else ''}".strip()))
        return account

    for key, (country, area_obj) in places.items():
        locale = "hy" if country == "AM" else "fa"
        for role in (Role.CLERK, Role.SUPERVISOR, Role.VERIFIER, Role.APPROVER, Role.FINANCE):
            out[(key, role)] = user(f"{role.value}.{key}@demo.pardus",
                                    f"{role.value.title()} {area_obj.name}", {role}, country,
                                    area_obj, locale)
        out[(key, "approver2")] = user(f"approver2.{key}@demo.pardus",
                                       f"Second approver {area_obj.name}", {Role.APPROVER},
                                       country, area_obj, locale)
        out[(key, Role.SCHEME_MANAGER)] = user(f"manager.{country.lower()}@demo.pardus",
                                               f"Scheme manager {country}",
                                               {Role.SCHEME_MANAGER}, country, None, locale)
    user("analyst@demo.pardus", "Analyst", {Role.ANALYST}, None, None, "en")
    user("admin@demo.pardus", "Administrator", {Role.ADMIN}, None, None, "en")
    db.session.commit()
    out["places"] = places
    return out


def _account(email: str, name: str, roles: set[Role], country: str | None,
             area: AdminArea | None, locale: str) -> User:
    """A demo account with the demo password (and the demo authenticator key if needed)."""
    account = User(email=email, name=name, locale=locale, jurisdiction_country=country,
                   jurisdiction_area_id=area.id if area else None)
    account.set_password(PASSWORD)
    account.set_roles(roles)
    if account.needs_two_factor:
        account.totp_secret = DEMO_TOTP
        account.totp_confirmed_at = clock.now()
    db.session.add(account)
    return account


def _prices(staff: dict) -> None:
    for (species, age), (amd, irr) in PRICES.items():
        for country, amount, currency in (("AM", amd, "AMD"), ("IR", irr, "IRR")):
            db.session.add(MarketPrice(country_code=country, species=species, age_class=age,
                                       amount=Decimal(amount), currency=currency,
                                       valid_from=date(2025, 1, 1)))
    db.session.commit()


def _signs(heads: int) -> Signs:
    return Signs(haemorrhage=True, bite_location=BiteLocation.THROAT_NAPE,
                 canine_spacing_cm=Decimal("4.6"), claw_rakes=True,
                 carcass_handling=CarcassHandling.CACHED, feeding_pattern="chest opened",
                 heads_killed=heads, tracks=Tracks.LEOPARD, scat_hair_dna=False,
                 camera_trap=CameraTrap.NONE, hours_since_attack=20)


def _claims(staff: dict) -> Counter:
    now = datetime.now(UTC)
    counts: Counter = Counter()
    # (state wanted, days ago reported, species, killed) per jurisdiction
    plan = [
        (State.REPORTED, 1, "sheep", 2), (State.REPORTED, 4, "goat", 1),
        (State.SCREENED, 2, "sheep", 3), (State.MORE_EVIDENCE_REQUESTED, 6, "goat", 2),
        (State.INELIGIBLE, 20, "sheep", 1), (State.VERIFICATION_SCHEDULED, 3, "cattle", 1),
        (State.VERIFIED, 8, "sheep", 4), (State.ASSESSED, 10, "cattle", 1),
        (State.APPROVED, 14, "sheep", 2), (State.PAYMENT_SCHEDULED, 18, "goat", 3),
        (State.PAID, 25, "sheep", 2), (State.CLOSED, 40, "sheep", 1),
        (State.REJECTED, 16, "sheep", 5), (State.APPEALED, 30, "goat", 2),
        (State.WITHDRAWN, 12, "sheep", 1), (State.DUPLICATE, 9, "sheep", 2),
    ]
    for key, (country, province) in staff["places"].items():
        villages = db.session.scalars(select(Village).where(
            Village.admin1_id == province.id).order_by(Village.id)).all()
        clerk = staff[(key, Role.CLERK)]
        households = []
        for i, (name, phone) in enumerate(HOUSEHOLDS[country]):
            clock.freeze(now - timedelta(days=60))
            households.append(household_ops.register_household(clerk, household_ops.
                                                               HouseholdInput(
                head_name=name, phone=phone, village_id=villages[i % len(villages)].id,
                language="hy" if country == "AM" else "fa",
                census={(now.year, Species.SHEEP): 60 + 10 * i, (now.year, Species.GOAT): 25,
                        (now.year, Species.CATTLE): 4,
                        (now.year - 1, Species.SHEEP): 55 + 10 * i})))
        originals: list[Claim] = []
        for n, (target, days, species, killed) in enumerate(plan):
            household = households[n % len(households)]
            claim = _drive(staff, key, household, target, now - timedelta(days=days),
                           Species(species), killed, originals)
            originals.append(claim)
            counts[db.session.get(Claim, claim.id).state.value] += 1
    return counts


def _drive(staff, key, household, target, reported, species, killed, originals):  # noqa: ANN001, ANN202, C901
    s = {role: staff[(key, role)] for role in (Role.CLERK, Role.SUPERVISOR, Role.VERIFIER,
                                                Role.APPROVER, Role.FINANCE)}
    second = staff[(key, "approver2")]
    step = [reported]

    def at(hours: float) -> None:
        step[0] = step[0] + timedelta(hours=hours)
        clock.freeze(min(step[0], datetime.now(UTC)))

    clock.freeze(reported)
    age = AgeClass.ADULT_FEMALE
    claim, _pin = intake.register_report(s[Role.CLERK], household, intake.ReportInput(
        occurred_on=(reported - timedelta(hours=14)).date(),
        setting=Setting.NIGHT_CORRAL if killed > 1 else Setting.PASTURE,
        lines=[intake.LossInput(species, age, killed, 0)], guard_present=killed == 1,
        description="Demo report"))

    def v() -> int:
        return db.session.get(Claim, claim.id).version

    if target == State.REPORTED:
        return claim
    if target == State.INELIGIBLE:
        at(6)
        ops.declare_ineligible(claim.id, s[Role.CLERK], v(), "The animals were not livestock")
        return claim
    if target == State.WITHDRAWN:
        at(4)
        ops.withdraw(claim.id, s[Role.CLERK], v(), "The herder found the animals alive")
        return claim
    if target == State.DUPLICATE:
        at(3)
        ops.mark_duplicate(claim.id, s[Role.CLERK], v(), "Reported twice by two relatives",
                           originals[0].reference)
        return claim
    at(6)
    ops.screen(claim.id, s[Role.CLERK], v())
    if target == State.SCREENED:
        return claim
    if target == State.MORE_EVIDENCE_REQUESTED:
        at(2)
        ops.request_evidence(claim.id, s[Role.CLERK], v(), "Vet certificate for the injuries",
                             clock.today() + timedelta(days=14))
        return claim
    at(10)
    ops.assign_verifier(claim.id, s[Role.SUPERVISOR], v(), s[Role.VERIFIER].id)
    if target == State.VERIFICATION_SCHEDULED:
        return claim
    at(20)
    lines = db.session.get(Claim, claim.id).incident.lines
    confidence = Confidence.POSSIBLE if target in {State.REJECTED, State.APPEALED} else \
        Confidence.CONFIRMED
    verification_ops.file_verification(claim.id, s[Role.VERIFIER], v(),
                                       verification_ops.VerificationInput(
        visited_on=clock.today(), signs=_signs(killed), predator=Predator.LEOPARD,
        confidence=confidence, confirmed={ln.id: (ln.killed, ln.injured) for ln in lines},
        notes="Demo verification"))
    if target == State.VERIFIED:
        return claim
    at(12)
    committee_demo.meet(claim.id, s[Role.SUPERVISOR])
    at(12)
    ops.assess(claim.id, s[Role.CLERK], v())
    if target in {State.REJECTED, State.APPEALED}:
        at(24)
        ops.reject(claim.id, s[Role.APPROVER], v(), "Evidence too old to attribute to a leopard")
        if target == State.APPEALED:
            at(48)
            appeals.appeal(claim.id, s[Role.CLERK], v(), "The herder brings a neighbour's photos")
        return claim
    if target == State.ASSESSED:
        return claim
    at(24)
    ops.approve(claim.id, s[Role.APPROVER], v())
    if db.session.get(Claim, claim.id).state == State.ASSESSED:
        at(2)
        ops.approve(claim.id, second, v())
    if target == State.APPROVED:
        return claim
    at(24)
    batch = pay.create_batch(s[Role.FINANCE], [claim.id], PaymentMethod.CASH)
    if target == State.PAYMENT_SCHEDULED:
        return claim
    at(1)
    pay.export_batch(s[Role.FINANCE], batch.id)
    at(48)
    pay.record_paid(s[Role.FINANCE], batch.items[0].id, f"BANK-{claim.id:06d}")
    if target == State.PAID:
        return claim
    at(24)
    ops.close(claim.id, s[Role.CLERK], v())
    return claim


def demo_totp_code() -> str:
    """The current code of the demo authenticator key (handy for a local demo)."""
    return pyotp.TOTP(DEMO_TOTP).now()


# --- example schemes (PRODUCT.md §4 defaults), one of each kind ---------------------------
def _compensation_example(staff: dict) -> None:
    """Armenia: claims of the demo are valued under this scheme's first rule version."""
    manager = staff[("syunik", Role.SCHEME_MANAGER)]
    scheme = scheme_ops.create_scheme(manager, scheme_ops.SchemeInput(
        code="EXAMPLE-AM-COMP", name="Example: Syunik livestock compensation",
        kind=SchemeKind.COMPENSATION, country_code="AM", admin1_id=None, currency="AMD",
        funders="Example: national budget and a conservation trust", budget=Decimal(20_000_000),
        over_budget="queue", valid_from=date(2025, 1, 1), valid_to=None,
        review_share=Decimal(0), review_above=Decimal(1_000_000), example=True))
    values = params.defaults(SchemeKind.COMPENSATION) | {"cap_incident_heads": "10",
                                                        "cap_year_amount": "3000000",
                                                        "minimum_claim": "5000",
                                                        "missing_allowed": "1",
                                                        "vet_invoice": "1",
                                                        "vet_cap_head": "30000",
                                                        **demo_harm.RULES}
    version = scheme_ops.add_version(manager, scheme.id, date(2025, 1, 1), values,
                                     "Example defaults of the product description")
    scheme_ops.publish_version(manager, version.id)
    _fund_example(manager, scheme)
    # A rate is shared by every country reporting in its currency: the system owner sets
    # the demo's (a country's manager may set only their own currency's).
    admin = db.session.scalars(select(User).where(User.email == "admin@demo.pardus")).one()
    for currency, per_usd in (("AMD", "390"), ("GEL", "2.7"), ("IRR", "42000")):
        scheme_prices.set_rate(admin, currency, date(2025, 1, 1), Decimal(per_usd),
                            "example rate")


def _fund_example(manager: User, scheme) -> None:  # noqa: ANN001
    """An endowment whose last year's interest feeds part of the Armenian scheme's budget."""
    fund = funds.create_fund(manager, funds.FundInput(
        "Example: Syunik conservation endowment", FundKind.ENDOWMENT, "AMD", "AM", None,
        "Example: interest on an endowment pays part of the compensation", example=True))
    today = clock.today()
    last = today.year - 1
    for kind, amount, extra in (
            (EntryKind.CONTRIBUTION, 40_000_000, {"donor": "Example: a conservation trust"}),
            (EntryKind.CONTRIBUTION, 10_000_000, {"donor": "Example: the national budget"}),
            (EntryKind.INCOME, 2_400_000, {"period_from": date(last, 1, 1),
                                           "period_to": date(last, 12, 31)}),
            (EntryKind.ALLOCATION, 2_000_000, {"scheme_id": scheme.id})):
        funds.record_entry(manager, fund.id, funds.EntryInput(
            kind, Decimal(amount), today, **extra))


def _insurance_example(staff: dict) -> str:
    """Georgia: a community insurance with two enrolled households and their premiums."""
    kakheti = db.session.scalars(select(AdminArea).where(
        AdminArea.country_code == "GE", AdminArea.name == "Kakheti",
        AdminArea.parent_id.is_(None))).one()
    village = db.session.scalars(select(Village).where(
        Village.admin1_id == kakheti.id).order_by(Village.id)).first()
    people = {}
    for role, email in ((Role.SCHEME_MANAGER, "manager.ge@demo.pardus"),
                        (Role.CLERK, "clerk.kakheti@demo.pardus"),
                        (Role.FINANCE, "finance.kakheti@demo.pardus")):
        people[role] = _account(email, f"{role.value.title()} Kakheti", {role}, "GE",
                                None if role is Role.SCHEME_MANAGER else kakheti, "ka")
    db.session.commit()
    manager = people[Role.SCHEME_MANAGER]
    scheme = scheme_ops.create_scheme(manager, scheme_ops.SchemeInput(
        code="EXAMPLE-GE-INS", name="Example: Kakheti community livestock insurance",
        kind=SchemeKind.INSURANCE, country_code="GE", admin1_id=kakheti.id, currency="GEL",
        funders="Example: herders' premiums matched by a conservation fund",
        budget=Decimal(20_000), over_budget="refuse", valid_from=date(2025, 1, 1),
        valid_to=None, review_share=Decimal(0), review_above=None, example=True))
    version = scheme_ops.add_version(manager, scheme.id, date(2025, 1, 1),
                                     params.defaults(SchemeKind.INSURANCE),
                                     "Example defaults of the product description")
    scheme_ops.publish_version(manager, version.id)
    # The herders' today in Kakheti: hours ahead of UTC's every evening.
    today = timezones.today_for(village)
    for name, phone, sheep in (("Giorgi Beridze", "+995599100401", 40),
                               ("Nino Kapanadze", "+995599100402", 25)):
        household = household_ops.register_household(people[Role.CLERK],
                                                      household_ops.HouseholdInput(
            head_name=name, phone=phone, village_id=village.id, language="ka",
            census={(today.year, Species.SHEEP): sheep}))
        enrolment = insurance.enrol(
            people[Role.CLERK], scheme.id, household.id, today, today + timedelta(days=365),
            [insurance.InsuredLine(Species.SHEEP, sheep, Decimal(180))], True)
        insurance.record_premium(people[Role.FINANCE], enrolment.id, today)
    return (f"{scheme.code}: 2 households enrolled, pool {insurance.balance(scheme.id)} GEL "
            "(accounts manager.ge@, clerk.kakheti@, finance.kakheti@demo.pardus)")


def _incentive_example(staff: dict) -> str:
    """Iran: performance payments for verified presence and one withholding."""
    manager = staff[("golestan", Role.SCHEME_MANAGER)]
    verifier = staff[("golestan", Role.VERIFIER)]
    golestan = staff["places"]["golestan"][1]
    scheme = scheme_ops.create_scheme(manager, scheme_ops.SchemeInput(
        code="EXAMPLE-IR-INC", name="Example: Golestan conservation incentives",
        kind=SchemeKind.INCENTIVE, country_code="IR", admin1_id=golestan.id, currency="USD",
        funders="Example: a conservation NGO", budget=Decimal(15_000), over_budget="refuse",
        valid_from=date(2025, 1, 1), valid_to=None, review_share=Decimal(0),
        review_above=None, example=True))
    values = params.defaults(SchemeKind.INCENTIVE) | {
        "adoption_corral": "600", "adoption_guard_dog": "250", "household_adoption_amount": "800",
        "household_adoption_count": "2"}
    version = scheme_ops.add_version(manager, scheme.id, date(2025, 1, 1), values,
                                     "Example defaults of the product description")
    scheme_ops.publish_version(manager, version.id)
    villages = db.session.scalars(select(Village).where(
        Village.admin1_id == golestan.id).order_by(Village.id)).all()
    last_year = clock.today().year - 1
    for village, kind in zip(villages, ("reproduction", "regular", "occasional"),
                             strict=False):
        incentives.record_presence(verifier, scheme.id, village.id, kind,
                                   date(last_year, 9, 15), "Example: camera-trap series")
    if len(villages) > 2:
        incentives.withhold(manager, scheme.id, villages[2].id,
                            "Example: a leopard was found poisoned near the village",
                            clock.today())
    made = incentives.compute_performance(manager, scheme.id, last_year)
    agreement = _agreement_example(manager, verifier, scheme, villages[0])
    return (f"{scheme.code}: {len(made)} performance payments for {last_year}; {agreement}")


def _agreement_example(manager: User, verifier: User, scheme, village: Village) -> str:  # noqa: ANN001
    """A three-year agreement with a community whose first year is over and verified."""
    signed_on = clock.today() - timedelta(days=400)
    agreement = agreements.sign(manager, scheme.id, village.id, None, agreements.Terms(
        signed_on=signed_on, term_years=3, amount=Decimal(1200),
        milestones=["no_killing", "presence"],
        note="Example: staged payments against a year without retaliatory killing and a "
             "verified leopard presence"))
    incentives.record_presence(verifier, scheme.id, village.id, "regular",
                               signed_on + timedelta(days=90), "Example: camera-trap series")
    for milestone in agreement.milestones:
        if milestone.year == 1:
            start, after = agreement.year_bounds(1)
            on = after if milestone.kind == "no_killing" else start + timedelta(days=95)
            agreements.verify_milestone(verifier, milestone.id, on,
                                        "Example: ranger's patrol log and camera-trap photos")
    return (f"conservation agreement {agreement.reference} with {village.name}: the first "
            "year's instalment is due")
