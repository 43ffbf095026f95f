"""Person names: clean display form, diacritic-free match keys, family/middle/given split.

Vietnamese names are written family-middle-given ("Nguyễn Thị Lan") but forms designed
for Western names, staff at a till and social profiles also produce given-first
("Lan Nguyễn Thị", "Lan Nguyen"), "Last, First" and honorific-prefixed ("chị Lan")
variants. The split below finds the family name with a table of Vietnamese family
names rather than trusting token order, so every variant yields the same parts and
the same `name_key`.

Rules, in order (documented in docs/standardisation.md):

1. NFC, collapse whitespace, drop tokens without letters ("Lan 0901…", "#12").
2. A lone honorific ("bà", "Mr.") or a placeholder ("Khách lẻ", "KH", "N/A",
   "unknown"…, compared diacritic-free) -> no name at all (every field None).
3. Leading honorifics are removed only while more name follows: "chị Lan" -> "Lan".
   A token with diacritics must match the accented honorific exactly, so "Bá"/"Cồ"
   (real name parts) never match "bà"/"cô"; ASCII tokens match the folded list
   ("chi", "ba", "ong"). "Anh" is also a common name part: see `_strips_as_honorific`.
4. All-lower or ALL-CAPS tokens are title-cased; mixed case is trusted ("McAllister").
5. Split into family / middle / given using the family-name table (`_split`,
   `_split_comma`), then re-assemble the display name: family-first for Vietnamese
   names, given-first for Western ones. `looks_vietnamese` (syllable shape) tells the
   two apart, so a name typed with or without diacritics splits the same way.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from identity.standardise.text import collapse_whitespace, fold, fold_key, nfc

# Most frequent first: when both ends of a two-token name are family names
# ("Mai Nguyễn"), the more common one is taken as the family name. "Văn" is left out:
# as a family name it is rare, as a middle name it is everywhere.
VIETNAMESE_FAMILY_NAMES: tuple[str, ...] = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
    "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Đoàn", "Trương",
    "Lâm", "Phùng", "Mai", "Cao", "Tô", "Tạ", "Hà", "Lưu", "Châu", "Quách",
    "Thái", "Vương", "La", "Kiều", "Thân", "Lương", "Đào", "Tăng", "Triệu", "Chu",
    "Lại", "Tôn", "Từ", "Hứa", "Mạc", "Khổng", "Nghiêm", "Đàm", "Ninh", "Giang",
    "Kim", "Âu", "Bạch", "Diệp", "Doãn", "Đồng", "Hàn", "Hầu", "Khúc", "Khương",
    "Lã", "Lạc", "Lò", "Lục", "Mã", "Mẫn", "Nông", "Ông", "Phí", "Phó", "Quan",
    "Quản", "Sầm", "Thạch", "Tiêu", "Tống", "Trang", "Trình", "Ưng", "Vi", "Viên",
    "Cù", "Cung", "Lỗ", "Lữ", "Đậu", "Đường", "Giáp", "Kha", "Mạnh", "Nhữ",
    "Thiều", "Tiết", "Tào", "Trà", "Vưu", "Phương", "Hồng", "Yên",
)  # fmt: skip

# Family names that are at least as common as given names ("Thu Hà", "Phương Mai",
# "Thu Trang"). They count as the family name only in first position, where
# Vietnamese order puts it; at the end of a name they are taken as the given name.
GIVEN_NAME_LOOKALIKES = frozenset(
    {"mai", "ha", "lam", "chau", "kim", "kieu", "thai", "giang", "trang", "hong", "vi",
     "tra", "quan", "yen", "phuong", "cao", "dong", "la", "lac", "kha", "manh"}
)  # fmt: skip

# "Văn" and "Thị" are far more often middle names than anything else; a name that ends
# with one of them has been rotated given-first ("Lan Nguyễn Thị").
MIDDLE_NAME_MARKERS = frozenset({"thi", "van"})

# Accented forms must match exactly; ASCII forms only match tokens typed without
# diacritics (rule 3 in the module docstring).
HONORIFICS_ACCENTED = frozenset(
    {"chị", "anh", "em", "cô", "chú", "bác", "ông", "bà", "cậu", "dì", "thím", "mợ",
     "bé", "cháu"}
)  # fmt: skip
HONORIFICS_ASCII = frozenset(
    {"chi", "anh", "em", "co", "chu", "bac", "ong", "ba", "cau", "di", "mr", "mrs", "ms",
     "miss", "dr", "mx", "sir", "madam", "mme", "mlle", "prof"}
)  # fmt: skip
# A name made only of one of these is not a name ("bà", "Mr."); "anh"/"em" alone are
# kept because they are common given names.
HONORIFIC_ONLY_PLACEHOLDERS = frozenset(
    {"chi", "co", "chu", "bac", "ong", "ba", "cau", "di", "mr", "mrs", "ms", "miss", "dr"}
)
# Compared on the folded, punctuation-free form, so "Khách lẻ", "khach le" and
# "KHÁCH LẺ." all hit "khach le".
PLACEHOLDER_NAMES = frozenset(
    {"", "khach le", "khach", "khach hang", "khach hang le", "kh", "kh le", "khl", "na",
     "n a", "unknown", "none", "null", "nil", "no name", "noname", "test", "guest",
     "customer", "khach vang lai", "vang lai", "chua co ten", "khong ten", "khong co",
     "khong", "x", "xx", "xxx", "abc", "anonymous", "an danh", "walk in", "walkin",
     "le", "khach mua le"}
)  # fmt: skip

_LONGEST_PLACEHOLDER = max(len(p.split()) for p in PLACEHOLDER_NAMES)
_HAS_LETTER = re.compile(r"[^\W\d_]")
_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]|\{[^}]*\}")
# Punctuation at the edge of a word is noise ("Lan.", "Mr." -> "Mr", "(VIP").
_EDGE_PUNCTUATION = ".,;:!?\"'()[]{}*#/\\|<>"
# Initial consonant (optional), 1-3 vowels, one of the eight Vietnamese finals.
_VIETNAMESE_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ng|nh|ch|[cmnpt])?"
)


def _family_lookup() -> tuple[dict[str, int], dict[str, int]]:
    """Rank by exact lower-case form and by folded form (for ASCII-typed names)."""
    accented: dict[str, int] = {}
    folded: dict[str, int] = {}
    for rank, name in enumerate(VIETNAMESE_FAMILY_NAMES):
        accented.setdefault(name.lower(), rank)
        folded.setdefault(fold(name), rank)
    return accented, folded


_FAMILY_ACCENTED, _FAMILY_FOLDED = _family_lookup()


class NameParts(NamedTuple):
    """A cleaned name and its parts; every field is None when there is no usable name.

    `name_key` is the folded family-middle-given string, the same for every written
    order; `*_key` are the folded parts (for comparisons that tolerate a missing middle).
    """

    full_name: str | None
    name_key: str | None
    family_name: str | None
    middle_name: str | None
    given_name: str | None
    family_key: str | None
    middle_key: str | None
    given_key: str | None


NO_NAME = NameParts(None, None, None, None, None, None, None, None)


class _Split(NamedTuple):
    family: str | None
    middle: list[str]
    given: str | None
    # Display order: Vietnamese family-first, or the Western given-first order.
    family_first: bool


def family_rank(token: str) -> int | None:
    """Frequency rank of a Vietnamese family name, None if the token is not one.

    A token with diacritics must match exactly ("Lệ" is a given name, not "Lê");
    an ASCII token matches the folded table ("Le" -> Lê).
    """
    if token.isascii():
        return _FAMILY_FOLDED.get(token.lower())
    return _FAMILY_ACCENTED.get(token.lower())


def is_family_name(token: str) -> bool:
    return family_rank(token) is not None


def _strict_family_rank(token: str) -> int | None:
    """Family rank outside first position: given-name look-alikes do not count there."""
    return None if fold(token) in GIVEN_NAME_LOOKALIKES else family_rank(token)


def _is_honorific(token: str) -> bool:
    bare = token.rstrip(".").lower()
    return bare in HONORIFICS_ASCII if bare.isascii() else bare in HONORIFICS_ACCENTED


def looks_vietnamese(token: str) -> bool:
    """True when the token is a possible Vietnamese syllable ("Nguyễn", "Thu", "Quỳnh").

    Vietnamese syllables have a fixed shape (initial, 1-3 vowels, one of eight finals),
    so "John", "Smith", "Kevin" or "Mary" fail; this decides Vietnamese vs Western
    order independently of whether the name was typed with diacritics.
    """
    return _VIETNAMESE_SYLLABLE.fullmatch(fold(token)) is not None


def _all_vietnamese(tokens: list[str]) -> bool:
    return all(looks_vietnamese(t) for t in tokens)


def _ends_rotated(tokens: list[str]) -> bool:
    """Names never end in Thị/Văn unless rotated given-first ("Lan Nguyễn Thị")."""
    return len(tokens) >= 3 and fold(tokens[-1]) in MIDDLE_NAME_MARKERS


def _tokens(text: str) -> list[str]:
    """Name words: bracketed notes ("(VIP)") and letter-less tokens ("0901…") dropped."""
    if "(" in text or "[" in text or "{" in text:
        text = _BRACKETED.sub(" ", text)
    words = (t.strip(_EDGE_PUNCTUATION) for t in text.split())
    return [t for t in words if _HAS_LETTER.search(t)]


def _strips_as_honorific(token: str, rest: list[str]) -> bool:
    """Whether a leading honorific-looking token is an honorific here (rule 3).

    - "Anh Nguyễn Văn" (rest = family + Thị/Văn) is a rotated name whose given name is
      Anh, so it is kept.
    - "Anh" is also one of the commonest name parts ("Anh Thư", "Anh Tuấn"): written
      capitalised it is kept unless a family name follows ("Anh Nguyễn Văn Tuấn");
      written lower-case ("anh Tuấn") it is an honorific.
    """
    if not rest or not _is_honorific(token):
        return False
    if len(rest) == 2 and is_family_name(rest[0]) and fold(rest[1]) in MIDDLE_NAME_MARKERS:
        return False
    if fold(token) == "anh" and not token.islower():
        return is_family_name(rest[0])
    return True


def _strip_honorifics(tokens: list[str]) -> list[str]:
    """Drop leading honorifics while more name follows."""
    while len(tokens) > 1 and _strips_as_honorific(tokens[0], tokens[1:]):
        tokens = tokens[1:]
    return tokens


def _is_placeholder(tokens: list[str]) -> bool:
    if len(tokens) > _LONGEST_PLACEHOLDER:
        return False
    return " ".join(map(fold_key, tokens)).strip() in PLACEHOLDER_NAMES


def _is_honorific_only(tokens: list[str]) -> bool:
    """A lone "bà" or "Mr." is no name; a lone "Anh"/"Em" is a given name."""
    if len(tokens) != 1:
        return False
    return _is_honorific(tokens[0]) and fold(tokens[0].rstrip(".")) in HONORIFIC_ONLY_PLACEHOLDERS


def _recase(token: str) -> str:
    """Title-case tokens typed all-lower or ALL-CAPS; keep deliberate mixed case."""
    return token.title() if token.islower() or token.isupper() else token


def _without_family(tokens: list[str]) -> _Split:
    """No family name evidenced: Vietnamese names keep written order and no family is
    invented ("Thu Trang" -> middle Thu, given Trang); Western ones read First Middle
    Last ("John Paul Smith"), where the last token reliably is the family name."""
    if len(tokens) == 1 or _all_vietnamese(tokens):
        return _Split(None, tokens[:-1], tokens[-1], family_first=True)
    return _Split(tokens[-1], tokens[1:-1], tokens[0], family_first=False)


def _family_last(tokens: list[str]) -> _Split:
    """Family name written last: "Lan Nguyen", "Hoàng Phúc Nguyễn", "John Paul Nguyen".

    A Vietnamese name written Western-style keeps its middle-given order in front of
    the family name, so the given name is the token just before it; a Western name
    starts with its given name.
    """
    family, rest = tokens[-1], tokens[:-1]
    if _all_vietnamese(rest):
        return _Split(family, rest[:-1], rest[-1], family_first=True)
    return _Split(family, rest[1:], rest[0], family_first=False)


def _split(tokens: list[str]) -> _Split:
    """Split a name written without a comma.

    Evidence, strongest first: a name ending in Thị/Văn is rotated given-first; a
    family name at the start (and not a less common one than the last token) means
    Vietnamese order; a family name second means rotated ("Lan Nguyễn Thị Hương");
    a family name at the end means given-first ("Lan Nguyen"). Otherwise see
    `_without_family`.
    """
    if len(tokens) == 1:
        return _without_family(tokens)
    if _ends_rotated(tokens) and is_family_name(tokens[1]):
        return _Split(tokens[1], tokens[2:], tokens[0], family_first=True)
    first = family_rank(tokens[0])
    last = _strict_family_rank(tokens[-1])
    if first is not None and (last is None or first <= last):
        return _Split(tokens[0], tokens[1:-1], tokens[-1], family_first=True)
    if len(tokens) > 2 and first is None and _strict_family_rank(tokens[1]) is not None:
        return _Split(tokens[1], tokens[2:], tokens[0], family_first=True)
    if last is not None:
        return _family_last(tokens)
    return _without_family(tokens)


def _split_given_only(tokens: list[str]) -> _Split:
    """Tokens from a first-name column with an empty last-name column."""
    if len(tokens) > 1 and is_family_name(tokens[0]):
        return _split(tokens)  # the whole name was typed into the first-name field
    if _all_vietnamese(tokens):
        return _Split(None, tokens[:-1], tokens[-1], family_first=True)
    return _Split(None, tokens[1:], tokens[0], family_first=False)


def _split_comma(before: list[str], after: list[str]) -> _Split:
    """'Last, First' - also 'Nguyễn Văn, An' and the swapped 'An, Nguyễn Văn'."""
    if not before:
        return _split_given_only(after)
    if not after:
        return _Split(before[0], [], None, True) if len(before) == 1 else _split(before)
    if not is_family_name(before[0]) and is_family_name(after[0]):
        before, after = after, before
    if is_family_name(before[0]) or _all_vietnamese(before + after):
        # Vietnamese: the family name and any middle names precede the comma.
        return _Split(before[0], before[1:] + after[:-1], after[-1], family_first=True)
    return _Split(" ".join(before), after[1:], after[0], family_first=False)


def _display(split: _Split) -> str:
    if split.family_first:
        parts = [split.family, *split.middle, split.given]
    else:
        parts = [split.given, *split.middle, split.family]
    return " ".join(p for p in parts if p)


def _key(text: str | None) -> str | None:
    # Name parts repeat far more than whole names, so their cached keys are reused.
    return (fold_key(text) or None) if text else None


def _parse(text: str) -> _Split | None:
    before_text, comma, after_text = text.partition(",")
    if comma and "," not in after_text:
        before = _strip_honorifics(_tokens(before_text))
        after = _strip_honorifics(_tokens(after_text))
        if not (before or after) or _is_placeholder(before + after):
            return None
        if _is_placeholder(after + before) or _is_honorific_only(before + after):
            return None
        return _split_comma([_recase(t) for t in before], [_recase(t) for t in after])
    tokens = _tokens(text.replace(",", " "))
    if _is_honorific_only(tokens):
        return None
    tokens = _strip_honorifics(tokens)
    if not tokens or _is_placeholder(tokens):
        return None
    return _split([_recase(t) for t in tokens])


@lru_cache(maxsize=1 << 18)
def standardise_name(raw: str | None) -> NameParts:
    """Clean and split a full name written in any order (see the module docstring)."""
    if raw is None:
        return NO_NAME
    split = _parse(collapse_whitespace(nfc(raw)))
    if split is None:
        return NO_NAME
    middle_name = " ".join(split.middle) or None
    family_key, middle_key, given_key = _key(split.family), _key(middle_name), _key(split.given)
    return NameParts(
        full_name=_display(split),
        name_key=" ".join(k for k in (family_key, middle_key, given_key) if k) or None,
        family_name=split.family,
        middle_name=middle_name,
        given_name=split.given,
        family_key=family_key,
        middle_key=middle_key,
        given_key=given_key,
    )


def combine_first_last(first_name: str | None, last_name: str | None) -> str | None:
    """Join separate first/last columns into the 'Last, First' form `standardise_name` reads.

    The comma tells the splitter which side holds the family name, which matters for
    Western names ("Smith, John"); Vietnamese forms that put family + middle in
    last_name ("Nguyễn Văn" / "An") or swap the two columns are handled by the splitter.
    """
    last = collapse_whitespace(last_name) if last_name else ""
    first = collapse_whitespace(first_name) if first_name else ""
    if not last and not first:
        return None
    return f"{last}, {first}"


def name_parts_from_first_last(first_name: str | None, last_name: str | None) -> NameParts:
    """`standardise_name` for sources with separate first/last name columns."""
    return standardise_name(combine_first_last(first_name, last_name))


def name_clean(raw: str | None) -> str | None:
    """Display form: honorifics/placeholders removed, NFC, re-cased, canonical order."""
    return standardise_name(raw).full_name


def name_key(raw: str | None) -> str | None:
    """Folded family-middle-given key, identical for every written order."""
    return standardise_name(raw).name_key


def fold_text(raw: str | None) -> str | None:
    """Generic diacritic fold (lower-case ASCII, Đ->d, whitespace collapsed)."""
    if raw is None:
        return None
    return fold(raw) or None
