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
    con.execute(
        "create or replace temp table _evidence_labels "
        "(comparison varchar, gamma integer, label varchar)"
    )
    if labels:
        con.executemany(
            "insert into _evidence_labels values (?, ?, ?)",
            [(c, g, lbl) for (c, g), lbl in labels.items()],
        )
    prior = model["probability_two_random_records_match"]
    prior_weight = math.log2(prior / (1 - prior))
    steps = [
        f"""
        select golden_id, id_l, id_r, match_probability, match_weight, 0 as step,
               'prior' as comparison, 'Starting match weight (prior)' as comparison_level,
               null::integer as gamma, {prior_weight} as step_match_weight,
               null::double as tf_adjustment_weight,
               null::varchar as value_l, null::varchar as value_r
        from linked
        """
    ]
    for i, comparison in enumerate(model["comparisons"], start=1):
        name = comparison["output_column_name"]
        col = _compared_column(comparison, available)
        tf = f"mw_tf_adj_{name}" if f"mw_tf_adj_{name}" in available else "null::double"
        steps.append(
            f"""
            select golden_id, id_l, id_r, match_probability, match_weight, {i},
                   '{name}', lbl.label, gamma_{name},
                   coalesce(mw_{name}, 0) + coalesce({tf}, 0), {tf},
                   {_value_sql(col, 'l')}, {_value_sql(col, 'r')}
            from linked
            left join _evidence_labels lbl
              on lbl.comparison = '{name}' and lbl.gamma = gamma_{name}
            """
        )
    deterministic = ""
    if deterministic_edges:
        deterministic = f"""
        union all
        select gl.golden_id, e.id_l, e.id_r, 'deterministic', 1.0, null, 0, e.rule,
               'deterministic rule: ' || replace(e.rule, '_', ' '), null, null, null, null, null
        from {deterministic_edges} e
        join {record_golden} gl on gl.record_key = e.id_l
        join {record_golden} gr on gr.record_key = e.id_r
        where gl.golden_id = gr.golden_id
        """
    con.execute(
        f"""
        create or replace table {out} as
        with linked as (
            select gl.golden_id, s.*
            from {scored_pairs} s
            join {record_golden} gl on gl.record_key = s.id_l
            join {record_golden} gr on gr.record_key = s.id_r
            where gl.golden_id = gr.golden_id and s.match_probability >= {link_threshold}
        ),
        probabilistic as ({" union all ".join(steps)})
        select golden_id, id_l as record_key_l, id_r as record_key_r,
               'probabilistic' as link_kind, match_probability, match_weight, step,
               comparison, comparison_level, gamma, step_match_weight, tf_adjustment_weight,
               value_l, value_r
        from probabilistic
        {deterministic}
        order by golden_id, record_key_l, record_key_r, step
        """
    )
    con.execute("drop table if exists _evidence_labels")
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
