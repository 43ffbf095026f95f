"""Birth-date rule: Vietnamese day-first order, partial birthdays, impossible dates."""

from datetime import date

import pytest

from identity.standardise.dates import (
    BirthDate,
    birth_date,
    birth_date_status,
    birth_day,
    birth_month,
    birth_year,
    parse_birth_date,
)

MARCH_12_1990 = [
    "1990-03-12",
    "1990-3-12",
    "1990-03-12T00:00:00",
    "1990-03-12T00:00:00Z",
    "1990-03-12T00:00:00+07:00",
    "1990-03-12 00:00:00",
    "1990/03/12",
    "1990.03.12",
    "19900312",
    "12/03/1990",  # Vietnamese dd/mm/yyyy
    "12/3/1990",
    "12-03-1990",
    "12.03.1990",
    "12.3.1990",
    "12 / 03 / 1990",
    "12 03 1990",
    "12031990",
    "12/03/90",
    "12 Mar 1990",
    "12 mar 1990",
    "12-Mar-1990",
    "12-Mar-90",
    "12 March 1990",
    "12th March 1990",
    "Mar 12, 1990",
    "March 12 1990",
    "12 tháng 3 năm 1990",
    "ngày 12 tháng 3 năm 1990",
    "12 tháng 03, 1990",
    "12 THÁNG 3 1990",
    "32944",  # Excel serial
    "32944.0",
    "12/03/1990 12:00:00 AM",  # Excel/US export with a time
]


@pytest.mark.parametrize("raw", MARCH_12_1990)
def test_notations_of_one_date(raw: str) -> None:
    assert parse_birth_date(raw) == BirthDate(date(1990, 3, 12), 3, 12, 1990, "valid")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("03/12/1990", date(1990, 12, 3)),  # both readings possible: day first
        ("01/02/2000", date(2000, 2, 1)),
        ("1.2.1990", date(1990, 2, 1)),
        ("03/25/1990", date(1990, 3, 25)),  # day-first impossible -> US mm/dd
        ("12/31/1985", date(1985, 12, 31)),
        ("29/02/1992", date(1992, 2, 29)),  # leap year
        ("29/02/2000", date(2000, 2, 29)),
        ("01/01/05", date(2005, 1, 1)),  # two-digit years pivot at 30
        ("01/01/29", date(2029, 1, 1)),
        ("01/01/30", date(1930, 1, 1)),
        ("  12/03/1990  ", date(1990, 3, 12)),
    ],
)
def test_day_first_then_month_first(raw: str, expected: date) -> None:
    assert birth_date(raw) == expected
    assert birth_date_status(raw) == "valid"


@pytest.mark.parametrize(
    ("raw", "month", "day", "year"),
    [
        ("12/03", 3, 12, None),  # Vietnamese dd/mm
        ("12-03", 3, 12, None),
        ("12.03", 3, 12, None),
        ("12/3", 3, 12, None),
        ("03/25", 3, 25, None),  # mm/dd when dd/mm is impossible
        ("29/02", 2, 29, None),  # a birthday may be 29 February
        ("--03-12", 3, 12, None),  # ISO 8601 / vCard without year
        ("12 Mar", 3, 12, None),
        ("Mar 12", 3, 12, None),
        ("12 tháng 3", 3, 12, None),
        ("ngày 12 tháng 3", 3, 12, None),
        ("1990", None, None, 1990),
        ("1990-03", 3, None, 1990),
        ("03/1990", 3, None, 1990),
        ("March 1990", 3, None, 1990),
    ],
)
def test_partial_birthdays_keep_what_is_known(
    raw: str, month: int | None, day: int | None, year: int | None
) -> None:
    assert parse_birth_date(raw) == BirthDate(None, month, day, year, "partial")
    assert birth_date(raw) is None
    assert (birth_month(raw), birth_day(raw), birth_year(raw)) == (month, day, year)


@pytest.mark.parametrize(
    "raw",
    ["31/02/1990", "29/02/1990", "30/02", "31/04/1990", "32/01/1990", "13/13/1990", "00/01/1990",
     "1990-13-01", "1990-02-30", "1990-13", "13/1990", "1800-01-01", "2150-01-01", "12/03/1850",
     "35", "123", "abc", "sinh nhật", "12/03/1990/1", "99999999", "1234567"],
)  # fmt: skip
def test_impossible_dates_are_flagged(raw: str) -> None:
    assert parse_birth_date(raw) == BirthDate(None, None, None, None, "invalid")


@pytest.mark.parametrize(
    "raw",
    [None, "", "  ", "-", "N/A", "null", "không rõ", "0000-00-00", "00/00/0000", "0",
     "1900-01-01", "01/01/1900"],
)  # fmt: skip
def test_missing_and_placeholders(raw: str | None) -> None:
    assert parse_birth_date(raw) == BirthDate(None, None, None, None, "missing")
