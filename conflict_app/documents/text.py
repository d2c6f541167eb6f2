"""Text in every script for ReportLab: bidi levels, font runs, HarfBuzz shaping, line breaking,
per-line reordering, and drawing glyphs by id with a searchable text layer.

ReportLab stays the engine (pages, flowables, tables, fonts embedded as subsets); this module
only decides which glyph goes where. The steps, for each paragraph:

1. Bidi levels for the whole paragraph (the pure-Python ``bidi.algorithm`` of python-bidi,
   rules X1–I2, with the document's base direction). Isolates (LRI/RLI/FSI/PDI), which that
   implementation predates, are mapped to the matching embeddings first.
2. Runs of one script, one face and one level. Common characters (digits, punctuation,
   spaces) take the script around them. A face is chosen by its cmap (``fonts``).
3. Each run is shaped by HarfBuzz with the whole paragraph as context, right-to-left runs in
   RTL direction: Arabic letters join (including Sorani ڵ and ێ, which have no
   presentation forms), marks are placed, brackets are mirrored.
4. Lines are broken on the logical text at spaces, measuring the shaped advances, so the
   first words are on the first line whatever the direction.
5. Per line, rule L1/L2 reorders the runs (never the whole paragraph), and the glyphs are
   drawn with explicit positions.

Text layer: every glyph is written with a code whose ToUnicode entry is the text it came
from: a contextual form maps to its letter (a joined ڵ to ڵ, not to a private code), a
ligature to its letters, a mark that the font split off a letter to nothing; joiners (ZWNJ
in Persian) and bidi marks shape the text but are not in the text layer. Nothing is drawn
twice. Measured with
poppler 22.12 (pdftotext, Evince): this extracts every line in logical order, numbers and
references included. Two alternatives were tried and dropped: an ActualText span per line
came out reversed in poppler (it spreads the span's text left to right over the glyphs),
and an invisible second text layer makes every reader find each word twice.
"""

from __future__ import annotations

import re
import unicodedata
from collections import OrderedDict
from contextvars import ContextVar
from dataclasses import dataclass, field
from threading import Lock

from reportlab.lib import colors
from reportlab.platypus import Flowable

from conflict_app.documents import fonts
from conflict_app.documents.bidi_text import (
    _BIDI_CONTROLS,
    _resolve_scripts,
    levels,
    reorder,
)

# Tests (and reviewers) can collect the logical text of every line drawn.
drawn: ContextVar[list[str] | None] = ContextVar("drawn", default=None)


# --- shaping --------------------------------------------------------------------------
@dataclass(slots=True)
class Glyph:
    face: fonts.Face
    code: str  # the character written to the PDF (a real one or a private code)
    cluster: int  # index of the first character it stands for
    advance: float  # points
    dx: float
    dy: float


@dataclass(slots=True)
class Run:
    start: int
    end: int
    level: int
    glyphs: list[Glyph]  # in visual order (HarfBuzz output)


@dataclass
class Shaped:
    """A shaped paragraph (no line breaks yet)."""

    text: str
    size: float
    levels: list[int]
    runs: list[Run]
    advance: list[float]  # per character: the advance of the glyphs of its cluster


@dataclass
class Line:
    glyphs: list[Glyph] = field(default_factory=list)  # visual order, left to right
    width: float = 0.0
    text: str = ""  # logical order (what the line says, for tests and logs)


def _faces_for(text: str, scripts: list[str], bold: bool) -> list[fonts.Face]:
    """A face per character: the most preferred face for its script that has it (digits and
    punctuation count as the script around them); ignorable characters take their
    neighbour's face."""
    chosen: list[fonts.Face | None] = [None] * len(text)
    for k, ch in enumerate(text):
        if not fonts.ignorable(ch):
            chosen[k] = fonts.covering(ch, scripts[k], bold)
    fallback = next((f for f in chosen if f is not None), None)
    if fallback is None:
        fallback = fonts.covering(" ", "default", bold)
    last = fallback
    for k, f in enumerate(chosen):
        if f is None:
            chosen[k] = last
        else:
            last = f
    return chosen  # type: ignore[return-value]


_HB_SCRIPT = {"Arab": "Arab", "Armn": "Armn", "Geor": "Geor", "Cyrl": "Cyrl", "Latn": "Latn"}


