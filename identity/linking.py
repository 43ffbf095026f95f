"""Scoring record pairs with a trained, versioned Splink model.

A run never trains: it loads ``identity/models/<spec>.json`` and scores the pairs
the model's blocking rules generate. Scoring keeps a narrow table per pair: the ids,
the match probability and weight and each comparison's partial match weights
(``mw_*``, ``mw_tf_adj_*``, which profile clustering reads). The compared values and
comparison levels behind a link (``identity.evidence``) are recomputed only for the
pairs that end up linked (``explain_pairs``): at 1M people the wide Splink output of
every candidate pair dominated the identity step's time and memory.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
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
    partial match weights ``mw_*`` (incl. ``mw_tf_adj_*``); ``explain_pairs`` adds the
    compared values (``*_l``/``*_r``) and levels (``gamma_*``)."""

    table: str
    pairs: int


#: The one key of a versioned model file that is not Splink's: how many records the
#: model was trained on (written by ``identity.training.train``, read by the
#: population-scaled prior, ``identity.prior``). Splink refuses unknown settings keys,
#: so ``load_model`` leaves it out.
TRAINING_RECORDS_KEY = "training_records"


def _read_model_file(spec: ModelSpec, path: Path | None) -> tuple[Path, dict]:
    path = path or spec.model_path
    if not path.exists():
        raise ModelNotTrainedError(
            f"no trained model at {path}; run `python -m identity.train --model {spec.name}`"
        )
    return path, json.loads(path.read_text("utf-8"))


def load_model(spec: ModelSpec, path: Path | None = None) -> dict:
    """Read the trained model (Splink's settings, without ``TRAINING_RECORDS_KEY``) and
    check it was trained for the spec's comparisons."""
    path, saved = _read_model_file(spec, path)
    model = {k: v for k, v in saved.items() if k != TRAINING_RECORDS_KEY}
    trained = [c["output_column_name"] for c in model["comparisons"]]
    expected = spec.comparison_names()
    if trained != expected:
        raise ModelNotTrainedError(
            f"{path} was trained for comparisons {trained} but the spec now has {expected}; "
            f"retrain with `python -m identity.train --model {spec.name}`"
        )
    return model


def load_training_records(spec: ModelSpec, path: Path | None = None) -> int | None:
    """The number of records the versioned model was trained on, None when its file
    does not say (a model saved before training recorded it)."""
    _, saved = _read_model_file(spec, path)
    records = saved.get(TRAINING_RECORDS_KEY)
    return int(records) if records is not None else None


def scoring_settings(model: dict, *, explain: bool) -> dict:
    """The model's settings for scoring: partial match weights always (Splink's
    intermediate calculation columns), the compared values and levels only when
    ``explain`` (its matching columns). The parameters are the model's own, so both
    give every pair the same match weight and probability."""
    return {
        **model,
        "retain_matching_columns": explain,
        "retain_intermediate_calculation_columns": True,
    }


@dataclass
class ScoringSession:
    """A loaded model bound to one features table in one DuckDB connection.

    ``linker`` scores narrow; ``explainer`` (opened on first use by ``explain_pairs``)
    scores the same model with the compared values and levels kept."""

    linker: Linker
    db_api: DuckDBAPI
    features_table: str
    model: dict
    registrations: int = 0
    #: (registered table, column) of every term-frequency lookup, for the explainer
    term_frequency_lookups: list[tuple[str, str]] = field(default_factory=list)
    explainer: Linker | None = None


class TempTableDuckDBAPI(DuckDBAPI):
    """Splink's DuckDB API with its intermediate tables created as temp tables.

    Splink materialises every step (blocked pairs, each side's pruned input, the
    predictions) with ``CREATE TABLE``; on the warehouse file that compresses and
    writes each table to disk only to drop it a moment later (the predictions of 1M
    people are millions of wide rows). A temp table stays in DuckDB's buffer pool
    (spilling beyond ``memory_limit`` like any other) and a crashed run leaves no
    ``__splink__`` table in the warehouse. Same SQL, same results."""

    def _setup_for_execute_sql(self, sql: str, physical_name: str) -> str:
        sql = super()._setup_for_execute_sql(sql, physical_name)
        prefix = "CREATE TABLE "
        return "CREATE TEMP TABLE " + sql[len(prefix):] if sql.startswith(prefix) else sql


