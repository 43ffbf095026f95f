"""Phone rule: every notation of one Vietnamese number gives one E.164."""

import pytest

from identity.standardise.phones import (
    LEGACY_MOBILE_PREFIXES,
    phone_e164,
    phone_kind,
    phone_match_key,
    phone_status,
    remap_legacy_mobile,
    standardise_phone,
)

SAME_MOBILE = [
    "0381234567",
    "038 123 4567",
    "0381.234.567",
    "038-123-4567",
    "(038) 123 4567",
    "+84 38 123 4567",
    "+84381234567",
    "(+84) 38 123 4567",
    "(+84)381234567",
    "+84 (0) 38 123 4567",
    "+84 0381234567",
    "84381234567",
    "84 38 123 4567",
    "0084 38 123 4567",
    "0084381234567",
    "381234567",  # spreadsheet dropped the leading zero
    "381234567.0",  # ... and rendered it as a float
    "3.81234567E+08",  # ... or in scientific notation
    "01681234567",  # pre-2018 Viettel 0168 -> 038
    "0168 123 4567",
    "0168.123.4567",
    "+84 168 123 4567",
    "+841681234567",
    "84168 1234567",
    "841681234567",
    "0084 168 123 4567",
    "1681234567",
    " Tel: 0381234567 ",
    "０３８１２３４５６７",  # full-width digits from a CJK keyboard
    "0381234567 / 0912345678",  # several numbers: the first wins
    "0381234567; 0912345678",
    "0381234567 hoặc 0912345678",
    "0381234567\t",
]


@pytest.mark.parametrize("raw", SAME_MOBILE)
def test_every_notation_of_a_mobile_gives_one_e164(raw: str) -> None:
    assert standardise_phone(raw) == ("+84381234567", "valid", "mobile")


# The official 2018 remap table (MIC), as published.
OFFICIAL_REMAP = {
    "0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036",
    "0167": "037", "0168": "038", "0169": "039",  # Viettel
    "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",  # MobiFone
    "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",  # VinaPhone
    "0186": "056", "0188": "058",  # Vietnamobile
    "0199": "059",  # Gmobile
}  # fmt: skip


def test_legacy_table_is_the_official_one() -> None:
    table = {f"0{old}": f"0{new}" for old, new in LEGACY_MOBILE_PREFIXES.items()}
    assert table == OFFICIAL_REMAP


@pytest.mark.parametrize(("old", "new"), sorted(OFFICIAL_REMAP.items()))
@pytest.mark.parametrize(
    "notation", ["{old}{sub}", "+84{old1}{sub}", "84{old1}{sub}", "0084 {old1} {sub}"]
)
def test_legacy_11_digit_mobiles_are_remapped(old: str, new: str, notation: str) -> None:
    subscriber = "2345678"
    raw = notation.format(old=old, old1=old[1:], sub=subscriber)
    expected = f"+84{new[1:]}{subscriber}"
    assert standardise_phone(raw) == (expected, "valid", "mobile")


def test_remap_only_touches_10_digit_legacy_nationals() -> None:
    assert remap_legacy_mobile("1681234567") == "381234567"
    assert remap_legacy_mobile("168123456") == "168123456"  # a digit short: no guess
    assert remap_legacy_mobile("1611234567") == "1611234567"  # 0161 was never a prefix


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0901234567", "+84901234567"),  # MobiFone 090
        ("0912345678", "+84912345678"),  # VinaPhone 091
        ("0981234567", "+84981234567"),  # Viettel 098
        ("0861234567", "+84861234567"),  # Viettel 086
        ("0561234567", "+84561234567"),  # Vietnamobile 056
        ("0591234567", "+84591234567"),  # Gmobile 059
        ("0701234567", "+84701234567"),  # MobiFone 070
        ("0841234567", "+84841234567"),  # VinaPhone 084
        ("841234567", "+84841234567"),  # 084 without its zero, not +84 1234567
        ("0991234567", "+84991234567"),
    ],
)
def test_current_mobile_prefixes(raw: str, e164: str) -> None:
    assert standardise_phone(raw) == (e164, "valid", "mobile")


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("028 3823 4567", "+842838234567"),  # Hồ Chí Minh
        ("(028) 3823-4567", "+842838234567"),
        ("+84 28 3823 4567", "+842838234567"),
        ("024 3823 4567", "+842438234567"),  # Hà Nội
        ("02433823456", "+842433823456"),
        ("0236 3821 234", "+842363821234"),  # Đà Nẵng
        ("028 3823 4567 ext 12", "+842838234567"),  # extension dropped
        ("028 3823 4567 máy lẻ 12", "+842838234567"),
    ],
)
def test_landlines_stay_valid(raw: str, e164: str) -> None:
    assert standardise_phone(raw) == (e164, "valid", "landline")


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+1 415 555 2671", "+14155552671"),
        ("+1 (415) 555-2671", "+14155552671"),
        ("001 415 555 2671", "+14155552671"),
        ("+65 9123 4567", "+6591234567"),
        ("+65-6123-4567", "+6561234567"),
        ("+44 20 7183 8750", "+442071838750"),
        ("+61 412 345 678", "+61412345678"),
        ("+82 10-1234-5678", "+821012345678"),
        ("+86 139 1234 5678", "+8613912345678"),
    ],
)
def test_foreign_numbers_stay_valid(raw: str, e164: str) -> None:
    assert standardise_phone(raw) == (e164, "valid", "foreign")


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("038123456", "+8438123456"),  # a digit missing
        ("+84 38 123 456", "+8438123456"),
        ("03812345678", "+843812345678"),  # a digit extra
        ("0381234567 8", "+843812345678"),
        ("0168123456", "+84168123456"),  # legacy prefix, a digit missing: no remap
        ("01611234567", "+841611234567"),  # 0161 never existed
        ("0521234567", "+84521234567"),  # 052 is not assigned
        ("0201234567", "+84201234567"),  # landline, a digit missing
        ("12345", "+8412345"),
        ("84", "+8484"),
    ],
)
def test_impossible_vietnamese_numbers_are_flagged_not_dropped(raw: str, e164: str) -> None:
    result = standardise_phone(raw)
    assert result.status == "invalid"
    assert result.e164 == e164  # best effort, still visible
    assert result.match_key is None  # identity never links on it
    assert phone_match_key(raw) is None


