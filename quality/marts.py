"""Marts gate: ``marts.customer_360``, ``marts.customer_segments`` and metric ranges.

The rules attach to whatever marts tables exist: every numeric column whose name
matches a ``marts.ranges`` pattern of the thresholds file gets a range expectation.
A column declared ahead of the run (``declared``: the orchestration passes the columns
the dbt manifest documents) reports as its own ``<column>__in_range`` check; range
columns the table has at run time but nobody declared report together as the
``undeclared_metric_ranges`` check, so no range goes unchecked.
"""

from __future__ import annotations

import re
import time
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.sql import ident, literal
from quality.config import Thresholds, load_thresholds
from quality.delta import changed_rows, delta_details, finish_frames
from quality.frames import numeric_columns
from quality.gx_runner import DataDocs, Frame, data_docs, index_url, run_frames
from quality.results import ExpectationOutcome, GateResult
from quality.rules import Rule, apply_severities, check_name
from quality.state import ensure_quality_schema, record_results, table_exists

LAYER = "marts"
CUSTOMER_360 = "customer_360"
SEGMENTS = "customer_segments"
XREF = "identity.customer_xref"


UNDECLARED_RANGES = "undeclared_metric_ranges"


def range_check(column: str) -> str:
    """The check of one declared range column, e.g. ``latest_nps__in_range``."""
    return check_name(column, "in_range")


def range_spec(column: str, t: Thresholds) -> dict | None:
    """The first ``marts.ranges`` entry whose pattern matches ``column`` (or None)."""
    for spec in t.get("marts.ranges") or []:
        if re.search(spec["pattern"], column, flags=re.IGNORECASE):
            return spec
    return None


def range_columns(columns: Sequence[str], t: Thresholds) -> list[str]:
    """The columns among ``columns`` a ``marts.ranges`` pattern applies to."""
    return [c for c in columns if c != "golden_id" and range_spec(c, t) is not None]


def static_checks(table: str, declared: Sequence[str] = ()) -> list[tuple[str, str]]:
    """(check, default severity) of a marts table, known without the database:
    one ``<column>__in_range`` per declared range column, the catch-all for the others."""
    checks = [(range_check(c), "error") for c in dict.fromkeys(declared)]
    checks.append((UNDECLARED_RANGES, "error"))
    if table == CUSTOMER_360:
        checks += [("one_row_per_golden_id", "error"), ("every_golden_id_present", "error")]
    if table == SEGMENTS:
        checks += [("segment_families_known", "warn"), ("segments_known", "error")]
    return checks


def range_rules(
    columns: list[str], t: Thresholds, declared: Collection[str] | None = None
) -> list[Rule]:
    """A range rule per column matching a pattern: its own check when ``declared`` (None:
    every column is), else part of the ``undeclared_metric_ranges`` check."""
    rules = []
    for c in columns:
        spec = range_spec(c, t)
        if spec is None:
            continue
        low, high = spec.get("min"), spec.get("max")
        check = range_check(c) if declared is None or c in declared else UNDECLARED_RANGES
        rules.append(Rule(
            check, "table", "ExpectColumnValuesToBeBetween",
            {"column": c, "min_value": low, "max_value": high},
            description=f"`{c}` lies in [{low}, {high}] (pattern `{spec['pattern']}`).",
        ))  # fmt: skip
    return rules


def segment_vocabulary(
    t: Thresholds, catalogue: Sequence[tuple[str, str]] = ()
) -> dict[str, list[str]]:
    """Known segments per family: the dbt seed ``segment_catalogue`` (the one place the
    marts define them) plus any listed under ``marts.segments`` in the thresholds file."""
    vocab: dict[str, list[str]] = {}
    for family, segment in catalogue:
        vocab.setdefault(str(family), []).append(str(segment))
    for family, segments in (t.get("marts.segments") or {}).items():
        vocab.setdefault(str(family), []).extend(str(s) for s in segments)
    return vocab


