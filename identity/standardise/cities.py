"""City / province: one canonical spelling from any alias, accent- and punctuation-blind.

The canonical set is the 63 provinces and centrally-run cities that were in force
until the 2025 merger (Resolution 202/2025/QH15, 34 units from 1 July 2025), because
customer records, addresses and people keep using them for years; a merged-province
view can be derived from `city_province` later without touching raw data.

A well-known city inside a province ("Nha Trang", "Đà Lạt") keeps its own name as the
city and reports its province separately. Values that are not in the tables are kept
(cleaned and title-cased) with `known = False`, never dropped.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from identity.standardise.text import collapse_whitespace, fold_key, nfc

# canonical province -> extra aliases (folded; the canonical name itself is implied).
PROVINCES: dict[str, tuple[str, ...]] = {
    # Centrally-run cities
    "Hà Nội": ("hn", "hanoi", "tp hn", "thu do ha noi"),
    "Hồ Chí Minh": ("hcm", "hcmc", "tphcm", "tp hcm", "tp ho chi minh", "ho chi minh city",
                    "sai gon", "saigon", "sg", "sgn", "tpsg", "tp sg", "tp sai gon"),
    "Đà Nẵng": ("dn", "danang", "tp dn"),
    "Hải Phòng": ("hp", "haiphong"),
    "Cần Thơ": ("ct", "cantho"),
    # Provinces
    "An Giang": (), "Bà Rịa - Vũng Tàu": ("brvt", "br vt", "ba ria vung tau"),
    "Bắc Giang": (), "Bắc Kạn": ("bac can",), "Bạc Liêu": (), "Bắc Ninh": (),
    "Bến Tre": (), "Bình Định": (), "Bình Dương": (), "Bình Phước": (),
    "Bình Thuận": (), "Cà Mau": (), "Cao Bằng": (),
    "Đắk Lắk": ("daklak", "dak lac", "dac lac", "daclac"),
    "Đắk Nông": ("daknong", "dac nong"), "Điện Biên": (), "Đồng Nai": (),
    "Đồng Tháp": (), "Gia Lai": (), "Hà Giang": (), "Hà Nam": (), "Hà Tĩnh": (),
    "Hải Dương": (), "Hậu Giang": (), "Hòa Bình": (), "Hưng Yên": (),
    "Khánh Hòa": (), "Kiên Giang": (), "Kon Tum": ("kontum",), "Lai Châu": (),
    "Lâm Đồng": (), "Lạng Sơn": (), "Lào Cai": (), "Long An": (), "Nam Định": (),
    "Nghệ An": (), "Ninh Bình": (), "Ninh Thuận": (), "Phú Thọ": (), "Phú Yên": (),
    "Quảng Bình": (), "Quảng Nam": (), "Quảng Ngãi": (), "Quảng Ninh": (),
    "Quảng Trị": (), "Sóc Trăng": (), "Sơn La": (), "Tây Ninh": (), "Thái Bình": (),
    "Thái Nguyên": (), "Thanh Hóa": (), "Thừa Thiên Huế": ("tt hue", "thua thien"),
    "Tiền Giang": (), "Trà Vinh": (), "Tuyên Quang": (), "Vĩnh Long": (),
    "Vĩnh Phúc": (), "Yên Bái": (),
}  # fmt: skip

# Cities people name instead of their province: canonical city -> (province, aliases).
# Provincial capitals that share the province's name are not repeated here.
CITIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "Nha Trang": ("Khánh Hòa", ()),
    "Huế": ("Thừa Thiên Huế", ("hue city", "tp hue")),
    "Biên Hòa": ("Đồng Nai", ()),
    "Vũng Tàu": ("Bà Rịa - Vũng Tàu", ("vungtau", "tp vung tau")),
    "Bà Rịa": ("Bà Rịa - Vũng Tàu", ()),
    "Đà Lạt": ("Lâm Đồng", ("dalat",)),
    "Bảo Lộc": ("Lâm Đồng", ()),
    "Quy Nhơn": ("Bình Định", ("qui nhon",)),
    "Thủ Dầu Một": ("Bình Dương", ()),
    "Dĩ An": ("Bình Dương", ()),
    "Thuận An": ("Bình Dương", ()),
    "Buôn Ma Thuột": ("Đắk Lắk", ("buon me thuot", "bmt")),
    "Hạ Long": ("Quảng Ninh", ("halong",)),
    "Móng Cái": ("Quảng Ninh", ()),
    "Cẩm Phả": ("Quảng Ninh", ()),
    "Uông Bí": ("Quảng Ninh", ()),
    "Vinh": ("Nghệ An", ()),
    "Long Xuyên": ("An Giang", ()),
    "Châu Đốc": ("An Giang", ()),
    "Rạch Giá": ("Kiên Giang", ()),
    "Phú Quốc": ("Kiên Giang", ("phu quoc island",)),
    "Phan Thiết": ("Bình Thuận", ()),
    "Mỹ Tho": ("Tiền Giang", ()),
    "Pleiku": ("Gia Lai", ("play ku",)),
    "Hội An": ("Quảng Nam", ("hoian",)),
    "Tam Kỳ": ("Quảng Nam", ()),
    "Tuy Hòa": ("Phú Yên", ()),
    "Phan Rang - Tháp Chàm": ("Ninh Thuận", ("phan rang",)),
    "Sa Pa": ("Lào Cai", ("sapa",)),
    "Việt Trì": ("Phú Thọ", ()),
    "Cao Lãnh": ("Đồng Tháp", ()),
    "Sa Đéc": ("Đồng Tháp", ()),
    "Tân An": ("Long An", ()),
    "Vị Thanh": ("Hậu Giang", ()),
    "Gia Nghĩa": ("Đắk Nông", ()),
    "Đồng Hới": ("Quảng Bình", ()),
    "Đông Hà": ("Quảng Trị", ()),
    "Sầm Sơn": ("Thanh Hóa", ()),
    "Đồng Xoài": ("Bình Phước", ()),
    "Phủ Lý": ("Hà Nam", ()),
    "Vĩnh Yên": ("Vĩnh Phúc", ()),
    "Điện Biên Phủ": ("Điện Biên", ()),
}  # fmt: skip

# Districts typed into a city field map to their centrally-run city. Only names that
# exist in one province are listed ("Tân Phú", "Hoàng Mai" exist in several).
DISTRICTS: dict[str, tuple[str, ...]] = {
    "Hồ Chí Minh": (
        *(f"quan {n}" for n in range(1, 13)), *(f"q{n}" for n in range(1, 13)),
        *(f"district {n}" for n in range(1, 13)),
        "binh thanh", "go vap", "tan binh", "phu nhuan", "thu duc", "tp thu duc",
        "cu chi", "hoc mon", "nha be", "binh chanh", "can gio",
    ),
    "Hà Nội": (
        "hoan kiem", "ba dinh", "dong da", "hai ba trung", "cau giay", "thanh xuan",
        "long bien", "tay ho", "ha dong", "nam tu liem", "bac tu liem", "gia lam",
        "dong anh", "soc son", "thanh tri",
    ),
    "Đà Nẵng": ("hai chau", "thanh khe", "son tra", "ngu hanh son", "lien chieu", "cam le"),
}  # fmt: skip

PLACEHOLDER_CITIES = frozenset(
    {"", "na", "n a", "none", "null", "unknown", "khac", "other", "khong ro", "chua ro",
     "khong co", "x", "xx", "xxx", "0"}
)  # fmt: skip

# Administrative words around the name: "TP. Hồ Chí Minh", "Tỉnh Lâm Đồng", "Hanoi City".
_PREFIX = re.compile(r"^(?:thanh pho|tp|tinh|city of|province of)\s+")
_SUFFIX = re.compile(r"\s+(?:city|province|viet nam|vietnam|vn)$")
# Several address parts in one cell: "Quận 1, TP.HCM"; " - " only splits once the whole
# value failed, because "Bà Rịa - Vũng Tàu" contains it.
_SEGMENTS = re.compile(r"\s*[,;|/]\s*|\s+-\s+")


class CityResult(NamedTuple):
    """Canonical city (or the cleaned raw value when unknown), its province, and a flag."""

    city: str | None
    province: str | None
    known: bool


MISSING = CityResult(None, None, False)


def _compact(folded: str) -> str:
    return folded.replace(" ", "")


def _build_aliases() -> dict[str, tuple[str, str]]:
    """compact alias -> (canonical city, province)."""
    aliases: dict[str, tuple[str, str]] = {}

    def add(alias: str, city: str, province: str) -> None:
        aliases.setdefault(_compact(fold_key(alias)), (city, province))

    for province, extra in PROVINCES.items():
        for alias in (province, *extra):
            add(alias, province, province)
    for city, (province, extra) in CITIES.items():
        for alias in (city, *extra):
            add(alias, city, province)
    for province, districts in DISTRICTS.items():
        for alias in districts:
            add(alias, province, province)
    return aliases


_ALIASES = _build_aliases()


def _strip_admin_words(folded: str) -> str:
    previous = None
    while previous != folded:
        previous = folded
        folded = _SUFFIX.sub("", _PREFIX.sub("", folded))
    return folded


def _lookup(text: str) -> tuple[str, str] | None:
    folded = fold_key(text)
    for candidate in (folded, _strip_admin_words(folded)):
        hit = _ALIASES.get(_compact(candidate))
        if hit is not None:
            return hit
    return None


def _lookup_segments(text: str) -> tuple[str, str] | None:
    """Best hit among the parts of an address-like value ("Quận 1, TP.HCM, Việt Nam").

    A named city beats a province ("Nha Trang, Khánh Hòa" -> Nha Trang); otherwise the
    right-most hit wins, because addresses end with the city.
    """
    hits = [hit for part in _SEGMENTS.split(text) if part and (hit := _lookup(part))]
    named_cities = [hit for hit in hits if hit[0] != hit[1]]
    return (named_cities or hits or [None])[-1]


def _clean_unknown(text: str) -> str:
    return text.title() if text.islower() or text.isupper() else text


@lru_cache(maxsize=1 << 16)
def standardise_city(raw: str | None) -> CityResult:
    """Resolve a free-text city to its canonical name and province (see module docstring)."""
    if raw is None:
        return MISSING
    text = collapse_whitespace(nfc(raw)).strip(" ,.;-")
    if fold_key(text) in PLACEHOLDER_CITIES:
        return MISSING
    hit = _lookup(text) or _lookup_segments(text)
    if hit is None:
        return CityResult(_clean_unknown(text), None, False)
    city, province = hit
    return CityResult(city, province, True)


def city_canonical(raw: str | None) -> str | None:
    """Canonical city/province name; the cleaned raw value when unknown; None if empty."""
    return standardise_city(raw).city


def city_province(raw: str | None) -> str | None:
    """The province (one of the 63) the value lies in; None when unknown."""
    return standardise_city(raw).province


def city_is_known(raw: str | None) -> bool:
    return standardise_city(raw).known
