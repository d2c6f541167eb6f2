"""Pull submissions and their photos from ODK Central and KoboToolbox over their REST APIs.

ODK Central: sign in (``POST /v1/sessions``, the token as ``Bearer``), then the OData data
document ``/v1/projects/{project}/forms/{form}.svc/Submissions`` filtered by
``__system/submissionDate`` and ordered by it, page by page (``@odata.nextLink``); each photo
from ``/submissions/{instanceId}/attachments/{name}``. App users cannot read submissions
(Central lets them only download forms and submit), so a web user with read access to the
project signs in. KoboToolbox: ``/api/v2/assets/{uid}/data/`` with ``Authorization: Token``,
filtered by ``_id`` and sorted by it, page by page (``next``); each photo from the
attachment's ``download_url``.

Every address, redirects included, passes the webhooks' checks (``webhooks.targets``): https
only, public addresses only, and the connection goes to the address that was checked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import quote, urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter

from conflict_app.core.errors import DomainError
from conflict_app.fieldforms.odk import _flatten
from conflict_app.webhooks import targets

PAGE = 100  # submissions per request
MAX_JSON_BYTES = 32 * 1024 * 1024
MAX_REDIRECTS = 3
USER_AGENT = "Pardus-FieldSync/1.0"


class PullError(Exception):
    """The server could not be read: ``code`` (unauthorised, not_found, network, timeout,
    tls, not_public, server, answer) and a technical detail without any secret."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass
class Pulled:
    instance_id: str
    cursor: str  # where the next pull starts once this one is handled
    submitted_at: str | None
    row: dict  # flat, as the file import reads it
    photo_names: list[str] = field(default_factory=list)
    fetch_photos: object = None  # () -> {name: bytes}


class _PinnedAdapter(HTTPAdapter):
    """Connects to the address ``targets.resolve`` checked, with the certificate still
    checked against the host name."""

    def __init__(self, allow_local: bool) -> None:
        self.allow_local = allow_local
        self.target: targets.Target | None = None
        super().__init__(max_retries=0)

    def send(self, request, **kwargs):  # noqa: ANN001, ANN201
        try:
            self.target = targets.resolve(request.url, self.allow_local)
        except DomainError as exc:
            raise PullError("not_public", exc.translated()) from None
        default = 443 if self.target.scheme == "https" else 80
        request.headers["Host"] = self.target.host if self.target.port == default else \
            f"{self.target.host}:{self.target.port}"
        return super().send(request, **kwargs)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):  # noqa: ANN001, ANN201
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert)
        if self.target is not None:
            host_params["host"] = self.target.address
            if self.target.scheme == "https":
                pool_kwargs["server_hostname"] = self.target.host
                pool_kwargs["assert_hostname"] = self.target.host
        return host_params, pool_kwargs


class Fetcher:
    def __init__(self, allow_local: bool, timeout: float, max_photo_bytes: int) -> None:
        self.session = requests.Session()
        self.session.trust_env = False  # no proxies or .netrc from the environment
        adapter = _PinnedAdapter(allow_local)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.timeout = timeout
        self.max_photo_bytes = max_photo_bytes

    def request(self, method: str, url: str, headers: dict, limit: int,
                **kwargs: object) -> bytes:
        origin = urlsplit(url).netloc
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                response = self.session.request(
                    method, url, headers={**headers, "User-Agent": USER_AGENT},
                    timeout=self.timeout, allow_redirects=False, stream=True, **kwargs)
            except requests.exceptions.SSLError as exc:
                raise PullError("tls", type(exc).__name__) from None
            except requests.exceptions.Timeout:
                raise PullError("timeout") from None
            except requests.exceptions.RequestException as exc:
                raise PullError("network", type(exc).__name__) from None
            with response:
                if response.is_redirect and response.headers.get("Location"):
                    url = urljoin(url, response.headers["Location"])
                    method, kwargs = "GET", {}
                    if urlsplit(url).netloc != origin:  # the token stays with its server
                        headers = {k: v for k, v in headers.items() if k != "Authorization"}
                    continue
                if response.status_code in (401, 403):
                    raise PullError("unauthorised", str(response.status_code))
                if response.status_code == 404:
                    raise PullError("not_found", "404")
                if not 200 <= response.status_code < 300:
                    raise PullError("server", str(response.status_code))
                body = b""
                for chunk in response.iter_content(65536):
                    body += chunk
                    if len(body) > limit:
                        raise PullError("answer", f"more than {limit} bytes")
                return body
        raise PullError("network", "too many redirects")

    def json(self, method: str, url: str, headers: dict, **kwargs: object) -> object:
        body = self.request(method, url, {**headers, "Accept": "application/json"},
                            MAX_JSON_BYTES, **kwargs)
        try:
            return json.loads(body)
        except ValueError:
            raise PullError("answer", "not JSON") from None

    def photo(self, url: str, headers: dict) -> bytes:
        return self.request("GET", url, headers, self.max_photo_bytes)


