"""Reference normalisers used by the tests (independent of the generator's internals)."""

from __future__ import annotations

import re

from generator.vocab import LEGACY_PREFIX

_OLD_TO_NEW = {old: new for new, old in LEGACY_PREFIX.items()}


def phone_digits(value: str) -> str:
    """Any notation -> national digits with trunk 0 (``0381234567``); legacy kept as is."""
    d = re.sub(r"\D", "", value)
    if d.startswith("84") and not d.startswith("0"):
        d = "0" + d[2:]
    return d


def canonical_phone(value: str) -> str:
    """Also maps pre-2018 11-digit mobiles to their current 10-digit number."""
    d = phone_digits(value)
    if len(d) == 11 and d[1:4] in _OLD_TO_NEW:
        d = "0" + _OLD_TO_NEW[d[1:4]] + d[4:]
    return d


def e164(value: str) -> str:
    return "+84" + canonical_phone(value)[1:]


def is_canonical(value: str) -> bool:
    return re.fullmatch(r"0\d{9,10}", value) is not None
