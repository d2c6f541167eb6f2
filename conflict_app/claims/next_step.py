"""What happens next on a claim and who does it, in the words a claims officer uses, so no
one has to guess who assesses after the visit or that a paid claim is closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from conflict_app.claims.models import Claim
from conflict_app.claims.workflow import State
from conflict_app.core.errors import N_
from conflict_app.core.permissions import Role

R = Role


@dataclass(frozen=True)
class NextStep:
    text: str  # a msgid, formatted with ``params`` where it is shown
    roles: tuple[Role, ...]  # who does it (empty: nobody, the claim is finished)
    params: dict
    approvals_given: int = 0
    approvals_needed: int = 0


def next_step(claim: Claim, *, approvals_given: int = 0, approvals_needed: int = 0,
              appeal_until: datetime | None = None, closes_on: datetime | None = None,
              review_pending: bool = False, awaits_settlement: bool = False) -> NextStep:
    state = claim.state
    if state == State.REPORTED:
        return NextStep(N_("A clerk screens the report: eligible, or more evidence needed."),
                        (R.CLERK, R.SUPERVISOR), {})
    if state == State.SCREENED:
        return NextStep(N_("A supervisor assigns a verifier for the field visit."),
                        (R.SUPERVISOR,), {})
    if state == State.MORE_EVIDENCE_REQUESTED:
        return NextStep(N_("The herder brings the missing evidence by %(date)s; a clerk "
                           "records it."), (R.CLERK, R.SUPERVISOR),
                        {"date": claim.evidence_due_at})
    if state == State.VERIFICATION_SCHEDULED:
        if claim.verifier is None:
            return NextStep(N_("A supervisor assigns a verifier for the field visit."),
                            (R.SUPERVISOR,), {})
        return NextStep(N_("%(name)s visits the site and files the verification report."),
                        (R.VERIFIER,), {"name": claim.verifier.name})
    if state == State.VERIFIED:
        return NextStep(N_("A clerk or supervisor assesses the amount: Assess shows the "
                           "amount before it is saved."), (R.CLERK, R.SUPERVISOR), {})
    if state == State.ASSESSED:
        if approvals_given and approvals_given < approvals_needed:
            return NextStep(N_("%(given)s of %(needed)s approvals: a second, different "
                               "approver decides."), (R.APPROVER,),
                            {"given": approvals_given, "needed": approvals_needed},
                            approvals_given, approvals_needed)
        return NextStep(N_("An approver decides: approve, send back for a new visit, or "
                           "reject."), (R.APPROVER,), {}, approvals_given, approvals_needed)
    if state == State.APPROVED:
        if claim.budget_hold:
            return NextStep(N_("The payment waits for budget: a scheme manager adds budget "
                               "to the scheme."), (R.SCHEME_MANAGER,), {})
        if review_pending:
            return NextStep(N_("A supervisor or an approver who did not approve it gives the "
                               "second review."), (R.SUPERVISOR, R.APPROVER), {})
        if awaits_settlement:
            # An insurance pays from its pool, pro rata when short: only once the period
            # of the loss is settled is the amount to pay known.
            return NextStep(N_("Finance or a scheme manager settles the insurance period of "
                               "the loss against the pool on the scheme page; finance then "
                               "puts it in a payment batch."),
                            (R.FINANCE, R.SCHEME_MANAGER), {})
        return NextStep(N_("Finance puts it in a payment batch and releases the payment "
                           "file."), (R.FINANCE,), {})
    if state == State.PAYMENT_SCHEDULED:
        return NextStep(N_("Finance records the payment from the bank's or provider's "
                           "confirmation."), (R.FINANCE,), {})
    if state == State.PAID:
        if closes_on is not None:
            return NextStep(N_("Nothing to do: the claim closes by itself on %(date)s, when "
                               "the appeal period is over. Until then a clerk can record an "
                               "appeal."), (R.CLERK,), {"date": closes_on})
        return NextStep(N_("A clerk closes the claim once the appeal period is over; until "
                           "then they can record an appeal."), (R.CLERK,), {})
    if state == State.APPEALED:
        return NextStep(N_("A supervisor sends it to a new visit or to assessment, or an "
                           "approver dismisses the appeal."), (R.SUPERVISOR, R.APPROVER), {})
    if state in {State.REJECTED, State.INELIGIBLE} and appeal_until is not None:
        return NextStep(N_("Nothing, unless the herder appeals by %(date)s: a clerk records "
                           "the appeal."), (R.CLERK,), {"date": appeal_until})
    return NextStep(N_("Nothing: the claim is finished."), (), {})
