"""Quality gates as Dagster asset checks: one check per rule, blocking when severe.

A gate validates one table and yields one ``AssetCheckResult`` per rule. Several gates
share one step (one ``multi_asset_check``, one warehouse connection, one Data Docs
build) wherever that blocks nothing the separate steps would not have blocked:

* ``quality_raw``: every raw table. Every raw table feeds the staging dbt models,
  which run as one dbt step, so a failing raw gate already held all of staging back;
* ``quality_identity__customer_xref``;
* the marts gates grouped by the assets that read their tables (``marts_step_groups``):
  gates whose tables have the same direct dependents share a step, so a failing gate
  holds back exactly the steps it held back on its own (e.g. ``customer_360`` feeds
  the CRM outbox and keeps its own step; the marts only the BI copy reads share one).

Rules of error severity are blocking: when one fails, the step fails and nothing
downstream of it runs in that run, so the tables built by earlier runs stay as they
were. Every gate of a step runs even when an earlier one fails or raises.
"""

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import dagster as dg

from ingest.contract import ENTITIES, Entity
from orchestration.ingest.assets import WAREHOUSE_POOL, raw_asset_key
from orchestration.resources import CdpSettings
from quality.config import DEFAULT_THRESHOLDS_PATH, Thresholds, load_thresholds
from quality.results import ExpectationOutcome, GateResult

if TYPE_CHECKING:
    import duckdb

    from quality.gx_runner import DataDocs

IDENTITY_XREF = dg.AssetKey(["identity", "customer_xref"])
MARTS_SCHEMA = "marts"
GROUP = "quality"
RAW_STEP = "quality_raw"
IDENTITY_STEP = "quality_identity__customer_xref"
MARTS_STEP = "quality_marts"

#: Runs one gate on the step's connection, thresholds and Data Docs session.
GateRun = Callable[["duckdb.DuckDBPyConnection", Thresholds, "DataDocs | None"], GateResult]


@dataclass(frozen=True)
class Gate:
    """One gated table: its asset, its checks (name, severity, description) and its run."""

    asset_key: dg.AssetKey
    checks: list[tuple[str, str, str]]
    run: GateRun

    @property
    def check_keys(self) -> list[dg.AssetCheckKey]:
        return [dg.AssetCheckKey(self.asset_key, name) for name, _, _ in self.checks]


def _definition_thresholds() -> Thresholds:
    """Severities (hence blocking flags) come from the thresholds file in the repository."""
    return load_thresholds(DEFAULT_THRESHOLDS_PATH)


def check_result(
    asset_key: dg.AssetKey, check: str, outcomes: Sequence[ExpectationOutcome], gate: GateResult
) -> dg.AssetCheckResult:
    """One Dagster result from the outcomes of one check (several for undeclared marts ranges)."""
    failing = [o for o in outcomes if not o.success]
    severe = any(o.severity == "error" for o in (failing or outcomes)) or not outcomes
    metadata: dict[str, dg.RawMetadataValue] = {
        "rows_checked": gate.rows_checked,
        "rows_in_scope": gate.rows_in_scope,
        "sampled": gate.sampled,
        "expectations": len(outcomes),
        "unexpected_count": sum(o.unexpected_count or 0 for o in outcomes),
        "element_count": max((o.element_count or 0 for o in outcomes), default=0),
    }
    if len(outcomes) == 1:
        metadata["observed"] = dg.MetadataValue.json({"value": outcomes[0].observed})
        metadata["expectation"] = outcomes[0].expectation
    else:
        metadata["observed"] = dg.MetadataValue.json(
            {o.column or f"{o.expectation}:{i}": o.observed for i, o in enumerate(outcomes)}
        )
    examples = [
        {"column": o.column, **ex} if len(outcomes) > 1 else ex
        for o in failing
        for ex in o.examples
    ][:10]
    if examples:
        metadata["failing_examples"] = dg.MetadataValue.json(examples)
    if gate.details:  # e.g. merge rate and churn, rows per file against the baseline
        metadata["gate_details"] = dg.MetadataValue.json(
            json.loads(json.dumps(gate.details, default=str))
        )
    notes = sorted({o.note for o in outcomes if o.note})
    if notes:
        metadata["note"] = "; ".join(notes)
    url = next((o.docs_url for o in outcomes if o.docs_url), None)
    if url:
        metadata["data_docs"] = dg.MetadataValue.url(url)
    if gate.docs_index_url:
        metadata["data_docs_index"] = dg.MetadataValue.url(gate.docs_index_url)
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=check,
        passed=bool(outcomes) and not failing,
        severity=dg.AssetCheckSeverity.ERROR if severe else dg.AssetCheckSeverity.WARN,
        metadata=metadata,
        description=outcomes[0].description if outcomes else None,
    )


