"""Name rule: every way of writing one Vietnamese name gives the same parts and key."""

import unicodedata

import pytest

from identity.standardise.names import (
    NameParts,
    fold_text,
    is_family_name,
    looks_vietnamese,
    name_clean,
    name_key,
    name_parts_from_first_last,
    standardise_name,
)

NGUYEN_THI_LAN = [
    "Nguyễn Thị Lan",
    "nguyễn thị lan",
    "NGUYỄN THỊ LAN",
    "  Nguyễn   Thị\tLan ",
    unicodedata.normalize("NFD", "Nguyễn Thị Lan"),  # macOS / VNI keyboards
    "Lan Nguyễn Thị",  # given-first from a Western form
    "Nguyễn, Thị Lan",  # Last, First
    "Nguyễn Thị, Lan",
    "chị Nguyễn Thị Lan",
    "Chị Lan Nguyễn Thị",
    "cô Nguyễn Thị Lan",
    "bà Nguyễn Thị Lan",
    "Ms. Nguyễn Thị Lan",
    "Mrs Nguyễn Thị Lan",
    "Nguyễn Thị Lan 0901234567",  # phone typed into the name field
    "Nguyễn Thị Lan (VIP)",  # a note in brackets
    "Nguyễn Thị Lan.",
]


@pytest.mark.parametrize("raw", NGUYEN_THI_LAN)
def test_vietnamese_variants_give_one_name(raw: str) -> None:
    parts = standardise_name(raw)
    assert parts.full_name == "Nguyễn Thị Lan"
    assert (parts.family_name, parts.middle_name, parts.given_name) == ("Nguyễn", "Thị", "Lan")
    assert (parts.family_key, parts.middle_key, parts.given_key) == ("nguyen", "thi", "lan")


@pytest.mark.parametrize(
    "raw",
    ["Nguyen Thi Lan", "nguyen thi lan", "Lan Nguyen Thi", "Nguyen, Thi Lan", "chi Lan Nguyen Thi",
     "co Nguyen Thi Lan", "ba Nguyen Thi Lan", "Ms Lan Nguyen Thi"],
)  # fmt: skip
def test_without_diacritics_same_key(raw: str) -> None:
    parts = standardise_name(raw)
    assert parts.name_key == "nguyen thi lan"
    assert (parts.family_name, parts.middle_name, parts.given_name) == ("Nguyen", "Thi", "Lan")


