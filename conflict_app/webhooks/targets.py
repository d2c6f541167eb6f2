"""Which URLs a webhook may be sent to: refuse anything that would let a subscription reach
inside the network the server sits in (server-side request forgery).

A target is an ``https`` URL whose host resolves only to public addresses. Plain ``http`` and
the loopback addresses are allowed only to a server in debug or test mode (a receiver on the
developer's own machine); private, link-local (cloud metadata), shared, multicast and reserved
addresses never are. The host is resolved again before every attempt and the connection goes
to the address that was checked, so a name that later points inside is refused too.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from conflict_app.core.errors import N_, InvalidInput

LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query
    address: str  # the checked IP address the connection goes to


def _refuse(message: str, **params: object) -> InvalidInput:
    return InvalidInput(message, field="url", **params)


def parse(url: str, allow_local: bool) -> tuple[str, str, int, str]:
    """Scheme, host, port and path of an acceptable URL (no address looked up yet)."""
    url = (url or "").strip()
    if len(url) > 500 or any(c.isspace() or ord(c) < 32 for c in url):
        raise _refuse(N_("Enter the receiver's full address, e.g. https://example.org/hooks."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _refuse(N_("Enter the receiver's full address, e.g. "
                         "https://example.org/hooks.")) from exc
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise _refuse(N_("Enter the receiver's full address, e.g. https://example.org/hooks."))
    if parts.username or parts.password:
        raise _refuse(N_("The address may not contain a user name or password; the "
                         "signature proves who sends."))
    local = host in LOCAL_NAMES
    if parts.scheme == "http" and not (local and allow_local):
        raise _refuse(N_("The address must start with https:// so nobody can read or change "
                         "the messages on the way."))
    if local and not allow_local:
        raise _refuse(N_("Messages cannot be sent to %(host)s: it is not a public address."),
                      host=host)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path


def _allowed(address: str, allow_local: bool) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return allow_local
    return ip.is_global and not ip.is_multicast


def resolve(url: str, allow_local: bool) -> Target:
    """The checked target of ``url``; refuses it (InvalidInput on field ``url``) when it is
    not https, cannot be found, or any of its addresses is not public."""
    scheme, host, port, path = parse(url, allow_local)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise _refuse(N_("The name %(host)s cannot be found."), host=host) from exc
    addresses = sorted({info[4][0] for info in found})
    if not addresses:
        raise _refuse(N_("The name %(host)s cannot be found."), host=host)
    for address in addresses:
        if not _allowed(address, allow_local):
            raise _refuse(N_("Messages cannot be sent to %(host)s: it is not a public "
                                 "address."), host=host)
    return Target(scheme, host, port, path, addresses[0])
