"""The cheaper frame queries give the same rows as the plain formulation they replace
(docs/quality.md, "Cost"): phone/e-mail statuses computed once per distinct value, sampled
rows read more than once, the identity records frame as one aggregate, and a delta that
keeps only the changed rows of a frame."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from identity.standardise import register_standardisation_functions
from ingest.contract import entity
from ingest.sql import ident
from ingest.warehouse import ensure_tables
from quality import load_thresholds
from quality.delta import accepted_table, changed_rows, finish
from quality.frames import frame
from quality.identity import INPUT, RECORDS_SQL, XREF
from quality.raw import key_column, rows_frame_sql
from quality.raw_spec import RAW_SPECS
from quality.rules import Rule

LOADED_AT = datetime(2026, 11, 20, 6, tzinfo=UTC)
PROFILES = entity("social__profiles")
# (file, platform, profile_id, handle, phone, email): a key sent once, exact duplicates, a
# record beside its own update (blank filled), a conflict, the same key in two files,
# keys with an empty or blank part, padded keys, and phones/e-mails of every kind
PROFILE_ROWS = [
    ("f1", "fb", "1", "a", "0912345678", "a@x.vn"),
    ("f1", "fb", "2", "b", None, None),
    ("f1", "fb", "2", "b", None, None),
    ("f1", "fb", "3", None, "", ""),
    ("f1", "fb", "3", "c", "  ", "not-an-email"),
    ("f1", "fb", "4", "d", "0912345678", "a@x.vn"),
    ("f1", "fb", "4", "e", "+84912345678", "A@X.VN"),
    ("f1", "fb", " 4 ", "f", "123", "a@x"),
    ("f2", "fb", "4", "d", "0912345678", "a@x.vn"),
    ("f1", None, "5", "g", "0987654321", "g@y.com"),
    ("f1", "", "5", "h", "0987654321", "g@y.com"),
    ("f1", "ig", None, "i", None, "i@z.com"),
    ("f1", "ig", "  ", "j", None, "i@z.com"),
]


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_tables(c, PROFILES)
    c.executemany(
        "INSERT INTO raw.social__profiles (_source_file, platform, profile_id, handle, phone, "
        "email, _row_number, _file_sha256, _loaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'sha', ?)",
        [[*row, n, LOADED_AT] for n, row in enumerate(PROFILE_ROWS)],
    )
    register_standardisation_functions(c)
    yield c
    c.close()


def _text(c: str) -> str:
    return f"nullif(trim({ident(c)}), '')"


def reference_versions(c: duckdb.DuckDBPyConnection, key: tuple[str, ...]) -> dict:
    """Versions per (file, key) the plain way: 1 when every row of the key is the same,
    else the most distinct non-empty values of any other column."""
    columns = [ident(c) for c in PROFILES.columns]
    others = ", ".join(f"count(DISTINCT {_text(c)})" for c in PROFILES.columns if c not in key)
    keys = ", ".join(_text(c) for c in key)
    rows = c.execute(
        f"SELECT _source_file, {keys}, CASE WHEN count(DISTINCT ({', '.join(columns)})) = 1 "
        f"THEN 1 ELSE greatest(1, {others}) END FROM raw.social__profiles GROUP BY ALL"
    ).fetchall()
    return {tuple(r[:-1]): r[-1] for r in rows}


@pytest.mark.parametrize("repeats", [True, False])
def test_key_versions_match_the_plain_count_with_and_without_a_sample(con, repeats):
    """A sampled frame reads its rows (by id) for the frame and, where statuses are
    computed per distinct value, again for those: the same rows, with exact versions."""
    spec = replace(RAW_SPECS["social__profiles"], repeats=repeats)
    expected = reference_versions(con, spec.key)
    assert sorted(set(expected.values())) == [1, 2, 3]  # duplicates, updates and conflicts
    for sample in ("", " USING SAMPLE reservoir(5 ROWS) REPEATABLE (3)"):
        rows = frame(con, rows_frame_sql(PROFILES, spec, None, sample))
        assert len(rows) == (5 if sample else len(PROFILE_ROWS))
        for row in rows.to_dict("records"):
            file = row["_record"].split(":")[0]
            versions = row[key_column(spec.key)]
            if pd.isna(row["platform"]) or pd.isna(row["profile_id"]):
                assert versions != versions  # no versions for a key with an empty part
            else:
                assert versions == expected[(file, row["platform"], row["profile_id"])], row


@pytest.mark.parametrize("repeats", [True, False])
def test_statuses_per_distinct_value_are_the_statuses_per_row(con, repeats):
    spec = replace(RAW_SPECS["social__profiles"], repeats=repeats)
    rows = frame(con, rows_frame_sql(PROFILES, spec, None))
    assert ("__status_of" in rows_frame_sql(PROFILES, spec, None)) == repeats
    expected = {
        f"{file}:{n}": (phone, email)
        for file, n, phone, email in con.execute(
            "SELECT _source_file, _row_number, nullif(cdp_phone_status(phone), 'missing'), "
            "nullif(cdp_email_status(email), 'missing') FROM raw.social__profiles"
        ).fetchall()
    }
    got = {r["_record"]: (r["phone__status"], r["email__status"]) for r in rows.to_dict("records")}
    got = {k: tuple(None if pd.isna(v) else v for v in pair) for k, pair in got.items()}
    assert got == expected
    statuses = {s for pair in expected.values() for s in pair}
    assert None in statuses and "valid" in statuses and len(statuses) >= 3


def test_identity_records_frame_matches_the_outer_join(tmp_path: Path):
    """Records are matched on (source, source_record_id) like the outer join they replace:
    a key with an empty part matches nothing, and a record without a source is not in
    the input."""
    join = f"""
        WITH xref AS (SELECT source, source_record_id, count(*) AS xref_rows FROM {XREF}
                      GROUP BY ALL),
        input AS (SELECT DISTINCT source, source_record_id FROM {INPUT})
        SELECT coalesce(i.source, x.source) || ':' || coalesce(i.source_record_id,
                   x.source_record_id) AS record,
               coalesce(x.xref_rows, 0) AS xref_rows, i.source IS NOT NULL AS in_input
        FROM input i FULL OUTER JOIN xref x
          ON x.source = i.source AND x.source_record_id = i.source_record_id
    """
    with duckdb.connect(str(tmp_path / "i.duckdb")) as c:
        c.execute("CREATE SCHEMA identity; CREATE SCHEMA intermediate")
        c.execute(
            f"CREATE TABLE {XREF} AS SELECT * FROM (VALUES ('pos', '1', 'G1'), "
            "('pos', '1', 'G2'), (NULL, '2', 'G3'), ('web', NULL, 'G4'), ('web', '9', 'G5'), "
            "(NULL, NULL, 'G6')) t(source, source_record_id, golden_id)"
        )
        c.execute(
            f"CREATE TABLE {INPUT} AS SELECT * FROM (VALUES ('pos', '1'), ('pos', '1'), "
            "(NULL, '2'), (NULL, '2'), ('web', NULL), ('sales', '7'), (NULL, NULL)) "
            "t(source, source_record_id)"
        )
        expected = sorted(c.execute(join).fetchall(), key=str)
        assert sorted(c.execute(RECORDS_SQL).fetchall(), key=str) == expected
        assert c.execute(f"SELECT typeof(COLUMNS(*)) FROM ({RECORDS_SQL}) LIMIT 1").fetchall() == (
            c.execute(f"SELECT typeof(COLUMNS(*)) FROM ({join}) LIMIT 1").fetchall()
        )  # same types, so the same row hashes as before


RANGE = Rule("x__in_range", "table", "ExpectColumnValuesToBeBetween",
             {"column": "x", "min_value": 0, "max_value": 100})  # fmt: skip


def _run(c: duckdb.DuckDBPyConnection, name: str, count_sql: str | None) -> tuple:
    thresholds = load_thresholds()
    thresholds.values["sampling"]["passing_rows"] = 5
    delta = changed_rows(c, name, "SELECT x FROM t", [RANGE], thresholds, count_sql=count_sql)
    summary = (delta.total, delta.changed, delta.flagged, len(delta.data), delta.baseline)
    finish(c, delta, True, datetime(2026, 11, 22, tzinfo=UTC))
    hashes = c.execute(f"SELECT row_hash FROM {accepted_table(name)} ORDER BY 1").fetchall()
    return summary, hashes


def test_a_delta_keeping_changed_rows_only_judges_and_accepts_the_same_rows(tmp_path: Path):
    """With a row count at hand the temporary table keeps the changed rows only; counts,
    the rows GX sees and the accepted hashes (appended, or compacted by hashing the frame
    again) are those of the delta that keeps every row."""
    with duckdb.connect(str(tmp_path / "d.duckdb")) as c:
        c.execute("CREATE TABLE t AS SELECT i::DOUBLE AS x FROM range(200) t(i)")
        steps = [
            "UPDATE t SET x = x WHERE false",  # the first run: every row is new
            "UPDATE t SET x = x WHERE false",  # nothing changed
            "UPDATE t SET x = x + 1000 WHERE x < 3",  # three changed rows, flagged
            "UPDATE t SET x = x - 1000 WHERE x >= 1000",  # back to accepted values
            *["UPDATE t SET x = x + 0.5"] * 8,  # every row changes: appended, then compacted
        ]
        for step in steps:
            c.execute(step)
            every_row = _run(c, "every_row", None)
            changed_only = _run(c, "changed_only", "SELECT count(*) FROM t")
            assert every_row == changed_only, step
        # compacted at least once: 203 + 8 x 200 hashes otherwise
        assert len(every_row[1]) < 1803