def segment_catalogue(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    rows = con.execute(
        "SELECT table_schema FROM information_schema.tables WHERE table_name = "
        "'segment_catalogue' ORDER BY table_schema = 'reference' DESC LIMIT 1"
    ).fetchall()
    if not rows:
        return []
    schema = ident(rows[0][0])
    return con.execute(
        f"SELECT DISTINCT segment_family, segment FROM {schema}.segment_catalogue"
    ).fetchall()


def marts_rules(
    table: str,
    columns: list[str],
    t: Thresholds,
    vocab: dict[str, list[str]] | None = None,
    declared: Collection[str] | None = None,
) -> list[Rule]:
    rules = range_rules(columns, t, declared)
    if table == CUSTOMER_360:
        rules += [
            Rule("one_row_per_golden_id", "table", "ExpectColumnValuesToBeBetween",
                 {"column": "golden_id__rows", "min_value": 1, "max_value": 1},
                 description="customer_360 has one row per golden_id (and no empty golden_id)."),
            Rule("every_golden_id_present", "coverage", "ExpectColumnValuesToBeInSet",
                 {"column": "in_customer_360", "value_set": [True]},
                 description=f"Every golden id of {XREF} has its customer_360 row."),
        ]  # fmt: skip
    if table == SEGMENTS:
        vocab = vocab if vocab is not None else segment_vocabulary(t)
        pairs = [f"{f}:{s}" for f, segments in vocab.items() for s in segments]
        rules += [
            Rule("segment_families_known", "table", "ExpectColumnValuesToBeInSet",
                 {"column": "segment_family", "value_set": sorted(vocab)}, severity="warn",
                 description="Segment families are in the segment catalogue (dbt seed)."),
            Rule("segments_known", "table", "ExpectColumnValuesToBeInSet",
                 {"column": "known_family_segment", "value_set": pairs},
                 description="Segments of a listed family are from its vocabulary."),
        ]  # fmt: skip
    return apply_severities(rules, t, LAYER, table)


def table_sql(table: str, columns: list[str], vocab: dict[str, list[str]]) -> str:
    qualified = f"marts.{ident(table)}"
    select = [ident(c) for c in columns]
    if table == CUSTOMER_360:
        select += ["golden_id",
                   "CASE WHEN golden_id IS NULL THEN 0 ELSE count(*) OVER (PARTITION BY golden_id) "
                   "END AS golden_id__rows"]  # fmt: skip
    if table == SEGMENTS:
        families = ", ".join(literal(f) for f in vocab) or "NULL"
        select += ["golden_id", "segment_family",
                   f"CASE WHEN segment_family IN ({families}) "
                   "THEN segment_family || ':' || segment END AS known_family_segment"]  # fmt: skip
    return f"SELECT {', '.join(select) or '1 AS one'} FROM {qualified}"


COVERAGE_SQL = f"""
    SELECT g.golden_id, c.golden_id IS NOT NULL AS in_customer_360
    FROM (SELECT DISTINCT golden_id FROM {XREF} WHERE golden_id IS NOT NULL) g
    LEFT JOIN (SELECT DISTINCT golden_id FROM marts.customer_360) c USING (golden_id)
"""


def run_marts_gate(
    con: duckdb.DuckDBPyConnection,
    table: str,
    *,
    thresholds: Thresholds | None = None,
    now: datetime | None = None,
    docs_dir: Path | DataDocs | None = None,
    declared: Sequence[str] | None = None,
) -> GateResult:
    """Validate ``marts.<table>``. ``declared``: the range columns with a check of their
    own (the Dagster checks declared from the dbt manifest); None gives every range
    column present its own check."""
    started = time.perf_counter()
    thresholds = thresholds or load_thresholds()
    now = now or datetime.now(UTC)
    ensure_quality_schema(con)
    qualified = f"marts.{table}"
    if not table_exists(con, qualified):
        outcomes = tuple(
            ExpectationOutcome(check, qualified, severity, False, "", "",  # type: ignore[arg-type]
                               note=f"{qualified} is missing")
            for check, severity in static_checks(table, declared or ())
        )  # fmt: skip
        return GateResult(LAYER, qualified, outcomes)
    columns = [c for c in numeric_columns(con, qualified) if c != "golden_id"]
    vocab = segment_vocabulary(thresholds, segment_catalogue(con)) if table == SEGMENTS else {}
    rules = marts_rules(table, columns, thresholds, vocab, declared)
    queries = {"table": table_sql(table, columns, vocab)}
    if table == CUSTOMER_360 and table_exists(con, XREF):
        queries["coverage"] = COVERAGE_SQL
    # the table frame has a row per table row: counting them is cheap
    counts = {"table": f"SELECT count(*) FROM marts.{ident(table)}"}
    deltas = {  # rows changed since the last accepted run (quality/delta.py)
        key: changed_rows(con, f"{qualified}.{key}", sql, frame_rules, thresholds,
                          count_sql=counts.get(key))
        for key, sql in queries.items()
        if (frame_rules := [r for r in rules if r.frame == key])
    }  # fmt: skip
    frames = {key: Frame(d.name, d.data, ("golden_id",)) for key, d in deltas.items()}
    with data_docs(docs_dir) as docs:
        outcomes = run_frames(frames, rules, qualified, docs)
    finish_frames(con, deltas, rules, outcomes, True, now)
    main = deltas.get("table")
    seen = {o.check for o in outcomes}
    outcomes += [  # a check with no rule today (no such column, no identity table)
        ExpectationOutcome(check, qualified, severity, True, "", "",  # type: ignore[arg-type]
                           note=_nothing_to_check(check, declared, qualified))
        for check, severity in static_checks(table, declared or ()) if check not in seen
    ]  # fmt: skip
    gate = GateResult(
        LAYER, qualified, tuple(outcomes), rows_checked=main.changed if main else 0,
        rows_in_scope=main.total if main else 0, sampled=any(d.sampled for d in deltas.values()),
        docs_index_url=index_url(docs_dir) if docs_dir else None,
        seconds=round(time.perf_counter() - started, 3),
        details=delta_details(deltas),
    )  # fmt: skip
    record_results(con, [gate], now)
    return gate


def _nothing_to_check(check: str, declared: Sequence[str] | None, qualified: str) -> str:
    for c in declared or ():
        if range_check(c) == check:
            return f"{qualified} has no numeric `{c}` (or no marts.ranges pattern matches it)"
    return "nothing to check"
