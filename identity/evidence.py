"""Why records were linked: ``identity.match_evidence`` and the model charts.

Every link inside a golden customer is explained in long format, one row per step of
the waterfall Splink draws: the prior, then each comparison with the level the pair
reached, its match weight and term-frequency adjustment, and the two values that
were compared; deterministic links get one row naming their rule. Summing
``step_match_weight`` over a pair gives its ``match_weight``.

Level labels come from the versioned model JSON. Splink numbers the non-null levels
of a comparison from ``n - 1`` (most similar) down to ``0`` (else), and the null level
``-1``.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import duckdb
from splink import Linker

from ingest.sql import literal

EVIDENCE_COLUMNS = """
    golden_id varchar, record_key_l varchar, record_key_r varchar, link_kind varchar,
    match_probability double, match_weight double, step integer, comparison varchar,
    comparison_level varchar, gamma integer, step_match_weight double,
    tf_adjustment_weight double, value_l varchar, value_r varchar
"""


def level_labels(model: dict) -> dict[tuple[str, int], str]:
    """(comparison output name, gamma value) -> level label."""
    labels: dict[tuple[str, int], str] = {}
    for comparison in model["comparisons"]:
        name = comparison["output_column_name"]
        levels = comparison["comparison_levels"]
        non_null = [lvl for lvl in levels if not lvl.get("is_null_level")]
        for lvl in levels:
            if lvl.get("is_null_level"):
                labels[(name, -1)] = lvl.get("label_for_charts") or "null"
        for i, lvl in enumerate(non_null):
            labels[(name, len(non_null) - 1 - i)] = (
                lvl.get("label_for_charts") or lvl["sql_condition"]
            )
    return labels


def _compared_column(comparison: dict, available: set[str]) -> str | None:
    """The input column to show for a comparison: the one named like it, else the
    first column its SQL reads (``x_l`` → ``x``)."""
    name = comparison["output_column_name"]
    sql = " ".join(lvl["sql_condition"] for lvl in comparison["comparison_levels"])
    found = [name, *re.findall(r'"?([a-z_][a-z0-9_]*)_l\b"?', sql)]
    return next((c for c in found if f"{c}_l" in available and f"{c}_r" in available), None)


def _value_sql(column: str | None, side: str) -> str:
    return f'cast("{column}_{side}" as varchar)' if column else "null::varchar"


def _label_sql(name: str, labels: dict[tuple[str, int], str]) -> str:
    """The level label of comparison ``name`` for its ``gamma_<name>`` value, as one
    ``case`` (a handful of levels per comparison: no join needed)."""
    cases = " ".join(
        f"when {gamma} then {literal(label)}"
        for (comparison, gamma), label in sorted(labels.items())
        if comparison == name
    )
    return f"case gamma_{name} {cases} end" if cases else "null::varchar"


def _step_sql(
    step: int, comparison: str, level: str, gamma: str, weight: str, tf: str,
    value_l: str, value_r: str,
) -> str:
    """One waterfall step as a struct; every field cast, so all steps share one type."""
    return (
        f"{{'step': {step}::integer, 'comparison': {comparison}::varchar, "
        f"'comparison_level': {level}::varchar, 'gamma': {gamma}::integer, "
        f"'step_match_weight': {weight}::double, 'tf_adjustment_weight': {tf}::double, "
        f"'value_l': {value_l}::varchar, 'value_r': {value_r}::varchar}}"
    )


def build_match_evidence(
    con: duckdb.DuckDBPyConnection,
    *,
    model: dict,
    scored_pairs: str,
    deterministic_edges: str | None,
    record_golden: str,
    link_threshold: float,
    out: str,
) -> str:
    """Write ``out`` for every linked pair whose two records share a golden id.

    ``record_golden`` maps ``record_key`` to ``golden_id``. ``scored_pairs`` must carry
    Splink's full output (levels ``gamma_*`` and compared values ``*_l``/``*_r``), i.e.
    come from ``identity.linking.explain_pairs``: plain scoring keeps only the weights.
    """
    available = {r[0] for r in con.execute(f"describe {scored_pairs}").fetchall()}
    labels = level_labels(model)
    prior = model["probability_two_random_records_match"]
    prior_weight = math.log2(prior / (1 - prior))
    # Each pair reads its row once and carries its whole waterfall as a list of steps,
    # unnested after the sort: one pass over the pairs instead of one per comparison,
    # and a sort of pairs rather than of every step.
    steps = [
        _step_sql(0, "'prior'", "'Starting match weight (prior)'", "null", repr(prior_weight),
                  "null", "null", "null")
    ]
    for i, comparison in enumerate(model["comparisons"], start=1):
        name = comparison["output_column_name"]
        col = _compared_column(comparison, available)
        tf = f"mw_tf_adj_{name}" if f"mw_tf_adj_{name}" in available else "null::double"
        steps.append(
            _step_sql(i, literal(name), _label_sql(name, labels), f"gamma_{name}",
                      f"coalesce(mw_{name}, 0) + coalesce({tf}, 0)", tf,
                      _value_sql(col, "l"), _value_sql(col, "r"))
        )
    deterministic = ""
    if deterministic_edges:
        rule_step = _step_sql(0, "e.rule", "'deterministic rule: ' || replace(e.rule, '_', ' ')",
                              "null", "null", "null", "null", "null")
        deterministic = f"""
        union all
        select gl.golden_id, e.id_l, e.id_r, 'deterministic', 1.0::double, null::double,
               [{rule_step}]
        from {deterministic_edges} e
        join {record_golden} gl on gl.record_key = e.id_l
        join {record_golden} gr on gr.record_key = e.id_r
        where gl.golden_id = gr.golden_id
        """
    con.execute(
        f"""
        create or replace table {out} as
        with pairs as (
            select gl.golden_id, s.id_l, s.id_r, 'probabilistic' as link_kind,
                   s.match_probability::double as match_probability,
                   s.match_weight::double as match_weight,
                   [{", ".join(steps)}] as steps
            from {scored_pairs} s
            join {record_golden} gl on gl.record_key = s.id_l
            join {record_golden} gr on gr.record_key = s.id_r
            where gl.golden_id = gr.golden_id and s.match_probability >= {link_threshold}
            {deterministic}
        ),
        ordered as (
            -- a pair linked both ways: its deterministic row (step 0) first, so the
            -- unnested steps stay in (golden_id, record keys, step) order
            select * from pairs order by golden_id, id_l, id_r, link_kind
        ),
        unnested as (
            select golden_id, id_l, id_r, link_kind, match_probability, match_weight,
                   unnest(steps) as s
            from ordered
        )
        select golden_id, id_l as record_key_l, id_r as record_key_r, link_kind,
               match_probability, match_weight, s.step, s.comparison, s.comparison_level,
               s.gamma, s.step_match_weight, s.tf_adjustment_weight, s.value_l, s.value_r
        from unnested
        """
    )
    return out


def write_model_charts(linker: Linker, charts_dir: Path, prefix: str) -> list[Path]:
    """Write the model's charts as self-contained HTML (JavaScript inlined, opens
    offline): match weights and m/u parameters."""
    charts_dir.mkdir(parents=True, exist_ok=True)
    charts = {
        "match_weights": linker.visualisations.match_weights_chart(),
        "m_u_parameters": linker.visualisations.m_u_parameters_chart(),
    }
    written = []
    for name, chart in charts.items():
        path = charts_dir / f"{prefix}_{name}.html"
        path.write_text(chart.to_html(inline=True), "utf-8")
        written.append(path)
    return written


def write_waterfall_chart(
    linker: Linker, records: list[dict], charts_dir: Path, name: str
) -> Path | None:
    """A waterfall chart of the given scored pairs (rows of the scored-pairs table)."""
    if not records:
        return None
    charts_dir.mkdir(parents=True, exist_ok=True)
    chart = linker.visualisations.waterfall_chart(records, filter_nulls=False)
    path = charts_dir / f"{name}.html"
    path.write_text(chart.to_html(inline=True), "utf-8")
    return path
