"""Uploaded photos: anonymous uploads get a lower pixel limit checked from the header before
any decoding, and the stored copy keeps no metadata at all."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageFile, PngImagePlugin

from conflict_app.claims.evidence import store_photo
from tests.test_status import public_report


def test_a_huge_png_from_the_anonymous_form_is_refused_without_decoding(
        app, world, monkeypatch):
    out = io.BytesIO()
    Image.new("1", (6300, 6300)).save(out, format="PNG")  # 39.7 MP, a few kB on the wire
    decoded = []
    original = ImageFile.ImageFile.load

    def counting_load(self):
        decoded.append(self.size)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting_load)
    client = app.test_client()
    response = public_report(client, world, photo=(io.BytesIO(out.getvalue()), "cow.png"))
    assert response.status_code == 400
    assert "too many pixels" in response.get_data(as_text=True)
    assert decoded == []
    ru = public_report(client, world, lang="ru",
                       photo=(io.BytesIO(out.getvalue()), "cow.png"))
    assert ru.status_code == 400 and "пиксел" in ru.get_data(as_text=True)


def test_the_stored_copy_keeps_no_metadata(tmp_path):
    jpeg = io.BytesIO()
    exif = Image.Exif()
    exif[0x010E] = "secret description"  # ImageDescription
    Image.new("RGB", (64, 48), (120, 60, 30)).save(
        jpeg, format="JPEG", comment=b"GPS 39.2N 46.4E herder phone 091234567", exif=exif,
        icc_profile=b"\x00" * 128)
    stored = store_photo(jpeg.getvalue(), str(tmp_path), 10_000_000)
    raw = next(tmp_path.rglob(f"{stored.storage_key}.jpg")).read_bytes()
    assert b"herder phone" not in raw and b"secret description" not in raw
    with Image.open(io.BytesIO(raw)) as image:
        assert "comment" not in image.info and "exif" not in image.info
        assert "icc_profile" not in image.info
    png = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "village Shvanidzor, herder Armen")
    info.add_itxt("Description", "GPS 39.2N 46.4E")
    Image.new("RGB", (64, 48)).save(png, format="PNG", pnginfo=info)
    stored = store_photo(png.getvalue(), str(tmp_path), 10_000_000)
    raw = next(tmp_path.rglob(f"{stored.storage_key}.jpg")).read_bytes()
    assert b"Armen" not in raw and b"GPS" not in raw


def test_a_12_mp_png_from_the_public_form_is_refused_a_12_mp_jpeg_is_not(
        app, world):
    """A PNG decodes only at full size: 12 MP cost 1.4 s and 100–145 MB per request, so the
    public form takes PNG and WebP up to 4 MP; a JPEG of 12 MP decodes at reduced scale."""
    png = io.BytesIO()
    Image.new("RGB", (3460, 3460), (10, 200, 30)).save(png, format="PNG")  # 12 MP, 41 kB
    client = app.test_client()
    response = public_report(client, world, photo=(io.BytesIO(png.getvalue()), "cow.png"))
    assert response.status_code == 400
    assert "at most 4 megapixels" in response.get_data(as_text=True)
    jpeg = io.BytesIO()
    Image.new("RGB", (4000, 3000), (120, 60, 30)).save(jpeg, format="JPEG", quality=60)
    accepted = public_report(client, world, photo=(io.BytesIO(jpeg.getvalue()), "cow.jpg"))
    assert accepted.status_code == 302


def test_decodes_at_once_are_bounded_per_process(tmp_path, monkeypatch):
    """A third photo waits while two are being decoded, and is refused (nothing stored)
    rather than let memory grow without bound."""
    from conflict_app.claims import evidence
    from conflict_app.core.errors import DomainError

    monkeypatch.setattr(evidence, "DECODE_WAIT_SECONDS", 0.2)
    png = io.BytesIO()
    Image.new("RGB", (64, 48)).save(png, format="PNG")
    assert evidence._DECODING.acquire(timeout=1) and evidence._DECODING.acquire(timeout=1)
    try:
        with pytest.raises(DomainError, match="try again later"):
            store_photo(png.getvalue(), str(tmp_path), 10_000_000)
    finally:
        evidence._DECODING.release()
        evidence._DECODING.release()
    assert list(tmp_path.rglob("*.jpg")) == []
    store_photo(png.getvalue(), str(tmp_path), 10_000_000)


def test_webp_metadata_is_dropped_too(tmp_path):
    webp = io.BytesIO()
    exif = Image.Exif()
    exif[0x010E] = "herder phone 091234567"
    Image.new("RGB", (64, 48), (1, 2, 3)).save(webp, format="WEBP", exif=exif,
                                                xmp=b"<x:xmpmeta>GPS 39.2N</x:xmpmeta>")
    stored = store_photo(webp.getvalue(), str(tmp_path), 10_000_000)
    raw = next(tmp_path.rglob(f"{stored.storage_key}.jpg")).read_bytes()
    assert b"herder phone" not in raw and b"GPS" not in raw