def shape(text: str, size: float, bold: bool, base: int, language: str) -> Shaped:
    import uharfbuzz as hb

    text = text.replace("\t", " ")
    lv = levels(text, base)
    scripts = _resolve_scripts(text)
    faces = _faces_for(text, scripts, bold)
    codepoints = [ord(ch) for ch in text]
    advance = [0.0] * len(text)
    runs: list[Run] = []
    i = 0
    while i < len(text):
        j = i + 1
        while (j < len(text) and faces[j] is faces[i] and lv[j] == lv[i]
               and scripts[j] == scripts[i]):
            j += 1
        face = faces[i]
        buf = hb.Buffer()
        buf.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS
        buf.add_codepoints(codepoints, i, j - i)
        buf.guess_segment_properties()
        buf.direction = "rtl" if lv[i] % 2 else "ltr"
        if scripts[i] in _HB_SCRIPT:
            buf.script = _HB_SCRIPT[scripts[i]]
        buf.language = language.replace("_", "-")
        hb.shape(face.hb, buf, {})
        scale = size / face.upem
        infos, positions = buf.glyph_infos, buf.glyph_positions
        starts = sorted({info.cluster for info in infos})
        ends = dict(zip(starts, [*starts[1:], j], strict=False))
        # Joiners and bidi marks shape their neighbours but draw nothing.
        kept = [n for n, (info, pos) in enumerate(zip(infos, positions, strict=True))
                if pos.x_advance or not all(fonts.ignorable(ch)
                                            for ch in text[info.cluster:ends[info.cluster]])]
        starts = sorted({infos[n].cluster for n in kept})
        ends = dict(zip(starts, [*starts[1:], j], strict=False))
        # The glyph that names its cluster's text in ToUnicode: the widest one (the base
        # letter rather than the marks the font split off); the others name nothing.
        carrier: dict[int, int] = {}
        for n in kept:
            best = carrier.get(infos[n].cluster)
            if best is None or positions[n].x_advance > positions[best].x_advance:
                carrier[infos[n].cluster] = n
        glyphs = []
        for n in kept:
            info, pos = infos[n], positions[n]
            cluster = info.cluster
            source = text[cluster:ends[cluster]]
            if info.codepoint == 0 and not source.isspace():
                raise fonts.MissingFont(next(ch for ch in source if not fonts.ignorable(ch)))
            named = ""
            if carrier[cluster] == n:
                named = "".join(ch for ch in source if not fonts.ignorable(ch))
            glyph = Glyph(face, face.rl.code_for(info.codepoint, named), cluster,
                          pos.x_advance * scale, pos.x_offset * scale, pos.y_offset * scale)
            advance[cluster] += glyph.advance
            glyphs.append(glyph)
        runs.append(Run(i, j, lv[i], glyphs))
        i = j
    return Shaped(text, size, lv, runs, advance)


_cache: OrderedDict[tuple, Shaped | list[Line]] = OrderedDict()
_cache_lock = Lock()
_CACHE_SIZE = 512


def shaped(text: str, size: float, bold: bool, base: int, language: str) -> Shaped:
    """``shape`` with a bounded cache: labels repeat on every voucher of a batch."""
    key = (text, size, bold, base, language)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    result = shape(text, size, bold, base, language)
    with _cache_lock:
        _cache[key] = result
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return result


# --- line breaking and reordering -----------------------------------------------------
def _line(para: Shaped, start: int, end: int, base: int) -> Line:
    units: list[list[Glyph]] = []
    unit_levels: list[int] = []
    # L1: whitespace at the end of a line goes back to the paragraph level.
    trail = end
    while trail > start and para.text[trail - 1].isspace():
        trail -= 1
    for run in para.runs:
        if run.end <= start or run.start >= end:
            continue
        inside = [g for g in run.glyphs if start <= g.cluster < trail]
        if inside:
            units.append(inside)
            unit_levels.append(run.level)
        tail = [g for g in run.glyphs if trail <= g.cluster < end]
        if tail:
            units.append(tail)
            unit_levels.append(base)
    glyphs = [g for unit in reorder(units, unit_levels) for g in unit]
    text = "".join(ch for ch in para.text[start:end] if ch not in _BIDI_CONTROLS).strip()
    return Line(glyphs, sum(g.advance for g in glyphs), text)


