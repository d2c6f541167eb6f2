"""Request and response bodies of the API (pydantic), also the source of the OpenAPI schemas."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from conflict_app.claims.models import Channel, PartOfDay, Setting
from conflict_app.claims.workflow import Action, State
from conflict_app.herders.models import Species
from conflict_app.schemes.harm import HarmKind, Severity
from conflict_app.verification.checklist import (
    BiteLocation,
    CameraTrap,
    CarcassHandling,
    Confidence,
    Predator,
    Tracks,
)

AgeClassCode = Literal["young", "adult_female", "adult_male"]
MAX_ID = 2**31 - 1  # ids are 32-bit in the database; larger numbers name nothing
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _json_number(value: object) -> object:
    if isinstance(value, str | bool):
        raise ValueError("give a JSON number, not a string")
    return value


def number(low: float, high: float):  # noqa: ANN201
    """A decimal given as a JSON number (kept exact as Decimal inside)."""
    return Annotated[Decimal, BeforeValidator(_json_number), Field(ge=low, le=high),
                     WithJsonSchema({"type": "number", "minimum": low, "maximum": high})]


# No text needs a NUL character, and a request carrying one is refused before any view.
NO_NUL = r"^[^\x00]*$"


# Photos as base64 in the strict alphabet the API decodes (no whitespace, no NUL).
BASE64 = r"^[A-Za-z0-9+/]*={0,2}$"


def text(**kw):  # noqa: ANN003, ANN201
    return Field(pattern=NO_NUL, **kw)


Latitude = number(-90, 90)
Longitude = number(-180, 180)


class Strict(BaseModel):
    """Unknown fields are an error, not silently dropped. Numbers are canonical JSON
    numbers: "12", "١٢" or true are refused (people type digits of their own script in the
    HTML forms, which read them through core.inputs)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_numbers(cls, value: object, info: ValidationInfo) -> object:
        annotation = cls.model_fields[info.field_name].annotation
        kinds = set(get_args(annotation)) | {annotation}
        if kinds & {int, Decimal} and isinstance(value, str | bool):
            raise ValueError("give a JSON number")
        return value


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    errors: list[dict] | None = None


class LossLineIn(Strict):
    species: Species
    age_class: AgeClassCode
    killed: int = Field(ge=0, le=2000)
    injured: int = Field(ge=0, le=2000)


class ReportIn(Strict):
    household_id: Id
    occurred_on: date
    occurred_time: time | None = None
    part_of_day: PartOfDay | None = None
    setting: Setting
    village_id: Id | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    in_protected_area: bool = False
    guard_present: bool = False
    dog_present: bool = False
    measure_present: bool = False
    description: str | None = text(default=None, max_length=4000)
    late_override_reason: str | None = text(default=None, max_length=2000)
    channel: Literal["office", "phone"] = "office"
    harm_kind: HarmKind | None = Field(
        default=None, description="An injury, a death or crop damage, where the scheme of the "
        "place enables it; its livestock lines may then be empty")
    lines: list[LossLineIn] = Field(default_factory=list, max_length=12,
                                    description="At least one unless harm_kind is given")

    # The rule "animals, or a harm kind" is part of the contract, so clients and the fuzzer
    # read it from the description instead of learning it from a refusal.
    model_config = ConfigDict(extra="forbid", json_schema_extra={"anyOf": [
        {"required": ["lines"], "properties": {"lines": {"minItems": 1}}},
        {"required": ["harm_kind"], "properties": {"harm_kind": {"type": "string"}}},
    ]})

    @model_validator(mode="after")
    def _animals_or_harm(self) -> ReportIn:
        if not self.lines and self.harm_kind is None:
            raise ValueError("add at least one livestock line, or give harm_kind")
        return self


class TransitionIn(Strict):
    action: Action
    version: int = Field(ge=1, le=MAX_ID)
    reason: str | None = text(default=None, max_length=2000)
    deadline: date | None = None
    verifier_id: Id | None = None
    original_reference: str | None = text(default=None, max_length=24)


class SignsIn(Strict):
    haemorrhage: bool
    bite_location: BiteLocation
    canine_spacing_cm: number(0, 20) | None = None
    claw_rakes: bool = False
    carcass_handling: CarcassHandling = CarcassHandling.NONE
    feeding_pattern: str | None = text(default=None, max_length=200)
    heads_killed: int = Field(ge=0, le=10000)
    tracks: Tracks = Tracks.NONE
    scat_hair_dna: bool = False
    camera_trap: CameraTrap = CameraTrap.NONE
    hours_since_attack: int | None = Field(default=None, ge=0, le=2000)


class ConfirmedLineIn(Strict):
    line_id: Id
    killed: int = Field(ge=0, le=2000)
    injured: int = Field(ge=0, le=2000)


class VerificationIn(Strict):
    version: int = Field(ge=1, le=MAX_ID)
    visited_on: date
    signs: SignsIn
    predator: Predator
    confidence: Confidence
    # Every reported line, checked by the operation: an injury, a death or crop damage has
    # none, and its visit confirms no animals.
    confirmed: list[ConfirmedLineIn] = Field(max_length=12, description=(
        "The confirmed counts of every reported livestock line (empty for an injury, death "
        "or crop damage claim)"))
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    notes: str | None = text(default=None, max_length=4000)
    photos: list[Annotated[str, Field(pattern=BASE64)]] = Field(
        default_factory=list, max_length=6, description="base64-encoded JPEG, PNG or WebP images")


class LossLineOut(BaseModel):
    id: int
    species: str
    age_class: str
    killed: int
    injured: int


class AssessmentLineOut(BaseModel):
    species: str
    age_class: str
    kind: str
    heads: int
    unit_value: str
    share: str
    rate: str
    amount: str
    note: str | None


