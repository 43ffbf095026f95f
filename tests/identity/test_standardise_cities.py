"""City rule: aliases to one canonical spelling, unknown values kept."""

import pytest

from identity.standardise.cities import (
    CITIES,
    PROVINCES,
    CityResult,
    city_canonical,
    city_is_known,
    city_province,
    standardise_city,
)
from identity.standardise.text import fold_key

ALIASES = {
    "Hồ Chí Minh": ["HCM", "hcm", "TPHCM", "TP.HCM", "TP HCM", "Tp. HCM", "tp.hcm", "HCMC",
                    "Hồ Chí Minh", "Ho Chi Minh", "HO CHI MINH", "Ho Chi Minh City",
                    "Thành phố Hồ Chí Minh", "TP. Hồ Chí Minh", "tp ho chi minh", "Sài Gòn",
                    "Sai Gon", "Saigon", "SaiGon", "SG", "Quận 1", "Q.1", "Q1", "Thủ Đức",
                    "Quận 1, TP.HCM", "Bình Thạnh, HCM", "Hồ Chí Minh, Việt Nam"],
    "Hà Nội": ["Hà Nội", "Ha Noi", "Hanoi", "HANOI", "HN", "hn", "TP Hà Nội", "Thành phố Hà Nội",
               "Hanoi City", "Hà Nội, Việt Nam", "Cầu Giấy, Hà Nội", "Hoàn Kiếm"],
    "Đà Nẵng": ["Đà Nẵng", "Da Nang", "Danang", "DN", "TP Đà Nẵng", "Đà Nẵng City"],
    "Hải Phòng": ["Hải Phòng", "Hai Phong", "Haiphong", "HP"],
    "Cần Thơ": ["Cần Thơ", "Can Tho", "Cantho"],
    "Nha Trang": ["Nha Trang", "nha trang", "NhaTrang", "TP Nha Trang", "Nha Trang, Khánh Hòa"],
    "Huế": ["Huế", "Hue", "TP Huế", "Hue City"],
    "Biên Hòa": ["Biên Hòa", "Biên Hoà", "Bien Hoa", "Biên Hòa, Đồng Nai"],
    "Vũng Tàu": ["Vũng Tàu", "Vung Tau", "vungtau"],
    "Đà Lạt": ["Đà Lạt", "Da Lat", "Dalat", "ĐÀ LẠT"],
    "Quy Nhơn": ["Quy Nhơn", "Quy Nhon", "Qui Nhơn", "Qui Nhon"],
    "Buôn Ma Thuột": ["Buôn Ma Thuột", "Buon Ma Thuot", "Buôn Mê Thuột"],
    "Thừa Thiên Huế": ["Thừa Thiên Huế", "Thua Thien Hue", "TT Huế", "Tỉnh Thừa Thiên Huế"],
    "Bà Rịa - Vũng Tàu": ["Bà Rịa - Vũng Tàu", "Bà Rịa Vũng Tàu", "BR-VT", "BRVT",
                          "Ba Ria Vung Tau"],
    "Đắk Lắk": ["Đắk Lắk", "Đăk Lăk", "Dak Lak", "Daklak", "Đắc Lắc"],
    "Thanh Hóa": ["Thanh Hóa", "Thanh Hoá", "Thanh Hoa", "tỉnh Thanh Hóa"],
    "Khánh Hòa": ["Khánh Hòa", "Khánh Hoà", "Khanh Hoa", "Tỉnh Khánh Hòa"],
}  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "canonical"), [(raw, canonical) for canonical, raws in ALIASES.items() for raw in raws]
)
def test_aliases(raw: str, canonical: str) -> None:
    assert city_canonical(raw) == canonical
    assert city_is_known(raw)


@pytest.mark.parametrize(
    ("raw", "province"),
    [("Nha Trang", "Khánh Hòa"), ("Huế", "Thừa Thiên Huế"), ("Biên Hòa", "Đồng Nai"),
     ("Vũng Tàu", "Bà Rịa - Vũng Tàu"), ("Đà Lạt", "Lâm Đồng"), ("Quy Nhơn", "Bình Định"),
     ("Saigon", "Hồ Chí Minh"), ("Q.3", "Hồ Chí Minh"), ("Hạ Long", "Quảng Ninh"),
     ("Phú Quốc", "Kiên Giang"), ("Cần Thơ", "Cần Thơ")],
)  # fmt: skip
def test_province(raw: str, province: str) -> None:
    assert city_province(raw) == province


def test_all_63_provinces_and_cities() -> None:
    assert len(PROVINCES) == 63
    assert {province for province, _ in CITIES.values()} <= PROVINCES.keys()


@pytest.mark.parametrize("province", sorted(PROVINCES))
def test_every_province_resolves_from_its_folded_name(province: str) -> None:
    assert standardise_city(fold_key(province).upper()) == CityResult(province, province, True)
    assert standardise_city(f"Tỉnh {province}").city == province


def test_aliases_are_unambiguous() -> None:
    from identity.standardise.cities import CITIES as cities_table
    from identity.standardise.cities import DISTRICTS, _compact

    seen: dict[str, str] = {}
    names = [(p, (p, *a)) for p, a in PROVINCES.items()]
    names += [(c, (c, *a)) for c, (_, a) in cities_table.items()]
    names += [(p, a) for p, a in DISTRICTS.items()]
    for target, aliases in names:
        for alias in aliases:
            key = _compact(fold_key(alias))
            assert seen.setdefault(key, target) == target, (alias, seen[key], target)


@pytest.mark.parametrize(
    ("raw", "kept"),
    [("Singapore", "Singapore"), ("bangkok", "Bangkok"), ("PARIS", "Paris"),
     ("  Los   Angeles ", "Los Angeles"), ("Xã Tân Hiệp", "Xã Tân Hiệp"),
     ("Phnom Penh", "Phnom Penh")],
)  # fmt: skip
def test_unknown_values_are_kept_and_flagged(raw: str, kept: str) -> None:
    assert standardise_city(raw) == CityResult(kept, None, False)


@pytest.mark.parametrize("raw", [None, "", "  ", "-", "N/A", "unknown", "Khác", "không rõ", "."])
def test_missing(raw: str | None) -> None:
    assert standardise_city(raw) == CityResult(None, None, False)
