"""Text helpers shared by the name and city rules.

Vietnamese text arrives in both composed (NFC) and decomposed (NFD) Unicode depending
on the keyboard (Telex/VNI input methods, macOS file names), so every rule normalises
first; otherwise "Nguyễn" typed two ways would never compare equal.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Anything that is not a letter, digit or space becomes a space in keys, so that
# "TP.HCM", "TP-HCM" and "TP HCM" produce the same key.
_NON_ALNUM = re.compile(r"[^0-9a-z ]+")

# Đ/đ is a separate letter (not D + combining mark), so NFD alone does not fold it.
_EXTRA_FOLDS = str.maketrans({"đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ß": "ss"})


def nfc(text: str) -> str:
    """Compose Unicode so that visually identical Vietnamese strings are byte-identical."""
    return unicodedata.normalize("NFC", text)


def collapse_whitespace(text: str) -> str:
    """Trim and collapse runs of any Unicode whitespace (incl. NBSP, tabs) to one space."""
    # str.split() splits on exactly the characters regex \s matches in str patterns
    # (both use Py_UNICODE_ISSPACE), at about a third of the cost of a regex sub.
    return " ".join(text.split())


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Diacritic-free, lower-case ASCII form: 'Đặng Thị Ánh' -> 'dang thi anh'.

    Whitespace is collapsed; punctuation is kept (see `fold_key` for a punctuation-free
    form). Characters with no ASCII equivalent (emoji, CJK) are dropped.
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA_FOLDS))
    ascii_only = decomposed.encode("ascii", "ignore").decode("ascii")
    return collapse_whitespace(ascii_only.lower())


@lru_cache(maxsize=1 << 16)
def fold_key(text: str) -> str:
    """`fold` with punctuation turned into spaces: 'TP.HCM' -> 'tp hcm'."""
    return collapse_whitespace(_NON_ALNUM.sub(" ", fold(text)))


def is_ascii(text: str) -> bool:
    """True when the text carries no diacritics (typed without a Vietnamese keyboard)."""
    return text.isascii()
