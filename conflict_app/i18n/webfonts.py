"""Fonts for the pages, served by the app itself (no external host): each script gets a face
that has all its letters. Urdu is written in Nastaliq, and a generic sans-serif lacks letters
such as ے and ہ; Armenian and Georgian get their own Noto faces too.

The files come from Debian ``fonts-noto-core`` (``scripts/install-browser.sh`` installs it),
found where the system keeps fonts; only the files named here are ever served.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from flask import Blueprint, abort, send_file

from conflict_app.core.web import public

FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts")
FILES = frozenset({
    "NotoNastaliqUrdu-Regular.ttf", "NotoNastaliqUrdu-Bold.ttf",
    "NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf",
    "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf",
    "NotoSansArmenian-Regular.ttf", "NotoSansArmenian-Bold.ttf",
    "NotoSansGeorgian-Regular.ttf", "NotoSansGeorgian-Bold.ttf",
})

bp = Blueprint("webfonts", __name__, url_prefix="/fonts")


@cache
def locate(name: str) -> Path | None:
    if name not in FILES:
        return None
    for root in (os.environ.get("PARDUS_FONT_DIR"), *FONT_DIRS):
        if not root or not os.path.isdir(root):
            continue
        for folder, _dirs, files in os.walk(root):
            if name in files:
                return Path(folder) / name
    return None


@bp.route("/<name>")
@public
def font(name: str):  # noqa: ANN201
    path = locate(name)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="font/ttf", max_age=365 * 24 * 3600)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
