"""``generate(config) -> Manifest``: the library entry point behind ``cdp-generate``."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from generator import corruption as C
from generator import textops as tx
from generator import vocab as V
from generator.config import GeneratorConfig, rng_for
from generator.people import (
    CITY_NAMES,
    FAMILY,
    GIVEN,
    MIDDLE,
    People,
    build_people,
    duplicated,
)
from generator.sources import email, pos, sales, social, web
from generator.sources.common import (
    Context,
    SourceOutput,
    TruthPart,
    WalkIns,
    build_ids,
    build_stores,
)
from generator.timeline import Timeline
from generator.writers import MalformedPlanner, drop_files, inject_malformed, write_table
from ingest.contract import ENTITIES

VERSION = "0.1.0"
SOURCE_BUILDERS: tuple[tuple[str, Callable[[Context], SourceOutput]], ...] = (
    ("pos", pos.build), ("web", web.build), ("email", email.build), ("social", social.build),
    ("sales", sales.build),
)
HOUSEHOLD_ROLES = ["head", "spouse", "child"]
TRUTH_FILES = ("ground_truth.parquet", "people.parquet", "malformed_rows.csv", "manifest.json")


@dataclass
class Manifest:
    """What a run wrote: arguments, per-file counts and applied corruption rates."""

    config: dict[str, Any]
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    counts: dict[str, Any] = field(default_factory=dict)
    corruptions: dict[str, dict[str, float]] = field(default_factory=dict)
    malformed: list[tuple[str, int, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        by_kind: dict[str, int] = {}
        for _, _, kind in self.malformed:
            by_kind[kind] = by_kind.get(kind, 0) + 1
        return {
            "generator": f"cdp-generate {VERSION}",
            "args": self.config,
            "counts": self.counts,
            "files": self.files,
            "corruptions": self.corruptions,
            "malformed_rows": dict(sorted(by_kind.items())),
        }


def generate(config: GeneratorConfig, log: Callable[[str], None] | None = None) -> Manifest:
    """Write the landing zone and the ground truth for ``config``; deterministic."""
    config.validate()
    say = log or (lambda _msg: None)
    clock = time.perf_counter()

    def step(msg: str) -> None:
        say(f"[{time.perf_counter() - clock:7.1f}s] {msg}")

    landing, truth_dir = Path(config.landing_dir), Path(config.truth_dir)
    if config.clean:
        for old in existing_outputs(landing, truth_dir):
            old.unlink()
    before = {p for p in existing_outputs(landing, truth_dir) if p.parent.parent == landing}
    landing.mkdir(parents=True, exist_ok=True)
    truth_dir.mkdir(parents=True, exist_ok=True)
    timeline = Timeline(config.start_date, config.days, int(config.volumes["history_days"]))
    tally = C.Tally()
    people = build_people(config, timeline)
    stores = build_stores(config, np.concatenate([people.phone, people.old_phone]))
    _tally_people(people, tally)
    ids = build_ids(config, people, timeline)
    ctx = Context(config, people, timeline, tally, ids, stores, WalkIns())
    step(f"population: {people.n:,} people")
    manifest = Manifest(config=config.to_dict())
    planner = MalformedPlanner(config.rates, rng_for(config.seed, "malformed"))
    truth_parts: list[TruthPart] = []
    for name, builder in SOURCE_BUILDERS:
        out = builder(ctx)
        truth_parts.extend(out.truth)
        for entity in out.entities:
            rng = rng_for(config.seed, f"drops:{entity.prefix}")
            for f in drop_files(entity, config, timeline, rng, tally):
                path = landing / f.path
                write_table(f.table, path, f.fmt)
                placed = inject_malformed(path, f.fmt, planner.counts(f.fmt, f.table.num_rows),
                                          rng)
                manifest.malformed.extend((f.path, line, kind) for line, kind in placed)
                manifest.files[f.path] = {
                    "entity": f.prefix, "date": f.date, "format": f.fmt,
                    "rows": f.table.num_rows, "duplicate_rows": f.duplicate_rows,
                    "redelivered_rows": f.redelivered_rows, "malformed_rows": len(placed),
                    "omitted_columns": f.omitted_columns,
                }
        del out
        step(f"{name}: written")
    _resend(config, timeline, manifest, landing, tally)
    for info_path, info in manifest.files.items():
        data = (landing / info_path).read_bytes()
        info["bytes"] = len(data)
        info["sha256"] = hashlib.sha256(data).hexdigest()
    step("files hashed")

    truth = _truth_table(truth_parts, people, ctx.walk_ins.count)
    pq.write_table(truth, truth_dir / "ground_truth.parquet")
    sources = _sources_per_person(truth)
    pq.write_table(_people_table(people, ctx, sources), truth_dir / "people.parquet")
    _write_malformed(truth_dir / "malformed_rows.csv", manifest.malformed)
    sources_col = truth["source"].to_numpy()
    manifest.counts = {
        "people": people.n,
        "walk_in_people": ctx.walk_ins.count,
        "households": len(np.unique(people.household[people.household >= 0])),
        "stores": len(stores.store_id),
        "files": len(manifest.files),
        "rows": int(sum(f["rows"] for f in manifest.files.values())),
        "truth_records": {s: int((sources_col == s).sum()) for s in
                          ("pos", "web", "email", "social", "sales")},
    }
    manifest.corruptions = tally.as_dict()
    (truth_dir / "manifest.json").write_text(
        json.dumps(manifest.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    step("ground truth written")
    stale = before - set(existing_outputs(landing, truth_dir, only=manifest.files))
    if stale:
        say(f"warning: {len(stale)} files from an earlier run are still in the landing zone "
            f"(e.g. {sorted(stale)[0]}); use --clean to remove them")
    return manifest


def existing_outputs(landing: Path, truth_dir: Path,
                     only: dict[str, Any] | None = None) -> list[Path]:
    """Files a run writes: landing files named like contract entities, the truth files."""
    out = []
    for e in ENTITIES:
        folder = landing / e.source
        if folder.is_dir():
            for ext in ("csv", "jsonl", "parquet"):
                out.extend(p for p in folder.glob(f"{e.name}_*.{ext}")
                           if only is None or f"{e.source}/{p.name}" in only)
    if only is None:
        out.extend(truth_dir / n for n in TRUTH_FILES if (truth_dir / n).exists())
    return sorted(out)


def _tally_people(people: People, tally: C.Tally) -> None:
    n = people.n
    tally.add("household_shared_phone", (people.household >= 0).sum(), n)
    tally.add("phone_changed", (people.old_phone > 0).sum(), n)
    tally.add("second_email", people.has_email2.sum(), n)
    tally.add("namesake", people.namesakes.sum(), n)


def _resend(config: GeneratorConfig, timeline: Timeline, manifest: Manifest, landing: Path,
            tally: C.Tally) -> None:
    """Deliver whole files a second time under ``<entity>_<date>_resend.<ext>``."""
    count = int(config.rates["resend_file"])
    names = sorted(manifest.files)
    later = [n for n in names if manifest.files[n]["date"] != timeline.start_date.isoformat()]
    pool = later or names
    preferred = [n for n in pool if n.startswith("pos/transactions_")]
    rng = rng_for(config.seed, "resend")
    chosen = preferred[:1] + [n for n in rng.permutation(pool).tolist() if n not in preferred]
    chosen = chosen[: min(count, len(pool))]
    tally.add("resend_file", len(chosen), len(names))
    for name in sorted(chosen):
        stem, ext = name.rsplit(".", 1)
        copy = f"{stem}_resend.{ext}"
        shutil.copyfile(landing / name, landing / copy)
        manifest.files[copy] = {**manifest.files[name], "resend_of": name}
        manifest.malformed.extend(
            (copy, line, kind) for f, line, kind in list(manifest.malformed) if f == name)


def _truth_table(parts: list[TruthPart], people: People, n_walk: int) -> pa.Table:
    """One row per (source, source_record_id); ids are unique by construction (checked)."""
    tables = []
    for part in parts:
        n = len(part.person)
        via = part.via_counter_phone if part.via_counter_phone is not None else np.zeros(n, bool)
        tables.append(pa.table({
            "source": tx.const(part.source, n),
            "source_record_id": tx.flat(part.record_id),
            "person_idx": pa.array(part.person, pa.int64()),
            "via_counter_phone": pa.array(via, pa.bool_()),
        }))
    t = pa.concat_tables(tables).combine_chunks()
    key = tx.join(t["source"].combine_chunks(), t["source_record_id"].combine_chunks(), sep=":")
    if key.null_count or duplicated(key).any():
        raise AssertionError("ground truth: a source_record_id is missing or not unique")
    idx = t["person_idx"].to_numpy()
    ids = _all_person_ids(people, n_walk)
    household = tx.null_where(tx.join("H", tx.int_str(np.maximum(people.household, 0) + 1, 6)),
                              people.household < 0)
    household_all = pa.concat_arrays([household, pa.nulls(n_walk, pa.string())])
    return pa.table({
        "source": t["source"],
        "source_record_id": t["source_record_id"],
        "person_id": ids.take(pa.array(idx)),
        "household_id": household_all.take(pa.array(idx)),
        "is_walk_in": pa.array(idx >= people.n),
        "via_counter_phone": t["via_counter_phone"],
    })


def _all_person_ids(people: People, n_walk: int) -> pa.Array:
    walk = tx.join("W", tx.int_str(np.arange(1, n_walk + 1), 7))
    return pa.concat_arrays([tx.flat(people.person_id), walk])


def _sources_per_person(truth: pa.Table) -> list[pa.Array]:
    return [truth.filter(pc.equal(truth["source"], s))["person_id"] for s in
            ("pos", "web", "email", "social", "sales")]


def _people_table(people: People, ctx: Context, sources: list[pa.Array]) -> pa.Table:
    n, w = people.n, ctx.walk_ins.count
    ids = _all_person_ids(people, w)
    pad = pa.nulls(w, pa.string())

    def full(a: pa.Array) -> pa.Array:
        return pa.concat_arrays([tx.flat(a).cast(pa.string()), pad])

    has_old = people.old_phone > 0
    e164 = C.e164(people.phone)
    old = C.e164(np.where(has_old, people.old_phone, 0))
    phones = pa.ListArray.from_arrays(
        pa.array(np.concatenate([[0], np.cumsum(1 + has_old)]).astype(np.int32)),
        tx.flat(pc.drop_null(pa.array(np.column_stack([e164.to_numpy(zero_copy_only=False),
                                                       old.to_numpy(zero_copy_only=False)]
                                                      ).ravel(), pa.string()))))
    emails = pa.ListArray.from_arrays(
        pa.array(np.concatenate([[0], np.cumsum(1 + people.has_email2)]).astype(np.int32)),
        tx.flat(pc.drop_null(pa.array(np.column_stack([
            people.email.to_numpy(zero_copy_only=False),
            people.email2.to_numpy(zero_copy_only=False)]).ravel(), pa.string()))))
    counter = (np.concatenate(ctx.walk_ins.counter_phone) if ctx.walk_ins.counter_phone
               else np.zeros(0, np.int64))
    walk_names = (pa.concat_arrays([tx.flat(a) for a in ctx.walk_ins.name])
                  if ctx.walk_ins.name else pa.nulls(0, pa.string()))
    src_lists = _source_lists(ids, sources)
    company = tx.null_where(tx.take([c for c, _ in V.COMPANIES], np.maximum(people.company, 0)),
                            people.company < 0)
    return pa.table({
        "person_id": ids,
        "is_walk_in": pa.array(np.arange(n + w) >= n),
        "full_name": full(people.full_name()),
        "family_name": full(tx.take(FAMILY, people.family)),
        "middle_name": full(tx.take(MIDDLE, people.middle)),
        "given_name": full(tx.take(GIVEN, people.given)),
        "walk_in_name": pa.concat_arrays([pa.nulls(n, pa.string()), walk_names]),
        "gender": full(tx.take(["female", "male"], people.gender)),
        "birth_date": pa.concat_arrays([
            pa.array(people.birth_days.astype(np.int32), pa.date32()), pa.nulls(w, pa.date32())]),
        "city": full(tx.take(CITY_NAMES, people.city)),
        "is_foreign": pa.array(np.concatenate([people.foreign, np.zeros(w, bool)])),
        "phone": full(e164),
        "old_phone": full(old),
        "phone_changed_at": pa.concat_arrays([
            pa.array(np.where(has_old, people.phone_changed_at, 0), pa.timestamp("s"),
                     mask=~has_old), pa.nulls(w, pa.timestamp("s"))]),
        "phones": pa.concat_arrays([phones, pa.nulls(w, pa.list_(pa.string()))]),
        "is_landline": pa.array(np.concatenate([people.landline, np.zeros(w, bool)])),
        "email": full(people.email),
        "email2": full(people.email2),
        "emails": pa.concat_arrays([emails, pa.nulls(w, pa.list_(pa.string()))]),
        "company": full(company),
        "household_id": full(tx.null_where(
            tx.join("H", tx.int_str(np.maximum(people.household, 0) + 1, 6)),
            people.household < 0)),
        "household_role": full(tx.take(HOUSEHOLD_ROLES, people.household_role)),
        "phone_shared": pa.array(np.concatenate([people.phone_shared, np.zeros(w, bool)])),
        "uses_counter_phone": pa.array(np.concatenate([np.zeros(n, bool), counter > 0])),
        "counter_phone": pa.concat_arrays([pa.nulls(n, pa.string()), tx.flat(C.e164(counter))]),
        "sources": src_lists,
    })


def _source_lists(ids: pa.Array, sources: list[pa.Array]) -> pa.Array:
    """list<string> of the sources each person appears in (vectorised)."""
    names = np.array(["pos", "web", "email", "social", "sales"], dtype=object)
    flags = np.zeros((len(ids), len(names)), dtype=bool)
    for j, s in enumerate(sources):
        loc = pc.index_in(s, value_set=ids).fill_null(-1).to_numpy()
        flags[loc[loc >= 0], j] = True
    counts = flags.sum(axis=1)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    values = np.broadcast_to(names, flags.shape)[flags]
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(values, pa.string()))


def _write_malformed(path: Path, rows: list[tuple[str, int, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["file", "line", "kind"])
        for row in sorted(rows):
            w.writerow(row)


def default_log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)

