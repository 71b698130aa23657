"""Text people typed: the sentences built around it (a title, a question, a blocker) and
what it may hold."""

from __future__ import annotations

import unicodedata

ENDINGS = (".", "?", "!", "…")
CLOSING_QUOTES = "\u201d\u2019\"')"  # closing quotes, double and single, and a bracket


def full_stop(text: str) -> str:
    """The full stop a sentence ending with `text` needs: none when `text` ends one already
    ("…from Platform.", "Where does it run?", a quoted “Ship it!”), else "."."""
    return "" if text.rstrip().rstrip(CLOSING_QUOTES).endswith(ENDINGS) else "."


def sentence(text: str) -> str:
    """`text` ended by a full stop, unless it ends with one, a question or exclamation mark
    already: "From decision Where does it run?", never "…run?."."""
    text = text.rstrip()
    return f"{text}{full_stop(text)}"


# --- what a typed text may hold (`accord.core.services.require_text`) ---------------------

# Characters that print nothing on their own: format characters (zero-width space and
# joiners, the byte-order mark, tags), control characters and separators (spaces, line
# and paragraph separators), and the letters that fill a place invisibly (the Hangul
# fillers, the blank Braille pattern), the combining grapheme joiner and the variation
# selectors. A text of only these is empty: its link would be nothing to click.
_BLANK_CATEGORIES = frozenset({"Cf", "Cc", "Zs", "Zl", "Zp"})
_FILLERS = frozenset(
    "\u115f\u1160\u3164\uffa0\u2800\u034f" + "".join(chr(c) for c in range(0xFE00, 0xFE10))
)
_SELECTORS = range(0xE0100, 0xE01F0)  # the supplementary variation selectors

# Embeddings, overrides and isolates (U+202A to U+202E, U+2066 to U+2069): one left open
# turns the text after it around ("Cut costs \u202e%05 yb" reads "Cut costs by 50%"), on
# the page and in e-mail. The marks U+200E and U+200F, which change no order, are not
# among them.
DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ALLOWED_CONTROLS = frozenset("\t\n\r")


def invisible(ch: str) -> bool:
    """Whether the character `ch` prints nothing on its own."""
    return ch in _FILLERS or ord(ch) in _SELECTORS or unicodedata.category(ch) in _BLANK_CATEGORIES


def blank(text: str) -> bool:
    """Whether `text` shows nothing: empty, or only characters that print nothing."""
    return all(invisible(ch) for ch in text)


def control_character(text: str) -> str | None:
    """The first control character (C0, DEL or C1) in `text` other than a tab or a line
    break, None when there is none."""
    return next(
        (ch for ch in text if unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS),
        None,
    )


def direction_control(text: str) -> str | None:
    """The first embedding, override or isolate character in `text`, None when there is
    none."""
    return next((ch for ch in text if ch in DIRECTION_CONTROLS), None)


def codepoint(ch: str) -> str:
    """How a message names a character: U+202E, or \\x07 for a control character."""
    return f"\\x{ord(ch):02x}" if ord(ch) < 0xA0 else f"U+{ord(ch):04X}"