class StepOut(BaseModel):
    text: str = Field(description="The step as a sentence, in the token user's language")
    rule: str | None = Field(description="The rule-version parameter behind the step")


class AssessmentOut(BaseModel):
    rule: str
    predator: str
    confidence: str
    total: str
    currency: str
    interim: str | None = None
    lines: list[AssessmentLineOut]
    steps: list[StepOut] = Field(default_factory=list,
                                 description="How the amount was calculated, step by step")


class HarmOut(BaseModel):
    """An injury, a death or crop damage. The medical fields are null unless the token's
    user is a verifier, approver or supervisor of the claim's area (special category data)."""

    kind: HarmKind
    crop: str | None = None
    area_ha: str | None = None
    measured_on: date | None = None
    severity: Severity | None = None
    medical_details: str | None = None
    medical_costs: str | None = None
    next_of_kin: str | None = None
    document: bool | None = None


class HarmIn(Strict):
    version: int = Field(ge=1, le=MAX_ID)
    severity: Severity | None = None
    medical_details: str | None = text(default=None, max_length=2000)
    medical_costs: number(0, 1e13) | None = None  # type: ignore[valid-type]
    next_of_kin: str | None = text(default=None, max_length=120)
    crop: str | None = text(default=None, max_length=20)
    area_ha: number(0.0001, 10000) | None = None  # type: ignore[valid-type]
    measured_on: date | None = None
    document: str | None = Field(default=None, min_length=1, pattern=BASE64, description=(
        "base64-encoded JPEG, PNG or WebP image of the medical report or death certificate"))


class ClaimOut(BaseModel):
    reference: str
    state: State
    version: int
    scheme: str | None = Field(default=None, description="Code of the scheme it runs under")
    country: str
    currency: str
    channel: Channel
    reported_at: datetime
    due_at: datetime | None
    late_report: bool
    household_id: int
    occurred_on: date
    village: str
    setting: str | None
    lines: list[LossLineOut]
    verifier_id: int | None
    amount_approved: str | None
    decided_at: datetime | None
    decision_reason: str | None
    paid_at: datetime | None
    assessment: AssessmentOut | None
    harm: HarmOut | None = None


class ClaimCreated(ClaimOut):
    pin: str | None = Field(description="Give it to the herder; it is not shown again (a "
                            "repeated request with the same Idempotency-Key answers null).")


class ClaimPage(BaseModel):
    items: list[ClaimOut]
    next_cursor: str | None


class EffectivenessRow(BaseModel):
    model_config = ConfigDict(extra="allow")

    measure: str
    design: Literal["baci", "control_impact", "before_after"]
    grade: str
    households_treated: int
    households_control: int
    exposure_treated: float | None
    exposure_control: float | None
    events_treated: int
    events_control: int
    irr: float | None
    ci_low: float | None
    ci_high: float | None
    effectiveness_pct: float | None
    suppressed: str | None


class BatchIn(Strict):
    """At least one claim or incentive payment, as the payments page asks."""

    claims: list[Annotated[str, text(min_length=1, max_length=24)]] = Field(
        default_factory=list, max_length=500, description="References of approved claims")
    incentive_payments: list[Annotated[str, text(min_length=1, max_length=24)]] = Field(
        default_factory=list, max_length=500,
        description="References (INC-…) of approved performance, adoption or agreement "
                    "instalment payments")
    method: Literal["bank_transfer", "mobile_money", "cash"]


class PaidIn(Strict):
    reference: str = text(min_length=1, max_length=80,
                           description="The bank's or provider's reference of the transfer")


class FailedIn(Strict):
    reason: str = text(min_length=1, max_length=2000)


class PaymentItemOut(BaseModel):
    id: int
    claim_reference: str = Field(description="The claim's reference, or the incentive "
                                             "payment's (INC-…) for an incentive item")
    amount: str
    interest: str
    currency: str
    state: Literal["pending", "paid", "failed", "removed"]
    payment_reference: str | None
    failure_reason: str | None


class BatchOut(BaseModel):
    id: int
    reference: str
    state: Literal["open", "exported", "closed"]
    method: Literal["bank_transfer", "mobile_money", "cash"]
    currency: str
    total: str
    items: list[PaymentItemOut]
    etag: str = Field(description="Send it back in If-Match to release the payment file only "
                                  "if the batch still holds the items you saw")


class BatchExport(BaseModel):
    batch: BatchOut
    payment_file: str = Field(description="The CSV for the bank or mobile-money provider")


class SeasonCountIn(Strict):
    """The herd counts of a missing-animals line (either count may come later)."""

    version: int = Field(ge=1, le=MAX_ID)
    line_id: int = Field(ge=1, le=MAX_ID)
    count_before: int | None = Field(default=None, ge=0, le=100000)
    counted_before_on: date | None = None
    count_after: int | None = Field(default=None, ge=0, le=100000)
    counted_after_on: date | None = None
    explained: int = Field(default=0, ge=0, le=100000)
    explanation: str | None = text(default=None, max_length=2000)


class LeopardSignsIn(Strict):
    version: int = Field(ge=1, le=MAX_ID)
    line_id: int = Field(ge=1, le=MAX_ID)
    signs_on: date
    signs_note: str = text(min_length=1, max_length=500)


class VetInvoiceIn(Strict):
    version: int = Field(ge=1, le=MAX_ID)
    line_id: int = Field(ge=1, le=MAX_ID)
    amount: number(0.01, 1e13)  # type: ignore[valid-type]
    invoiced_on: date
    photo: str = Field(min_length=1, pattern=BASE64,
                       description="base64-encoded JPEG, PNG or WebP image of the invoice")
