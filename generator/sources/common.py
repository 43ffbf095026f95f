"""Shared types and helpers for the source builders."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from generator import textops as tx
from generator import vocab as V
from generator.config import GeneratorConfig, rng_for
from generator.corruption import Tally
from generator.people import People, make_mobiles, unique_landlines, unique_numbers
from generator.timeline import Timeline
from ingest.contract import COLUMN_ORDER


@dataclass
class EntityOutput:
    """Rows of one entity over the whole run; ``drop`` says which daily file gets each row,
    ``time`` is the row's own timestamp (seconds; decides re-deliveries)."""

    prefix: str
    table: pa.Table
    drop: np.ndarray
    time: np.ndarray


@dataclass
class TruthPart:
    """source_record_id -> person index (walk-ins are numbered after the population)."""

    source: str
    record_id: pa.Array
    person: np.ndarray
    via_counter_phone: np.ndarray | None = None


@dataclass
class SourceOutput:
    entities: list[EntityOutput]
    truth: list[TruthPart]


@dataclass
class Stores:
    store_id: list[str]
    city: np.ndarray            # index into vocab.CITIES
    counter_phone: np.ndarray   # NSN of the counter phone
    weight: np.ndarray          # relative traffic


@dataclass
class Ids:
    """Identifiers issued by the brand's systems, shared between sources."""

    user_id: pa.Array           # primary web account / loyalty member number (null = none)
    user_created: np.ndarray    # when the primary account was opened (seconds)
    user_id2: pa.Array          # second web account (opened with the second email)
    store_card: pa.Array        # store-only loyalty card number


@dataclass
class WalkIns:
    """Anonymous walk-in customers: each is a separate person in the truth."""

    name: list[pa.Array] = field(default_factory=list)
    counter_phone: list[np.ndarray] = field(default_factory=list)
    count: int = 0


@dataclass
class Context:
    config: GeneratorConfig
    people: People
    timeline: Timeline
    tally: Tally
    ids: Ids
    stores: Stores
    walk_ins: WalkIns

    def rng(self, stream: str) -> np.random.Generator:
        return rng_for(self.config.seed, stream)

    @property
    def rates(self) -> dict[str, float]:
        return self.config.rates

    @property
    def vol(self) -> dict[str, float]:
        return self.config.volumes


def make_table(prefix: str, columns: dict[str, pa.Array]) -> pa.Table:
    """Contract column order; a missing optional column is added as all-null strings."""
    order = COLUMN_ORDER[prefix]
    extra = set(columns) - set(order)
    if extra:
        raise ValueError(f"{prefix}: columns outside the contract: {sorted(extra)}")
    n = len(next(iter(columns.values())))
    arrays = [tx.flat(columns[c]) if c in columns else pa.nulls(n, pa.string()) for c in order]
    return pa.table(arrays, names=list(order))


def build_stores(config: GeneratorConfig, phones_taken: np.ndarray) -> Stores:
    rng = rng_for(config.seed, "stores")
    ids, city, weight = [], [], []
    for ci, (name, w, _aliases, count) in enumerate(V.CITIES):
        for k in range(count):
            ids.append(f"{V.CITY_STORE_CODE[name]}{k + 1:02d}")
            city.append(ci)
            weight.append(w / max(count, 1) * (1.4 if k == 0 else 1.0))
    city_a = np.array(city)
    mobile = rng.random(len(ids)) < 0.4
    fixed = unique_landlines(rng, city_a, phones_taken)
    mob = unique_numbers(rng, len(ids), make_mobiles, np.concatenate([phones_taken, fixed]))
    phone = np.where(mobile, mob, fixed)
    return Stores(ids, city_a, phone, np.array(weight) / sum(weight))


def build_ids(config: GeneratorConfig, people: People, timeline: Timeline) -> Ids:
    rng = rng_for(config.seed, "ids")
    n = people.n
    created = np.where(people.has_account, timeline.delayed(rng, people.since, 20),
                       np.iinfo(np.int64).max)
    nums = rng.choice(90_000_000, size=2 * n, replace=False) + 10_000_000
    user = tx.join("M", tx.int_str(nums[:n]))
    user = tx.null_where(user, ~people.has_account)
    second = people.has_account & people.has_email2 & (rng.random(n) < 0.3)
    user2 = tx.null_where(tx.join("M", tx.int_str(nums[n:])), ~second)
    card_holder = people.in_pos & ~people.has_account & (
        rng.random(n) < config.participation["store_loyalty"])
    cards = rng.choice(900_000_000, size=n, replace=False) + 100_000_000
    card = tx.null_where(tx.join("TV", tx.int_str(cards)), ~card_holder)
    return Ids(user, created, user2, card)


def choose(rng: np.random.Generator, pairs: tuple[tuple[str, float], ...], n: int,
           ) -> pa.Array:
    values, p = V.weights(pairs)
    return tx.take(values, rng.choice(len(values), size=n, p=p))


def expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Owner index and position-within-owner for ``counts[i]`` children of each owner."""
    counts = np.asarray(counts, dtype=np.int64)
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    pos = np.arange(len(owner)) - starts[owner]
    return owner, pos


def versions(created: np.ndarray, updated: np.ndarray, timeline: Timeline,
             ) -> tuple[np.ndarray, np.ndarray]:
    """Which record versions are delivered: the state before an update goes to the drop of
    its creation unless the update already happened by then; the state after an update goes
    to the update's drop. Returns (emit_initial, emit_final) masks."""
    in_run = updated < timeline.end
    d_c, d_u = timeline.drop_of(created), timeline.drop_of(np.minimum(updated, timeline.end - 1))
    emit_final = in_run
    emit_initial = ~in_run | (d_u > d_c)
    return emit_initial, emit_final


def concat_outputs(prefix: str, parts: list[tuple[pa.Table, np.ndarray, np.ndarray]],
                   ) -> EntityOutput:
    """Concatenate (table, row time, drop) parts and sort by drop then time."""
    table = pa.concat_tables([p[0] for p in parts])
    t = np.concatenate([p[1] for p in parts])
    drop = np.concatenate([p[2] for p in parts])
    order = np.lexsort((t, drop))
    if np.array_equal(order, np.arange(len(order))):
        return EntityOutput(prefix, table, drop, t)
    return EntityOutput(prefix, table.take(pa.array(order)), drop[order], t[order])
