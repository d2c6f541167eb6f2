"""The OpenAPI paths of market prices and exchange rates (joined into openapi.document)."""

from __future__ import annotations

from conflict_app.api import price_views

MODELS = price_views.MODELS

PAGE = [
    {"name": "cursor", "in": "query", "description": "next_cursor of the previous page",
     "schema": {"type": "string", "pattern": "^[1-9][0-9]{0,8}$"}},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                "maximum": 200}},
]


def paths(ref, problems, json, idempotency) -> dict:  # noqa: ANN001
    """The path items; ``ref``, ``problems``, ``json`` are openapi's helpers."""
    post = problems(400, 401, 403, 409, 413, 415, 422)
    return {
        "/prices": {
            "get": {
                "operationId": "listPrices",
                "summary": "A country's market prices of livestock, oldest row first, each "
                           "saying whether it is in force today (scheme managers)",
                "parameters": [
                    {"name": "country", "in": "query",
                     "description": "The country's code; without it, your country",
                     "schema": {"type": "string", "pattern": "^[A-Z]{2}$"}},
                    *PAGE],
                "responses": {"200": json(price_views.PricePage, "The prices"),
                              **problems(400, 401, 403)},
            },
            "post": {
                "operationId": "createPrice",
                "summary": "Add a market price from a day on (scheme managers of a whole "
                           "country; same rules as the price page). Prices are never edited: "
                           "a change is a new price from a later day",
                "parameters": [idempotency],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": ref(price_views.PriceIn)}}},
                "responses": {"201": json(price_views.PriceOut, "The new price"), **post},
            },
        },
        "/exchange-rates": {
            "get": {
                "operationId": "listExchangeRates",
                "summary": "Exchange rates to the US dollar, oldest row first (scheme "
                           "managers)",
                "parameters": [
                    {"name": "currency", "in": "query",
                     "schema": {"type": "string", "pattern": "^[A-Z]{3}$"}},
                    *PAGE],
                "responses": {"200": json(price_views.RatePage, "The rates"),
                              **problems(400, 401, 403)},
            },
            "post": {
                "operationId": "createExchangeRate",
                "summary": "Add an exchange rate from a day on (scheme managers; a country's "
                           "manager for that country's currency only; same rules as the "
                           "rates page)",
                "parameters": [idempotency],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": ref(price_views.RateIn)}}},
                "responses": {"201": json(price_views.RateOut, "The new rate"), **post},
            },
        },
    }
