"""What the status page tells a herder in each state of the claim: one plain message, a
colour that matches it (green only for good news, red for a refusal), and the next step.

A date is promised only while it is ahead: a paid claim has nothing "expected", and a
deadline the office missed is said to be late, not shown as a date to wait for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from conflict_app.claims.workflow import State
from conflict_app.core import clock

# Tones, as CSS classes of the page's box.
GOOD, UNDERWAY, ACTION, REFUSED, ENDED = "ok", "info", "wait", "bad", "ended"


@dataclass(frozen=True)
class StateView:
    tone: str
    message: str
    next_step: str
    expected_by: datetime | None = None  # only when it is still ahead
    late_since: datetime | None = None  # the office's deadline, when it has passed
    appeal_until: datetime | None = None  # after a decision, while an appeal is open
    appeal_closed_on: datetime | None = None
    amount_appeal_until: datetime | None = None  # an approved amount can be appealed too


_MESSAGES = {
    # Translators: herder's page: plain words, one polite 'you'
    State.REPORTED: (UNDERWAY, lambda: _("We received your report."),
                     # Translators: herder's page: plain words, one polite 'you'
                     lambda: _("The office checks the report.")),
    # Translators: herder's page: plain words, one polite 'you'
    State.SCREENED: (UNDERWAY, lambda: _("The office checked your report."),
                     # Translators: herder's page: plain words, one polite 'you'
                     lambda: _("A field visit is planned next.")),
    State.MORE_EVIDENCE_REQUESTED: (
        # Translators: herder's page: plain words, one polite 'you'
        ACTION, lambda: _("The office needs more evidence from you."),
        # Translators: herder's page: plain words, one polite 'you'
        lambda: _("Bring or send it to the office. Ask the office what is missing.")),
    State.VERIFICATION_SCHEDULED: (
        # Translators: herder's page: plain words, one polite 'you'
        UNDERWAY, lambda: _("A field officer will visit to see the animals."),
        # Translators: herder's page: plain words, one polite 'you'
        lambda: _("Keep the carcasses where they are until the field officer has seen "
                  "them.")),
    # Translators: herder's page: plain words, one polite 'you'
    State.VERIFIED: (UNDERWAY, lambda: _("The field visit is done."),
                     # Translators: herder's page: plain words, one polite 'you'
                     lambda: _("The office decides the claim.")),
    # Translators: herder's page: plain words, one polite 'you'
    State.ASSESSED: (UNDERWAY, lambda: _("The office has worked out the amount."),
                     # Translators: herder's page: plain words, one polite 'you'
                     lambda: _("The office decides the claim.")),
    # Translators: herder's page: plain words, one polite 'you'
    State.APPEALED: (UNDERWAY, lambda: _("Your appeal is being looked at."),
                     # Translators: herder's page: plain words, one polite 'you'
                     lambda: _("The claim is looked at again. You will be told the new "
                               "decision.")),
    # Translators: herder's page: plain words, one polite 'you'
    State.APPROVED: (GOOD, lambda: _("Your claim was approved."),
                     # Translators: herder's page: plain words, one polite 'you'
                     lambda: _("The payment is being prepared.")),
    # Translators: herder's page: plain words, one polite 'you'
    State.PAYMENT_SCHEDULED: (GOOD, lambda: _("Your claim was approved."),
                              # Translators: herder's page: plain words, one polite 'you'
                              lambda: _("The payment is being made.")),
    # Translators: herder's page: plain words, one polite 'you'
    State.PAID: (GOOD, lambda: _("Your claim was paid."),
                 # Translators: herder's page: plain words, one polite 'you'
                 lambda: _("Nothing more to do.")),
    # Translators: herder's page: plain words, one polite 'you'
    State.CLOSED: (GOOD, lambda: _("Your claim is closed."),
                   # Translators: herder's page: plain words, one polite 'you'
                   lambda: _("Nothing more to do.")),
    # Translators: herder's page: plain words, one polite 'you'
    State.REJECTED: (REFUSED, lambda: _("Your claim was not approved."),
                     # Translators: herder's page: plain words, one polite 'you'
                     lambda: _("If you disagree, you may appeal.")),
    # Translators: herder's page: plain words, one polite 'you'
    State.INELIGIBLE: (REFUSED, lambda: _("Your claim cannot be paid under the rules of the "
                                          "scheme."),
                       # Translators: herder's page: plain words, one polite 'you'
                       lambda: _("If you disagree, you may appeal.")),
    # Translators: herder's page: plain words, one polite 'you'
    State.WITHDRAWN: (ENDED, lambda: _("The claim was withdrawn."),
                      # Translators: herder's page: plain words, one polite 'you'
                      lambda: _("Nothing more to do.")),
    # Translators: herder's page: plain words, one polite 'you'
    State.DUPLICATE: (ENDED, lambda: _("This report was joined with another report of the "
                                       "same attack."),
                      # Translators: herder's page: plain words, one polite 'you'
                      lambda: _("Follow the other claim. The office can tell you its "
                                "reference.")),
}

# States whose due date is the office's to keep (not the herder's, not after the end).
_OFFICE_DUE = frozenset({State.REPORTED, State.SCREENED, State.VERIFICATION_SCHEDULED,
                         State.VERIFIED, State.ASSESSED, State.APPEALED, State.APPROVED,
                         State.PAYMENT_SCHEDULED})
_DECIDED_AGAINST = frozenset({State.REJECTED, State.INELIGIBLE})
_DECIDED_FOR = frozenset({State.APPROVED, State.PAID})


def state_view(claim, appeal_until: datetime | None = None,  # noqa: ANN001
               now: datetime | None = None) -> StateView:
    """The message, tone and next step for ``claim`` in the current locale."""
    now = now or clock.now()
    tone, message, next_step = _MESSAGES[claim.state]
    expected = late = open_until = closed_on = None
    if claim.state in _OFFICE_DUE and claim.due_at is not None:
        if claim.due_at > now:
            expected = claim.due_at
        else:
            late = claim.due_at
    elif claim.state == State.MORE_EVIDENCE_REQUESTED and claim.evidence_due_at:
        expected = claim.evidence_due_at if claim.evidence_due_at > now else None
    text = next_step()
    if claim.state in _DECIDED_AGAINST:
        if appeal_until is not None and appeal_until > now:
            open_until = appeal_until
        else:
            closed_on = appeal_until
            # Translators: herder's page: plain words, one polite 'you'
            text = _("Nothing more to do.")
    amount_until = None
    if (claim.state in _DECIDED_FOR and appeal_until is not None and appeal_until > now):
        amount_until = appeal_until
    return StateView(tone=tone, message=message(), next_step=text, expected_by=expected,
                     late_since=late, appeal_until=open_until, appeal_closed_on=closed_on,
                     amount_appeal_until=amount_until)
