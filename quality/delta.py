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
  rows accepted under that fingerprint (hashes of rows that no longer exist may stay until
  the set is compacted: an identical row passes the same rules again).

Every changed row is judged in the run that sees it: DuckDB flags the rows a rule could
fail (:func:`may_fail_sql`, never fewer than GX fails), GX validates every flagged row and
a sample of the others (which pass by construction; the sample cross-checks the flags).
The frame's query, the row hashes and the flags are one DuckDB pass, so no frame of
millions of rows reaches pandas, and a run writes the hashes of the rows it judged only.

A frame's rows are accepted only when every rule of the frame passed (warnings too, so
a warning is reported for as long as its rows exist); flagged rows left out of a sample
(above ``sampling.max_rows`` flagged rows) are not accepted, so a later run validates
them.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from ingest.sql import ident, literal
from quality.config import Thresholds
from quality.frames import frame, sample_clause
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


def _sql_value(value: Any) -> str | None:
    """A rule bound or set member as a DuckDB literal (None: a type the pre-check skips)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float) and math.isfinite(value):
        return repr(value)
    if isinstance(value, str):
        return literal(value)
    return None


def _values(values: Sequence[Any]) -> str | None:
    rendered = [_sql_value(v) for v in values]
    return None if any(v is None for v in rendered) else ", ".join(rendered)  # type: ignore[arg-type]


def may_fail_sql(rule: Rule) -> str | None:
    """A DuckDB condition true for every row ``rule`` could fail, or None when the rule has
    no such condition here (then every row goes to Great Expectations).

    It may flag more rows than GX fails (a NaN is missing to GX but out of range here),
    never fewer: a row it does not flag passes the rule, so GX needs to see only the
    flagged rows for an exact verdict (plus a sample of the others, as a cross-check)."""
    column = rule.kwargs.get("column")
    if not column or float(rule.kwargs.get("mostly", 1.0)) != 1.0:
        return None
    c = ident(str(column))
    if rule.expectation == "ExpectColumnValuesToNotBeNull":
        return f"({c} IS NULL OR {c}::VARCHAR IN ('nan', '-nan'))"  # NaN is missing to GX
    if rule.expectation == "ExpectColumnValuesToBeBetween":
        if rule.kwargs.get("strict_min") or rule.kwargs.get("strict_max"):
            return None
        bounds = []
        for key, op in (("min_value", ">="), ("max_value", "<=")):
            if rule.kwargs.get(key) is not None:
                value = _sql_value(rule.kwargs[key])
                if value is None:
                    return None
                bounds.append(f"{c} {op} {value}")
        return f"({c} IS NOT NULL AND NOT ({' AND '.join(bounds) or 'true'}))"
    if rule.expectation in ("ExpectColumnValuesToBeInSet", "ExpectColumnValuesToNotBeInSet"):
        values = _values(rule.kwargs.get("value_set") or [])
        if values is None:
            return None
        if not values:  # an empty set: every present value fails "in", none fails "not in"
            return f"({c} IS NOT NULL)" if rule.expectation.endswith("BeInSet") else "false"
        negate = "NOT " if rule.expectation == "ExpectColumnValuesToBeInSet" else ""
        return f"({c} IS NOT NULL AND {negate}({c} IN ({values})))"
    return None


def frame_may_fail_sql(rules: Sequence[Rule]) -> str:
    """True for a row some rule of the frame could fail ("true": every row, when a rule
    has no condition or the frame is not row-local)."""
    if not row_local(rules):
        return "true"
    conditions = [may_fail_sql(r) for r in rules]
    if any(c is None for c in conditions):
        return "true"
    return "coalesce(" + " OR ".join(conditions) + ", true)"  # type: ignore[arg-type]


@dataclass(frozen=True)
class Delta:
    """The rows of one frame to validate: those not accepted before.

    Every changed row is judged: DuckDB flags the rows a rule could fail
    (:func:`may_fail_sql`), GX validates every flagged row (a sample above
    ``sampling.max_rows``) and a sample of ``sampling.passing_rows`` of the others."""

    name: str
    fingerprint: str
    data: Any  # pandas frame of the rows GX validates (without the hash column)
    hashes: Any  # their row hashes, aligned with ``data``
    total: int  # rows of the whole frame
    changed: int  # rows not accepted before (all judged)
    sampled: bool  # GX saw a sample of the flagged rows: only what it saw can be accepted
    baseline: bool  # whether an accepted set with this fingerprint existed
    flagged: int = 0  # changed rows a rule could fail (all of them go to GX unless sampled)
    sql: str = ""  # the frame's query
    complete: bool = True  # the temporary table holds every row (else the changed ones)


def _current_sql(sql: str, condition: str, accepted: str | None, changed_only: bool) -> str:
    """Per row of the frame: its hash, whether it changed, whether a rule could fail it,
    and (changed rows only) the row itself; the frame's query runs once. ``changed_only``
    keeps the changed rows alone: DuckDB filters on the hash before it builds the row, so
    a frame in which few rows changed costs little more than its hashes."""
    changed = f"NOT (row_hash IN (SELECT row_hash FROM {accepted}))" if accepted else "true"
    framed = f"SELECT hash(f) AS row_hash, f AS row, {condition} AS may_fail FROM ({sql}) f"
    if changed_only and accepted:
        return (
            "SELECT row_hash, true AS changed, may_fail AS flagged, row "
            f"FROM ({framed}) WHERE {changed}"
        )
    return (
        f"WITH framed AS ({framed}),\n"
        f"marked AS (SELECT row_hash, row, may_fail, {changed} AS changed FROM framed)\n"
        "SELECT row_hash, changed, changed AND may_fail AS flagged, "
        "CASE WHEN changed THEN row END AS row FROM marked"
    )


def _rows_sql(current: str, where: str, sample: str) -> str:
    """The frame rows of ``current`` matching ``where``, or a sample of them: the sample
    picks row ids, then the rows are read (a reservoir of whole rows is slow)."""
    rows = f"SELECT row.*, row_hash AS {ROW_HASH} FROM {current}"
    if not sample:
        return f"{rows} WHERE {where}"
    ids = f"SELECT id FROM (SELECT rowid AS id FROM {current} WHERE {where}){sample}"
    return f"{rows} WHERE rowid IN ({ids})"


def changed_rows(
    con: duckdb.DuckDBPyConnection,
    name: str,
    sql: str,
    rules: Sequence[Rule],
    t: Thresholds,
    *,
    sample: bool = True,
    count_sql: str | None = None,
) -> Delta:
    """The rows of ``sql`` whose hash is not among the frame's accepted rows (all rows when
    nothing was accepted under the same query and rules), of which GX validates the ones a
    rule could fail and a sample of the others. Above ``sampling.max_rows`` flagged rows,
    GX validates a sample of them (unless ``sample`` is False). ``count_sql``, a cheap
    query of the frame's row count (e.g. of the table a frame projects), lets the
    temporary table keep the changed rows only (:func:`_current_sql`)."""
    con.execute(_DDL)
    judged_by = fingerprint(sql, rules) if row_local(rules) else ""  # "": never accepted
    stored = con.execute(
        "SELECT fingerprint FROM quality.accepted_frames WHERE frame = ?", [name]
    ).fetchall()
    baseline = bool(judged_by) and bool(stored) and stored[0][0] == judged_by
    current = _current_table(name)
    accepted = accepted_table(name) if baseline else None
    condition = frame_may_fail_sql(rules)
    changed_only = count_sql is not None
    create = f"CREATE OR REPLACE TEMP TABLE {current} AS "
    try:
        con.execute(create + _current_sql(sql, condition, accepted, changed_only))
    except duckdb.Error:  # e.g. a rule on a column the frame lacks: GX judges every row
        con.execute(create + _current_sql(sql, "true", accepted, changed_only))
    total, changed, flagged = con.execute(
        f"SELECT count(*), count(*) FILTER (changed), count(*) FILTER (flagged) FROM {current}"
    ).fetchall()[0]
    complete = not (changed_only and accepted)
    if not complete:
        total = con.execute(str(count_sql)).fetchall()[0][0]
    flagged_clause = sample_clause(flagged, t) if sample else ""
    passing = int(t.values.get("sampling", {}).get("passing_rows", 10_000))
    passing_clause = (
        f" USING SAMPLE reservoir({passing} ROWS) REPEATABLE ({int(t.get('sampling.seed'))})"
    )
    data = frame(
        con,
        f"{_rows_sql(current, 'flagged', flagged_clause)}\nUNION ALL\n"
        f"{_rows_sql(current, 'changed AND NOT flagged', passing_clause)}",
    )
    hashes = data.pop(ROW_HASH)
    return Delta(
        name,
        judged_by,
        data,
        hashes,
        int(total),
        int(changed),
        bool(flagged_clause),
        baseline,
        int(flagged),
        sql,
        complete,
    )


def _needs_compaction(con: duckdb.DuckDBPyConnection, accepted: str, rows: int) -> bool:
    """Whether the accepted hashes of a frame of ``rows`` rows have grown to twice its size
    (with hashes of rows that no longer exist): then they are rewritten from the frame."""
    return int(con.execute(f"SELECT count(*) FROM {accepted}").fetchall()[0][0]) > 2 * rows + 1000


def finish(con: duckdb.DuckDBPyConnection, delta: Delta, accept: bool, now: datetime) -> None:
    """Accept the rows of ``delta`` (every row of the frame) when ``accept``: all of them,
    or, when GX saw a sample of the flagged rows, all but the flagged rows it did not see.
    With a baseline only the changed rows are written (a drop writes what it changed).
    Drop the connection's temporary table either way."""
    current = _current_table(delta.name)
    if accept and delta.fingerprint:
        accepted = accepted_table(delta.name)
        judged = "true"
        if delta.sampled:  # flagged rows GX did not see stay to be judged by a later run
            con.register("quality_validated", delta.hashes.to_frame("row_hash"))
            judged = "(NOT flagged OR row_hash IN (SELECT row_hash FROM quality_validated))"
        if delta.baseline and not _needs_compaction(con, accepted, delta.total):
            # add the rows judged now; hashes of rows that no longer exist may stay: a row
            # with the same hash has the same values, so it passes the same rules again
            con.execute(
                f"INSERT INTO {accepted} SELECT row_hash FROM {current} WHERE changed AND {judged}"
            )
        elif delta.complete:
            con.execute(
                f"CREATE OR REPLACE TABLE {accepted} AS "
                f"SELECT row_hash FROM {current} WHERE {judged}"
            )
        else:  # compaction without the unchanged rows' hashes at hand: hash the frame again
            con.execute(
                "CREATE OR REPLACE TEMP TABLE quality_compacted AS SELECT row_hash "
                f"FROM (SELECT hash(f) AS row_hash FROM ({delta.sql}) f) WHERE row_hash IN "
                f"(SELECT row_hash FROM {accepted} UNION ALL "
                f"SELECT row_hash FROM {current} WHERE {judged})"
            )
            con.execute(f"CREATE OR REPLACE TABLE {accepted} AS FROM quality_compacted")
            con.execute("DROP TABLE quality_compacted")
        if delta.sampled:
            con.unregister("quality_validated")
        con.execute(
            "INSERT OR REPLACE INTO quality.accepted_frames VALUES (?, ?, ?, ?)",
            [delta.name, delta.fingerprint, now, delta.total],
        )
    con.execute(f"DROP TABLE IF EXISTS {current}")


def delta_details(deltas: dict[str, Delta]) -> dict[str, dict[str, int]]:
    """Per frame, for a gate's details: rows judged (changed since the last accepted run),
    rows accepted before, rows a rule could fail, rows GX validated."""
    return {
        "rows_validated": {k: d.changed for k, d in deltas.items()},
        "rows_accepted_before": {k: d.total - d.changed for k, d in deltas.items()},
        "rows_flagged": {k: d.flagged for k, d in deltas.items()},
        "rows_to_great_expectations": {k: len(d.data) for k, d in deltas.items()},
    }


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
