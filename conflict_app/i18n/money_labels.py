"""Words for the codes of schemes and payments: payment batches and methods, interim
recoveries, incentives and conservation agreements, funds, and assessment notes."""

from __future__ import annotations

from flask_babel import lazy_pgettext as _p

MONEY_LABELS: dict[str, dict[str, object]] = {
    "payment_method": {
        "bank_transfer": _p("payment method", "Bank transfer"),
        "mobile_money": _p("payment method", "Mobile money"),
        "cash": _p("payment method", "Cash against signature"),
    },
    "batch_state": {
        "open": _p("payment batch state (adjective: the batch is still open for claims)", "Open"),
        "exported": _p("payment batch state (adjective: the batch is still open for claims)",
                       "Exported"),
        "closed": _p("payment batch state (adjective: the batch is still open for claims)",
                     "Closed"),
    },
    "payment_item_state": {
        "pending": _p("state of one payment in a batch", "Pending"),
        "paid": _p("state of one payment in a batch", "Paid"),
        "failed": _p("state of one payment in a batch", "Failed"),
        "removed": _p("state of one payment in a batch", "Removed"),
    },
    "recovery_state": {
        "open": _p("recovery of an interim payment", "To be recovered"),
        "recovered": _p("recovery of an interim payment", "Recovered"),
        "waived": _p("recovery of an interim payment", "Recovery waived"),
        "offset": _p("recovery of an interim payment", "Counted towards the approval"),
    },
    "scheme_kind": {
        "compensation": _p("kind of scheme", "Compensation"),
        "insurance": _p("kind of scheme", "Community livestock insurance"),
        "incentive": _p("kind of scheme", "Conservation incentives"),
    },
    "presence": {
        "occasional": _p("leopard presence recorded for an incentive", "Occasional presence"),
        "regular": _p("leopard presence recorded for an incentive", "Regular presence"),
        "reproduction": _p("leopard presence recorded for an incentive", "Reproduction (cubs)"),
    },
    "incentive_state": {
        "approved": _p("state of an incentive payment", "To be paid"),
        "withheld": _p("state of an incentive payment", "Withheld"),
        "scheduled": _p("state of an incentive payment", "In a payment batch"),
        "paid": _p("state of an incentive payment", "Paid"),
        "cancelled": _p("state of an incentive payment", "Cancelled"),
        "waiting": _p("state of an incentive payment", "Waiting for its milestones"),
    },
    "withholding_state": {
        "active": _p("state of a withholding of incentive payments", "Active"),
        "lifted": _p("state of a withholding of incentive payments", "Lifted on appeal"),
        "released": _p("state of a withholding of incentive payments",
                       "Released at the end of the cycle"),
    },
    "incentive_kind": {
        "performance": _p("kind of incentive payment", "Performance payment"),
        "adoption": _p("kind of incentive payment", "Adoption payment"),
        "instalment": _p("kind of incentive payment", "Agreement instalment"),
    },
    "milestone": {
        "corral": _p("milestone of a conservation agreement", "Corral built"),
        "guard_dog": _p("milestone of a conservation agreement", "Guard dog kept"),
        "no_killing": _p("milestone of a conservation agreement",
                         "No retaliatory killing in the year"),
        "presence": _p("milestone of a conservation agreement", "Leopard presence recorded"),
    },
    "agreement_state": {
        "signed": _p("state of a conservation agreement", "Signed, not yet started"),
        "active": _p("state of a conservation agreement", "In force"),
        "withheld": _p("state of a conservation agreement",
                       "In force, payments withheld"),
        "ended": _p("state of a conservation agreement", "Term ended"),
        "renewed": _p("state of a conservation agreement", "Renewed"),
    },
    "fund_kind": {
        "endowment": _p("kind of fund", "Endowment (only its income is spent)"),
        "pooled": _p("kind of fund", "Pooled fund (its whole balance can be spent)"),
    },
    "fund_entry": {
        "contribution": _p("entry in a fund's ledger", "Contribution"),
        "income": _p("entry in a fund's ledger", "Investment income"),
        "allocation": _p("entry in a fund's ledger", "Allocation to a scheme"),
        "return": _p("entry in a fund's ledger", "Return of unspent allocation"),
        "adjustment": _p("entry in a fund's ledger", "Adjustment"),
    },
    "fund_pot": {
        "principal": _p("part of an endowment fund", "Principal"),
        "income": _p("part of an endowment fund", "Income"),
    },
    "over_budget": {
        "refuse": _p("what happens to a claim when the budget is spent (sentence end)",
                     "is refused"),
        "queue": _p("what happens to a claim when the budget is spent (sentence end)",
                    "waits until budget is added"),
    },
    "note": {
        "predator not covered": _p("note on an assessment line", "predator not covered"),
        "confidence level pays nothing": _p("note on an assessment line",
                                            "confidence level pays nothing"),
    },
}
