"""Texts as the warehouse gets them: what a customer typed, made safe to print on a label and a pick list.

Names and addresses reach Ongoing in any script — Swedish, Greek, Arabic, Chinese — and with emoji, and
are sent as typed. Two kinds of characters are not: control characters (a newline or tab pasted into a
street line, a NUL) would break the label's lines, and the explicit bidirectional embeddings, overrides
and isolates (U+202A–U+202E, U+2066–U+2069) reorder what is printed, so a label could show another address
than the one the warehouse holds. Right-to-left text needs neither: the Unicode bidirectional algorithm
lays it out by its letters. Runs of whitespace become one space, and a text of nothing but those is none.
"""

from __future__ import annotations

import unicodedata

_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def warehouse_text(value: str | None) -> str | None:
    """``value`` without control characters and bidi controls, its whitespace runs collapsed; None if empty."""
    if not value:
        return None
    visible = "".join(" " if unicodedata.category(char) == "Cc" else char for char in value.translate(_BIDI_CONTROLS))
    return " ".join(visible.split()) or None
