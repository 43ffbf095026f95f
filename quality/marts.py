"""Marts gate: ``marts.customer_360``, ``marts.customer_segments`` and metric ranges.

The rules attach to whatever marts tables exist: every numeric column whose name
matches a ``marts.ranges`` pattern of the thresholds file gets a range expectation
(all of one table's ranges report as its ``metric_ranges`` check).
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.sql import ident, literal
from quality.config import Thresholds, load_thresholds
from quality.frames import numeric_columns, sampled
from quality.gx_runner import Frame, index_url, run_frames
from quality.results import ExpectationOutcome, GateResult
from quality.rules import Rule, apply_severities
from quality.state import ensure_quality_schema, record_results, table_exists

LAYER = "marts"
CUSTOMER_360 = "customer_360"
SEGMENTS = "customer_segments"
XREF = "identity.customer_xref"


def static_checks(table: str) -> list[tuple[str, str]]:
    """(check, default severity) of a marts table, known without the database."""
    checks = [("metric_ranges", "error")]
    if table == CUSTOMER_360:
        checks += [("one_row_per_golden_id", "error"), ("every_golden_id_present", "error")]
    if table == SEGMENTS:
        checks += [("segment_families_known", "warn"), ("segments_known", "error")]
    return checks


def range_rules(columns: list[str], t: Thresholds) -> list[Rule]:
    rules = []
    for c in columns:
        for spec in t.get("marts.ranges") or []:
            if re.search(spec["pattern"], c, flags=re.IGNORECASE):
                low, high = spec.get("min"), spec.get("max")
                rules.append(Rule(
                    "metric_ranges", "table", "ExpectColumnValuesToBeBetween",
                    {"column": c, "min_value": low, "max_value": high},
                    description=f"`{c}` lies in [{low}, {high}] (pattern `{spec['pattern']}`).",
                ))  # fmt: skip
                break
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
    table: str, columns: list[str], t: Thresholds, vocab: dict[str, list[str]] | None = None
) -> list[Rule]:
    rules = range_rules(columns, t)
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
    docs_dir: Path | None = None,
) -> GateResult:
    started = time.perf_counter()
    thresholds = thresholds or load_thresholds()
    now = now or datetime.now(UTC)
    ensure_quality_schema(con)
    qualified = f"marts.{table}"
    if not table_exists(con, qualified):
        outcomes = tuple(
            ExpectationOutcome(check, qualified, severity, False, "", "",  # type: ignore[arg-type]
                               note=f"{qualified} is missing")
            for check, severity in static_checks(table)
        )  # fmt: skip
        return GateResult(LAYER, qualified, outcomes)
    columns = [c for c in numeric_columns(con, qualified) if c != "golden_id"]
    vocab = segment_vocabulary(thresholds, segment_catalogue(con)) if table == SEGMENTS else {}
    rules = marts_rules(table, columns, thresholds, vocab)
    data, total, was_sampled = sampled(con, table_sql(table, columns, vocab), thresholds)
    frames = {"table": Frame(f"{qualified}.table", data, ("golden_id",))}
    if table == CUSTOMER_360 and table_exists(con, XREF):
        frames["coverage"] = Frame(
            f"{qualified}.coverage", sampled(con, COVERAGE_SQL, thresholds)[0], ("golden_id",)
        )
    outcomes = run_frames(frames, rules, qualified, docs_dir)
    seen = {o.check for o in outcomes}
    outcomes += [  # a check with no rule today (no matching column, no identity table)
        ExpectationOutcome(check, qualified, severity, True, "", "",  # type: ignore[arg-type]
                           note="nothing to check")
        for check, severity in static_checks(table) if check not in seen
    ]  # fmt: skip
    gate = GateResult(
        LAYER, qualified, tuple(outcomes), rows_checked=len(data), rows_in_scope=total,
        sampled=was_sampled, docs_index_url=index_url(docs_dir) if docs_dir else None,
        seconds=round(time.perf_counter() - started, 3),
    )  # fmt: skip
    record_results(con, [gate], now)
    return gate
