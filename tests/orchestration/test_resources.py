"""The warehouse connection carries the platform's settings."""

from orchestration.resources import DEFAULT_MEMORY_LIMIT, CdpSettings


def test_connection_has_the_configured_memory_limit(tmp_path, monkeypatch):
    monkeypatch.delenv("CDP_DUCKDB_MEMORY_LIMIT", raising=False)
    default = CdpSettings(warehouse=str(tmp_path / "a.duckdb"))
    assert default.duckdb_memory_limit() == DEFAULT_MEMORY_LIMIT
    with default.connect() as con:
        (limit,) = con.execute("select current_setting('memory_limit')").fetchall()[0]
    assert limit.endswith("GiB") and 5 < float(limit.split()[0]) <= 6

    monkeypatch.setenv("CDP_DUCKDB_MEMORY_LIMIT", "1GB")
    with CdpSettings(warehouse=str(tmp_path / "b.duckdb")).connect() as con:
        (limit,) = con.execute("select current_setting('memory_limit')").fetchall()[0]
    assert limit.endswith("MiB") and 900 < float(limit.split()[0]) <= 1000
