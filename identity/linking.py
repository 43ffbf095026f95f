"""Scoring record pairs with a trained, versioned Splink model.

A run never trains: it loads ``identity/models/<spec>.json`` and scores the pairs
the model's blocking rules generate. The Splink output (with every comparison level,
partial match weight and term-frequency adjustment) is kept as one table, because
it is also the evidence behind each link (``identity.evidence``).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb
from splink import DuckDBAPI, Linker

from identity.settings import ModelSpec

logger = logging.getLogger(__name__)


class ModelNotTrainedError(RuntimeError):
    """The versioned model is missing or does not match its spec."""


@dataclass(frozen=True)
class ScoredPairs:
    """``table`` has ``id_l < id_r``, ``match_probability``, ``match_weight`` and the
    Splink columns (``gamma_*``, ``bf_*``/``mw_*``, ``*_l``/``*_r``)."""

    table: str
    pairs: int


def load_model(spec: ModelSpec, path: Path | None = None) -> dict:
    """Read the trained model and check it was trained for the spec's comparisons."""
    path = path or spec.model_path
    if not path.exists():
        raise ModelNotTrainedError(
            f"no trained model at {path}; run `python -m identity.train --model {spec.name}`"
        )
    model = json.loads(path.read_text("utf-8"))
    trained = [c["output_column_name"] for c in model["comparisons"]]
    expected = spec.comparison_names()
    if trained != expected:
        raise ModelNotTrainedError(
            f"{path} was trained for comparisons {trained} but the spec now has {expected}; "
            f"retrain with `python -m identity.train --model {spec.name}`"
        )
    return model


@dataclass
class ScoringSession:
    """A loaded model bound to one features table in one DuckDB connection."""

    linker: Linker
    db_api: DuckDBAPI
    registrations: int = 0


def open_session(
    con: duckdb.DuckDBPyConnection, features_table: str, model: dict
) -> ScoringSession:
    db_api = DuckDBAPI(connection=con)
    linker = Linker(db_api.register(features_table), model, log_level=logging.WARNING)
    return ScoringSession(linker=linker, db_api=db_api)


def close_session(session: ScoringSession) -> None:
    """Drop every table Splink created for this session."""
    session.linker.table_management.delete_tables_created_by_splink_from_db()


def score_pairs(
    con: duckdb.DuckDBPyConnection,
    session: ScoringSession,
    spec: ModelSpec,
    out_table: str,
    floor_probability: float = 0.01,
) -> ScoredPairs:
    """Score all blocked pairs and keep those at or above ``floor_probability``.

    The floor only trims pairs that are near-certain non-matches: clustering treats
    a missing pair as probability 0, so dropping them changes nothing measurable.
    """
    predictions = session.linker.inference.predict(
        threshold_match_probability=floor_probability, warning_mode="never"
    )
    uid = spec.unique_id_column
    con.execute(
        f"""
        create or replace temp table {out_table} as
        select
            {uid}_l::varchar as id_l,
            {uid}_r::varchar as id_r,
            *
        from {predictions.physical_name}
        """
    )
    predictions.drop_table_from_database_and_remove_from_cache()
    (pairs,) = con.execute(f"select count(*) from {out_table}").fetchall()[0]
    return ScoredPairs(table=out_table, pairs=int(pairs))


def score_listed_pairs(
    con: duckdb.DuckDBPyConnection,
    session: ScoringSession,
    spec: ModelSpec,
    pairs: str,
    out_table: str,
    floor_probability: float = 0.01,
) -> ScoredPairs:
    """Score the given record pairs (``id_l < id_r``) regardless of blocking.

    Clustering uses this to fill in the pairs inside a candidate cluster that no
    blocking rule generated, so that "never compared" is not mistaken for "compared
    and found different".
    """
    con.execute(
        f"""
        create or replace temp table _identity_listed_pairs as
        select 'listed' as match_key, id_l as join_key_l, id_r as join_key_r from {pairs}
        """
    )
    session.registrations += 1
    registered = session.db_api.register(
        "_identity_listed_pairs", table_name=f"_identity_listed_{session.registrations}"
    )
    session.linker.table_management.register_blocked_pairs_for_predict(registered)
    return score_pairs(con, session, spec, out_table, floor_probability)
