"""Fonts for the PDF documents: found in installed packages or on the system, never copied
into the repository.

Each script has a preference list of families. A family is used only when it is installed,
and a character only goes to a face whose cmap (read with fontTools) has it. Where no
installed face covers a character, ``MissingFont`` names the script and the packages that
would bring it.

Sources, in the order they are tried (I18N-FACTS.md):

- Noto Sans Arabic from PyPI (``fontpkg-noto-sans-arabic``, a variable font; its bold is an
  instance made with fontTools' instancer and renamed, so ReportLab keeps the two apart);
- Noto Sans Arabic, Armenian, Georgian and Noto Sans from Debian ``fonts-noto-core``;
- DejaVu Sans from Debian ``fonts-dejavu-core`` (or the copy inside matplotlib's wheel).

Faces are registered with ReportLab once per process and shared by every document.
"""

from __future__ import annotations

import io
import os
import threading
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont

SYSTEM_FONT_DIRS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
    "~/.fonts",
)

# Characters that are never drawn: bidi controls, joiners, soft hyphen, BOM, variation
# selectors. They need no glyph; the shaper and the bidi algorithm still see them.
_IGNORABLE = frozenset(
    [0x00AD, 0x034F, 0x061C, 0x180E, 0xFEFF]
    + list(range(0x200B, 0x2010))
    + list(range(0x202A, 0x202F))
    + list(range(0x2060, 0x2070))
    + list(range(0xFE00, 0xFE10))
)


def ignorable(ch: str) -> bool:
    return ord(ch) in _IGNORABLE


class MissingFont(RuntimeError):
    """No installed font has a glyph for a character the document needs."""

    def __init__(self, ch: str) -> None:
        if len(ch) != 1:  # ReportLab re-raises it with its own annotated message
            self.char, self.script = "", ""
            super().__init__(ch)
            return
        self.char = ch
        self.script = script_name(ch)
        super().__init__(
            f"No installed font covers the {self.script} script "
            f"(U+{ord(ch):04X} {unicodedata.name(ch, '?')}). Install the Debian package "
            f"fonts-noto-core (or fonts-dejavu-core), or the PyPI font package for it."
        )


def script_name(ch: str) -> str:
    """A readable script name for error messages: 'Armenian', 'Arabic', 'Latin', ..."""
    name = unicodedata.name(ch, "")
    if not name:
        return f"U+{ord(ch):04X}"
    first = name.split()[0]
    if first in {"DIGIT", "SPACE", "HYPHEN"} or unicodedata.category(ch).startswith(("S", "P")):
        return f"symbol {name.title()}"
    return first.title()


# --- where the files are --------------------------------------------------------------
@cache
def _system_index() -> dict[str, str]:
    """Every TrueType file under the usual font folders, by file name."""
    found: dict[str, str] = {}
    extra = os.environ.get("PARDUS_FONT_DIRS", "")
    roots = [p for p in extra.split(os.pathsep) if p] + list(SYSTEM_FONT_DIRS)
    for root in roots:
        base = Path(root).expanduser()
        if not base.is_dir():
            continue
        for folder, _dirs, files in os.walk(base):
            for name in files:
                if name.lower().endswith(".ttf"):
                    found.setdefault(name, os.path.join(folder, name))
    return found


def _system(name: str) -> Callable[[], str | None]:
    return lambda: _system_index().get(name)


def _package(family: str) -> Callable[[], str | None]:
    def locate() -> str | None:
        try:
            import fontpkg
        except ImportError:
            return None
        try:
            return str(fontpkg.path(family))
        except Exception:  # fontpkg.FontpkgError: the family package is not installed
            return None

    return locate


def _matplotlib(name: str) -> Callable[[], str | None]:
    def locate() -> str | None:
        import importlib.util

        spec = importlib.util.find_spec("matplotlib")
        if spec is None or not spec.submodule_search_locations:
            return None
        path = Path(next(iter(spec.submodule_search_locations))) / "mpl-data/fonts/ttf" / name
        return str(path) if path.is_file() else None

    return locate