@pytest.mark.parametrize(
    ("raw", "full", "family", "middle", "given"),
    [
        ("Đặng Thị Ánh", "Đặng Thị Ánh", "Đặng", "Thị", "Ánh"),
        ("Nguyễn Ngọc Anh Thư", "Nguyễn Ngọc Anh Thư", "Nguyễn", "Ngọc Anh", "Thư"),
        ("Huỳnh Văn Đức", "Huỳnh Văn Đức", "Huỳnh", "Văn", "Đức"),
        ("Trương Quỳnh", "Trương Quỳnh", "Trương", None, "Quỳnh"),
        ("Nguyễn Văn Hoàng", "Nguyễn Văn Hoàng", "Nguyễn", "Văn", "Hoàng"),  # Hoàng as given
        ("Lê Hà", "Lê Hà", "Lê", None, "Hà"),
        # Family name last (Western-style form): middle/given keep their order.
        ("Lan Nguyễn", "Nguyễn Lan", "Nguyễn", None, "Lan"),
        ("Lan Nguyen", "Nguyen Lan", "Nguyen", None, "Lan"),
        ("Hoàng Phúc Nguyễn", "Nguyễn Hoàng Phúc", "Nguyễn", "Hoàng", "Phúc"),
        ("Thị Lan Nguyễn", "Nguyễn Thị Lan", "Nguyễn", "Thị", "Lan"),
        # Both ends are family names: the more common one wins.
        ("Mai Nguyễn", "Nguyễn Mai", "Nguyễn", None, "Mai"),
        # Rotated given-first, recognised by the trailing middle-name marker.
        ("Tuấn Trần Văn", "Trần Văn Tuấn", "Trần", "Văn", "Tuấn"),
        ("Anh Nguyễn Văn", "Nguyễn Văn Anh", "Nguyễn", "Văn", "Anh"),
        # Given-name look-alikes at the end are not taken as family names.
        ("Thu Hà", "Thu Hà", None, "Thu", "Hà"),
        ("Thu Trang", "Thu Trang", None, "Thu", "Trang"),
        ("Phương Mai", "Phương Mai", "Phương", None, "Mai"),
        ("Minh Châu", "Minh Châu", None, "Minh", "Châu"),
        # Family names outside the table are not invented.
        ("Khổng Minh Tú", "Khổng Minh Tú", "Khổng", "Minh", "Tú"),
        ("Lan", "Lan", None, None, "Lan"),
        # Western names.
        ("John Smith", "John Smith", "Smith", None, "John"),
        ("Mr. John Paul Smith", "John Paul Smith", "Smith", "Paul", "John"),
        ("Smith, John", "John Smith", "Smith", None, "John"),
        ("Smith, John Paul", "John Paul Smith", "Smith", "Paul", "John"),
        ("Kevin Tran", "Kevin Tran", "Tran", None, "Kevin"),
        ("John Paul Nguyen", "John Paul Nguyen", "Nguyen", "Paul", "John"),
        ("Mary McAllister", "Mary McAllister", "McAllister", None, "Mary"),
        ("JOHN SMITH", "John Smith", "Smith", None, "John"),
    ],
)
def test_split(raw: str, full: str, family: str | None, middle: str | None, given: str) -> None:
    parts = standardise_name(raw)
    assert (parts.full_name, parts.family_name, parts.middle_name, parts.given_name) == (
        full, family, middle, given,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "full"),
    [
        ("chị Lan", "Lan"),
        ("anh Tuấn", "Tuấn"),
        ("anh tuấn", "Tuấn"),
        ("em Nhi", "Nhi"),
        ("cô Hoa", "Hoa"),
        ("chú Hùng", "Hùng"),
        ("bác Ba", "Ba"),
        ("ông Nguyễn Văn Nam", "Nguyễn Văn Nam"),
        ("bà Trần Thị Mai", "Trần Thị Mai"),
        ("Anh Nguyễn Văn Tuấn", "Nguyễn Văn Tuấn"),  # a family name follows: honorific
        ("chi Lan", "Lan"),
        ("anh Tuan", "Tuan"),
        ("chu Hung", "Hung"),
        ("bac Ba", "Ba"),
        ("ong Nam", "Nam"),
        ("ba Mai", "Mai"),
        ("co Hoa", "Hoa"),
        ("Mr John Smith", "John Smith"),
        ("MRS. Lan", "Lan"),
        ("Miss Lan", "Lan"),
        ("Dr. Trần Văn Bình", "Trần Văn Bình"),
        ("chị em Lan", "Lan"),  # several honorifics
        ("Cô Ba", "Ba"),  # the honorific goes, the nickname stays
    ],
)
def test_honorifics_are_stripped_when_more_name_follows(raw: str, full: str) -> None:
    assert name_clean(raw) == full


@pytest.mark.parametrize(
    ("raw", "full"),
    [
        ("Bá Nguyễn", "Nguyễn Bá"),  # Bá is a name, not bà
        ("Nguyễn Bá Thanh", "Nguyễn Bá Thanh"),
        ("Cồ Văn Tú", "Cồ Văn Tú"),
        ("Anh Thư", "Anh Thư"),  # capitalised Anh + given name: a name
        ("Anh Tuấn", "Anh Tuấn"),
        ("Anh", "Anh"),  # a lone Anh / Em is a given name
        ("Em", "Em"),
        ("Lê Thị Bà", "Lê Thị Bà"),  # only leading tokens are honorifics
        ("Nguyễn Văn Anh", "Nguyễn Văn Anh"),
    ],
)
def test_name_parts_that_look_like_honorifics_are_kept(raw: str, full: str) -> None:
    assert name_clean(raw) == full


