"""Which script each character is in, and the bidi levels and reordering of a paragraph
(rules X1–I2 and L2 of the Unicode bidi algorithm, through python-bidi), for the PDF
typesetter in ``documents.text``; ``ltr`` keeps a left-to-right token whole inside
right-to-left text."""

from __future__ import annotations

import unicodedata

LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
LRE, RLE, PDF = "\u202a", "\u202b", "\u202c"
_BIDI_CONTROLS = frozenset("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e"
                           "\u2066\u2067\u2068\u2069")


def ltr(text: object) -> str:
    """Keep a left-to-right token (reference, phone number, code) in one piece and in order
    inside right-to-left text."""
    return f"{LRI}{text}{PDI}"


# --- scripts --------------------------------------------------------------------------
def script_of(ch: str) -> str | None:
    """ISO 15924 tag of a letter, or None for characters common to all scripts."""
    cp = ord(ch)
    if 0x0600 <= cp <= 0x08FF or 0xFB50 <= cp <= 0xFDFF or 0xFE70 <= cp <= 0xFEFE:
        return "Arab"
    if 0x0530 <= cp <= 0x058F or 0xFB13 <= cp <= 0xFB17:
        return "Armn"
    if 0x10A0 <= cp <= 0x10FF or 0x1C90 <= cp <= 0x1CBF or 0x2D00 <= cp <= 0x2D2F:
        return "Geor"
    if 0x0400 <= cp <= 0x052F or 0x1C80 <= cp <= 0x1C8F or 0xA640 <= cp <= 0xA69F:
        return "Cyrl"
    if cp < 0x0250 or 0x1E00 <= cp <= 0x1EFF:
        return "Latn" if ch.isalpha() else None
    if ch.isalpha():
        name = unicodedata.name(ch, "")
        return "Latn" if name.startswith("LATIN") else "Zzzz"
    return None


def _resolve_scripts(text: str) -> list[str]:
    raw = [script_of(ch) for ch in text]
    out: list[str] = []
    last = next((s for s in raw if s), "Latn")
    for tag in raw:
        if tag:
            last = tag
        out.append(last)
    return out


# --- bidi -----------------------------------------------------------------------------
def _embeddings(text: str) -> str:
    """Isolates as embeddings (same length), for the UBA 6 implementation."""
    if not any(ch in text for ch in (LRI, RLI, FSI, PDI)):
        return text
    out = []
    for i, ch in enumerate(text):
        if ch == LRI:
            out.append(LRE)
        elif ch == RLI:
            out.append(RLE)
        elif ch == FSI:
            rest = text[i + 1:]
            end = rest.find(PDI)
            strong = _first_strong(rest if end < 0 else rest[:end])
            out.append(RLE if strong == 1 else LRE)
        elif ch == PDI:
            out.append(PDF)
        else:
            out.append(ch)
    return "".join(out)


def _first_strong(text: str) -> int | None:
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return 0
        if kind in {"R", "AL"}:
            return 1
    return None


def levels(text: str, base: int) -> list[int]:
    """Resolved embedding level of each character (rules X1–I2) for a paragraph."""
    if not text:
        return []
    if base == 0 and all(unicodedata.bidirectional(ch) in {"L", "WS", "ON", "EN", "CS", "ES",
                                                           "ET", "BN", "NSM"}
                         for ch in text):
        # Left-to-right text with nothing right-to-left or numeric-Arabic: all level 0.
        return [0] * len(text)
    from bidi import algorithm as uba

    storage = uba.get_empty_storage()
    storage["base_level"] = base
    storage["base_dir"] = "LR"[base]
    uba.get_embedding_levels(_embeddings(text), storage)
    for index, entry in enumerate(storage["chars"]):
        entry["index"] = index
    uba.explicit_embed_and_overrides(storage)
    uba.resolve_weak_types(storage)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    result: list[int | None] = [None] * len(text)
    for entry in storage["chars"]:
        result[entry["index"]] = entry["level"]
    last = base
    for i, level in enumerate(result):  # removed by X9 (controls): the level before them
        if level is None:
            result[i] = last
        else:
            last = level
    return result  # type: ignore[return-value]


def reorder(items: list, item_levels: list[int]) -> list:
    """Rule L2 on a line: reverse every sequence at or above each odd level."""
    if not items:
        return items
    highest = max(item_levels)
    lowest_odd = min(item_levels) | 1
    if highest < lowest_odd:
        return list(items)
    order = list(range(len(items)))
    for level in range(highest, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if item_levels[order[i]] >= level:
                j = i
                while j < len(order) and item_levels[order[j]] >= level:
                    j += 1
                order[i:j] = reversed(order[i:j])
                i = j
            else:
                i += 1
    return [items[k] for k in order]
