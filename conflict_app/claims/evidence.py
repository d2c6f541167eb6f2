"""Evidence files: checked by content, size-limited, re-encoded, stored outside the web root.

Names given by the uploader are never used: the file is stored under a random key, and only
the re-encoded image is ever served (it drops metadata such as the phone's GPS track and any
payload hidden behind the picture).
"""

from __future__ import annotations

import hashlib
import io
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from conflict_app.core.errors import N_, DomainError, InvalidInput


class StorageFailed(DomainError):
    """The evidence store refused the file (disk full, read-only)."""

ALLOWED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MAX_PIXELS = 40_000_000  # larger images are decompression bombs, not carcass photos
# Anyone can upload through the public report form: a phone photo is at most about 12 MP,
# and a 40 MP PNG costs seconds and hundreds of MB to decode, so strangers get less.
MAX_PIXELS_ANONYMOUS = 12_000_000
# A JPEG is decoded at 1/2 to 1/8 scale (``draft``), a PNG or WebP only at full size: from the
# public form those get 4 MP (about 16 MB and a third of a second to decode, where 12 MP
# cost 100 MB and 1.4 s). Camera photos are JPEGs; a screenshot of 4 MP is plenty.
MAX_PIXELS_ANONYMOUS_LOSSLESS = 4_000_000
# Decodes running at once in one process (threads of a worker): with the limits above a
# worker never holds more than this many decoded images.
_DECODING = threading.BoundedSemaphore(2)
DECODE_WAIT_SECONDS = 20
MAX_EDGE = 2400  # served copies are scaled down to this
# Pillow's own bomb guard, as a second line behind the header check below.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass(frozen=True)
class StoredFile:
    storage_key: str
    content_type: str
    size_bytes: int
    sha256: str
    width: int
    height: int


def store_photo(data: bytes, directory: str, max_bytes: int,
                max_pixels: int = MAX_PIXELS) -> StoredFile:
    """Validate ``data`` as an image and write a clean JPEG copy; raise InvalidInput.

    The pixel count is read from the header before anything is decoded; a JPEG is decoded
    at a reduced scale (``draft``) straight to the served size; the copy is a new image
    with no metadata at all (EXIF, comments, ICC profile, PNG text chunks)."""
    if not data:
        raise InvalidInput(N_("The file is empty."), field="photos")
    if len(data) > max_bytes:
        raise InvalidInput(N_("The photo is larger than %(mb)s MB."), field="photos",
                           mb=max_bytes // (1024 * 1024))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ALLOWED_FORMATS:
                raise InvalidInput(N_("Only JPEG, PNG and WebP photos are accepted."),
                                   field="photos")
            if probe.width * probe.height > max_pixels:
                raise InvalidInput(N_("The photo has too many pixels."), field="photos")
            if (probe.format != "JPEG" and max_pixels <= MAX_PIXELS_ANONYMOUS
                    and probe.width * probe.height > MAX_PIXELS_ANONYMOUS_LOSSLESS):
                raise InvalidInput(N_("A PNG or WebP picture sent with this form may have at "
                                      "most 4 megapixels. Send the photo as the camera took "
                                      "it (JPEG)."), field="photos")
            probe.verify()
        if not _DECODING.acquire(timeout=DECODE_WAIT_SECONDS):
            raise StorageFailed(N_("The photo could not be stored. Nothing was saved; please "
                                   "try again later."), field="photos")
        try:
            out, width, height = _clean_jpeg(data)
        finally:
            _DECODING.release()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError) as exc:
        raise InvalidInput(N_("The file is not a readable photo."), field="photos") from exc
    clean = out.getvalue()
    key = secrets.token_hex(16)
    target = Path(directory) / key[:2]
    path = target / f"{key}.jpg"
    tmp = path.with_suffix(".tmp")
    try:
        target.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(clean)
        tmp.replace(path)  # atomic: a half-written file is never visible under its key
    except OSError as exc:  # full disk, read-only volume, ...
        tmp.unlink(missing_ok=True)
        raise StorageFailed(N_("The photo could not be stored. Nothing was saved; please "
                               "try again later."), field="photos") from exc
    return StoredFile(key, "image/jpeg", len(clean), hashlib.sha256(data).hexdigest(),
                      width, height)


def _clean_jpeg(data: bytes) -> tuple[io.BytesIO, int, int]:
    """Decode (a JPEG at reduced scale), shrink before any copy, and build a new JPEG from
    the pixels alone: no EXIF, comment, ICC profile, XMP or PNG text survives."""
    with Image.open(io.BytesIO(data)) as image:
        if image.format == "JPEG":
            image.draft("RGB", (MAX_EDGE, MAX_EDGE))  # decode at 1/2, 1/4 or 1/8 scale
        image.load()
        if image.mode not in ("RGB", "RGBA", "L", "LA"):  # palettes, 16-bit, CMYK
            image = image.convert("RGB")
        image.thumbnail((MAX_EDGE, MAX_EDGE))  # before converting: one full-size copy only
        image = image.convert("RGB")
        clean_image = Image.frombytes("RGB", image.size, image.tobytes())
    out = io.BytesIO()
    clean_image.save(out, format="JPEG", quality=85)
    return out, clean_image.width, clean_image.height


def path_for(directory: str, storage_key: str) -> Path:
    if not storage_key.isalnum():
        raise ValueError("bad storage key")
    return Path(directory) / storage_key[:2] / f"{storage_key}.jpg"


def discard(directory: str, storage_key: str) -> None:
    """Remove a stored file whose database transaction failed."""
    path_for(directory, storage_key).unlink(missing_ok=True)
