"""Birth dates written any way a Vietnamese customer or a spreadsheet writes them.

Vietnam writes day before month, so an all-numeric date is read dd/mm first and
only read mm/dd when the day-first reading is impossible (a "month" above 12).
Partial birthdays ("12/03", "12 Mar") keep month and day with a null date, because
birthday campaigns need only those. Impossible dates are reported, never guessed.

Bounds are fixed (not "today") so that the same input always gives the same output:
a birth year outside 1900-2100 is invalid; "born in the future" is a quality check on
the data, not a parsing rule.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal, NamedTuple

BirthDateStatus = Literal["valid", "partial", "invalid", "missing"]

MIN_YEAR = 1900
MAX_YEAR = 2100
# Two-digit years: 00-29 -> 2000s, 30-99 -> 1900s (customers are adults or teenagers).
TWO_DIGIT_YEAR_PIVOT = 30
# Excel's day 0 is 1899-12-30 (it counts the non-existent 1900-02-29).
EXCEL_EPOCH = date(1899, 12, 30)
# Only 5-digit serials (1927-05-18 onwards) are read as dates: smaller numbers in a
# birth-date column are far more often an age or a typo than a 1900s birthday.
EXCEL_MIN_SERIAL = 10_000
EXCEL_MAX_SERIAL = (date(MAX_YEAR, 12, 31) - EXCEL_EPOCH).days

# System defaults that mean "unknown" rather than a birthday.
PLACEHOLDER_DATES = frozenset({date(1900, 1, 1), date(1899, 12, 30), date(1899, 12, 31)})
PLACEHOLDER_VALUES = frozenset({"", "-", ".", "n/a", "na", "none", "null", "unknown",
                                "không có", "khong co", "không rõ", "khong ro"})  # fmt: skip

_ZERO_CHARACTERS = frozenset("0/-. :")
_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

MONTH_NAMES: dict[str, int] = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
    "apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
    "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10,
    "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip

_SEP = r"(?:\s*[/\-.]\s*|\s+)"
# A time part after the date ("1990-03-12T00:00:00Z", "12/03/1990 0:00:00 AM").
_TIME_SUFFIX = re.compile(r"[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[ap]\.?m\.?)?\s*"
                          r"(?:z|[+-]\d{2}:?\d{2})?$", re.IGNORECASE)  # fmt: skip
_YMD = re.compile(rf"(\d{{4}}){_SEP}(\d{{1,2}}){_SEP}(\d{{1,2}})")
_DMY = re.compile(rf"(\d{{1,2}}){_SEP}(\d{{1,2}}){_SEP}(\d{{4}}|\d{{2}})")
_DM = re.compile(rf"(\d{{1,2}}){_SEP}(\d{{1,2}})")
_YM = re.compile(rf"(\d{{4}}){_SEP}(\d{{1,2}})")
_MY = re.compile(rf"(\d{{1,2}}){_SEP}(\d{{4}})")
_COMPACT = re.compile(r"\d{8}")
_ISO_NO_YEAR = re.compile(r"--(\d{2})-?(\d{2})")
_EXCEL_SERIAL = re.compile(r"(\d{5})(?:\.\d+)?")
_YEAR_ONLY = re.compile(r"(\d{4})")
# "12 Mar 1990", "12-Mar-90", "Mar 12, 1990", "March 1990", "12 tháng 3 năm 1990".
_VN_MONTH = re.compile(
    r"(?:ngay\s*)?(\d{1,2})\s*(?:thang|th|t)\s*(\d{1,2})(?:[\s,]*(?:nam)?\s*(\d{4}))?"
)
_DAY_MONTHNAME = re.compile(
    r"(\d{1,2})(?:st|nd|rd|th)?[\s\-/.]*([a-z]{3,9})\.?(?:[\s\-/.,]+(\d{4}|\d{2}))?"
)
_MONTHNAME_DAY = re.compile(r"([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?")
_MONTHNAME_YEAR = re.compile(r"([a-z]{3,9})\.?[\s\-/,]+(\d{4})")  # fmt: skip


class BirthDate(NamedTuple):
    """Parsed birth date; month/day (and year) survive when the full date is unknown."""

    birth_date: date | None
    month: int | None
    day: int | None
    year: int | None
    status: BirthDateStatus


MISSING = BirthDate(None, None, None, None, "missing")
INVALID = BirthDate(None, None, None, None, "invalid")


def _full_year(year_text: str) -> int:
    year = int(year_text)
    if len(year_text) == 2:
        year += 2000 if year < TWO_DIGIT_YEAR_PIVOT else 1900
    return year


def _day_month_valid(day: int, month: int, year: int | None) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    if month == 2 and day == 29:
        # A birthday without a year may be 29 February.
        return year is None or calendar.isleap(year)
    return day <= _DAYS_IN_MONTH[month]


def _build(year: int | None, month: int, day: int) -> BirthDate:
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        return INVALID
    if not _day_month_valid(day, month, year):
        return INVALID
    if year is None:
        return BirthDate(None, month, day, None, "partial")
    value = date(year, month, day)
    if value in PLACEHOLDER_DATES:
        return MISSING
    return BirthDate(value, month, day, year, "valid")


def _month_of_year(year: int, month: int) -> BirthDate:
    """'1990-03', '03/1990', 'March 1990': month and year known, day not."""
    if MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12:
        return BirthDate(None, month, None, year, "partial")
    return INVALID


def _day_first(first: int, second: int, year: int | None) -> BirthDate:
    """dd/mm unless impossible, then mm/dd (US-style exports)."""
    if _day_month_valid(first, second, year):
        return _build(year, second, first)
    if _day_month_valid(second, first, year):
        return _build(year, first, second)
    return INVALID


def _from_month_name(day: str, month_name: str, year: str | None) -> BirthDate | None:
    month = MONTH_NAMES.get(month_name)
    if month is None:
        return None
    return _build(_full_year(year) if year else None, month, int(day))


def _parse_numeric(text: str) -> BirthDate | None:
    if m := _YMD.fullmatch(text):
        return _build(int(m[1]), int(m[2]), int(m[3]))
    if m := _DMY.fullmatch(text):
        return _day_first(int(m[1]), int(m[2]), _full_year(m[3]))
    if m := _ISO_NO_YEAR.fullmatch(text):
        return _build(None, int(m[1]), int(m[2]))
    if _COMPACT.fullmatch(text):
        if MIN_YEAR <= int(text[:4]) <= MAX_YEAR:  # yyyymmdd
            return _build(int(text[:4]), int(text[4:6]), int(text[6:]))
        return _day_first(int(text[:2]), int(text[2:4]), int(text[4:]))  # ddmmyyyy
    if m := _YEAR_ONLY.fullmatch(text):
        year = int(m[1])
        if MIN_YEAR <= year <= MAX_YEAR:
            return BirthDate(None, None, None, year, "partial")
    if m := _EXCEL_SERIAL.fullmatch(text):
        serial = int(m[1])
        if EXCEL_MIN_SERIAL <= serial <= EXCEL_MAX_SERIAL:
            value = EXCEL_EPOCH + timedelta(days=serial)
            return _build(value.year, value.month, value.day)
        return INVALID
    if m := _DM.fullmatch(text):
        return _day_first(int(m[1]), int(m[2]), None)
    if m := (_YM.fullmatch(text) or _MY.fullmatch(text)):
        year, month = (int(m[1]), int(m[2])) if len(m[1]) == 4 else (int(m[2]), int(m[1]))
        return _month_of_year(year, month)
    return None


def _parse_words(text: str) -> BirthDate | None:
    # Month names and "tháng" are matched without diacritics: "thang", "Tháng", "THÁNG".
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    if m := _VN_MONTH.fullmatch(folded):
        year = int(m[3]) if m[3] else None
        return _build(year, int(m[2]), int(m[1]))
    if m := _DAY_MONTHNAME.fullmatch(folded):
        return _from_month_name(m[1], m[2], m[3])
    if m := _MONTHNAME_DAY.fullmatch(folded):
        return _from_month_name(m[2], m[1], m[3])
    if (m := _MONTHNAME_YEAR.fullmatch(folded)) and m[1] in MONTH_NAMES:
        return _month_of_year(int(m[2]), MONTH_NAMES[m[1]])
    return None


@lru_cache(maxsize=1 << 18)
def parse_birth_date(raw: str | None) -> BirthDate:
    """Parse a birth date; see `BirthDate` and the module docstring for the outcomes."""
    if raw is None:
        return MISSING
    if not raw.isascii():
        raw = unicodedata.normalize("NFKC", raw)  # full-width digits, composed "tháng"
    text = " ".join(raw.split()).strip(" ,;")
    if text.lower() in PLACEHOLDER_VALUES or set(text) <= _ZERO_CHARACTERS:
        return MISSING
    if ":" in text:
        text = _TIME_SUFFIX.sub("", text).strip()
    parsed = _parse_numeric(text) if text[:1].isdigit() or text[:1] == "-" else None
    parsed = parsed or _parse_words(text)
    return parsed if parsed is not None else INVALID


def birth_date(raw: str | None) -> date | None:
    return parse_birth_date(raw).birth_date


def birth_month(raw: str | None) -> int | None:
    return parse_birth_date(raw).month


def birth_day(raw: str | None) -> int | None:
    return parse_birth_date(raw).day


def birth_year(raw: str | None) -> int | None:
    return parse_birth_date(raw).year


def birth_date_status(raw: str | None) -> BirthDateStatus:
    return parse_birth_date(raw).status
