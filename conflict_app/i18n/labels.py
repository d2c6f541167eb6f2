"""Display labels for domain codes. Codes are stored; words are translated at display."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

LABELS: dict[str, dict[str, object]] = {
    "state": {
        "reported": _l("Reported"),
        "screened": _l("Screened"),
        "more_evidence_requested": _l("More evidence requested"),
        "ineligible": _l("Ineligible"),
        "verification_scheduled": _l("Verification scheduled"),
        "verified": _l("Verified"),
        "assessed": _l("Assessed"),
        "approved": _l("Approved"),
        "payment_scheduled": _l("Payment scheduled"),
        "paid": _l("Paid"),
        "closed": _l("Closed"),
        "rejected": _l("Rejected"),
        "appealed": _l("Appealed"),
        "withdrawn": _l("Withdrawn"),
        "duplicate": _l("Duplicate"),
    },
    "action": {
        "register": _l("Registered"),
        "screen": _l("Screen as eligible"),
        "declare_ineligible": _l("Declare ineligible"),
        "request_evidence": _l("Request more evidence"),
        "receive_evidence": _l("Evidence received"),
        "assign_verifier": _l("Assign verifier"),
        "file_verification": _l("File verification report"),
        "assess": _l("Assess"),
        "approve": _l("Approve"),
        "send_back": _l("Send back for verification"),
        "reject": _l("Reject"),
        "appeal": _l("Record appeal"),
        "appeal_to_verification": _l("Appeal: verify again"),
        "appeal_to_assessment": _l("Appeal: assess again"),
        "dismiss_appeal": _l("Dismiss appeal"),
        "uphold_payment": _l("Dismiss appeal: the payment stands"),
        "schedule_payment": _l("Scheduled for payment"),
        "payment_failed": _l("Payment failed"),
        "record_payment": _l("Payment recorded"),
        "close": _l("Close"),
        "withdraw": _l("Withdraw"),
        "mark_duplicate": _l("Mark as duplicate"),
        "first_approval": _l("First approval"),
        "reissue_pin": _l("New PIN issued"),
        "resend_pin": _l("New PIN texted at the herder's request"),
        "resend_pin_refused": _l("New PIN asked for, not texted"),
        "change_password": _l("Password changed"),
        "create_area": _l("Area created"),
        "create_village": _l("Village created"),
        "login": _l("Signed in"),
        "import_bundle": _l("Data bundle imported"),
        "record_measure": _l("Measure recorded"),
        "export_personal_data": _l("Personal data exported"),
        "erase_personal_data": _l("Personal data erased"),
        "remove_measure": _l("Measure removed"),
        "update_household": _l("Household updated"),
        "create_user": _l("User created"),
        "update_user": _l("User updated"),
        "create_batch": _l("Payment batch created"),
        "export_batch": _l("Payment file exported"),
        "clear_flag": _l("Flag cleared"),
        "set_price": _l("Market price set"),
        "schedule_interim_payment": _l("Interim payment scheduled"),
        "record_interim_payment": _l("Interim payment recorded"),
        "interim_payment_failed": _l("Interim payment failed"),
        "remove_interim_payment": _l("Interim payment removed from its batch"),
        "cancel_interim_payment": _l("Interim payment cancelled"),
        "interim_recovery_due": _l("Interim payment to be recovered"),
        "interim_recovery_offset": _l("Interim payment counted towards the approval"),
        "interim_recovered": _l("Interim payment recovered"),
        "interim_waived": _l("Interim payment recovery waived"),
        "second_review": _l("Second review"),
        "reroute": _l("Moved to the scheme that covers the loss"),
    },
    "species": {
        "sheep": _l("Sheep"),
        "goat": _l("Goat"),
        "cattle": _l("Cattle"),
        "horse": _l("Horse"),
        "donkey": _l("Donkey"),
        "camel": _l("Camel"),
        "dog": _l("Dog"),
        "other": _l("Other"),
    },
    "age_class": {
        "young": _l("Young"),
        "adult_female": _l("Adult female"),
        "adult_male": _l("Adult male"),
        "unknown": _l("Age not recorded"),
    },
    "setting": {
        "pasture": _l("Pasture"),
        "night_corral": _l("Night corral"),
        "village": _l("Inside the village"),
    },
    "part_of_day": {
        "morning": _l("Morning"),
        "daytime": _l("Daytime"),
        "evening": _l("Evening"),
        "night": _l("Night"),
    },
    "channel": {
        "office": _l("At the office"),
        "phone": _l("By phone"),
        "web": _l("Web form"),
        "sms": _l("SMS"),
    },
    "predator": {
        "leopard": _l("Leopard"),
        "wolf": _l("Wolf"),
        "bear": _l("Bear"),
        "lynx": _l("Lynx"),
        "jackal": _l("Jackal"),
        "dog": _l("Dog"),
        "non_predation": _l("Not predation"),
        "unknown": _l("Unknown"),
    },
    "confidence": {
        "confirmed": _l("Confirmed"),
        "probable": _l("Probable"),
        "possible": _l("Possible"),
        "not_leopard": _l("Not leopard"),
        "unknown": _l("Unknown (not inspected)"),
    },
    "bite_location": {
        "throat_nape": _l("Throat or nape"),
        "hindquarters_flanks": _l("Hindquarters and flanks"),
        "random": _l("Random, all over"),
        "back_withers": _l("Back and withers"),
        "not_found": _l("No bites found"),
    },
    "carcass_handling": {
        "none": _l("Left where killed"),
        "dragged": _l("Dragged"),
        "cached": _l("Cached under cover"),
        "hoisted": _l("Hoisted into a tree"),
    },
    "tracks": {
        "none": _l("None"),
        "leopard": _l("Leopard (four toes, no claws, three-lobed pad)"),
        "canid": _l("Wolf or dog"),
        "bear": _l("Bear"),
        "unclear": _l("Unclear"),
    },
    "camera_trap": {
        "none": _l("None"),
        "leopard": _l("Leopard recorded"),
        "other_predator": _l("Another predator recorded"),
    },
    "sign_reason": {
        "no_haemorrhage": _l("no haemorrhage under the bites"),
        "carcass_cached_or_hoisted": _l("carcass cached or hoisted"),
        "leopard_tracks": _l("leopard tracks"),
        "camera_trap_leopard": _l("leopard on camera trap"),
        "leopard_canine_spacing": _l("canine spacing of a leopard"),
        "wolf_bite_pattern": _l("bite pattern of a wolf"),
        "dog_bite_pattern": _l("bite pattern of dogs"),
        "bear_bite_pattern": _l("bite pattern of a bear"),
        "jackal_canine_spacing": _l("canine spacing of a jackal"),
        "canid_tracks": _l("wolf or dog tracks"),
        "bear_tracks": _l("bear tracks"),
        "camera_trap_other": _l("another predator on camera trap"),
        "surplus_killing": _l("many heads killed in one event"),
        "felid_bites": _l("felid bites at throat or nape"),
        "evidence_too_old": _l("evidence too old"),
        "signs_inconclusive": _l("signs inconclusive"),
    },
    "sign": {
        "haemorrhage": _l("Haemorrhage under the skin at the bites"),
        "bite_location": _l("Bite location"),
        "canine_spacing_cm": _l("Canine puncture spacing (cm)"),
        "claw_rakes": _l("Claw rakes"),
        "carcass_handling": _l("Carcass"),
        "feeding_pattern": _l("Feeding pattern"),
        "heads_killed": _l("Heads killed in the event"),
        "tracks": _l("Tracks"),
        "scat_hair_dna": _l("Scat, hair or DNA swab taken"),
        "camera_trap": _l("Camera trap at the carcass"),
        "hours_since_attack": _l("Hours since the attack"),
    },
    "kind": {
        "killed": _l("Killed"),
        "injured": _l("Injured"),
    },
    "flag": {
        "same_household_nearby": _l("Same household, close in time and place"),
        "same_photo": _l("Same evidence photo on another claim"),
        "above_census": _l("More heads claimed than the herd census holds"),
        "no_census": _l("No herd census for the incident year"),
    },
    "payment_method": {
        "bank_transfer": _l("Bank transfer"),
        "mobile_money": _l("Mobile money"),
        "cash": _l("Cash against signature"),
    },
    "batch_state": {
        "open": _l("Open"),
        "exported": _l("Exported"),
        "closed": _l("Closed"),
    },
    "payment_item_state": {
        "pending": _l("Pending"),
        "paid": _l("Paid"),
        "failed": _l("Failed"),
        "removed": _l("Removed"),
    },
    "recovery_state": {
        "open": _l("To be recovered"),
        "recovered": _l("Recovered"),
        "waived": _l("Recovery waived"),
        "offset": _l("Counted towards the approval"),
    },
    "role": {
        "clerk": _l("Clerk"),
        "supervisor": _l("Supervisor"),
        "verifier": _l("Verifier"),
        "approver": _l("Approver"),
        "finance": _l("Finance"),
        "scheme_manager": _l("Scheme manager"),
        "analyst": _l("Analyst"),
        "admin": _l("Administrator"),
    },
    "region": {
        "caucasus": _l("Caucasus"),
        "alborz_kopet_dagh": _l("Alborz–Kopet Dagh"),
        "zagros": _l("Zagros"),
        "eastern_range": _l("Eastern range"),
    },
    "measure": {
        "corral": _l("Predator-proof corral"),
        "guard_dog": _l("Guarding dog"),
        "electric_fence": _l("Electric fence"),
        "collar": _l("Collars"),
        "shepherd": _l("Trained shepherd"),
        "light": _l("Lights"),
        "other": _l("Other measure"),
    },
    "design": {
        "baci": _l("Before-after with controls (BACI)"),
        "control_impact": _l("Treated against untreated, same period"),
        "before_after": _l("Before and after, no controls"),
    },
    "grade": {
        "A": _l("A: randomised"),
        "B": _l("B: before-after with controls"),
        "C": _l("C: control-impact"),
        "D": _l("D: before-after only"),
    },
    "suppressed": {
        "few_events": _l("fewer than 10 losses in all"),
        "few_control_events": _l("fewer than 3 losses among the comparison households"),
        "little_exposure": _l("under 100 head-years with the measure"),
        "zero_treated_events": _l("no losses with the measure: only an upper bound is shown"),
        "no_households": _l("no household in this selection has the measure"),
        "no_variation": _l("the measure never changes within the households' records (no "
                           "months without it to compare)"),
        "singular_design": _l("the measures cannot be told apart in these data (installed "
                              "together or covering the same months)"),
        "separation": _l("losses stop entirely in one group, so the data cannot bound the "
                         "effect"),
        "not_converged": _l("the model found no stable answer on these data"),
        "few_clusters": _l("too few households or villages to judge the uncertainty (10 in "
                           "all and 3 with the measure are needed)"),
    },
    "model": {
        "poisson_fe": _l("Poisson regression with household and month effects and an "
                         "exposure offset, all measures of the stratum together; intervals "
                         "robust to overdispersion, clustered by household or village"),
        "poisson_time": _l("Poisson regression with month effects and an exposure offset, "
                           "no household effects; intervals clustered by household or "
                           "village"),
        "poisson_fe_season": _l("Poisson regression with household and calendar-month "
                                "effects, households with the measure only; intervals "
                                "clustered by household or village"),
        "rate_bound": _l("Score interval for the ratio of two Poisson rates"),
    },
    "caveat": {
        "self_selection": _l("Households choose the measure, often right after a bad year, "
                             "so the comparison flatters it."),
        "regression_to_mean": _l("Without a comparison group, a bad year followed by a normal "
                                 "one looks like an effect."),
        "adoption_after_bad_year": _l("Adoption after a bad year can still flatter the "
                                      "measure."),
        "small_sample": _l("Too little data for a reliable estimate."),
        "displacement_possible": _l("Leopards may turn to unprotected neighbours."),
        "compensation_changes_reporting": _l("Compensation can change how many losses are "
                                             "reported."),
        "dip_before_adoption": _l("Losses changed in the two years before installation "
                                  "(adoption after a bad year); those months are left out "
                                  "of the comparison."),
        "no_clustering": _l("Interval assumes independent losses; repeated losses of one "
                            "household make it too narrow."),
    },
    "filter": {
        "confirmed_probable": _l("Confirmed and probable leopard (primary)"),
        "confirmed": _l("Confirmed leopard only"),
        "confirmed_probable_possible": _l("Confirmed, probable and possible"),
    },
    "season": {
        "spring": _l("Spring (Mar–May)"),
        "summer": _l("Summer (Jun–Aug)"),
        "autumn": _l("Autumn (Sep–Nov)"),
        "winter": _l("Winter (Dec–Feb)"),
    },
    "step": {
        "incident_to_report": _l("Incident to report"),
        "report_to_verification": _l("Report to field verification"),
        "verification_to_decision": _l("Verification to decision"),
        "decision_to_payment": _l("Decision to payment"),
    },
    "change": {
        "reference": _l("reference"),
        "channel": _l("channel"),
        "occurred_on": _l("incident date"),
        "lines": _l("losses"),
        "late_report": _l("late report"),
        "deadline": _l("deadline"),
        "verifier": _l("verifier"),
        "predator": _l("predator"),
        "confidence": _l("confidence"),
        "suggested": _l("checklist suggested"),
        "photos": _l("photos"),
        "total": _l("total"),
        "currency": _l("currency"),
        "rule": _l("rule"),
        "amount": _l("amount"),
        "approvals": _l("approvals"),
        "needed": _l("approvals needed"),
        "duplicate_of": _l("duplicate of"),
        "payment_reference": _l("payment reference"),
        "flag": _l("flag"),
        "detail": _l("detail"),
        "fields": _l("fields"),
        "name": _l("name"),
        "email": _l("email"),
        "roles": _l("roles"),
        "jurisdiction_country": _l("country"),
        "jurisdiction_area_id": _l("area"),
        "locale": _l("language"),
        "active": _l("active"),
        "password_reset": _l("password reset"),
        "country_code": _l("country"),
        "parent_id": _l("province"),
        "level": _l("level"),
        "region": _l("region"),
        "admin1_id": _l("province"),
        "admin2_id": _l("district"),
        "latitude": _l("latitude"),
        "longitude": _l("longitude"),
        "protected_area": _l("protected area"),
        "scheme_from": _l("from scheme"),
        "scheme_to": _l("to scheme"),
    },
    "scheme_kind": {
        "compensation": _l("Compensation"),
        "insurance": _l("Community livestock insurance"),
        "incentive": _l("Conservation incentives"),
    },
    "presence": {
        "occasional": _l("Occasional presence"),
        "regular": _l("Regular presence"),
        "reproduction": _l("Reproduction (cubs)"),
    },
    "incentive_state": {
        "approved": _l("To be paid"),
        "withheld": _l("Withheld"),
        "scheduled": _l("In a payment batch"),
        "paid": _l("Paid"),
        "cancelled": _l("Cancelled"),
    },
    "withholding_state": {
        "active": _l("Active"),
        "lifted": _l("Lifted on appeal"),
        "released": _l("Released at the end of the cycle"),
    },
    "incentive_kind": {
        "performance": _l("Performance payment"),
        "adoption": _l("Adoption payment"),
    },
    "over_budget": {
        "refuse": _l("is refused"),
        "queue": _l("waits until budget is added"),
    },
    "note": {
        "predator not covered": _l("predator not covered"),
        "confidence level pays nothing": _l("confidence level pays nothing"),
    },
}


# Dari (Afghan) Solar Hijri month names, in order from the spring equinox.
DARI_MONTHS = (
    _l("Hamal (month 1)"), _l("Sawr (month 2)"), _l("Jawza (month 3)"),
    _l("Saratan (month 4)"), _l("Asad (month 5)"), _l("Sunbula (month 6)"),
    _l("Mizan (month 7)"), _l("Aqrab (month 8)"), _l("Qaws (month 9)"),
    _l("Jadi (month 10)"), _l("Dalw (month 11)"), _l("Hut (month 12)"),
)


def dari_month(number: int) -> str:
    return str(DARI_MONTHS[number - 1])


def label(group: str, code: object) -> str:
    """The translated word for a stored code; unknown codes show as they are."""
    if code is None:
        return ""
    key = getattr(code, "value", code)
    text = LABELS.get(group, {}).get(key)
    return str(text) if text is not None else str(key)


def choices(group: str, codes=None) -> list[tuple[str, str]]:  # noqa: ANN001
    """(code, label) pairs for a select field, lazily translated."""
    table = LABELS[group]
    keys = [getattr(c, "value", c) for c in codes] if codes is not None else list(table)
    return [(k, table[k]) for k in keys]


def translate_domain(message: str, **params: object) -> str:
    text = gettext(message)
    return text % params if params else text
