"""What each webhook message says: the event's type, its time, and ids and references only.

A message never carries a herder's name, phone, ID number or bank details, a free-text
reason, or exact coordinates: a verified attack names its village and the 0.1° grid cell,
as the prevention alerts and the analytics do. A receiver that needs more asks the API with
a token whose role may see it. The pydantic models below build every body and are also the
schemas of the OpenAPI document's ``webhooks`` section, so the two cannot drift.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_FLOOR, Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from conflict_app.webhooks.models import EventType

GRID = Decimal("0.1")


class Data(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HookClaimMoved(Data):
    claim: str = Field(description="The claim's reference, as the API and the pages use it.")
    country: str = Field(description="ISO 3166 code of the claim's country.")
    from_state: str = Field(description="The state the claim left.")
    to_state: str = Field(description="The state the claim is in now.")
    scheme_id: int | None = None


class HookPaymentRecorded(Data):
    payment_item_id: int
    batch: str | None = Field(description="The payment batch's reference.")
    country: str
    claim: str | None = Field(None, description="The claim paid (compensation, insurance).")
    part: str | None = Field(None, description="'interim' or 'final' for a claim's payment.")
    incentive_payment_id: int | None = Field(
        None, description="The community incentive, agreement or adoption payment paid.")


class HookGridCell(Data):
    south: Decimal = Field(description="Southern edge of the 0.1° cell, in degrees.")
    west: Decimal = Field(description="Western edge of the 0.1° cell, in degrees.")
    size: Decimal = Field(GRID, description="Size of the cell in degrees.")


class HookAttackVerified(Data):
    claim: str
    country: str
    admin1_id: int | None
    admin2_id: int | None
    village_id: int
    village: str = Field(description="The village's name.")
    occurred_on: date
    confidence: Literal["confirmed", "probable"]
    grid_cell: HookGridCell | None = Field(
        description="The 0.1° cell of the attack (never the exact point), when known.")


class HookImportFinished(Data):
    import_id: int
    state: Literal["done", "failed"]
    created: dict[str, int] = Field(default_factory=dict,
                                    description="Records created, by kind.")
    unchanged: dict[str, int] = Field(default_factory=dict)
    problems: int = Field(0, description="How many problems stopped the import.")


class HookTest(Data):
    subscription_id: int
    note: str = "A test message sent from the administration page."


DATA = {
    EventType.CLAIM_MOVED: HookClaimMoved,
    EventType.PAYMENT_RECORDED: HookPaymentRecorded,
    EventType.ATTACK_VERIFIED: HookAttackVerified,
    EventType.IMPORT_FINISHED: HookImportFinished,
    EventType.TEST: HookTest,
}

SUMMARIES = {
    EventType.CLAIM_MOVED: "A claim moved from one workflow state to another",
    EventType.PAYMENT_RECORDED: "A payment was confirmed as paid",
    EventType.ATTACK_VERIFIED: "A claim was verified as a leopard attack "
                               "(confirmed or probable)",
    EventType.IMPORT_FINISHED: "A data bundle uploaded on the web finished importing",
    EventType.TEST: "The test message of the administration page",
}


def envelope(event_type: EventType, data: Data, at: datetime) -> dict:
    """The body as JSON-ready values: ``type``, ``timestamp`` and ``data``."""
    return {"type": event_type.value,
            "timestamp": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "data": data.model_dump(mode="json")}


def grid_cell(latitude: Decimal | None, longitude: Decimal | None) -> HookGridCell | None:
    if latitude is None or longitude is None:
        return None

    def edge(value: Decimal) -> Decimal:
        return (Decimal(value) / GRID).to_integral_value(ROUND_FLOOR) * GRID

    return HookGridCell(south=edge(latitude), west=edge(longitude))


def openapi_webhooks(ref) -> tuple[dict, list[type[BaseModel]]]:  # noqa: ANN001
    """The OpenAPI 3.1 ``webhooks`` section and the models its schemas refer to."""
    section = {}
    for event_type, model in DATA.items():
        body = {"type": "object", "required": ["type", "timestamp", "data"],
                "properties": {"type": {"const": event_type.value},
                               "timestamp": {"type": "string", "format": "date-time"},
                               "data": ref(model)}}
        section[event_type.value] = {"post": {
            "operationId": "webhook_" + event_type.value.replace(".", "_"),
            "summary": SUMMARIES[event_type],
            "description": "Signed as Standard Webhooks: headers webhook-id, "
                           "webhook-timestamp and webhook-signature (v1, HMAC-SHA256 of "
                           "id.timestamp.body with the subscription's whsec_ secret).",
            "parameters": [
                {"name": name, "in": "header", "required": True, "schema": {"type": "string"}}
                for name in ("webhook-id", "webhook-timestamp", "webhook-signature")],
            "requestBody": {"required": True,
                            "content": {"application/json": {"schema": body}}},
            "responses": {"2XX": {"description": "Received; any other answer is retried."}},
        }}
    return section, list(DATA.values())
