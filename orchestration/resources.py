"""Resources: the platform's configuration, resolved when a run starts.

Every setting is read from the environment at the moment a run (or sensor tick)
asks for it, never at import time, so the same code location serves any
landing folder or warehouse without a reload.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

DEFAULT_LANDING_DIR = "data/landing"
DEFAULT_WAREHOUSE = "data/warehouse.duckdb"
DEFAULT_SOURCE_TZ = "Asia/Ho_Chi_Minh"
#: DuckDB's own default is 80 % of RAM; the platform's budget is 8 GB per run, and
#: DuckDB spills joins, aggregates and sorts to ``<warehouse>.tmp`` beyond its limit.
DEFAULT_MEMORY_LIMIT = "6GB"
#: dbt model threads: both cores of the reference machine. Staging's Python rules hold
#: one core (the GIL) while DuckDB-bound models use the other.
DEFAULT_DBT_THREADS = "2"


def _setting(explicit: str | None, variable: str, default: str) -> str:
    return explicit or os.environ.get(variable) or default


class CdpSettings(dg.ConfigurableResource):
    """Where the landing zone and the warehouse live.

    Leave a field unset to take ``CDP_LANDING_DIR`` / ``CDP_WAREHOUSE`` /
    ``CDP_SOURCE_TZ`` from the environment (read at run time), falling back to
    the contract defaults.
    """

    landing_dir: str | None = None
    warehouse: str | None = None
    source_tz: str | None = None
    #: DuckDB ``memory_limit`` of the warehouse connection (``CDP_DUCKDB_MEMORY_LIMIT``)
    memory_limit: str | None = None
    #: dbt ``threads``: models and tests built side by side (``CDP_DBT_THREADS``)
    dbt_threads: int | None = None

    def landing_path(self) -> Path:
        return Path(_setting(self.landing_dir, "CDP_LANDING_DIR", DEFAULT_LANDING_DIR))

    def warehouse_path(self) -> Path:
        return Path(_setting(self.warehouse, "CDP_WAREHOUSE", DEFAULT_WAREHOUSE))

    def timezone(self) -> str:
        return _setting(self.source_tz, "CDP_SOURCE_TZ", DEFAULT_SOURCE_TZ)

    def duckdb_memory_limit(self) -> str:
        return _setting(self.memory_limit, "CDP_DUCKDB_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT)

    def dbt_model_threads(self) -> int:
        explicit = str(self.dbt_threads) if self.dbt_threads is not None else None
        value = _setting(explicit, "CDP_DBT_THREADS", DEFAULT_DBT_THREADS)
        if not value.isdigit() or int(value) < 1:
            raise ValueError(f"CDP_DBT_THREADS must be a positive integer, got {value!r}")
        return int(value)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection to the warehouse, closed on exit.

        DuckDB allows one read-write process per file; every asset that writes
        is in the ``duckdb_warehouse`` pool and runs in-process, so only one
        connection is open at a time.
        """
        path = self.warehouse_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(path))
        try:
            con.execute(f"set timezone = '{self.timezone()}'")
            con.execute(f"set memory_limit = '{self.duckdb_memory_limit()}'")
            yield con
        finally:
            con.close()
