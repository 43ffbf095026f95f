"""Fixtures: a fresh file-backed DuckDB warehouse and a landing folder per test."""

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    yield c
    c.close()


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    d = tmp_path / "landing"
    d.mkdir()
    return d
