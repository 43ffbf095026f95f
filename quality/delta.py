"""Validate only the rows of a frame that changed since its last accepted run.

The identity and marts tables are rebuilt on every run, but a daily drop changes few of
their rows. A frame qualifies (:func:`row_local`) when every rule reads one row at a
time and tolerates no failing row: then the verdict on the whole frame is the verdict
on its rows that were not accepted before, because an accepted row passed every rule
and an unchanged row still does. What a row is compared on is everything its rules
can see: the frame's columns as DuckDB derives them over the *whole* table (a golden
id's row count, a record's xref count, a cluster's size), so a row whose global
context changed is a changed row.

State, in the warehouse (schema ``quality``):

* ``quality.accepted_frames``: per frame, the fingerprint of its SQL and rules at the
  last acceptance (a changed rule, threshold or query re-judges every row);
* ``quality."accepted__<frame>"``: the hashes (DuckDB ``hash`` of the frame row) of the
  rows that run accepted and that still exist.

A frame's rows are accepted only when every rule of the frame passed (warnings too, so
a warning is reported for as long as its rows exist); rows left out of a sample are not
accepted, so a later run validates them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from quality.config import Thresholds
from quality.frames import frame, sampled, scalar
from quality.rules import Rule

ROW_HASH = "_row_hash"
#: Expectations that judge each row on its own (GX "column map" expectations).
ROW_LOCAL = ("ExpectColumnValuesTo",)

_DDL = """
CREATE SCHEMA IF NOT EXISTS quality;
CREATE TABLE IF NOT EXISTS quality.accepted_frames (
    frame       VARCHAR PRIMARY KEY,
    fingerprint VARCHAR NOT NULL,
    accepted_at TIMESTAMPTZ NOT NULL,
    rows        BIGINT NOT NULL
);
"""


def row_local(rules: Sequence[Rule]) -> bool:
    """Every rule judges one row by itself and tolerates no failing row."""
    return bool(rules) and all(
        r.expectation.startswith(ROW_LOCAL) and float(r.kwargs.get("mostly", 1.0)) == 1.0
        for r in rules
    )


def fingerprint(sql: str, rules: Sequence[Rule]) -> str:
    """What the accepted rows were judged by: the frame's query and its rules."""
    spec = [sql, [[r.check, r.expectation, r.kwargs, r.severity] for r in rules]]
    return hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)


def accepted_table(name: str) -> str:
    return f'quality."accepted__{_safe(name)}"'


def _current_table(name: str) -> str:
    return f'"quality_current__{_safe(name)}"'  # a temporary table of this connection


@dataclass(frozen=True)
class Delta:
    """The rows of one frame to validate: those not accepted before (or a sample)."""

    name: str
    fingerprint: str
    data: Any  # pandas frame of the rows to validate (without the hash column)
    hashes: Any  # their row hashes, aligned with ``data``
    total: int  # rows of the whole frame
    changed: int  # rows not accepted before
    sampled: bool
    baseline: bool  # whether an accepted set with this fingerprint existed


def changed_rows(
    con: duckdb.DuckDBPyConnection,
    name: str,
    sql: str,
    rules: Sequence[Rule],
    t: Thresholds,
    *,
    sample: bool = True,
) -> Delta:
    """The rows of ``sql`` whose hash is not among the frame's accepted rows (all rows when
    nothing was accepted under the same query and rules). Above ``sampling.max_rows``
    changed rows, a sample of them (unless ``sample`` is False)."""
    con.execute(_DDL)
    judged_by = fingerprint(sql, rules) if row_local(rules) else ""  # "": never accepted
    stored = con.execute(
        "SELECT fingerprint FROM quality.accepted_frames WHERE frame = ?", [name]
    ).fetchall()
    baseline = bool(judged_by) and bool(stored) and stored[0][0] == judged_by
    current = _current_table(name)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {current} AS SELECT hash(f) AS row_hash FROM ({sql}) f"
    )
    total = int(scalar(con, f"SELECT count(*) FROM {current}"))
    rows = f"SELECT *, hash(f) AS {ROW_HASH} FROM ({sql}) f"
    count = f"SELECT count(*) FROM {current}"
    if baseline:
        accepted = accepted_table(name)
        rows = f"SELECT r.* FROM ({rows}) r ANTI JOIN {accepted} a ON r.{ROW_HASH} = a.row_hash"
        count = (
            f"SELECT count(*) FROM {current} c ANTI JOIN {accepted} a ON c.row_hash = a.row_hash"
        )
    if sample:
        data, changed, was_sampled = sampled(con, rows, t, count_sql=count)
    else:
        data = frame(con, rows)
        changed, was_sampled = len(data), False
    hashes = data.pop(ROW_HASH)
    return Delta(name, judged_by, data, hashes, total, changed, was_sampled, baseline)


def finish(con: duckdb.DuckDBPyConnection, delta: Delta, accept: bool, now: datetime) -> None:
    """Accept the validated rows of ``delta`` (with the earlier accepted rows that still
    exist) when ``accept``; drop the connection's temporary table either way."""
    current = _current_table(delta.name)
    if accept and delta.fingerprint:
        accepted = accepted_table(delta.name)
        if delta.sampled:  # only what was validated, plus what had been accepted before
            con.register("quality_validated", delta.hashes.to_frame("row_hash"))
            earlier = f"OR row_hash IN (SELECT row_hash FROM {accepted})" if delta.baseline else ""
            kept = (
                f"SELECT row_hash FROM {current} WHERE row_hash IN "
                f"(SELECT row_hash FROM quality_validated) {earlier}"
            )
        else:
            kept = f"SELECT row_hash FROM {current}"
        con.execute(f"CREATE OR REPLACE TEMP TABLE quality_accepting AS {kept}")
        if delta.sampled:
            con.unregister("quality_validated")
        con.execute(f"CREATE OR REPLACE TABLE {accepted} AS SELECT row_hash FROM quality_accepting")
        con.execute("DROP TABLE quality_accepting")
        con.execute(
            "INSERT OR REPLACE INTO quality.accepted_frames VALUES (?, ?, ?, ?)",
            [delta.name, delta.fingerprint, now, delta.total],
        )
    con.execute(f"DROP TABLE IF EXISTS {current}")


def frames_passed(rules: Sequence[Rule], outcomes: Sequence[Any]) -> dict[str, bool]:
    """Per frame: whether every rule reading it passed (``outcomes`` of those rules)."""
    frame_of = {r.check: r.frame for r in rules}
    passed = {r.frame: True for r in rules}
    for o in outcomes:
        if o.check in frame_of and not o.success:
            passed[frame_of[o.check]] = False
    return passed


def finish_frames(
    con: duckdb.DuckDBPyConnection,
    deltas: dict[str, Delta],
    rules: Sequence[Rule],
    outcomes: Sequence[Any],
    accept: bool,
    now: datetime,
) -> None:
    """:func:`finish` every frame of a gate: a frame's rows are accepted when ``accept``
    and every rule reading that frame passed."""
    passed = frames_passed(rules, outcomes)
    for key, delta in deltas.items():
        finish(con, delta, accept and passed.get(key, False), now)