@pytest.mark.parametrize(
    "raw",
    [None, "", "   ", "Khách lẻ", "khach le", "KHÁCH LẺ", "Khách lẻ 12", "Khách hàng", "khach hang",
     "KH", "kh", "N/A", "n/a", "NA", "-", ".", "--", "...", "unknown", "Unknown", "khach", "Khách",
     "khách vãng lai", "chị", "bà", "Mr.", "anh Khách", "chị khách lẻ", "123", "0901234567",
     "none", "null", "xxx", "?"],
)  # fmt: skip
def test_placeholders_become_null(raw: str | None) -> None:
    assert standardise_name(raw) == NameParts(None, None, None, None, None, None, None, None)


def test_name_key_ignores_order_diacritics_case_and_honorifics() -> None:
    keys = {name_key(raw) for raw in [*NGUYEN_THI_LAN, "Lan Nguyen Thi", "chi Nguyen Thi Lan"]}
    assert keys == {"nguyen thi lan"}


def test_dj_folds_to_d() -> None:
    parts = standardise_name("Đỗ Đình Đạt")
    assert parts.name_key == "do dinh dat"
    assert fold_text("ĐẶNG đặng") == "dang dang"


@pytest.mark.parametrize(
    ("first", "last", "full", "family", "middle", "given"),
    [
        ("An", "Nguyễn Văn", "Nguyễn Văn An", "Nguyễn", "Văn", "An"),
        ("Văn An", "Nguyễn", "Nguyễn Văn An", "Nguyễn", "Văn", "An"),
        ("Nguyễn Văn", "An", "Nguyễn Văn An", "Nguyễn", "Văn", "An"),  # columns swapped
        ("Nguyễn Văn An", None, "Nguyễn Văn An", "Nguyễn", "Văn", "An"),  # all in first
        (None, "Nguyễn Văn An", "Nguyễn Văn An", "Nguyễn", "Văn", "An"),  # all in last
        ("Lan", None, "Lan", None, None, "Lan"),
        ("Thu Hà", "", "Thu Hà", None, "Thu", "Hà"),
        (None, "Nguyễn", "Nguyễn", "Nguyễn", None, None),
        ("John", "Smith", "John Smith", "Smith", None, "John"),
        ("John Paul", None, "John Paul", None, "Paul", "John"),
        ("chị Lan", "Trần", "Trần Lan", "Trần", None, "Lan"),
    ],
)
def test_first_last_columns(
    first: str | None, last: str | None, full: str, family: str | None, middle: str | None,
    given: str | None,
) -> None:  # fmt: skip
    parts = name_parts_from_first_last(first, last)
    assert (parts.full_name, parts.family_name, parts.middle_name, parts.given_name) == (
        full, family, middle, given,
    )  # fmt: skip


@pytest.mark.parametrize(("first", "last"), [(None, None), ("", ""), ("Khách", "lẻ"), ("-", "-")])
def test_first_last_placeholders(first: str | None, last: str | None) -> None:
    assert name_parts_from_first_last(first, last).full_name is None


def test_output_is_nfc() -> None:
    full = name_clean(unicodedata.normalize("NFD", "Phạm Thị Hồng Nhung"))
    assert full == unicodedata.normalize("NFC", "Phạm Thị Hồng Nhung")


@pytest.mark.parametrize("token", ["Nguyễn", "Nguyen", "Le", "Lê", "Đặng", "Dang", "Huỳnh", "Vo"])
def test_family_table_matches_with_and_without_diacritics(token: str) -> None:
    assert is_family_name(token)


def test_accented_token_must_match_exactly() -> None:
    assert not is_family_name("Lệ")  # a given name, not Lê
    assert is_family_name("Le")


@pytest.mark.parametrize("token", ["Nguyễn", "Quỳnh", "Khuê", "Nguyệt", "Phượng", "Thư", "Anh"])
def test_vietnamese_syllables(token: str) -> None:
    assert looks_vietnamese(token)


@pytest.mark.parametrize("token", ["John", "Smith", "Kevin", "Mary", "Peter", "Anna", "McAllister"])
def test_western_tokens(token: str) -> None:
    assert not looks_vietnamese(token)