def _same_origin(base: str, url: str) -> bool:
    return urlsplit(base)[:2] == urlsplit(url)[:2]


def _photo_names(row: dict) -> list[str]:
    name = row.get("photo")
    return [PurePosixPath(str(name)).name] if name else []


def odk_central(fetch: Fetcher, base: str, project: str, form_id: str,
                credentials: dict, cursor: str | None) -> Iterator[Pulled]:
    base = base.rstrip("/")
    session = fetch.json("POST", f"{base}/v1/sessions", {}, json={
        "email": credentials.get("username", ""), "password": credentials.get("secret", "")})
    token = session.get("token") if isinstance(session, dict) else None
    if not isinstance(token, str) or not token:
        raise PullError("answer", "no session token")
    headers = {"Authorization": f"Bearer {token}"}
    form = f"{base}/v1/projects/{quote(str(project), safe='')}/forms/{quote(form_id, safe='')}"
    params: dict[str, str] | None = {"$top": str(PAGE),
                                     "$orderby": "__system/submissionDate asc"}
    if cursor:
        # "ge": a submission of the same millisecond as the last one is not lost; the one
        # handled already is skipped by its instance ID.
        params["$filter"] = f"__system/submissionDate ge {cursor}"
    url = f"{form}.svc/Submissions"
    while url:
        page = fetch.json("GET", url, headers, params=params)
        if not isinstance(page, dict) or not isinstance(page.get("value"), list):
            raise PullError("answer", "no value list")
        for record in page["value"]:
            if not isinstance(record, dict) or not record.get("__id"):
                continue
            system = record.get("__system") or {}
            row = _flatten(record)
            instance_id = str(record["__id"])
            row["instanceID"] = instance_id  # the submission's first ID, kept across edits
            names = _photo_names(row)
            attachments = f"{form}/submissions/{quote(instance_id, safe='')}/attachments/"

            def photos(names=names, attachments=attachments) -> dict[str, bytes]:
                return {n: fetch.photo(attachments + quote(n, safe=""), headers)
                        for n in names}

            submitted = system.get("submissionDate")
            yield Pulled(instance_id, str(submitted or cursor or ""), submitted, row, names,
                         photos)
        following = page.get("@odata.nextLink")
        url = following if isinstance(following, str) and _same_origin(base, following) \
            else None
        params = None  # the next link carries the query


def kobo(fetch: Fetcher, base: str, asset_uid: str, credentials: dict,
         cursor: str | None) -> Iterator[Pulled]:
    base = base.rstrip("/")
    headers = {"Authorization": f"Token {credentials.get('secret', '')}"}
    params: dict[str, str] | None = {"format": "json", "limit": str(PAGE),
                                     "sort": json.dumps({"_id": 1})}
    if cursor:
        params["query"] = json.dumps({"_id": {"$gt": int(cursor)}})
    url = f"{base}/api/v2/assets/{quote(asset_uid, safe='')}/data/"
    while url:
        page = fetch.json("GET", url, headers, params=params)
        if not isinstance(page, dict) or not isinstance(page.get("results"), list):
            raise PullError("answer", "no results list")
        for record in page["results"]:
            if not isinstance(record, dict) or not isinstance(record.get("_id"), int):
                continue
            row = _flatten(record)
            root = record.get("meta/rootUuid") or record.get("_uuid") or ""
            if root:
                row["instanceID"] = root if str(root).startswith("uuid:") else f"uuid:{root}"
            names = _photo_names(row)
            found = {}
            for item in record.get("_attachments") or []:
                if not isinstance(item, dict) or item.get("is_deleted"):
                    continue
                name = item.get("media_file_basename") or \
                    PurePosixPath(str(item.get("filename", ""))).name
                if name in names and isinstance(item.get("download_url"), str):
                    found[name] = urljoin(base + "/", item["download_url"])

            def photos(found=found, names=names) -> dict[str, bytes]:
                return {n: fetch.photo(found[n], headers) for n in names if n in found}

            yield Pulled(str(row.get("instanceID", "")), str(record["_id"]),
                         record.get("_submission_time"), row, names, photos)
        following = page.get("next")
        url = following if isinstance(following, str) and _same_origin(base, following) \
            else None
        params = None
