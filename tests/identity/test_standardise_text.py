"""Shared text helpers: whitespace collapsing must treat every Unicode space alike."""

import re
import sys

from identity.standardise.text import collapse_whitespace

_REGEX_WHITESPACE = re.compile(r"\s+")


def test_collapse_whitespace_matches_the_regex_definition_for_every_code_point() -> None:
    """`str.split()` and regex `\\s` must agree on what whitespace is (NBSP, U+3000, \\x1c…)."""
    for code_point in range(sys.maxunicode + 1):
        if 0xD800 <= code_point <= 0xDFFF:
            continue  # surrogates are not characters
        char = chr(code_point)
        text = f"{char}Lan{char}{char}Nguyễn{char}"
        assert collapse_whitespace(text) == _REGEX_WHITESPACE.sub(" ", text).strip(), hex(
            code_point
        )


def test_collapse_whitespace_examples() -> None:
    assert collapse_whitespace("  Nguyễn\u00a0Văn\t\tAn\n") == "Nguyễn Văn An"
    assert collapse_whitespace("\u3000") == ""
    assert collapse_whitespace("") == ""
