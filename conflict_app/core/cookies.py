"""The signed session cookie, verified once per process.

Flask checks the cookie's signature on every request (an HMAC, with the key derived again
each time) and, for the herders' pages, that was a large share of a request. A cookie that
verified once is remembered by its exact text; the next request that carries the very same
text gets its contents back without the signature work. Its age is still checked on every
request against the same limit, and nothing unverified is ever remembered, so what a
tampered or expired cookie gets is unchanged. Only the serialised contents are kept: each
request still gets a session of its own to change.
"""

from __future__ import annotations

import time

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

# Verified cookies remembered per process; past this many the memory starts again.
REMEMBERED = 4096


class RememberingSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._verified: dict[str, tuple[str, int]] = {}
        self._serializers: dict[tuple, URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        serializer = self._serializers.get(key)
        if serializer is None:
            self._verified.clear()  # a new key: nothing verified under the old one counts
            self._serializers.clear()
            serializer = self._serializers[key] = super().get_signing_serializer(app)
        return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        signer = self.get_signing_serializer(app)
        if signer is None:
            return None
        text = request.cookies.get(self.get_cookie_name(app))
        if not text:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        known = self._verified.get(text)
        if known is not None:
            contents, signed_at = known
            # As itsdangerous counts: whole seconds, none older than max_age, none ahead.
            if 0 <= int(time.time()) - signed_at <= max_age:
                return self.session_class(self.serializer.loads(contents))
            self._verified.pop(text, None)
            return self.session_class()
        try:
            data, signed_at = signer.loads(text, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if len(self._verified) >= REMEMBERED:
            self._verified.clear()
        self._verified[text] = (self.serializer.dumps(data), int(signed_at.timestamp()))
        return self.session_class(data)