@dataclass(frozen=True)
class Source:
    key: str  # ReportLab name prefix
    family: str
    regular: Callable[[], str | None]
    bold: Callable[[], str | None] | None  # None: make a bold instance of a variable font
    origin: str  # where it comes from, for messages


SOURCES: tuple[Source, ...] = (
    Source("PardusNotoArabicPkg", "Noto Sans Arabic", _package("Noto Sans Arabic"), None,
           "PyPI fontpkg-noto-sans-arabic"),
    Source("PardusNotoArabic", "Noto Sans Arabic", _system("NotoSansArabic-Regular.ttf"),
           _system("NotoSansArabic-Bold.ttf"), "Debian fonts-noto-core"),
    Source("PardusDejaVu", "DejaVu Sans", _system("DejaVuSans.ttf"),
           _system("DejaVuSans-Bold.ttf"), "Debian fonts-dejavu-core"),
    Source("PardusDejaVuMpl", "DejaVu Sans", _matplotlib("DejaVuSans.ttf"),
           _matplotlib("DejaVuSans-Bold.ttf"), "matplotlib"),
    Source("PardusNotoSans", "Noto Sans", _system("NotoSans-Regular.ttf"),
           _system("NotoSans-Bold.ttf"), "Debian fonts-noto-core"),
    Source("PardusNotoArmenian", "Noto Sans Armenian", _system("NotoSansArmenian-Regular.ttf"),
           _system("NotoSansArmenian-Bold.ttf"), "Debian fonts-noto-core"),
    Source("PardusNotoGeorgian", "Noto Sans Georgian", _system("NotoSansGeorgian-Regular.ttf"),
           _system("NotoSansGeorgian-Bold.ttf"), "Debian fonts-noto-core"),
)

# Which sources to try first for each script; anything not listed uses "default".
PREFERENCE: dict[str, tuple[str, ...]] = {
    "Arab": ("PardusNotoArabicPkg", "PardusNotoArabic", "PardusDejaVu", "PardusDejaVuMpl"),
    "Armn": ("PardusDejaVu", "PardusDejaVuMpl", "PardusNotoArmenian", "PardusNotoSans"),
    "Geor": ("PardusDejaVu", "PardusDejaVuMpl", "PardusNotoGeorgian", "PardusNotoSans"),
    "default": ("PardusDejaVu", "PardusDejaVuMpl", "PardusNotoSans", "PardusNotoArabicPkg",
                "PardusNotoArabic", "PardusNotoArmenian", "PardusNotoGeorgian"),
}


# --- ReportLab font that draws glyphs by id -------------------------------------------
_VIRTUAL_START = 0xF0000  # Supplementary Private Use Area A: never in our fonts' cmaps


