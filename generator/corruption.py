"""Render true values the way sources write them: dirty phones, names, emails, cities and
timestamps, each corruption kind at its configured rate. Everything is vectorised; every
applied corruption is tallied for the manifest."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from generator import textops as tx
from generator import vocab as V
from generator.people import FAMILY_A, FAMILY_U, GIVEN_A, GIVEN_U, MIDDLE_A, MIDDLE_U, People


class Tally:
    """Counts of applied corruptions: kind -> [applied, eligible]."""

    def __init__(self) -> None:
        self.counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])

    def add(self, kind: str, applied: int | np.integer, eligible: int | np.integer) -> None:
        c = self.counts[kind]
        c[0] += int(applied)
        c[1] += int(eligible)

    def as_dict(self) -> dict[str, dict[str, float]]:
        out = {}
        for k in sorted(self.counts):
            a, e = self.counts[k]
            out[k] = {"applied": a, "eligible": e, "share": round(a / e, 6) if e else 0.0}
        return out


# ------------------------------------------------------------------------------ phones
_LEGACY_OLD = np.zeros(100, dtype=np.int64)
for _new, _old in V.LEGACY_PREFIX.items():
    _LEGACY_OLD[int(_new)] = int(_old)


_NOTATION_FAMILIES = (V.MOBILE_NOTATIONS, V.LEGACY_NOTATIONS, V.LANDLINE2_NOTATIONS,
                      V.LANDLINE3_NOTATIONS)


def legacy_number(nsn: np.ndarray) -> np.ndarray:
    """Current 9-digit mobile NSN -> its pre-2018 10-digit NSN (0 where not renumbered)."""
    nsn = np.asarray(nsn, dtype=np.int64)
    old = _LEGACY_OLD[np.clip(nsn // 10**7, 0, 99)]
    return np.where((nsn < 10**9) & (old > 0), old * 10**7 + nsn % 10**7, 0)


def render_phones(nsn: np.ndarray, rng: np.random.Generator, rates: Mapping[str, float],
                  tally: Tally) -> pa.Array:
    """National significant numbers (int64, 0 = missing) -> phone strings as typed."""
    nsn = np.asarray(nsn, dtype=np.int64)
    n = len(nsn)
    present = nsn > 0
    legacy = legacy_number(nsn)
    eligible = present & (legacy > 0)
    use_legacy = eligible & (rng.random(n) < rates["phone_legacy_prefix"])
    tally.add("phone_legacy_prefix", use_legacy.sum(), eligible.sum())
    digits_num = np.where(use_legacy, legacy, nsn)
    digits = tx.int_str(np.maximum(digits_num, 1))
    long_ = digits_num >= 10**9

    error = present & (rng.random(n) < rates["phone_digit_error"])
    tally.add("phone_digit_error", error.sum(), present.sum())
    notation = present & ~error & (rng.random(n) < rates["phone_notation"])
    tally.add("phone_notation", notation.sum(), present.sum())

    # template family: 9-digit mobile, pre-2018 mobile, landline with 2- or 3-digit area code
    head2 = digits_num // 10**8
    family = np.where(~long_, 0, np.where(head2 < 20, 1, np.where(np.isin(head2, (24, 28)), 2,
                                                                     3)))
    sizes = np.array([len(t) for t in _NOTATION_FAMILIES])
    offsets = 1 + np.concatenate([[0], np.cumsum(sizes)[:-1]])
    code = np.zeros(n, dtype=np.int64)
    pick = (rng.random(n) * sizes[family]).astype(np.int64)
    code[notation] = (offsets[family] + pick)[notation]
    # digit errors: drop (even codes) or double (odd codes) the digit at position 2..9
    base_err = 1 + int(sizes.sum())
    code[error] = base_err + rng.integers(0, 16, int(error.sum()))
    canonical = tx.join("0", digits)

    def notation_builder(template: str):
        return lambda i: tx.fill_template(digits.take(i), template)

    def error_builder(k: int):
        pos, double = 2 + k // 2, k % 2 == 1

        def build(i: np.ndarray) -> pa.Array:
            s = canonical.take(i)
            head = tx.slice_(s, 0, pos + 1 if double else pos)
            return tx.join(head, tx.slice_(s, pos))
        return build

    builders = [lambda i: canonical.take(i)]
    builders += [notation_builder(t) for fam in _NOTATION_FAMILIES for t in fam]
    builders += [error_builder(k) for k in range(16)]
    out = tx.by_code(code, builders)
    return tx.null_where(out, ~present)


def e164(nsn: np.ndarray) -> pa.Array:
    nsn = np.asarray(nsn, dtype=np.int64)
    return tx.null_where(tx.join("+84", tx.int_str(np.maximum(nsn, 1))), nsn <= 0)


# ------------------------------------------------------------------------------ names
_HON_ALL = (list(V.HONORIFICS_FEMALE) + list(V.HONORIFICS_MALE)
            + list(V.HONORIFICS_EN_FEMALE) + list(V.HONORIFICS_EN_MALE))
_HON_A = tx.vocab(_HON_ALL)
_HON_U = tx.vocab([V.strip_diacritics(h) for h in _HON_ALL])
_PLACEHOLDERS = tx.vocab(V.NAME_PLACEHOLDERS)


def honorific_index(gender: np.ndarray, age: np.ndarray, foreign: np.ndarray,
                    rng: np.random.Generator) -> np.ndarray:
    """em / anh-chị / chú-cô / bác / ông-bà by age (as seen by a young cashier)."""
    band = np.digitize(age, [22, 40, 60, 72])
    nf, nm = len(V.HONORIFICS_FEMALE), len(V.HONORIFICS_MALE)
    vi = np.where(gender == 0, band, nf + band)
    en_f = nf + nm + rng.integers(0, len(V.HONORIFICS_EN_FEMALE), len(gender))
    en_m = nf + nm + len(V.HONORIFICS_EN_FEMALE) + rng.integers(
        0, len(V.HONORIFICS_EN_MALE), len(gender))
    en = np.where(gender == 0, en_f, en_m)
    return np.where(foreign, en, vi)


class NameParts:
    """Accented or folded name pieces for a set of records (one per row)."""

    def __init__(self, people: People, idx: np.ndarray, fold: np.ndarray) -> None:
        self.foreign = people.foreign[idx]

        def pick(a: pa.Array, u: pa.Array, codes: np.ndarray) -> pa.Array:
            return tx.where(fold, tx.take(u, codes), tx.take(a, codes))

        self.fam = pick(FAMILY_A, FAMILY_U, people.family[idx])
        self.mid = pick(MIDDLE_A, MIDDLE_U, people.middle[idx])
        self.giv = pick(GIVEN_A, GIVEN_U, people.given[idx])
        self.fold = fold

    def standard(self, i: np.ndarray) -> pa.Array:
        vn = tx.join(self.fam.take(i), self.mid.take(i), self.giv.take(i), sep=" ",
                     skip_nulls=True)
        west = tx.join(self.giv.take(i), self.fam.take(i), sep=" ")
        return tx.where(self.foreign[i], west, vn)

    def given_first(self, i: np.ndarray) -> pa.Array:
        vn = tx.join(self.giv.take(i), self.mid.take(i), self.fam.take(i), sep=" ",
                     skip_nulls=True)
        west = tx.join(self.fam.take(i), self.giv.take(i), sep=" ")
        return tx.where(self.foreign[i], west, vn)

    def last_first(self, i: np.ndarray) -> pa.Array:
        first = tx.join(self.mid.take(i), self.giv.take(i), sep=" ", skip_nulls=True)
        return tx.join(self.fam.take(i), first, sep=", ")

    def first_last_split(self, i: np.ndarray) -> tuple[pa.Array, pa.Array]:
        """CRM style: first_name = given, last_name = family (+ middle)."""
        last = tx.join(self.fam.take(i), self.mid.take(i), sep=" ", skip_nulls=True)
        return self.giv.take(i), last


def render_full_names(people: People, idx: np.ndarray, t: np.ndarray,
                      rng: np.random.Generator, rates: Mapping[str, float], tally: Tally, *,
                      pos: bool = False) -> pa.Array:
    """One free-text name per record (POS customer_name, web full_name, …)."""
    n = len(idx)
    fold = rng.random(n) < rates["name_no_diacritics"]
    tally.add("name_no_diacritics", fold.sum(), n)
    parts = NameParts(people, idx, fold)
    hon_rate = rates["pos_name_honorific"] if pos else rates["name_honorific"]
    honor = rng.random(n) < hon_rate
    tally.add("pos_name_honorific" if pos else "name_honorific", honor.sum(), n)
    reorder = ~honor & (rng.random(n) < rates["name_reordered"])
    tally.add("name_reordered", reorder.sum(), n)
    code = np.zeros(n, dtype=np.int64)
    code[reorder] = 1 + (rng.random(int(reorder.sum())) < 0.5)
    code[honor] = 3 + (rng.random(int(honor.sum())) < 0.25)

    age = people.age_at(idx, t)
    h = honorific_index(people.gender[idx], age, people.foreign[idx], rng)
    hon = tx.where(fold, tx.take(_HON_U, h), tx.take(_HON_A, h))
    # cashiers sometimes write "Chị Lan" instead of "chị Lan"
    hon = tx.where(rng.random(n) < 0.3, tx.flat(pc.utf8_capitalize(hon)), hon)

    builders = [
        parts.standard,
        parts.given_first,
        parts.last_first,
        lambda i: tx.join(hon.take(i), tx.where(parts.foreign[i], parts.fam.take(i),
                                                parts.giv.take(i)), sep=" "),
        lambda i: tx.join(hon.take(i), parts.standard(i), sep=" "),
    ]
    names = tx.by_code(code, builders)
    up = rng.random(n) < rates["name_uppercase"]
    tally.add("name_uppercase", up.sum(), n)
    names = tx.where(up, tx.upper(names), names)
    kind = "pos_name_placeholder" if pos else "name_placeholder"
    ph = rng.random(n) < rates[kind]
    tally.add(kind, ph.sum(), n)
    return tx.where(ph, tx.take(_PLACEHOLDERS, rng.integers(0, len(_PLACEHOLDERS), n)), names)


def render_split_names(people: People, idx: np.ndarray, t: np.ndarray,
                       rng: np.random.Generator, rates: Mapping[str, float], tally: Tally,
                       ) -> tuple[pa.Array, pa.Array]:
    """``first_name`` / ``last_name`` columns (email lists, CRM)."""
    n = len(idx)
    fold = rng.random(n) < rates["name_no_diacritics"]
    tally.add("name_no_diacritics", fold.sum(), n)
    parts = NameParts(people, idx, fold)
    all_i = np.arange(n)
    first, last = parts.first_last_split(all_i)
    # some fill first_name = "Thị Lan", last_name = "Nguyễn"
    alt = rng.random(n) < 0.3
    first = tx.where(alt, tx.join(parts.mid, parts.giv, sep=" ", skip_nulls=True), first)
    last = tx.where(alt, parts.fam, last)
    swap = rng.random(n) < rates["name_reordered"]
    tally.add("name_reordered", swap.sum(), n)
    first, last = tx.where(swap, last, first), tx.where(swap, first, last)
    up = rng.random(n) < rates["name_uppercase"]
    tally.add("name_uppercase", up.sum(), n)
    first = tx.where(up, tx.upper(first), first)
    last = tx.where(up, tx.upper(last), last)
    honor = rng.random(n) < rates["name_honorific"]
    tally.add("name_honorific", honor.sum(), n)
    h = honorific_index(people.gender[idx], people.age_at(idx, t), people.foreign[idx], rng)
    hon = tx.where(fold, tx.take(_HON_U, h), tx.take(_HON_A, h))
    first = tx.where(honor, tx.join(hon, parts.giv, sep=" "), first)
    ph = rng.random(n) < rates["name_placeholder"]
    tally.add("name_placeholder", ph.sum(), n)
    first = tx.where(ph, tx.take(_PLACEHOLDERS, rng.integers(0, len(_PLACEHOLDERS), n)), first)
    last = tx.null_where(last, ph)
    return first, last


# ------------------------------------------------------------------------------ emails
_TYPO_BY_DOMAIN: dict[str, list[str]] = defaultdict(list)
for _typo, _clean in V.EMAIL_DOMAIN_TYPOS.items():
    _TYPO_BY_DOMAIN[_clean].append(_typo)
_FREE = [d for d, _ in V.FREE_EMAIL_DOMAINS]
_MAX_TYPOS = max(len(v) for v in _TYPO_BY_DOMAIN.values())
_TYPO_TABLE = [[_TYPO_BY_DOMAIN[d][k % len(_TYPO_BY_DOMAIN[d])] for k in range(_MAX_TYPOS)]
               for d in _FREE]


def render_emails(local: pa.Array, domain: pa.Array, free: np.ndarray,
                  rng: np.random.Generator, rates: Mapping[str, float], tally: Tally,
                  ) -> pa.Array:
    """True address parts -> the address as typed (typos, case, spaces); nulls stay null."""
    return render_emails_with_typos(local, domain, free, rng, rates, tally)[0]


def render_emails_with_typos(local: pa.Array, domain: pa.Array, free: np.ndarray,
                             rng: np.random.Generator, rates: Mapping[str, float],
                             tally: Tally) -> tuple[pa.Array, np.ndarray]:
    """:func:`render_emails`, also returning which rows got a provider typo."""
    n = len(local)
    present = ~np.asarray(local.is_null())
    dom_idx = np.asarray(pc.index_in(domain, value_set=tx.vocab(_FREE)).fill_null(-1))
    can_typo = present & free & (dom_idx >= 0)
    typo = can_typo & (rng.random(n) < rates["email_typo"])
    tally.add("email_typo", typo.sum(), can_typo.sum())
    if typo.any():
        flat = tx.vocab([t for row in _TYPO_TABLE for t in row])
        pick = np.maximum(dom_idx, 0) * _MAX_TYPOS + rng.integers(0, _MAX_TYPOS, n)
        domain = tx.where(typo, tx.take(flat, pick), domain)
    email = tx.join(local, "@", domain)
    case = present & (rng.random(n) < rates["email_case"])
    tally.add("email_case", case.sum(), present.sum())
    style = rng.integers(0, 3, n)
    email = tx.where(case & (style == 0), tx.upper(email), email)
    email = tx.where(case & (style == 1), tx.flat(pc.utf8_capitalize(email)), email)
    email = tx.where(case & (style == 2), tx.flat(pc.utf8_title(email)), email)
    space = present & (rng.random(n) < rates["email_whitespace"])
    tally.add("email_whitespace", space.sum(), present.sum())
    pad = rng.integers(0, 3, n)
    email = tx.where(space & (pad == 0), tx.join(" ", email), email)
    email = tx.where(space & (pad == 1), tx.join(email, " "), email)
    email = tx.where(space & (pad == 2), tx.join("  ", email, " "), email)
    return email, typo


def normalise_email(value: str | None) -> str | None:
    """The documented repair: trim, lower-case, fix known provider typos. Dirty spellings
    of one address normalise to the same (true) address."""
    if value is None:
        return None
    e = value.strip().lower()
    if not e:
        return None
    local, _, domain = e.rpartition("@")
    return f"{local}@{V.EMAIL_DOMAIN_TYPOS.get(domain, domain)}" if local else e


def normalise_emails(values: pa.Array) -> pa.Array:
    """Vectorised :func:`normalise_email`."""
    e = tx.lower(pc.utf8_trim_whitespace(values))
    for typo, clean in V.EMAIL_DOMAIN_TYPOS.items():
        e = tx.flat(pc.replace_substring_regex(e, f"@{_re(typo)}$", f"@{clean}"))
    return e


def _re(s: str) -> str:
    return s.replace(".", r"\.")


# ------------------------------------------------------------------------------ cities
_CITY_ALIASES = [alias for c in V.CITIES for alias in c[2]]
_CITY_OFFSET = np.cumsum([0] + [len(c[2]) for c in V.CITIES])[:-1]
_CITY_COUNT = np.array([len(c[2]) for c in V.CITIES])


def render_cities(city: np.ndarray, rng: np.random.Generator, rates: Mapping[str, float],
                  tally: Tally) -> pa.Array:
    """City index -> the canonical spelling or one of its aliases (HCM, Sài Gòn, Hanoi…)."""
    n = len(city)
    alias = rng.random(n) < rates["city_alias"]
    tally.add("city_alias", alias.sum(), n)
    k = 1 + (rng.random(n) * (_CITY_COUNT[city] - 1)).astype(np.int64)
    pick = _CITY_OFFSET[city] + np.where(alias & (_CITY_COUNT[city] > 1), k, 0)
    return tx.take(_CITY_ALIASES, pick)


# ------------------------------------------------------------------------------ times
def render_times(seconds: np.ndarray, rng: np.random.Generator, rates: Mapping[str, float],
                 tally: Tally) -> pa.Array:
    n = len(seconds)
    offset = rng.random(n) < rates["timestamp_offset"]
    tally.add("timestamp_offset", offset.sum(), n)
    return tx.timestamps(seconds, offset)