def gate_results(
    asset_key: dg.AssetKey, checks: Sequence[str], gate: GateResult
) -> Iterator[dg.AssetCheckResult]:
    """A result for every declared check, even one the gate had no outcome for (fails)."""
    for check in checks:
        yield check_result(asset_key, check, [o for o in gate.outcomes if o.check == check], gate)


def _specs(
    asset_key: dg.AssetKey, checks: Iterable[tuple[str, str, str]]
) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            name=name, asset=asset_key, blocking=severity == "error",
            description=f"[{severity}] {description}".strip(),
        )
        for name, severity, description in checks
    ]  # fmt: skip


def run_gates(
    gates: Sequence[Gate],
    selected: Iterable[dg.AssetCheckKey],
    cdp: CdpSettings,
    log: Callable[[str], None],
) -> Iterator[dg.AssetCheckResult]:
    """Run every gate with a selected check on one connection and one Data Docs session;
    the results of the selected checks. A gate that raises does not stop the others: the
    first error is raised once they have all run (the step then fails)."""
    from quality import docs_dir_for
    from quality.gx_runner import data_docs

    chosen = set(selected)
    errors: list[Exception] = []
    thresholds = load_thresholds()
    with cdp.connect() as con, data_docs(docs_dir_for(cdp.warehouse_path())) as docs:
        for g in (g for g in gates if chosen & set(g.check_keys)):
            try:
                gate = g.run(con, thresholds, docs)
            except Exception as exc:  # re-raised below, once the other gates have run
                errors.append(exc)
                log(f"{g.asset_key.to_user_string()}: gate raised {exc!r}")
                continue
            log(
                f"{gate.table}: {len(gate.outcomes)} expectations on {gate.rows_checked:,} of "
                f"{gate.rows_in_scope:,} rows in {gate.seconds:.1f}s, "
                f"failed: {', '.join(gate.failed_checks) or 'none'}"
            )
            names = [k.name for k in g.check_keys if k in chosen]
            yield from gate_results(g.asset_key, names, gate)
    if errors:
        raise errors[0]


def gate_step(name: str, gates: Sequence[Gate]) -> dg.AssetChecksDefinition:
    """One Dagster step that runs ``gates`` (subsettable: a run selecting some of the
    checks runs only the gates those belong to)."""
    tables = ", ".join(g.asset_key.to_user_string() for g in gates)

    @dg.multi_asset_check(
        specs=[spec for g in gates for spec in _specs(g.asset_key, g.checks)],
        name=name,
        pool=WAREHOUSE_POOL,
        can_subset=True,
        description=f"Great Expectations gates on {tables} (quality/).",
    )
    def _check(context: dg.AssetCheckExecutionContext, cdp: CdpSettings) -> Iterator:
        yield from run_gates(gates, context.selected_asset_check_keys, cdp, context.log.info)

    return _check


def raw_gate(entity: Entity, thresholds: Thresholds) -> Gate:
    from quality.raw import raw_rules

    rules = raw_rules(entity, thresholds, datetime.now(UTC))

    def run(con: "duckdb.DuckDBPyConnection", t: Thresholds, docs: "DataDocs | None") -> GateResult:
        from quality import run_raw_gate

        return run_raw_gate(con, entity.raw_table, thresholds=t, docs_dir=docs)

    return Gate(raw_asset_key(entity), [(r.check, r.severity, r.description) for r in rules], run)


def build_raw_check(entity: Entity, thresholds: Thresholds) -> dg.AssetChecksDefinition:
    """The gate of one raw table as a step of its own."""
    return gate_step(f"quality_raw__{entity.raw_table}", [raw_gate(entity, thresholds)])


def identity_gate(thresholds: Thresholds) -> Gate:
    from quality.identity import identity_rules

    def run(con: "duckdb.DuckDBPyConnection", t: Thresholds, docs: "DataDocs | None") -> GateResult:
        from quality import run_identity_gate

        return run_identity_gate(con, thresholds=t, docs_dir=docs)

    checks = [(r.check, r.severity, r.description) for r in identity_rules(thresholds)]
    return Gate(IDENTITY_XREF, checks, run)


def build_identity_check(thresholds: Thresholds) -> dg.AssetChecksDefinition:
    return gate_step(IDENTITY_STEP, [identity_gate(thresholds)])


def manifest_columns(schema: str = MARTS_SCHEMA) -> dict[str, list[str]]:
    """Documented columns of every dbt model in ``schema``, by table (alias or name), read
    from the dbt manifest the dbt assets are built from; empty when there is none."""
    from orchestration.dbt.project import dbt_project

    path = dbt_project.manifest_path
    if not path.exists():
        return {}
    nodes = json.loads(path.read_text(encoding="utf-8")).get("nodes", {})
    return {
        str(n.get("alias") or n["name"]): [str(c.get("name") or k) for k, c in n["columns"].items()]
        for n in nodes.values()
        if n.get("resource_type") == "model" and n.get("schema") == schema and n.get("columns")
    }


