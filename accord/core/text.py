"""Sentences built around text people typed: a title, a question, a blocker."""

from __future__ import annotations

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
