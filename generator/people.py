"""The synthetic population: true attributes of every person (vectorised)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from generator import textops as tx
from generator import vocab as V
from generator.config import GeneratorConfig, rng_for
from generator.timeline import DAY, Timeline, to_days

# Unified name vocabularies (global indices) and their folded forms.
FAMILY = [f for f, _ in V.FAMILY_NAMES] + list(V.FOREIGN_FAMILY)
MIDDLE = [m for m, _, _ in V.MIDDLE_FEMALE] + [m for m, _, _ in V.MIDDLE_MALE]
GIVEN = ([g for g, _ in V.GIVEN_FEMALE] + [g for g, _ in V.GIVEN_MALE]
         + list(V.FOREIGN_GIVEN_FEMALE) + list(V.FOREIGN_GIVEN_MALE))
N_FAM_VN = len(V.FAMILY_NAMES)
_GF, _GM = len(V.GIVEN_FEMALE), len(V.GIVEN_MALE)
_FGF, _FGM = len(V.FOREIGN_GIVEN_FEMALE), len(V.FOREIGN_GIVEN_MALE)
_MF = len(V.MIDDLE_FEMALE)

FAMILY_A, MIDDLE_A, GIVEN_A = tx.vocab(FAMILY), tx.vocab(MIDDLE), tx.vocab(GIVEN)
FAMILY_U = tx.vocab([V.strip_diacritics(x) for x in FAMILY])
MIDDLE_U = tx.vocab([V.strip_diacritics(x) for x in MIDDLE])
GIVEN_U = tx.vocab([V.strip_diacritics(x) for x in GIVEN])
CITY_NAMES = [c[0] for c in V.CITIES]

FEMALE, MALE = 0, 1
SALES_NONE, SALES_B2B, SALES_VIP, SALES_SERVICE = 0, 1, 2, 3


@dataclass
class People:
    """Column-oriented population; index ``i`` is person ``person_id[i]``."""

    n: int
    person_id: pa.Array
    gender: np.ndarray          # 0 female, 1 male
    foreign: np.ndarray         # bool
    family: np.ndarray          # index into FAMILY
    middle: np.ndarray          # index into MIDDLE, -1 = none
    given: np.ndarray           # index into GIVEN
    birth_days: np.ndarray      # days since 1970-01-01
    city: np.ndarray            # index into vocab.CITIES
    phone: np.ndarray           # national significant number (int64, no trunk 0)
    landline: np.ndarray        # bool
    old_phone: np.ndarray       # previous number (0 = never changed)
    phone_changed_at: np.ndarray  # seconds; records before it carry old_phone
    household: np.ndarray       # household number, -1 = none
    household_role: np.ndarray  # 0 head, 1 spouse, 2 child, -1 none
    phone_shared: np.ndarray    # bool: the phone is the household's
    email_local: pa.Array
    email_domain: pa.Array
    email2_local: pa.Array      # null when the person has one address
    email2_domain: pa.Array
    free_mail: np.ndarray       # primary address on a free provider (typo-able)
    free_mail2: np.ndarray
    company: np.ndarray         # index into vocab.COMPANIES, -1 = none
    since: np.ndarray           # first contact with the brand (seconds)
    active_from: np.ndarray     # activity window inside the history
    active_to: np.ndarray
    activity: np.ndarray        # relative purchase/visit intensity
    in_pos: np.ndarray
    has_account: np.ndarray
    web_anon: np.ndarray
    in_email: np.ndarray
    in_social: np.ndarray
    sales_kind: np.ndarray      # SALES_*
    namesakes: np.ndarray       # bool: name copied from another person (forced namesake)

    # ------------------------------------------------------------------ derived
    @property
    def email(self) -> pa.Array:
        return tx.join(self.email_local, "@", self.email_domain)

    @property
    def email2(self) -> pa.Array:
        return tx.join(self.email2_local, "@", self.email2_domain)

    @property
    def has_email2(self) -> np.ndarray:
        return ~np.asarray(self.email2_local.is_null())

    def full_name(self, idx: np.ndarray | None = None) -> pa.Array:
        idx = np.arange(self.n) if idx is None else idx
        fam, mid, giv = (tx.take(FAMILY_A, self.family[idx]), tx.take(MIDDLE_A, self.middle[idx]),
                         tx.take(GIVEN_A, self.given[idx]))
        vn = tx.join(fam, mid, giv, sep=" ", skip_nulls=True)
        west = tx.join(giv, fam, sep=" ")
        return tx.where(self.foreign[idx], west, vn)

    def phone_at(self, idx: np.ndarray, t: np.ndarray) -> np.ndarray:
        """The number person ``idx`` used at time ``t``."""
        old = (self.old_phone[idx] > 0) & (t < self.phone_changed_at[idx])
        return np.where(old, self.old_phone[idx], self.phone[idx])

    def age_at(self, idx: np.ndarray, t: np.ndarray) -> np.ndarray:
        return (t // DAY - self.birth_days[idx]) / 365.25


# ---------------------------------------------------------------------------- phones
def _mobile_prefix_table() -> tuple[np.ndarray, np.ndarray]:
    values, p = V.weights(V.MOBILE_PREFIXES)
    return np.array([int(v) for v in values], dtype=np.int64), np.array(p)


def unique_numbers(rng: np.random.Generator, n: int, make, taken: np.ndarray) -> np.ndarray:
    """Draw ``n`` numbers with ``make(rng, k)``, redrawing any already used."""
    out = make(rng, n)
    taken = np.sort(taken)
    for _ in range(50):
        dup = duplicated(out)
        if len(taken):
            pos = np.minimum(np.searchsorted(taken, out), len(taken) - 1)
            dup |= taken[pos] == out
        if not dup.any():
            return out
        out[dup] = make(rng, int(dup.sum()))
    raise RuntimeError("could not draw unique numbers")


def make_mobiles(rng: np.random.Generator, k: int) -> np.ndarray:
    prefixes, p = _mobile_prefix_table()
    return rng.choice(prefixes, size=k, p=p) * 10**7 + rng.integers(0, 10**7, k)


def make_landlines(rng: np.random.Generator, cities: np.ndarray) -> np.ndarray:
    """10-digit landline numbers (area code + subscriber) for the given city indices."""
    codes = [V.CITY_AREA_CODE.get(c[0], "28") for c in V.CITIES]
    area = np.array([int(c) for c in codes], dtype=np.int64)[cities]
    width = np.array([10 - len(c) for c in codes], dtype=np.int64)[cities]
    lo = 2 * 10 ** (width - 1)
    sub = lo + (rng.random(len(cities)) * (10**width - lo)).astype(np.int64)
    return area * 10**width + sub


def unique_landlines(rng: np.random.Generator, cities: np.ndarray, taken: np.ndarray,
                     ) -> np.ndarray:
    """Landlines for ``cities``, distinct from each other and from ``taken``."""
    out = make_landlines(rng, cities)
    taken = np.sort(taken)
    for _ in range(50):
        dup = duplicated(out)
        if len(taken):
            pos = np.minimum(np.searchsorted(taken, out), len(taken) - 1)
            dup |= taken[pos] == out
        if not dup.any():
            return out
        out[dup] = make_landlines(rng, cities[dup])
    raise RuntimeError("could not draw unique landlines")


# ---------------------------------------------------------------------------- build
def build_people(config: GeneratorConfig, timeline: Timeline) -> People:
    n = config.people
    part = config.participation
    rates = config.rates
    rng = rng_for(config.seed, "people")

    gender = (rng.random(n) < 0.46).astype(np.int8)  # sneaker buyers: slightly more women
    foreign = rng.random(n) < part["foreign"]
    birth_days = _birth_days(rng, n, timeline)
    city = rng.choice(len(V.CITIES), size=n, p=_p([c[1] for c in V.CITIES]))
    family = rng.choice(N_FAM_VN, size=n, p=_p([w for _, w in V.FAMILY_NAMES]))

    household, role = _households(rng, n, rates["household_shared_phone"])
    _apply_household_roles(rng, household, role, gender, family, birth_days, city)

    middle, given = _given_names(rng, gender, birth_days)
    family = np.where(foreign, N_FAM_VN + rng.integers(0, len(V.FOREIGN_FAMILY), n), family)
    fg = np.where(gender == FEMALE, _GF + _GM + rng.integers(0, _FGF, n),
                  _GF + _GM + _FGF + rng.integers(0, _FGM, n))
    given = np.where(foreign, fg, given)
    middle = np.where(foreign, -1, middle)
    namesakes = _namesakes(rng, rates["namesake"], foreign, household, gender, family, middle,
                           given, city)

    # phones -----------------------------------------------------------------
    landline = rng.random(n) < part["landline"]
    phone = unique_numbers(rng, n, make_mobiles, np.empty(0, np.int64))
    if landline.any():
        phone[landline] = unique_landlines(rng, city[landline], phone[~landline])
    in_hh = household >= 0
    phone_shared = in_hh.copy()
    if in_hh.any():
        heads = np.flatnonzero(role == 0)
        hh_phone = phone[heads].copy()
        fixed = rng.random(len(heads)) < 0.3  # some households share a landline
        hh_phone[fixed] = unique_landlines(rng, city[heads[fixed]], phone)
        lookup = np.zeros(household.max() + 1, dtype=np.int64)
        lookup[household[heads]] = hh_phone
        phone[in_hh] = lookup[household[in_hh]]
    changed = (rng.random(n) < rates["phone_changed"]) & ~in_hh & ~landline
    old_phone = np.zeros(n, dtype=np.int64)
    old_phone[changed] = unique_numbers(rng, int(changed.sum()), make_mobiles, phone)

    # time window ------------------------------------------------------------
    since = _since(rng, n, timeline)
    active_from = np.maximum(since, timeline.t0)
    lapsed = rng.random(n) < part["lapsed"]
    lapse_after = ((30 + rng.exponential(300, n)) * DAY).astype(np.int64)
    active_to = np.where(lapsed, np.minimum(active_from + lapse_after, timeline.end),
                         timeline.end)
    span = np.maximum(active_to - active_from, DAY)
    phone_changed_at = np.where(changed, active_from + (rng.random(n) * span).astype(np.int64),
                                np.iinfo(np.int64).max)
    activity = rng.lognormal(0.0, 0.8, n)

    # channels (a shared engagement factor makes overlaps realistic) ---------------
    z = rng.normal(size=n)

    def flag(p: float, weight: float = 0.6) -> np.ndarray:
        x = weight * z + np.sqrt(1 - weight**2) * rng.normal(size=n)
        return 1 / (1 + np.exp(-1.702 * x)) < p

    has_account = flag(part["web_account"])
    in_pos = flag(part["pos"], 0.3)
    web_anon = ~has_account & (rng.random(n) < part["web_anonymous"])
    p_email_acct = 0.8  # most account holders tick the newsletter box
    rest = max(0.0, part["email"] - part["web_account"] * p_email_acct) / max(
        1e-9, 1 - part["web_account"])
    in_email = np.where(has_account, rng.random(n) < p_email_acct, rng.random(n) < rest)
    in_social = flag(part["social"])

    age_now = (timeline.end // DAY - birth_days) / 365.25
    sales_kind = np.zeros(n, dtype=np.int8)
    b2b = (rng.random(n) < part["sales_b2b"] / 0.8) & (age_now >= 25) & (age_now <= 60)
    sales_kind[b2b] = SALES_B2B
    vip_p = part["sales_vip"] * activity / activity.mean()
    vip = (rng.random(n) < vip_p) & (sales_kind == 0) & (age_now >= 20)
    sales_kind[vip] = SALES_VIP
    svc = (rng.random(n) < part["service"]) & (sales_kind == 0)
    sales_kind[svc] = SALES_SERVICE
    in_pos |= vip & (rng.random(n) < 0.8)
    nothing = ~(in_pos | has_account | web_anon | in_email | in_social | (sales_kind > 0))
    in_pos |= nothing

    # emails -----------------------------------------------------------------
    company = np.where(b2b, rng.integers(0, len(V.COMPANIES), n), -1)
    work_mail = (rng.random(n) < 0.06) & (age_now >= 23) & (age_now <= 62)
    company = np.where(work_mail & (company < 0), rng.integers(0, len(V.COMPANIES), n), company)
    local, domain, free = _emails(rng, family, middle, given, birth_days, company,
                                  b2b | work_mail, n)
    taken = tx.join(local, "@", domain)
    has2 = rng.random(n) < rates["second_email"]
    # the second address: work mail for B2B contacts, another free mail otherwise
    local2, domain2, free2 = _emails(rng, family, middle, given, birth_days, company,
                                     b2b & ~(rng.random(n) < 0.5), n, avoid=taken,
                                     alt_pattern=True)
    local2 = tx.null_where(local2, ~has2)
    domain2 = tx.null_where(domain2, ~has2)
    free2 = free2 & has2

    person_id = tx.join("P", tx.int_str(np.arange(1, n + 1), 7))
    return People(
        n=n, person_id=person_id, gender=gender, foreign=foreign, family=family, middle=middle,
        given=given, birth_days=birth_days, city=city, phone=phone, landline=landline,
        old_phone=old_phone, phone_changed_at=phone_changed_at, household=household,
        household_role=role, phone_shared=phone_shared, email_local=local,
        email_domain=domain, email2_local=local2, email2_domain=domain2, free_mail=free,
        free_mail2=free2, company=company, since=since, active_from=active_from,
        active_to=active_to, activity=activity, in_pos=in_pos, has_account=has_account,
        web_anon=web_anon, in_email=in_email, in_social=in_social, sales_kind=sales_kind,
        namesakes=namesakes,
    )


def _p(w: list[float]) -> np.ndarray:
    a = np.asarray(w, dtype=float)
    return a / a.sum()


def _birth_days(rng: np.random.Generator, n: int, timeline: Timeline) -> np.ndarray:
    # Gen Z, Millennials, Gen X, Boomers (birth years 1946-2010)
    cohorts = [(1997, 2010, 0.36), (1981, 1996, 0.38), (1965, 1980, 0.18), (1946, 1964, 0.08)]
    c = rng.choice(len(cohorts), size=n, p=_p([x[2] for x in cohorts]))
    lo = np.array([x[0] for x in cohorts])[c]
    hi = np.array([x[1] for x in cohorts])[c]
    year = lo + (rng.random(n) * (hi - lo + 1)).astype(np.int64)
    return _year_start(year) + rng.integers(0, 365, n)


def _year_start(year: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of January 1st of ``year``."""
    return (np.asarray(year, dtype=np.int64) - 1970).astype("datetime64[Y]").astype(
        "datetime64[D]").astype(np.int64)