class ShapedTTFont(TTFont):
    """A TrueType font whose subsets can hold any glyph, not only those with a Unicode value.

    HarfBuzz returns glyph ids (a joined Sorani letter has no code point of its own). Each
    (glyph id, source text) pair gets a code in a private range that ReportLab's subsetter
    treats like a character; the ToUnicode map written for the PDF maps that code back to
    the source text, so copying and searching give real characters, not private ones.
    """

    def __init__(self, name: str, data: bytes, label: str) -> None:
        super().__init__(name, io.BytesIO(data), shapable=False)
        self.label = label
        self._texts: dict[int, str] = {}  # virtual code -> text for ToUnicode
        self._codes: dict[tuple[int, str], int] = {}
        self._next = _VIRTUAL_START
        self._lock = threading.Lock()
        self._gid_of = self.face.charToGlyph

    def code_for(self, gid: int, text: str) -> str:
        """The one-character string that stands for glyph ``gid`` showing ``text``."""
        if len(text) == 1 and self._gid_of.get(ord(text)) == gid and ord(text) != 0xA0:
            return text  # the plain case: the glyph the cmap gives for this character
        key = (gid, text)
        code = self._codes.get(key)
        if code is None:
            with self._lock:
                code = self._codes.get(key)
                if code is None:
                    code = self._next
                    self._next += 1
                    face = self.face
                    face.charToGlyph[code] = gid
                    face.charWidths[code] = face._pdfScale(face.hmetrics[gid][0])
                    self._texts[code] = text
                    self._codes[key] = code
        return chr(code)

    def width_of(self, ch: str) -> float:
        """Advance the PDF viewer uses for this code (the Widths entry), per 1000 em."""
        return self.face.getCharWidth(ord(ch))

    def addObjects(self, doc) -> None:  # noqa: ANN001, N802 - ReportLab's name
        """As ``TTFont.addObjects``, with a ToUnicode map that knows the virtual codes."""
        state = self._assignState(doc)
        state.frozen = 1
        for n, subset in enumerate(state.subsets):
            internal = self.getSubsetInternalName(n, doc)[1:]
            base = (b"".join((SUBSETN(n), b"+", self.face.name, self.face.subfontNameX))
                    ).decode("pdfdoc")
            font = pdfdoc.PDFTrueTypeFont()
            font.__Comment__ = f"Font {self.fontName} subset {n}"
            font.Name = internal
            font.BaseFont = base
            font.FirstChar = 0
            font.LastChar = len(subset) - 1
            font.Widths = pdfdoc.PDFArray([self.face.getCharWidth(c) for c in subset])
            cmap = pdfdoc.PDFStream()
            cmap.content = _to_unicode_cmap(base, [self._texts.get(c, chr(c)) for c in subset])
            if doc.compression:
                cmap.filters = [pdfdoc.PDFZCompress]
            font.ToUnicode = doc.Reference(cmap, "toUnicodeCMap:" + base)
            font.FontDescriptor = self.face.addSubsetObjects(doc, base, subset)
            doc.Reference(font, internal)
            doc.idToObject["BasicFonts"].dict[internal] = font
        del self.state[doc]


def _to_unicode_cmap(name: str, texts: list[str]) -> str:
    """A ToUnicode CMap: code i -> texts[i] (UTF-16BE; several characters for ligatures,
    an empty string for the extra glyphs of a cluster that the first glyph already names)."""
    lines = [
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        "/CIDSystemInfo", f"<< /Registry ({name})", f"/Ordering ({name})", "/Supplement 0",
        ">> def", f"/CMapName /{name} def", "/CMapType 2 def",
        "1 begincodespacerange", f"<00> <{len(texts) - 1:02X}>", "endcodespacerange",
    ]
    entries = []
    for code, text in enumerate(texts):
        if code == 0:
            continue
        # Joiners and bidi marks are left out: poppler puts a ZWNJ on the wrong side of its
        # letter in right-to-left text, and searching works on the letters.
        clean = "".join(ch for ch in text if ord(ch) not in _IGNORABLE)
        entries.append(f"<{code:02X}> <{clean.encode('utf-16-be').hex().upper()}>")
    for start in range(0, len(entries), 100):  # at most 100 entries per block (PDF spec)
        block = entries[start:start + 100]
        lines.append(f"{len(block)} beginbfchar")
        lines.extend(block)
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)


# --- faces ----------------------------------------------------------------------------
@dataclass(eq=False)
class Face:
    """One registered font file: ReportLab font, HarfBuzz font, its cmap."""

    key: str
    label: str
    rl: ShapedTTFont
    cmap: frozenset[int]
    data: bytes = field(repr=False)
    _hb: object = field(default=None, repr=False)

    def covers(self, ch: str) -> bool:
        return ord(ch) in self.cmap

    @property
    def hb(self):  # noqa: ANN201 - uharfbuzz.Font
        if self._hb is None:
            import uharfbuzz as hb

            self._hb = hb.Font(hb.Face(hb.Blob(self.data)))
        return self._hb

    @property
    def upem(self) -> int:
        return self.hb.face.upem


_lock = threading.RLock()
_faces: dict[str, Face | None] = {}


