"""Urdu pages get a Nastaliq face with every Urdu letter, served by the app itself, and each
script's stylesheet rule names that face first."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from conflict_app.i18n import webfonts

STATIC = Path(__file__).resolve().parent.parent / "conflict_app" / "static"
URDU_LETTERS = "ےہھںڈٹڑ"

needs_fonts = pytest.mark.skipif(webfonts.locate("NotoNastaliqUrdu-Regular.ttf") is None,
                                 reason="fonts-noto-core is not installed "
                                        "(scripts/install-browser.sh)")


@needs_fonts
def test_the_app_serves_a_nastaliq_face_with_every_urdu_letter(app):
    client = app.test_client()
    response = client.get("/fonts/NotoNastaliqUrdu-Regular.ttf")
    assert response.status_code == 200
    assert response.mimetype == "font/ttf"
    assert "max-age" in response.headers["Cache-Control"]
    cmap = TTFont(io.BytesIO(response.get_data())).getBestCmap()
    assert all(ord(ch) in cmap for ch in URDU_LETTERS)


def test_only_the_listed_font_files_are_served(app):
    client = app.test_client()
    assert client.get("/fonts/DejaVuSans.ttf").status_code == 404
    assert client.get("/fonts/..%2F..%2Fetc%2Fpasswd").status_code == 404


@pytest.mark.parametrize("sheet", ["pardus.css", "public.css"])
def test_each_script_names_its_own_face_first(sheet):
    css = (STATIC / sheet).read_text(encoding="utf-8")
    faces = dict(re.findall(r'font-family:"(Pardus [A-Za-z]+)"; src:url\("\.\./fonts/([^"]+)"',
                            css))
    assert faces["Pardus Nastaliq"].startswith("NotoNastaliqUrdu")
    for name in re.findall(r'url\("\.\./fonts/([^"]+)"', css):
        assert name in webfonts.FILES
    assert re.search(r':lang\(ur\)\s*\{\s*font-family:"Pardus Nastaliq"', css)
    assert re.search(r':lang\(ka\)\s*\{\s*font-family:"Pardus Georgian"', css)
    assert re.search(r':lang\(hy\)\s*\{\s*font-family:"Pardus Armenian"', css)
    assert re.search(r':lang\(ps\)\s*\{\s*font-family:"Pardus Arabic"', css)


@needs_fonts
def test_pashto_pages_get_a_face_with_every_pashto_letter(app):
    client = app.test_client()
    for name in ("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"):
        response = client.get(f"/fonts/{name}")
        assert response.status_code == 200
        cmap = TTFont(io.BytesIO(response.get_data())).getBestCmap()
        assert all(ord(ch) in cmap for ch in "ټډړښږګڼېۍځڅ"), name
