"""SMS gateways behind one small interface.

``console`` (the default) appends each message as a JSON line to a file, so the demo and the
tests can read what was sent; ``http`` posts to a provider's HTTP API. A gateway raises
``GatewayError`` when a message could not be handed over; the dispatcher retries later.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


class GatewayError(Exception):
    pass


class Gateway(Protocol):
    def send(self, phone: str, text: str) -> None: ...


@dataclass
class FileGateway:
    path: Path

    def send(self, phone: str, text: str) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps({"to": phone, "text": text}, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise GatewayError(str(exc)) from exc

    def sent(self) -> list[dict[str, str]]:
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]


@dataclass
class HttpGateway:
    """POST {"to", "text"} as JSON with a bearer token; any non-2xx answer is a failure."""

    url: str
    token: str
    timeout: float = 10.0

    def send(self, phone: str, text: str) -> None:
        if not self.url.startswith("https://") and not self.url.startswith("http://127."):
            raise GatewayError("the SMS provider URL must use https")
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            self.url,
            data=json.dumps({"to": phone, "text": text}).encode(),
            headers={"Content-Type": "application/json",
                     "Authorization": f"Bearer {self.token}"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                if not 200 <= response.status < 300:
                    raise GatewayError(f"provider answered {response.status}")
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise GatewayError(str(exc)) from exc


def from_config(config: dict) -> Gateway:
    kind = config.get("SMS_GATEWAY", "console")
    if kind == "http":
        return HttpGateway(config["SMS_HTTP_URL"], config["SMS_HTTP_TOKEN"])
    return FileGateway(Path(config["SMS_OUTBOX_FILE"]))