def birth_year(birth_days: np.ndarray) -> np.ndarray:
    return np.asarray(birth_days, dtype="datetime64[D]").astype("datetime64[Y]").astype(
        np.int64) + 1970


def _since(rng: np.random.Generator, n: int, timeline: Timeline) -> np.ndarray:
    """First contact: 55% before the history window (up to 3 years), the rest during it."""
    before = rng.random(n) < 0.55
    pre = timeline.t0 - (rng.random(n) * 3 * 365 * DAY).astype(np.int64)
    window = timeline.end - timeline.t0
    during = timeline.t0 + (np.sqrt(rng.random(n)) * window).astype(np.int64)  # growth
    return np.where(before, pre, during)


def _households(rng: np.random.Generator, n: int, share: float,
                ) -> tuple[np.ndarray, np.ndarray]:
    household = np.full(n, -1, dtype=np.int32)
    role = np.full(n, -1, dtype=np.int8)
    target = round(share * n)
    if target < 2:
        return household, role
    sizes = rng.choice([2, 3, 4], size=target // 2 + 1, p=[0.45, 0.35, 0.20])
    sizes = sizes[np.cumsum(sizes) <= target]
    if len(sizes) == 0:
        return household, role
    members = rng.permutation(n)[: sizes.sum()]
    hh = np.repeat(np.arange(len(sizes)), sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    pos = np.arange(len(hh)) - np.repeat(starts, sizes)
    # size 2: head + spouse or head + child; 3: head, spouse, child; 4: + a second child
    parent_child = np.repeat((sizes == 2) & (rng.random(len(sizes)) < 0.4), sizes)
    r = np.where(pos == 0, 0, np.where(pos == 1, np.where(parent_child, 2, 1), 2))
    household[members] = hh
    role[members] = r
    return household, role


def _apply_household_roles(rng, household, role, gender, family, birth_days, city) -> None:
    """Heads are men; spouses women with their own family name (Vietnamese women keep
    theirs); children carry the father's family name and were born 22-36 years later."""
    if (household < 0).all():
        return
    heads = np.flatnonzero(role == 0)
    m = int(household.max()) + 1
    head_of = np.full(m, -1, dtype=np.int64)
    head_of[household[heads]] = heads
    gender[heads] = MALE
    birth_days[heads] = _year_start(np.full(len(heads), 1955)) + rng.integers(
        0, 36 * 365, len(heads))
    sp = np.flatnonzero(role == 1)
    h = head_of[household[sp]]
    gender[sp] = FEMALE
    birth_days[sp] = birth_days[h] + rng.integers(-3 * 365, 8 * 365, len(sp))
    same = family[sp] == family[h]
    family[sp[same]] = (family[h[same]] + 1 + rng.integers(0, 5, int(same.sum()))) % N_FAM_VN
    ch = np.flatnonzero(role == 2)
    h = head_of[household[ch]]
    family[ch] = family[h]
    birth_days[ch] = np.minimum(birth_days[h] + rng.integers(22 * 365, 36 * 365, len(ch)),
                                to_days(dt.date(2010, 12, 31)))
    members = np.flatnonzero(household >= 0)
    city[members] = city[head_of[household[members]]]


def _given_names(rng: np.random.Generator, gender: np.ndarray, birth_days: np.ndarray,
                 ) -> tuple[np.ndarray, np.ndarray]:
    n = len(gender)
    young = birth_days >= to_days(dt.date(1995, 1, 1))
    mf_old = _p([w for _, w, _ in V.MIDDLE_FEMALE])
    mf_young = _p([w for _, _, w in V.MIDDLE_FEMALE])
    mm_old = _p([w for _, w, _ in V.MIDDLE_MALE])
    mm_young = _p([w for _, _, w in V.MIDDLE_MALE])
    nf, nm = len(V.MIDDLE_FEMALE), len(V.MIDDLE_MALE)
    mid_f = np.where(young, rng.choice(nf, n, p=mf_young), rng.choice(nf, n, p=mf_old))
    mid_m = _MF + np.where(young, rng.choice(nm, n, p=mm_young), rng.choice(nm, n, p=mm_old))
    middle = np.where(gender == FEMALE, mid_f, mid_m)
    gf = rng.choice(_GF, n, p=_p([w for _, w in V.GIVEN_FEMALE]))
    gm = _GF + rng.choice(_GM, n, p=_p([w for _, w in V.GIVEN_MALE]))
    given = np.where(gender == FEMALE, gf, gm)
    # avoid "Minh Minh": redraw a given name equal to the middle name
    same = np.array(MIDDLE, dtype=object)[middle] == np.array(GIVEN, dtype=object)[given]
    given[same & (gender == FEMALE)] = rng.choice(_GF, int((same & (gender == FEMALE)).sum()))
    k = int((same & (gender == MALE)).sum())
    given[same & (gender == MALE)] = _GF + rng.choice(_GM, k)
    return middle, given


def _namesakes(rng, rate, foreign, household, gender, family, middle, given, city,
               ) -> np.ndarray:
    """Copy the full name of another person of the same gender onto ``rate`` of people."""
    copied = np.zeros(len(gender), dtype=bool)
    eligible = np.flatnonzero(~foreign & (household < 0))
    k = round(rate * len(gender))
    if k == 0 or len(eligible) < 2:
        return copied
    targets = rng.choice(eligible, size=min(k, len(eligible) // 2), replace=False)
    sources = rng.choice(eligible, size=len(targets))
    ok = (sources != targets) & (gender[sources] == gender[targets])
    t, s = targets[ok], sources[ok]
    family[t], middle[t], given[t] = family[s], middle[s], given[s]
    same_city = rng.random(len(t)) < 0.5
    city[t[same_city]] = city[s[same_city]]
    copied[t] = True
    return copied


def _emails(rng, family, middle, given, birth_days, company, use_company, n, *,
            avoid: pa.Array | None = None, alt_pattern: bool = False,
            ) -> tuple[pa.Array, pa.Array, np.ndarray]:
    """Local part built from the folded name (``lan.nguyen92``), a free or company domain;
    made unique (also against ``avoid``) by appending digits."""
    fam = tx.lower(tx.take(FAMILY_U, family))
    giv = tx.lower(tx.take(GIVEN_U, given))
    mid = tx.lower(tx.take(MIDDLE_U, middle))
    mid_or_empty = tx.join(mid, "", skip_nulls=True)
    year = birth_year(birth_days)
    yy = tx.int_str(year % 100, 2)
    yyyy = tx.int_str(year)
    rand4 = tx.int_str(rng.integers(0, 10000, n), 0)
    ini = tx.join(tx.slice_(fam, 0, 1), tx.slice_(mid_or_empty, 0, 1))
    p = [0.30, 0.15, 0.15, 0.08, 0.05, 0.12, 0.10, 0.05]
    if alt_pattern:
        p = [0.10, 0.25, 0.20, 0.10, 0.05, 0.15, 0.10, 0.05]
    code = rng.choice(8, size=n, p=p)
    builders = [
        lambda i: tx.join(giv.take(i), ".", fam.take(i), yy.take(i)),
        lambda i: tx.join(fam.take(i), giv.take(i), yy.take(i)),
        lambda i: tx.join(giv.take(i), ini.take(i), yy.take(i)),
        lambda i: tx.join(giv.take(i), "_", fam.take(i)),
        lambda i: tx.join(giv.take(i), ".", mid_or_empty.take(i), ".", fam.take(i)),
        lambda i: tx.join(giv.take(i), fam.take(i), rand4.take(i)),
        lambda i: tx.join(giv.take(i), yyyy.take(i)),
        lambda i: tx.join(fam.take(i), ".", giv.take(i)),
    ]
    local = tx.by_code(code, builders)
    local = tx.flat(pc.replace_substring(local, "..", "."))
    free_values, free_p = V.weights(V.FREE_EMAIL_DOMAINS)
    free_domain = tx.take(free_values, rng.choice(len(free_values), size=n, p=free_p))
    comp_domain = tx.take([d for _, d in V.COMPANIES], np.maximum(company, 0))
    is_company = use_company & (company >= 0)
    domain = tx.where(is_company, comp_domain, free_domain)
    # company mail: given.family
    local = tx.where(is_company, tx.join(giv, ".", fam), local)
    local = _make_unique(rng, local, domain, avoid)
    return local, domain, ~is_company


def _make_unique(rng, local: pa.Array, domain: pa.Array, avoid: pa.Array | None) -> pa.Array:
    for _ in range(30):
        full = tx.join(local, "@", domain)
        dup = duplicated(full)
        if avoid is not None:
            dup |= pc.is_in(full, value_set=avoid).to_numpy(zero_copy_only=False)
        if not dup.any():
            return local
        suffix = tx.int_str(rng.integers(1, 1000, len(local)))
        local = tx.where(dup, tx.join(local, suffix), local)
    raise RuntimeError("could not make email addresses unique")


def duplicated(values: pa.Array | np.ndarray) -> np.ndarray:
    """True for every repeat of an earlier value (like ``pandas.Series.duplicated``)."""
    if isinstance(values, pa.Array | pa.ChunkedArray):
        values = tx.flat(values).dictionary_encode().indices.to_numpy(zero_copy_only=False)
    values = np.asarray(values)
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    dup = np.zeros(len(values), dtype=bool)
    dup[order[1:]] = ordered[1:] == ordered[:-1]
    return dup