def marts_gate(asset_key: dg.AssetKey, thresholds: Thresholds, columns: Sequence[str] = ()) -> Gate:
    """One check per range column of ``columns`` (the table's documented columns), one
    ``undeclared_metric_ranges`` for range columns only the built table has, and the
    table's fixed checks."""
    from quality.marts import (
        UNDECLARED_RANGES,
        range_check,
        range_columns,
        range_spec,
        static_checks,
    )

    table = asset_key.path[-1]
    declared = range_columns(columns, thresholds)
    spec = {c: range_spec(c, thresholds) or {} for c in declared}
    described = {
        **{
            range_check(c): f"`{c}` lies in [{spec[c].get('min')}, {spec[c].get('max')}] "
            f"(pattern `{spec[c].get('pattern')}`)."
            for c in declared
        },
        UNDECLARED_RANGES: "Numeric columns matching a marts.ranges pattern that "
        "the dbt manifest does not document lie in their range.",
    }
    checks = [
        (check, thresholds.severity(f"marts.{table}.{check}", severity), described.get(check, ""))  # type: ignore[arg-type]
        for check, severity in static_checks(table, declared)
    ]

    def run(con: "duckdb.DuckDBPyConnection", t: Thresholds, docs: "DataDocs | None") -> GateResult:
        from quality import run_marts_gate

        return run_marts_gate(con, table, thresholds=t, docs_dir=docs, declared=declared)

    return Gate(asset_key, checks, run)


def build_marts_check(
    asset_key: dg.AssetKey, thresholds: Thresholds, columns: Sequence[str] = ()
) -> dg.AssetChecksDefinition:
    """The gate of one marts table as a step of its own."""
    table = asset_key.path[-1]
    return gate_step(f"quality_marts__{table}", [marts_gate(asset_key, thresholds, columns)])


def dependents(
    assets: Iterable[dg.AssetsDefinition | dg.AssetSpec],
) -> dict[dg.AssetKey, set[dg.AssetKey]]:
    """The assets that read each asset (its direct dependents) among ``assets``."""
    found: dict[dg.AssetKey, set[dg.AssetKey]] = defaultdict(set)
    for a in assets:
        for spec in [a] if isinstance(a, dg.AssetSpec) else a.specs:
            for dep in spec.deps:
                found[dep.asset_key].add(spec.key)
    return found


def marts_step_groups(
    keys: Sequence[dg.AssetKey], readers: dict[dg.AssetKey, set[dg.AssetKey]]
) -> list[tuple[str, list[dg.AssetKey]]]:
    """(step name, tables) of the marts gates: tables with the same direct dependents share
    a step. A failing gate holds back its step's dependents, which are then exactly its
    own table's, as with a step per table; and no table of a step reads another (a
    reader is never its own dependent), so no step waits on itself."""
    groups: dict[frozenset[dg.AssetKey], list[dg.AssetKey]] = {}
    for key in sorted(keys):
        groups.setdefault(frozenset(readers.get(key, set())), []).append(key)
    shared = 0
    named = []
    for tables in sorted(groups.values()):
        if len(tables) == 1:
            named.append((f"{MARTS_STEP}__{tables[0].path[-1]}", tables))
        else:
            named.append((MARTS_STEP + (f"_{shared + 1}" if shared else ""), tables))
            shared += 1
    return named


def _keys(assets: Iterable[dg.AssetsDefinition | dg.AssetSpec]) -> set[dg.AssetKey]:
    keys: set[dg.AssetKey] = set()
    for a in assets:
        keys |= {a.key} if isinstance(a, dg.AssetSpec) else set(a.keys)
    return keys


def build_quality_checks(
    assets: Iterable[dg.AssetsDefinition | dg.AssetSpec],
) -> list[dg.AssetChecksDefinition]:
    """Gates for every gated asset among ``assets``: raw tables (one step), the identity
    xref (when the identity asset exists) and every ``marts/*`` model (when the marts
    exist; steps by ``marts_step_groups``)."""
    assets = list(assets)
    thresholds = _definition_thresholds()
    keys = _keys(assets)
    steps = []
    raw = [raw_gate(e, thresholds) for e in ENTITIES if raw_asset_key(e) in keys]
    if raw:
        steps.append(gate_step(RAW_STEP, raw))
    if IDENTITY_XREF in keys:
        steps.append(build_identity_check(thresholds))
    marts = [k for k in keys if len(k.path) == 2 and k.path[0] == MARTS_SCHEMA]
    documented = manifest_columns() if marts else {}
    for name, tables in marts_step_groups(marts, dependents(assets)):
        gates = [marts_gate(k, thresholds, documented.get(k.path[-1], ())) for k in tables]
        steps.append(gate_step(name, gates))
    return steps
