"""A small synthetic identity input with ground truth (vectorised, seeded).

It produces rows already shaped like ``int_person_records_unioned`` (standardised
keys, E.164 phones) so the identity engine can be trained, tested and benchmarked
without the ingest and dbt layers. The hard cases of the contract are built in:
households sharing one phone, walk-ins typed with the store counter phone, POS
names reduced to a given name or a placeholder, second email addresses, changed
phones, digit errors, swapped name parts and namesakes.

The full platform generator (``generator/``) produces landing files instead; once
the dbt model exists, the benchmark reads that path (see ``identity.benchmark``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

FAMILY = np.array([
    "nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo", "dang", "bui", "do",
    "ho", "ngo", "duong", "ly", "truong", "dinh", "lam", "mai", "trinh", "cao", "luong", "ta",
])
FAMILY_WEIGHT = np.array([
    38, 11, 9.5, 7, 4, 3, 4.5, 2.5, 1.5, 2, 2, 1.4, 1.3, 1.3, 1, 0.5, 1, 0.8, 0.6, 0.6, 0.5,
    0.5, 0.5, 0.3,
])
GIVEN_F = np.array([
    "lan", "huong", "linh", "trang", "thao", "ngoc", "mai", "ha", "phuong", "anh", "hanh", "nhung",
    "thuy", "dung", "hien", "hoa", "yen", "vy", "nhi", "chi", "quynh", "tam", "uyen", "giang",
    "oanh", "tuyet", "van", "ly", "my", "tien",
])
GIVEN_M = np.array([
    "tuan", "minh", "hung", "dung", "nam", "long", "quang", "duc", "thanh", "huy", "khoa", "phuc",
    "son", "hai", "cuong", "dat", "binh", "vinh", "trung", "hieu", "kien", "tai", "bao", "loc",
    "thang", "tri", "an", "khanh", "hoang", "viet",
])
MIDDLE_F = np.array(["thi", "ngoc", "thu", "thanh", "minh", "bao", "kim", "hong"])
MIDDLE_M = np.array(["van", "duc", "minh", "quoc", "huu", "thanh", "gia", "anh"])
CITIES = np.array([
    "Ho Chi Minh City", "Ha Noi", "Da Nang", "Hai Phong", "Can Tho", "Bien Hoa", "Nha Trang",
    "Hue", "Vung Tau", "Buon Ma Thuot",
])
CITY_WEIGHT = np.array([34, 26, 8, 6, 5, 5, 4, 4, 4, 4])
DOMAINS = np.array(["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com"])
DOMAIN_WEIGHT = np.array([70, 12, 8, 6, 4])
PLATFORMS = np.array(["facebook", "instagram", "tiktok", "zalo", "x"])
#: Store counter phones (landlines), typed for walk-ins and sometimes for members.
COUNTER_PHONES = np.array([f"+8428{3900_0000 + 7919 * i:08d}" for i in range(12)])
SOURCE_TRUST = {"sales": 5, "web": 4, "email": 3, "pos": 2, "social": 1}

COLUMNS = [
    "source", "source_record_id", "first_seen_at", "last_seen_at", "full_name", "name_key",
    "family_name", "middle_name", "given_name", "email", "email_valid", "email_verified",
    "phone_e164", "phone_valid", "birth_date", "birth_month", "birth_day", "gender", "city",
    "account_id", "source_trust",
]


@dataclass(frozen=True)
class SyntheticData:
    records: pd.DataFrame
    #: source, source_record_id, person_id, via_counter_phone
    truth: pd.DataFrame


def _pick(rng: np.random.Generator, values: np.ndarray, n: int, weights=None) -> np.ndarray:
    p = None if weights is None else weights / weights.sum()
    return values[rng.choice(len(values), size=n, p=p)]


def _phones(rng: np.random.Generator, n: int) -> np.ndarray:
    prefixes = np.array(["3", "5", "7", "8", "9"])
    numbers = rng.choice(10**8, size=n, replace=False)
    return np.char.add(np.char.add("+84", _pick(rng, prefixes, n)), np.char.zfill(
        numbers.astype(str), 8))


def _typo(rng: np.random.Generator, words: np.ndarray, rate: float) -> np.ndarray:
    """Replace one letter in a share of the words (vectorised over the array)."""
    out = words.astype(object).copy()
    hit = (rng.random(len(words)) < rate) & (pd.Series(words).str.len().fillna(0) > 2).to_numpy()
    for i in np.flatnonzero(hit):  # a few percent of a small array: cheap and readable
        w = out[i]
        j = rng.integers(1, len(w))
        out[i] = w[:j] + "aeiouhnt"[rng.integers(0, 8)] + w[j + 1:]
    return out


def _digit_error(rng: np.random.Generator, phones: np.ndarray, rate: float) -> np.ndarray:
    out = phones.astype(object).copy()
    for i in np.flatnonzero(rng.random(len(phones)) < rate):
        p = out[i]
        j = rng.integers(4, len(p))
        out[i] = p[:j] + str((int(p[j]) + 1) % 10) + p[j + 1:]
    return out


def _noisy_dates(rng: np.random.Generator, dates: np.ndarray, rate: float) -> np.ndarray:
    """Shift a share of the dates by a day or a year (typed wrong)."""
    shift = np.where(rng.random(len(dates)) < 0.5, 1, 365) * rng.choice([-1, 1], len(dates))
    noisy = pd.to_datetime(dates) + pd.to_timedelta(
        np.where(rng.random(len(dates)) < rate, shift, 0), "D")
    return np.asarray(noisy.date, dtype=object)


def _people(rng: np.random.Generator, n: int) -> pd.DataFrame:
    female = rng.random(n) < 0.5
    given = np.where(female, _pick(rng, GIVEN_F, n), _pick(rng, GIVEN_M, n))
    middle = np.where(female, _pick(rng, MIDDLE_F, n), _pick(rng, MIDDLE_M, n))
    family = _pick(rng, FAMILY, n, FAMILY_WEIGHT)
    birth = pd.to_datetime("1960-01-01") + pd.to_timedelta(rng.integers(0, 365 * 45, n), "D")
    people = pd.DataFrame({
        "person_id": [f"p{i:07d}" for i in range(n)],
        "family": family, "middle": middle, "given": given,
        "gender": np.where(female, "female", "male"),
        "birth_date": birth.date,
        "city": _pick(rng, CITIES, n, CITY_WEIGHT),
        "phone": _phones(rng, n),
    })
    # Namesakes: 0.5% copy another person's full name (half of them in the same city).
    copy = np.flatnonzero(rng.random(n) < 0.005)
    src = rng.integers(0, n, len(copy))
    for col in ("family", "middle", "given"):
        people.loc[copy, col] = people[col].to_numpy()[src]
    same_city = copy[rng.random(len(copy)) < 0.5]
    people.loc[same_city, "city"] = people["city"].to_numpy()[src[: len(same_city)]]
    # Households: 6% of people share one phone with 1-3 others (same city).
    heads = np.flatnonzero(rng.random(n) < 0.06 / 2.5)
    people["household_phone"] = None
    for h in heads:  # a few hundred households at most
        members = np.arange(h, min(n, h + rng.integers(2, 5)))
        people.loc[members, "household_phone"] = people.at[h, "phone"]
        people.loc[members, "city"] = people.at[h, "city"]
        # Children take the father's family name; spouses keep their own.
        people.loc[members[2:], "family"] = people.at[h, "family"]
    # The person's number in the address keeps addresses unique across namesakes.
    number = np.char.mod("%d", np.arange(n)).astype(object)
    email_user = people["given"] + np.where(rng.random(n) < 0.5, ".", "") + people["family"]
    people["email"] = email_user + number + "@" + _pick(rng, DOMAINS, n, DOMAIN_WEIGHT)
    people["email2"] = np.where(
        rng.random(n) < 0.08, people["family"] + "." + people["given"] + number + "@gmail.com",
        None,
    )
    people["old_phone"] = np.where(rng.random(n) < 0.05, _phones(rng, n), None)
    return people


def _name_columns(
    rng: np.random.Generator, fam: np.ndarray, mid: np.ndarray, giv: np.ndarray,
    given_only: np.ndarray, missing: np.ndarray,
) -> dict[str, np.ndarray]:
    n = len(fam)
    giv = _typo(rng, giv, 0.01)
    drop_middle = rng.random(n) < 0.1
    swapped = rng.random(n) < 0.02
    family = np.where(swapped, giv, fam).astype(object)
    given = np.where(swapped, fam, giv).astype(object)
    middle = np.where(drop_middle, None, mid).astype(object)
    family[given_only] = None
    middle[given_only] = None
    for arr in (family, middle, given):
        arr[missing] = None
    joined = (
        pd.Series(family).fillna("") + " " + pd.Series(middle).fillna("") + " "
        + pd.Series(given).fillna("")
    ).str.split().str.join(" ")
    name_key = joined.where(joined != "", None)
    return {"full_name": name_key.str.title().to_numpy(), "name_key": name_key.to_numpy(),
            "family_name": family,
            "middle_name": middle, "given_name": given}


def _frame(
    source: str, ids: np.ndarray, person_idx: np.ndarray, people: pd.DataFrame,
    rng: np.random.Generator, **cols,
) -> pd.DataFrame:
    n = len(ids)
    start = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 600, n), "D")
    frame = pd.DataFrame({
        "source": source, "source_record_id": ids,
        "first_seen_at": start,
        "last_seen_at": start + pd.to_timedelta(rng.integers(0, 120, n), "D"),
        "source_trust": SOURCE_TRUST[source],
        "_person": people["person_id"].to_numpy()[person_idx],
    })
    for name, values in cols.items():
        frame[name] = values
    return frame


def _mask(values: np.ndarray, keep: np.ndarray) -> np.ndarray:
    out = values.astype(object).copy()
    out[~keep] = None
    return out


def generate(people_count: int = 2000, seed: int = 7) -> SyntheticData:
    """Identity input rows (and truth) for ``people_count`` people plus walk-ins."""
    rng = np.random.default_rng(seed)
    people = _people(rng, people_count)
    p = people
    frames: list[pd.DataFrame] = []

    # web accounts and the cookies that logged into them
    web = np.flatnonzero(rng.random(people_count) < 0.45)
    uid = np.char.mod("u%06d", web)
    n = len(web)
    names = _name_columns(rng, p.family.to_numpy()[web], p.middle.to_numpy()[web],
                          p.given.to_numpy()[web], np.zeros(n, bool), rng.random(n) < 0.1)
    frames.append(_frame(
        "web", np.char.add("user:", uid), web, p, rng, **names,
        email=p.email.to_numpy()[web], email_verified=True,
        phone_e164=_mask(p.phone.to_numpy()[web], rng.random(n) < 0.7),
        birth_date=_mask(_noisy_dates(rng, p.birth_date.to_numpy()[web], 0.03),
                         rng.random(n) < 0.6),
        gender=_mask(p.gender.to_numpy()[web], rng.random(n) < 0.8),
        city=_mask(p.city.to_numpy()[web], rng.random(n) < 0.8), account_id=uid,
    ))
    cookies_per = rng.integers(0, 4, n)
    c_idx = np.repeat(np.arange(n), cookies_per)
    frames.append(_frame(
        "web", np.char.add("cookie:c", np.arange(len(c_idx)).astype(str)), web[c_idx], p, rng,
        account_id=uid[c_idx],
    ))

    # POS transactions (identified customers)
    shoppers = np.flatnonzero(rng.random(people_count) < 0.6)
    tx_idx = np.repeat(shoppers, rng.geometric(0.35, len(shoppers)))
    n = len(tx_idx)
    given_only = rng.random(n) < 0.15
    placeholder = rng.random(n) < 0.06
    names = _name_columns(rng, p.family.to_numpy()[tx_idx], p.middle.to_numpy()[tx_idx],
                          p.given.to_numpy()[tx_idx], given_only, placeholder)
    own = p.phone.to_numpy()[tx_idx]
    household = p.household_phone.to_numpy()[tx_idx]
    phone = np.where(pd.notna(household) & (rng.random(n) < 0.7), household, own)
    old = p.old_phone.to_numpy()[tx_idx]
    phone = np.where(pd.notna(old) & (rng.random(n) < 0.5), old, phone)
    # 2% of identified transactions were typed with the store's counter phone.
    counter = rng.random(n) < 0.02
    phone = np.where(counter, _pick(rng, COUNTER_PHONES, n), phone)
    phone = _digit_error(rng, phone, 0.01)
    has_account = np.isin(tx_idx, web)
    frames.append(_frame(
        "pos", np.char.mod("T%08d", np.arange(n)), tx_idx, p, rng, **names,
        email=_mask(p.email.to_numpy()[tx_idx], rng.random(n) < 0.1),
        email_verified=False,
        phone_e164=_mask(phone, counter | (rng.random(n) < 0.85)),
        city=p.city.to_numpy()[tx_idx], _via_counter_phone=counter,
        account_id=_mask(np.char.mod("u%06d", tx_idx), has_account & (rng.random(n) < 0.4)),
    ))

    # email list: the primary or the second address
    subs = np.flatnonzero(rng.random(people_count) < 0.35)
    n = len(subs)
    second = p.email2.to_numpy()[subs]
    use_second = pd.notna(second) & (rng.random(n) < 0.5)
    addr = np.where(use_second, second, p.email.to_numpy()[subs])
    names = _name_columns(rng, p.family.to_numpy()[subs], np.full(n, None),
                          p.given.to_numpy()[subs], np.zeros(n, bool), rng.random(n) < 0.2)
    has_bday = rng.random(n) < 0.5
    bday = pd.to_datetime(p.birth_date.to_numpy()[subs])
    frames.append(_frame(
        "email", addr, subs, p, rng, **names, email=addr, email_verified=True,
        phone_e164=_mask(p.phone.to_numpy()[subs], rng.random(n) < 0.3),
        birth_month=np.where(has_bday, bday.month, np.nan),
        birth_day=np.where(has_bday, bday.day, np.nan),
        city=_mask(p.city.to_numpy()[subs], rng.random(n) < 0.5),
    ))

    # social profiles
    soc = np.flatnonzero(rng.random(people_count) < 0.25)
    n = len(soc)
    names = _name_columns(rng, p.family.to_numpy()[soc], np.full(n, None),
                          p.given.to_numpy()[soc], rng.random(n) < 0.2, rng.random(n) < 0.1)
    frames.append(_frame(
        "social", np.char.add(np.char.add(_pick(rng, PLATFORMS, n).astype(str), ":"),
                              np.char.mod("%09d", rng.choice(10**9, n, replace=False))),
        soc, p, rng, **names,
        email=_mask(p.email.to_numpy()[soc], rng.random(n) < 0.2), email_verified=False,
        phone_e164=_mask(p.phone.to_numpy()[soc], rng.random(n) < 0.15),
        city=_mask(p.city.to_numpy()[soc], rng.random(n) < 0.4),
    ))

    # sales contacts (B2B and VIP)
    sales = np.flatnonzero(rng.random(people_count) < 0.03)
    n = len(sales)
    names = _name_columns(rng, p.family.to_numpy()[sales], p.middle.to_numpy()[sales],
                          p.given.to_numpy()[sales], np.zeros(n, bool), np.zeros(n, bool))
    frames.append(_frame(
        "sales", np.char.mod("C%06d", np.arange(n)), sales, p, rng, **names,
        email=p.email.to_numpy()[sales], email_verified=False,
        phone_e164=p.phone.to_numpy()[sales],
        birth_date=_noisy_dates(rng, p.birth_date.to_numpy()[sales], 0.03),
        gender=p.gender.to_numpy()[sales], city=p.city.to_numpy()[sales],
    ))

    records = pd.concat(frames, ignore_index=True)
    walk_ins = _walk_ins(rng, people_count, len(records))
    records = pd.concat([records, walk_ins], ignore_index=True)
    return _finish(records)


def _walk_ins(rng: np.random.Generator, people_count: int, offset: int) -> pd.DataFrame:
    """Anonymous walk-ins, each a separate person, often typed with a counter phone."""
    n = max(10, people_count // 10)
    with_counter = rng.random(n) < 0.6
    given_only = rng.random(n) < 0.3
    fam = _pick(rng, FAMILY, n, FAMILY_WEIGHT)
    giv = _pick(rng, np.concatenate([GIVEN_F, GIVEN_M]), n)
    names = _name_columns(rng, fam, np.full(n, None), giv, given_only, ~given_only)
    start = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 600, n), "D")
    frame = pd.DataFrame({
        "source": "pos",
        "source_record_id": np.char.mod("W%08d", np.arange(n) + offset),
        "first_seen_at": start, "last_seen_at": start, "source_trust": SOURCE_TRUST["pos"],
        "_person": np.char.mod("w%07d", np.arange(n)),
        "_via_counter_phone": with_counter,
        "phone_e164": _mask(_pick(rng, COUNTER_PHONES, n), with_counter),
        **names,
    })
    return frame


def _finish(records: pd.DataFrame) -> SyntheticData:
    for col in COLUMNS:
        if col not in records:
            records[col] = None
    records["_via_counter_phone"] = records.get("_via_counter_phone", False)
    records["_via_counter_phone"] = records["_via_counter_phone"].fillna(False).astype(bool)
    records["email_valid"] = records["email"].notna()
    records["email_verified"] = records["email_verified"].fillna(False).astype(bool)
    records["phone_valid"] = records["phone_e164"].notna()
    records["birth_date"] = pd.to_datetime(records["birth_date"]).dt.date
    bd = pd.to_datetime(records["birth_date"])
    records["birth_month"] = records["birth_month"].astype("float").fillna(bd.dt.month)
    records["birth_day"] = records["birth_day"].astype("float").fillna(bd.dt.day)
    for col in ("birth_month", "birth_day"):
        records[col] = records[col].astype("Int64")
    truth = pd.DataFrame({
        "source": records["source"], "source_record_id": records["source_record_id"],
        "person_id": records["_person"], "via_counter_phone": records["_via_counter_phone"],
    })
    return SyntheticData(records=records[COLUMNS].copy(), truth=truth)


def input_frame(rows: list[dict]) -> pd.DataFrame:
    """Identity input rows from partial dicts (tests, examples): missing columns get
    neutral defaults, flags are derived from the values, names are split and keyed.

    ``name`` (optional) is a "family middle given" string filling the name columns.
    """
    filled = []
    for i, row in enumerate(rows):  # hand-written rows: a handful, not source data
        r = dict(row)
        name = r.pop("name", None)
        if name is not None:
            parts = name.lower().split()
            r.setdefault("full_name", name.title())
            r.setdefault("name_key", " ".join(parts))
            r.setdefault("family_name", parts[0] if len(parts) > 1 else None)
            r.setdefault("middle_name", " ".join(parts[1:-1]) or None)
            r.setdefault("given_name", parts[-1])
        r.setdefault("source", "pos")
        r.setdefault("source_record_id", f"R{i:05d}")
        r.setdefault("first_seen_at", pd.Timestamp("2025-01-01") + pd.Timedelta(days=i))
        r.setdefault("last_seen_at", r["first_seen_at"])
        r.setdefault("email_verified", r.get("source") in ("web", "email") and "email" in r)
        r.setdefault("source_trust", SOURCE_TRUST.get(r["source"], 1))
        filled.append(r)
    frame = pd.DataFrame(filled)
    for col in COLUMNS:
        if col not in frame:
            frame[col] = None
    frame["email_valid"] = frame["email"].notna()
    frame["phone_valid"] = frame["phone_e164"].notna()
    frame["email_verified"] = frame["email_verified"].fillna(False).astype(bool)
    frame["birth_date"] = pd.to_datetime(frame["birth_date"]).dt.date
    bd = pd.to_datetime(frame["birth_date"])
    frame["birth_month"] = frame["birth_month"].astype("float").fillna(bd.dt.month).astype("Int64")
    frame["birth_day"] = frame["birth_day"].astype("float").fillna(bd.dt.day).astype("Int64")
    for col in ("full_name", "name_key", "family_name", "middle_name", "given_name", "email",
                "phone_e164", "gender", "city", "account_id"):
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame[COLUMNS]