def break_lines(para: Shaped, width: float, base: int) -> list[Line]:
    """Greedy line breaking at spaces on the logical text; a word wider than the line is
    cut between clusters."""
    text, adv = para.text, para.advance
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text.replace("\u00a0", "x")
                                                        .replace("\u202f", "x"))]
    # (NBSP and narrow NBSP join; the replacement only keeps them out of \s.)
    lines: list[tuple[int, int]] = []
    cur_start = cur_end = None
    cur_width = 0.0
    epsilon = 0.01
    for ws, we in words:
        w = sum(adv[ws:we])
        if cur_start is None:
            if w > width + epsilon:
                ws, cur_width = _cut(lines, adv, ws, we, width)
                cur_start, cur_end = ws, we
                continue
            cur_start, cur_end, cur_width = ws, we, w
            continue
        gap = sum(adv[cur_end:ws])
        if cur_width + gap + w <= width + epsilon:
            cur_end, cur_width = we, cur_width + gap + w
            continue
        lines.append((cur_start, cur_end))
        if w > width + epsilon:
            ws, cur_width = _cut(lines, adv, ws, we, width)
            cur_start, cur_end = ws, we
        else:
            cur_start, cur_end, cur_width = ws, we, w
    if cur_start is not None:
        lines.append((cur_start, cur_end))
    return [_line(para, s, e, base) for s, e in lines]


def _cut(lines: list[tuple[int, int]], adv: list[float], ws: int, we: int,
         width: float) -> tuple[int, float]:
    """Cut a long word into full lines; returns where the last piece starts and its width."""
    start, acc = ws, 0.0
    for k in range(ws, we):
        if adv[k] > 0 and acc + adv[k] > width and k > start:
            lines.append((start, k))
            start, acc = k, 0.0
        acc += adv[k]
    return start, acc


# --- drawing --------------------------------------------------------------------------
def draw_line(canv, line: Line, x: float, y: float, size: float,  # noqa: ANN001
              color: object = colors.black) -> None:
    """Draw a laid-out line with its left end at ``x`` and baseline at ``y``."""
    if not line.glyphs:
        return
    log = drawn.get()
    if log is not None:
        log.append(line.text)
    body = _line_ops(line, size, canv._doc)
    red, green, blue = colors.toColor(color).rgb()
    # q/Q keep the text state and colour to this line; ReportLab's own state is untouched.
    canv.addLiteral(f"q {red:.3f} {green:.3f} {blue:.3f} rg\nBT\n0 Tc 0 Tw 100 Tz 0 Tr 0 Ts\n"
                    f"1 0 0 1 {x:.3f} {y:.3f} Tm\n{body}\nET Q")


def _line_ops(line: Line, size: float, doc) -> str:  # noqa: ANN001
    """The text operators of a line relative to its start. The subset codes belong to the
    document, so they are cached per document (a label repeated on every voucher of a batch
    is encoded once)."""
    cache = getattr(doc, "_pardus_line_ops", None)
    if cache is None:
        cache = doc._pardus_line_ops = OrderedDict()
    key = (id(line), size)
    hit = cache.get(key)
    if hit is not None and hit[0] is line:
        return hit[1]
    out: list[str] = []
    current_font = None
    rise = 0.0
    tj: list[str] = []
    codes: list[str] = []
    text_x = pen = 0.0  # where the PDF's text position is; where the next glyph goes

    def flush_codes() -> None:
        if codes:
            tj.append("<" + "".join(codes) + ">")
            codes.clear()

    def flush() -> None:
        flush_codes()
        if tj:
            out.append("[" + " ".join(tj) + "] TJ")
            tj.clear()

    for glyph in line.glyphs:
        ((subset, code),) = glyph.face.rl.splitString(glyph.code, doc)
        font_name = glyph.face.rl.getSubsetInternalName(subset, doc)
        if font_name != current_font:
            flush()
            out.append(f"{font_name} {size:g} Tf")
            current_font = font_name
        if abs(glyph.dy - rise) > 0.001:
            flush()
            rise = glyph.dy
            out.append(f"{rise:.3f} Ts")
        target = pen + glyph.dx
        shift = target - text_x
        if abs(shift) > 0.001:
            flush_codes()
            tj.append(f"{-shift * 1000 / size:.1f}")
        codes.append(code.hex().upper())
        text_x = target + glyph.face.rl.width_of(glyph.code) * size / 1000
        pen += glyph.advance
    flush()
    body = "\n".join(out)
    cache[key] = (line, body)
    if len(cache) > _CACHE_SIZE:
        cache.popitem(last=False)
    return body


# --- the document-facing API ----------------------------------------------------------
@dataclass(frozen=True)
class Style:
    size: float = 10.0
    bold: bool = False
    leading: float | None = None
    color: object = colors.black
    align: str = "start"  # start, end, center (start is the right edge in RTL)
    space_before: float = 0.0
    space_after: float = 0.0


