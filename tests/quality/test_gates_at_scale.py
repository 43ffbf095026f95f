"""What keeps the gates cheap and bounded on large tables (docs/quality.md, "Cost"):
samples taken before derived columns without losing exact key versions, frames on GX's
vectorised paths, Data Docs still written for every suite."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pytest

from ingest.contract import entity
from ingest.warehouse import ensure_tables
from quality import docs_dir_for, load_thresholds, run_raw_gate
from quality.frames import frame, vectorisable
from quality.raw import rows_frame_sql
from quality.raw_spec import RAW_SPECS

EVENTS = entity("web__events")
LOADED_AT = datetime(2026, 11, 20, 6, tzinfo=UTC)
NOW = datetime(2026, 11, 22, tzinfo=UTC)


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """raw.web__events with 60 rows of one file, every event id sent in two different
    versions (a key conflict on every row), and its load-log entry."""
    c = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    ensure_tables(c, EVENTS)
    c.execute(
        "INSERT INTO raw.web__events (event_id, event_timestamp, event_name, user_pseudo_id, "
        "value, _source_file, _row_number, _file_sha256, _loaded_at) "
        "SELECT 'E' || (i // 2), '2026-11-19T10:00:00', 'page_view', 'u' || i, "
        "CAST(i AS VARCHAR), 'web/events_1.csv', i + 1, 'sha', ? FROM range(60) t(i)",
        [LOADED_AT],
    )
    c.execute(
        "INSERT INTO raw._load_log (file, entity, format, sha256, rows_read, rows_loaded, "
        "rows_quarantined, status, loaded_at) VALUES "
        "('web/events_1.csv', 'web__events', 'csv', 'sha', 60, 60, 0, 'loaded', ?)",
        [LOADED_AT],
    )
    yield c
    c.close()


def test_sample_keeps_key_versions_over_every_pending_row(con):
    spec = RAW_SPECS["web__events"]
    sample = " USING SAMPLE reservoir(10 ROWS) REPEATABLE (42)"
    rows = frame(con, rows_frame_sql(EVENTS, spec, None, sample))
    assert len(rows) == 10
    # each sampled row's partner version is (almost always) outside the sample: the
    # versions still count both, because they are computed before sampling
    assert rows["event_id__versions"].tolist() == [2] * 10


def test_sampled_gate_reports_scope_and_still_fails_on_conflicts(con, tmp_path: Path):
    thresholds = load_thresholds()
    thresholds.values["sampling"]["max_rows"] = 10
    docs = docs_dir_for(tmp_path / "warehouse.duckdb")
    gate = run_raw_gate(con, "web__events", thresholds=thresholds, now=NOW, docs_dir=docs)
    assert gate.sampled and gate.rows_checked == 10 and gate.rows_in_scope == 60
    assert "event_id__unique" in gate.failed_checks
    assert gate.outcome("event_timestamp__in_window").success
    # every suite of the gate has its Data Docs page, and the site has its index
    assert all(o.docs_url and Path(o.docs_url.removeprefix("file://")).exists()
               for o in gate.outcomes)  # fmt: skip
    assert (docs / "index.html").exists()
    # a blocked delivery stays pending: the next run checks the same rows again
    again = run_raw_gate(con, "web__events", thresholds=thresholds, now=NOW, docs_dir=docs)
    assert again.rows_in_scope == 60 and "event_id__unique" in again.failed_checks


def test_frames_are_on_the_vectorised_dtypes_of_great_expectations():
    with duckdb.connect() as c:
        data = frame(
            c,
            "SELECT 1::INTEGER AS i, 1.5::FLOAT AS f, TIMESTAMP '2026-11-20 10:00' AS ts, 'x' AS s",
        )
        assert data["i"].dtype == np.int64 and data["f"].dtype == np.float64
        assert data["ts"].dtype == np.dtype("datetime64[ns]")
        # NULLs make DuckDB give nullable integers: float64 with NaN (missing to GX)
        nulls = frame(c, "SELECT * FROM (VALUES (1::INTEGER), (NULL)) t(n)")["n"]
        assert nulls.dtype == np.float64 and nulls.isna().tolist() == [False, True]
        # a year no nanosecond timestamp can hold keeps its value (and GX's slow path)
        far = vectorisable(c.execute("SELECT TIMESTAMP '9999-01-01' AS ts").df())
        assert far["ts"].iloc[0].year == 9999


def test_a_record_beside_its_own_update_is_not_a_key_conflict(tmp_path: Path):
    cases = entity("sales__cases")
    c = duckdb.connect(str(tmp_path / "cases.duckdb"))
    ensure_tables(c, cases)
    rows = [  # case_id, contact_id, channel, opened_at, closed_at, csat
        ("CS-1", "C1", "chat", "2026-11-19T10:00:00", "", ""),  # sent open...
        ("CS-1", "C1", "chat", "2026-11-19T10:00:00", "2026-11-19T18:00:00", "5"),  # ...closed
        ("CS-2", "C2", "chat", "2026-11-19T11:00:00", "", ""),
        ("CS-2", "C9", "email", "2026-11-19T11:00:00", "", ""),  # another contact: conflict
        ("CS-3", "C3", "phone", "2026-11-19T12:00:00", "", ""),
        ("CS-3", "C3", "phone", "2026-11-19T12:00:00", "", ""),  # exact duplicate
    ]
    c.executemany(
        "INSERT INTO raw.sales__cases (case_id, contact_id, channel, opened_at, closed_at, "
        "csat, _source_file, _row_number, _file_sha256, _loaded_at) "
        "VALUES (?, ?, ?, ?, ?, ?, 'sales/cases_1.csv', ?, 'sha', ?)",
        [(*r, i + 1, LOADED_AT) for i, r in enumerate(rows)],
    )
    versions = frame(c, rows_frame_sql(cases, RAW_SPECS["sales__cases"], None))
    by_case = dict(zip(versions["case_id"], versions["case_id__versions"], strict=False))
    assert by_case == {"CS-1": 1, "CS-2": 2, "CS-3": 1}
    c.close()


def test_examples_are_the_first_failing_rows_and_counts_stay_exact():
    """GX is handed only the first failing rows to build examples from (gx_runner): the
    examples are still the first ten failing rows, and the counts cover every row."""
    import pandas as pd

    from quality.gx_runner import Frame, run_suite
    from quality.rules import Rule

    data = pd.DataFrame({"id": [f"r{i}" for i in range(500)], "n": [i % 5 - 1 for i in range(500)]})
    rule = Rule("n_in_range", "rows", "ExpectColumnValuesToBeBetween",
                {"column": "n", "min_value": 0, "mostly": 0.5})  # fmt: skip
    (outcome,), _ = run_suite(Frame("scale.rows", data, ("id",)), [rule], "t", None)
    assert outcome.success and outcome.unexpected_count == 100 and outcome.element_count == 500
    assert [e["id"] for e in outcome.examples] == [f"r{i}" for i in range(0, 50, 5)]
