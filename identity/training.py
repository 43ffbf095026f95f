"""Training a model spec with Splink's documented, unsupervised recipe.

1. **prior** (probability two random records match) from deterministic rules and an
   assumed recall of those rules;
2. **u** probabilities by random sampling of record pairs, which are assumed to be
   non-matches;
3. **m** probabilities by expectation maximisation, once per blocking rule, each rule
   leaving out the columns it blocks on so that every comparison gets trained.

Training is explicit (``python -m identity.train``), never part of a normal run: a
run loads the versioned JSON so that the same data always gives the same scores.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb
from splink import DuckDBAPI, Linker

from identity.linking import TRAINING_RECORDS_KEY
from identity.settings import ModelSpec


@dataclass(frozen=True)
class TrainingResult:
    model: dict
    path: Path | None
    linker: Linker
    #: records the model was trained on, saved next to it (``TRAINING_RECORDS_KEY``)
    records: int


def register_features(
    con: duckdb.DuckDBPyConnection, spec: ModelSpec, source: str, table_name: str
) -> str:
    """Materialise the spec's model columns from ``source`` as a temp table."""
    con.execute(f"create or replace temp table {table_name} as {spec.features_sql(source)}")
    return table_name


def train_model(con: duckdb.DuckDBPyConnection, spec: ModelSpec, features: str) -> Linker:
    """Run the recipe on the spec's features table; returns the trained linker."""
    db_api = DuckDBAPI(connection=con)
    linker = Linker(
        db_api.register(features), spec.settings_creator(), log_level=logging.WARNING
    )
    linker.training.estimate_probability_two_random_records_match(
        spec.prior_rules(), recall=spec.prior_recall
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=spec.u_max_pairs, seed=spec.seed)
    for rule in spec.em_blocking_rules():
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    return linker


def save_model(model: dict, path: Path, training_records: int | None = None) -> Path:
    """Write ``model`` (Splink's JSON) and the number of records it was trained on,
    which the run reads back to scale the prior to its own population."""
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = model if training_records is None else {
        **model, TRAINING_RECORDS_KEY: training_records
    }
    # Stable key order and a trailing newline keep model diffs readable in review.
    path.write_text(json.dumps(saved, indent=2, sort_keys=True) + "\n", "utf-8")
    return path


def train(
    con: duckdb.DuckDBPyConnection,
    spec: ModelSpec,
    source: str,
    *,
    out_path: Path | None = None,
    charts_dir: Path | None = None,
) -> TrainingResult:
    """Train ``spec`` on the rows of ``source`` (a table/view/subquery in ``con``).

    Saves the model JSON, with the number of records it was trained on, to ``out_path``
    (pass ``spec.model_path`` to update the versioned model) and, if asked, the model
    charts as offline HTML.
    """
    features = register_features(con, spec, source, f"_identity_train_{spec.name}")
    (records,) = con.execute(f"select count(*) from {features}").fetchall()[0]
    linker = train_model(con, spec, features)
    model = linker.misc.save_model_to_json(None)
    if out_path is not None:
        save_model(model, out_path, training_records=int(records))
    if charts_dir is not None:
        from identity.evidence import write_model_charts

        write_model_charts(linker, charts_dir, prefix=spec.name)
    return TrainingResult(model=model, path=out_path, linker=linker, records=int(records))