class Typesetter:
    """Lays out and draws text for one document direction and language."""

    def __init__(self, direction: str = "ltr", language: str = "en") -> None:
        self.rtl = direction == "rtl"
        self.base = 1 if self.rtl else 0
        self.language = language

    def base_for(self, segment: str) -> int:
        """The document's direction; but a paragraph with no right-to-left letter at all (an
        untranslated English fallback, a Latin address) is laid out left to right, still
        aligned to the document's start side."""
        if self.base and not any(unicodedata.bidirectional(ch) in {"R", "AL"}
                                 for ch in segment):
            return 0
        return self.base

    def leading(self, style: Style) -> float:
        return style.leading or style.size * (1.6 if self.rtl else 1.4)

    def lines(self, text: str, style: Style, width: float) -> list[Line]:
        out: list[Line] = []
        for segment in str(text).split("\n"):
            if not segment.strip():
                out.append(Line())
                continue
            out.extend(self._segment(segment, style.size, style.bold, round(width, 3)))
        return out

    def _segment(self, segment: str, size: float, bold: bool, width: float) -> list[Line]:
        key = ("lines", segment, size, bold, self.base, self.language, width)
        with _cache_lock:
            hit = _cache.get(key)
            if hit is not None:
                _cache.move_to_end(key)
                return hit  # type: ignore[return-value]
        base = self.base_for(segment)
        lines = break_lines(shaped(segment, size, bold, base, self.language), width, base)
        with _cache_lock:
            _cache[key] = lines  # type: ignore[assignment]
            if len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
        return lines

    def width(self, text: str, style: Style) -> float:
        return max((ln.width for ln in self.lines(text, style, 1e9)), default=0.0)

    def x_for(self, line: Line, left: float, width: float, align: str) -> float:
        side = align
        if align == "start":
            side = "right" if self.rtl else "left"
        elif align == "end":
            side = "left" if self.rtl else "right"
        if side == "right":
            return left + width - line.width
        if side == "center":
            return left + (width - line.width) / 2
        return left

    def baseline(self, top: float, style: Style) -> float:
        """Baseline of a line whose box starts at ``top``."""
        leading = self.leading(style)
        return top - (leading - style.size) / 2 - style.size * 0.8

    def draw(self, canv, text: str, left: float, top: float, width: float,  # noqa: ANN001
             style: Style) -> float:
        """Draw text in a box starting at (left, top); returns the height used."""
        leading = self.leading(style)
        lines = self.lines(text, style, width)
        for n, line in enumerate(lines):
            y = self.baseline(top - n * leading, style)
            draw_line(canv, line, self.x_for(line, left, width, style.align), y, style.size,
                      style.color)
        return len(lines) * leading

    def para(self, text: object, style: Style | None = None) -> Para:
        return Para(self, "" if text is None else str(text), style or Style())


class Para(Flowable):
    """A paragraph laid out by a ``Typesetter``; splits between lines across pages."""

    def __init__(self, setter: Typesetter, text: str, style: Style,
                 lines: list[Line] | None = None, width: float | None = None) -> None:
        super().__init__()
        self.setter = setter
        self.text = text
        self.style = style
        self._lines = lines
        self._width = width if lines is not None else None
        self._fixed = lines is not None  # a piece of a split paragraph keeps its lines
        self.spaceBefore = style.space_before
        self.spaceAfter = style.space_after

    def _layout(self, width: float) -> list[Line]:
        if self._lines is None or (self._width != width and not self._fixed):
            self._lines = self.setter.lines(self.text, self.style, width)
            self._width = width
        return self._lines

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        lines = self._layout(availWidth)
        self.width = availWidth
        self.height = len(lines) * self.setter.leading(self.style)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        lines = self._layout(availWidth)
        fit = int(availHeight // self.setter.leading(self.style))
        if fit <= 0:
            return []
        if fit >= len(lines):
            return [self]
        first = Para(self.setter, self.text, self.style, lines[:fit], availWidth)
        rest = Para(self.setter, self.text, self.style, lines[fit:], availWidth)
        first.spaceAfter = 0
        rest.spaceBefore = 0
        return [first, rest]

    def draw(self) -> None:
        leading = self.setter.leading(self.style)
        for n, line in enumerate(self._lines or []):
            y = self.setter.baseline(self.height - n * leading, self.style)
            x = self.setter.x_for(line, 0, self.width, self.style.align)
            draw_line(self.canv, line, x, y, self.style.size, self.style.color)