def _linker(db_api: DuckDBAPI, features_table: str, settings: dict) -> Linker:
    return Linker(db_api.register(features_table), settings, log_level=logging.WARNING)


def open_session(
    con: duckdb.DuckDBPyConnection, features_table: str, model: dict
) -> ScoringSession:
    db_api = TempTableDuckDBAPI(connection=con)
    linker = _linker(db_api, features_table, scoring_settings(model, explain=False))
    return ScoringSession(linker=linker, db_api=db_api, features_table=features_table,
                          model=model)


def register_term_frequencies(session: ScoringSession, table: str, column: str) -> None:
    """Use ``table(column, tf_column)`` as the term frequencies of ``column`` (Splink's
    public lookup), in the scoring linker and in any explainer opened later."""
    session.registrations += 1
    lookup = session.db_api.register(table, table_name=f"{table}_{session.registrations}")
    session.linker.table_management.register_term_frequency_lookup(lookup, column)
    session.term_frequency_lookups.append((lookup.physical_name, column))


def explaining_linker(session: ScoringSession) -> Linker:
    """The session's model with the compared values and levels kept (``explain_pairs``;
    Splink's waterfall chart needs it)."""
    if session.explainer is None:
        # Its own DuckDBAPI: Splink caches intermediate tables per API object, and the
        # two linkers must not share a cached table built for the other's settings.
        db_api = TempTableDuckDBAPI(connection=session.db_api.duckdb_con)
        linker = _linker(
            db_api, session.features_table, scoring_settings(session.model, explain=True)
        )
        for table, column in session.term_frequency_lookups:
            linker.table_management.register_term_frequency_lookup(db_api.register(table), column)
        session.explainer = linker
    return session.explainer


def close_session(session: ScoringSession) -> None:
    """Drop every table Splink created for this session."""
    session.linker.table_management.delete_tables_created_by_splink_from_db()
    if session.explainer is not None:
        session.explainer.table_management.delete_tables_created_by_splink_from_db()


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
    return _predict(con, session.linker, spec, out_table, floor_probability, explain=False)


def _predict(
    con: duckdb.DuckDBPyConnection,
    linker: Linker,
    spec: ModelSpec,
    out_table: str,
    floor_probability: float | None,
    *,
    explain: bool,
) -> ScoredPairs:
    """Run ``linker``'s predict into ``out_table`` keyed by ``id_l``/``id_r``."""
    predictions = linker.inference.predict(
        threshold_match_probability=floor_probability, warning_mode="never"
    )
    uid = spec.unique_id_column
    # Narrow: only what clustering, the state and the xref read (Splink also returns
    # the term frequencies of both records and the match key).
    kept = "*" if explain else "match_weight, match_probability, columns('^mw_')"
    con.execute(
        f"""
        create or replace temp table {out_table} as
        select {uid}_l::varchar as id_l, {uid}_r::varchar as id_r, {kept}
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
    _register_listed_pairs(con, session, session.linker, pairs)
    return score_pairs(con, session, spec, out_table, floor_probability)


def explain_pairs(
    con: duckdb.DuckDBPyConnection,
    session: ScoringSession,
    spec: ModelSpec,
    pairs: str,
    out_table: str,
) -> ScoredPairs:
    """The full Splink output for the given pairs (``id_l < id_r``): the scored columns
    plus each comparison's level (``gamma_*``) and compared values (``*_l``/``*_r``),
    what ``identity.evidence`` explains a link with. Same model, same term
    frequencies, so the same match weights and probabilities as ``score_pairs``."""
    explainer = explaining_linker(session)
    _register_listed_pairs(con, session, explainer, pairs)
    return _predict(con, explainer, spec, out_table, None, explain=True)


def _register_listed_pairs(
    con: duckdb.DuckDBPyConnection, session: ScoringSession, linker: Linker, pairs: str
) -> None:
    """Make ``pairs(id_l, id_r)`` the pairs ``linker``'s next predict scores (Splink's
    ``register_blocked_pairs_for_predict``)."""
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
    linker.table_management.register_blocked_pairs_for_predict(registered)