@pytest.mark.parametrize("raw", ["+65 123", "+999 1234 5678", "+1 555 0100 999 999"])
def test_impossible_foreign_numbers_are_flagged(raw: str) -> None:
    result = standardise_phone(raw)
    assert (result.status, result.kind) == ("invalid", "foreign")
    assert result.e164 is not None and result.e164.startswith("+")


@pytest.mark.parametrize(
    "raw",
    [None, "", "   ", "N/A", "không có", "-", "+", "0", "0000000000", "000-000-0000",
     "9999999999", "1111111111", "0123456789", "123456789", "+84 000 000 000", "+84"],
)  # fmt: skip
def test_missing_and_placeholders(raw: str | None) -> None:
    assert standardise_phone(raw) == (None, "missing", None)
    assert phone_e164(raw) is None
    assert phone_status(raw) == "missing"


@pytest.mark.parametrize(
    ("raw", "kind"),
    [("1800 1234", "other"), ("1900 1234", "other"), ("0381234567", "mobile"),
     ("02838234567", "landline"), ("+6591234567", "foreign"), ("038123456", None)],
)  # fmt: skip
def test_kind(raw: str, kind: str | None) -> None:
    assert phone_kind(raw) == kind


def test_valid_match_key_equals_e164() -> None:
    assert phone_match_key("0168 123 4567") == phone_e164("+84 38 123 4567") == "+84381234567"


def test_fast_path_agrees_with_phonenumbers() -> None:
    """The compiled VN patterns must give the library's own verdict for every prefix."""
    import random

    import phonenumbers

    rng = random.Random(84)
    types = {
        phonenumbers.PhoneNumberType.MOBILE: "mobile",
        phonenumbers.PhoneNumberType.FIXED_LINE: "landline",
    }
    for prefix in range(10, 1000):
        for length in (8, 9, 10):
            rest = length - len(str(prefix))
            national = f"{prefix}{rng.randrange(10**rest):0{rest}d}"
            if national[:3] in LEGACY_MOBILE_PREFIXES and len(national) == 10:
                continue  # remapped on purpose, covered above
            parsed = phonenumbers.parse(f"0{national}", "VN")
            expected = "valid" if phonenumbers.is_valid_number(parsed) else "invalid"
            result = standardise_phone(f"0{national}")
            assert result.status == expected, national
            if expected == "valid":
                kind = types.get(phonenumbers.number_type(parsed), "other")
                assert result.kind == kind, national


# Bare digit strings (optionally after '+') skip `_clean`: the shortcut must read them
# exactly as the general path does, prefixes, placeholders and legacy mobiles included.
PLAIN_NOTATIONS = [
    "0912345678", "+84912345678", "84912345678", "912345678", "849123456",
    "0084912345678", "00912345678", "+0912345678", "+00912345678", "+840912345678",
    "01681234567", "841681234567", "+841681234567", "1681234567", "0168123456",
    "02838234567", "18001234", "+6591234567", "+14155552671", "00",
    "0999999999", "0000000000", "999999999", "0123456789", "123456789", "0987654321",
    "0", "84", "+84", "0084", "5", "+5",
]  # fmt: skip


@pytest.mark.parametrize("raw", PLAIN_NOTATIONS)
def test_plain_digit_shortcut_reads_like_the_general_path(raw: str) -> None:
    from identity.standardise.phones import _clean, _read, _split_international

    assert _read(raw) == _split_international(_clean(raw))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912345678", ("+84912345678", "valid", "mobile")),
        ("+84912345678", ("+84912345678", "valid", "mobile")),
        ("84912345678", ("+84912345678", "valid", "mobile")),
        ("01681234567", ("+84381234567", "valid", "mobile")),  # 11-digit legacy mobile
        ("0999999999", (None, "missing", None)),  # one digit repeated after the trunk 0
        ("0987654321", (None, "missing", None)),
        ("091234567", ("+8491234567", "invalid", None)),  # a digit missing
        ("00", (None, "missing", None)),
        ("+0912345678", ("+0912345678", "invalid", "foreign")),  # '+0…': no country
    ],
)
def test_plain_digit_notations(raw: str, expected: tuple[str | None, str, str | None]) -> None:
    assert standardise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["0912345678", "+84912345678", "0912 345 678"])
def test_full_width_digits_take_the_general_path(raw: str) -> None:
    """Full-width digits are `str.isdigit()` too, so the shortcut must leave them to NFKC."""
    full_width = raw.translate({ord(d): chr(0xFF10 + int(d)) for d in "0123456789"})
    full_width = full_width.replace("+", "\uff0b")
    assert standardise_phone(full_width) == standardise_phone(raw)
