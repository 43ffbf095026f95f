"""Phone numbers -> E.164, with a validity status that is never used to drop data.

Vietnamese numbers are handled by a fast path that applies the validation patterns
shipped in the `phonenumbers` metadata for region VN (the same data
`phonenumbers.is_valid_number` uses, compiled once), because full `phonenumbers.parse`
costs ~18 µs per value and identifier columns in retail data have millions of distinct
values. Foreign numbers (anything written with + / 00 and a country code other than 84)
go through `phonenumbers` itself.

Outcome per raw value (`PhoneResult`):

- ``missing``: nothing usable (empty, no digits, placeholder such as 0000000000).
  `e164` is None.
- ``valid``: a number the numbering plan allows; `e164` is its E.164 form.
- ``invalid``: digits are there but the number cannot exist (a digit missing or extra,
  unassigned prefix). `e164` still holds a best-effort "+<country><digits>" so the value
  stays visible and searchable; `match_key` is None so identity never links on it.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Literal, NamedTuple

import phonenumbers

PhoneStatus = Literal["valid", "invalid", "missing"]
PhoneKind = Literal["mobile", "landline", "other", "foreign"]

VN_COUNTRY_CODE = "84"

# Official remap of the pre-2018 11-digit mobile prefixes (MIC decision 798/QĐ-BTTTT,
# carried out Sep-Nov 2018). Keys and values are national prefixes without the trunk 0:
# 0168 xxx xxxx became 038 xxx xxxx, i.e. '168' + 7 digits -> '38' + 7 digits.
LEGACY_MOBILE_PREFIXES: dict[str, str] = {
    # Viettel
    "162": "32", "163": "33", "164": "34", "165": "35",
    "166": "36", "167": "37", "168": "38", "169": "39",
    # MobiFone
    "120": "70", "121": "79", "122": "77", "126": "76", "128": "78",
    # VinaPhone
    "123": "83", "124": "84", "125": "85", "127": "81", "129": "82",
    # Vietnamobile
    "186": "56", "188": "58",
    # Gmobile (Beeline)
    "199": "59",
}  # fmt: skip

# Values people type when a form forces a phone but they have none to give.
PLACEHOLDER_DIGITS = frozenset({"0123456789", "123456789", "1234567890", "0987654321"})

# Several numbers in one cell ("0901 234 567 / 0912 345 678"): the first one wins.
_MULTI_SEPARATOR = re.compile(r"[,;/|\n]|\b(?:or|hoặc|hoac)\b", re.IGNORECASE)
# Trailing extensions are not part of the subscriber number.
_EXTENSION = re.compile(r"(?:ext\.?|extension|máy lẻ|may le|#|\bx)\s*\d{1,6}\s*$", re.IGNORECASE)
# Spreadsheet exports turn 0381234567 into 381234567.0 or 3.81234567E+08.
_FLOAT_EXPORT = re.compile(r"^\d+\.0+$")
_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?[eE]\+?\d+$")
_DIGITS = re.compile(r"\d")
_NON_DIGITS = re.compile(r"\D+")
# Only digits, blanks, . - ( ) and a leading +: nothing to cut away before reading it.
_PLAIN = re.compile(r"[\s(]*\+?[\d\s.\-()]*")

_VN_METADATA = phonenumbers.PhoneMetadata.metadata_for_region("VN")
_VN_MOBILE = re.compile(_VN_METADATA.mobile.national_number_pattern)
_VN_FIXED_LINE = re.compile(_VN_METADATA.fixed_line.national_number_pattern)
_VN_ANY = re.compile(_VN_METADATA.general_desc.national_number_pattern)


class PhoneResult(NamedTuple):
    """Standardised phone: E.164 (best effort when invalid), status and kind."""

    e164: str | None
    status: PhoneStatus
    kind: PhoneKind | None

    @property
    def match_key(self) -> str | None:
        """The E.164 only when valid: the one form identity may link on."""
        return self.e164 if self.status == "valid" else None


MISSING = PhoneResult(None, "missing", None)


def _first_number(text: str) -> str:
    """Pick the first segment that contains digits from a cell holding several numbers."""
    for segment in _MULTI_SEPARATOR.split(text):
        if segment and _DIGITS.search(segment):
            return segment
    return ""


def _undo_spreadsheet(text: str) -> str:
    """Reverse float/scientific rendering of a number that lost its leading zero."""
    if "." not in text and "e" not in text and "E" not in text:
        return text  # neither rendering: skip both regexes (most cells)
    if _FLOAT_EXPORT.match(text):
        return text.split(".", 1)[0]
    if _SCIENTIFIC.match(text):
        try:
            return str(int(Decimal(text)))
        except (InvalidOperation, ValueError):
            return text
    return text


def _clean(raw: str) -> str:
    """The part of the cell that holds the (first) number, in ASCII."""
    text = raw.strip()
    if not text.isascii():
        # NFKC turns full-width digits and '＋' from CJK/mobile keyboards into ASCII.
        text = unicodedata.normalize("NFKC", text).strip()
    text = _undo_spreadsheet(text)
    if _PLAIN.fullmatch(text):  # the common case: nothing to cut away
        return text
    return _first_number(_EXTENSION.sub("", text))


def _read(raw: str) -> tuple[bool, str]:
    """(written in international form?, all digits) of the first number in a cell.

    Most cells are a bare run of ASCII digits, optionally after '+' ('0912345678',
    '+84912345678'); `_clean` would leave them unchanged, so their digits are read
    directly (the whole rule runs ~1.6x faster over the distinct phones of real data).
    """
    if raw.isascii():
        if raw.isdigit():
            return (True, raw[2:]) if raw.startswith("00") else (False, raw)
        if raw.startswith("+") and raw[1:].isdigit():
            return True, raw[1:]
    return _split_international(_clean(raw))


def _split_international(text: str) -> tuple[bool, str]:
    """(written in international form?, all digits), where '+' / '00' mark the former."""
    digits = _NON_DIGITS.sub("", text)
    if "+" in text:
        first_digit = _DIGITS.search(text)
        if first_digit is not None and "+" in text[: first_digit.start()]:
            return True, digits
    if digits.startswith("00"):
        return True, digits[2:]
    return False, digits


def _vn_national(digits: str, international: bool) -> str | None:
    """National significant number for a Vietnamese number, or None if foreign.

    Without '+'/'00', a leading '84' is the country code only when the rest is long
    enough to be a number: 9-digit '84xxxxxxx' is a VinaPhone 084 mobile whose trunk
    zero was lost, not '+84' followed by 7 digits.
    """
    if international:
        if not digits.startswith(VN_COUNTRY_CODE):
            return None
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    elif digits.startswith(VN_COUNTRY_CODE) and len(digits) >= 10:
        national = digits[2:]
    else:
        national = digits
    # '+84 (0) 38…' and '84 038…': the trunk zero written after the country code.
    if national.startswith("0"):
        national = national[1:]
    return national


def remap_legacy_mobile(national: str) -> str:
    """'1681234567' -> '381234567': pre-2018 11-digit mobiles to their new 10-digit form."""
    if len(national) == 10 and national[:3] in LEGACY_MOBILE_PREFIXES:
        return LEGACY_MOBILE_PREFIXES[national[:3]] + national[3:]
    return national


def _classify_vn(national: str) -> PhoneResult:
    e164 = f"+{VN_COUNTRY_CODE}{national}"
    if _VN_MOBILE.fullmatch(national):
        return PhoneResult(e164, "valid", "mobile")
    if _VN_FIXED_LINE.fullmatch(national):
        return PhoneResult(e164, "valid", "landline")
    if _VN_ANY.fullmatch(national):
        # Toll-free 1800, premium 1900, VoIP, UAN: rare, so the slow exact check is fine.
        number = phonenumbers.PhoneNumber(country_code=84, national_number=int(national))
        if phonenumbers.is_valid_number(number):
            return PhoneResult(e164, "valid", "other")
    return PhoneResult(e164, "invalid", None)


def _classify_foreign(digits: str) -> PhoneResult:
    best_effort = f"+{digits}"
    try:
        number = phonenumbers.parse(best_effort, None)
    except phonenumbers.NumberParseException:
        return PhoneResult(best_effort, "invalid", "foreign")
    if not phonenumbers.is_valid_number(number):
        return PhoneResult(best_effort, "invalid", "foreign")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return PhoneResult(e164, "valid", "foreign")


def _is_placeholder(digits: str) -> bool:
    # One digit repeated ('0000000000'): stripping that digit leaves nothing.
    repeated = digits != "" and not digits.lstrip(digits[0])
    return repeated or digits in PLACEHOLDER_DIGITS


@lru_cache(maxsize=1 << 18)
def standardise_phone(raw: str | None) -> PhoneResult:
    """Parse any phone notation into a `PhoneResult` (see the module docstring)."""
    if raw is None:
        return MISSING
    international, digits = _read(raw)
    if not digits or _is_placeholder(digits):
        return MISSING
    national = _vn_national(digits, international)
    if national is None:
        return _classify_foreign(digits)
    if not national or _is_placeholder(national):
        return MISSING
    return _classify_vn(remap_legacy_mobile(national))


def phone_e164(raw: str | None) -> str | None:
    """E.164 form ('+84381234567'); best effort when invalid; None only when missing."""
    return standardise_phone(raw).e164


def phone_status(raw: str | None) -> PhoneStatus:
    """'valid', 'invalid' (digits present but impossible) or 'missing'."""
    return standardise_phone(raw).status


def phone_kind(raw: str | None) -> PhoneKind | None:
    """'mobile' / 'landline' / 'other' (VN toll-free, premium…) / 'foreign'; None if unknown."""
    return standardise_phone(raw).kind


def phone_match_key(raw: str | None) -> str | None:
    """E.164 only for valid numbers: the key identity resolution may link on."""
    return standardise_phone(raw).match_key