def _bold_instance(data: bytes, family: str) -> bytes | None:
    """A static bold instance of a variable font, renamed so it is a face of its own."""
    from fontTools.ttLib import TTFont as FTFont
    from fontTools.varLib import instancer

    font = FTFont(io.BytesIO(data))
    if "fvar" not in font:
        return None
    axes = {a.axisTag: a for a in font["fvar"].axes}
    if "wght" not in axes:
        return None
    location = {tag: a.defaultValue for tag, a in axes.items()}
    location["wght"] = min(700, axes["wght"].maxValue)
    static = instancer.instantiateVariableFont(font, location)
    names = static["name"]
    ps = family.replace(" ", "") + "-Bold"
    for record in list(names.names):
        if record.nameID in (1, 16):
            record.string = family
        elif record.nameID in (2, 17):
            record.string = "Bold"
        elif record.nameID == 4:
            record.string = f"{family} Bold"
        elif record.nameID in (3, 6):
            record.string = ps
    out = io.BytesIO()
    static.save(out)
    return out.getvalue()


def face(key: str, bold: bool = False) -> Face | None:
    """The registered face for a source key, or None when it is not installed."""
    name = key + ("-Bold" if bold else "")
    with _lock:
        if name in _faces:
            return _faces[name]
        _faces[name] = found = _load(key, bold)
        return found


def _load(key: str, bold: bool) -> Face | None:
    from fontTools.ttLib import TTFont as FTFont

    source = next((s for s in SOURCES if s.key == key), None)
    if source is None:
        return None
    regular = source.regular()
    if regular is None or not os.path.isfile(regular):
        return None
    data = Path(regular).read_bytes()
    if bold:
        if source.bold is not None:
            path = source.bold()
            if path is None or not os.path.isfile(path):
                return face(key)  # no bold file: the regular face stands in
            data = Path(path).read_bytes()
        else:
            instance = _bold_instance(data, source.family)
            if instance is None:
                return face(key)
            data = instance
    cmap = frozenset(FTFont(io.BytesIO(data), lazy=True).getBestCmap())
    name = key + ("-Bold" if bold else "")
    rl = ShapedTTFont(name, data, f"{source.family} ({source.origin})")
    pdfmetrics.registerFont(rl)
    return Face(key=name, label=rl.label, rl=rl, cmap=cmap, data=data)


_candidates: dict[tuple[str, bool], list[Face]] = {}


def candidates(script: str, bold: bool = False) -> list[Face]:
    """Installed faces for a script (an ISO 15924 tag), most preferred first."""
    key = (script if script in PREFERENCE else "default", bold)
    found = _candidates.get(key)
    if found is None:
        faces = [face(k, bold) for k in PREFERENCE[key[0]]]
        found = _candidates[key] = [f for f in faces if f is not None]
    return found


def covering(ch: str, script: str, bold: bool = False) -> Face:
    for option in candidates(script, bold):
        if option.covers(ch):
            return option
    for option in candidates("default", bold):
        if option.covers(ch):
            return option
    raise MissingFont(ch)


def covered(text: Iterable[str], script: str = "default") -> bool:
    """True when every drawable character of ``text`` has a glyph in some installed face."""
    try:
        for ch in text:
            if not ch.isspace() and not ignorable(ch):
                covering(ch, script)
    except MissingFont:
        return False
    return True


def installed() -> list[str]:
    """Which font sources this machine has, for diagnostics."""
    return [s.family + " (" + s.origin + ")" for s in SOURCES if face(s.key) is not None]


def load_all() -> int:
    """Parse every installed face, regular and bold, now; returns how many there are.

    Called in the web server's master before it forks (gunicorn.conf.py): every worker,
    recycled ones included, then shares them, where each one's first letter or voucher had
    spent about a second of CPU parsing and instancing fonts.
    """
    for script in PREFERENCE:
        candidates(script)
        candidates(script, bold=True)
    with _lock:
        return len({f.key for f in _faces.values() if f is not None})
