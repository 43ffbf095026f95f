"""Quality gates as Dagster asset checks: one check per rule, blocking when severe.

Each gated table gets one multi-asset check (one step, one GX run) that yields one
``AssetCheckResult`` per rule. Rules of error severity are blocking: when one fails,
the step fails and nothing downstream of the table runs in that run, so the tables
built by earlier runs stay as they were.
"""

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime

import dagster as dg

from ingest.contract import ENTITIES, Entity
from orchestration.ingest.assets import WAREHOUSE_POOL, raw_asset_key
from orchestration.resources import CdpSettings
from quality.config import DEFAULT_THRESHOLDS_PATH, Thresholds, load_thresholds
from quality.results import ExpectationOutcome, GateResult

IDENTITY_XREF = dg.AssetKey(["identity", "customer_xref"])
MARTS_SCHEMA = "marts"
GROUP = "quality"


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


def _gate_check(
    name: str,
    asset_key: dg.AssetKey,
    checks: list[tuple[str, str, str]],
    run_gate: Callable[[CdpSettings], GateResult],
) -> dg.AssetChecksDefinition:
    names = [c[0] for c in checks]

    @dg.multi_asset_check(
        specs=_specs(asset_key, checks),
        name=name,
        pool=WAREHOUSE_POOL,
        description=f"Great Expectations gate on {asset_key.to_user_string()} (quality/).",
    )
    def _check(context: dg.AssetCheckExecutionContext, cdp: CdpSettings) -> Iterator:
        gate = run_gate(cdp)
        context.log.info(
            f"{gate.table}: {len(gate.outcomes)} expectations on {gate.rows_checked:,} rows "
            f"in {gate.seconds:.1f}s, failed: {', '.join(gate.failed_checks) or 'none'}"
        )
        yield from gate_results(asset_key, names, gate)

    return _check


def build_raw_check(entity: Entity, thresholds: Thresholds) -> dg.AssetChecksDefinition:
    from quality.raw import raw_rules

    rules = raw_rules(entity, thresholds, datetime.now(UTC))
    checks = [(r.check, r.severity, r.description) for r in rules]

    def run(cdp: CdpSettings) -> GateResult:
        from quality import docs_dir_for, run_raw_gate

        with cdp.connect() as con:
            return run_raw_gate(
                con,
                entity.raw_table,
                thresholds=load_thresholds(),
                docs_dir=docs_dir_for(cdp.warehouse_path()),
            )

    return _gate_check(f"quality_raw__{entity.raw_table}", raw_asset_key(entity), checks, run)


def build_identity_check(thresholds: Thresholds) -> dg.AssetChecksDefinition:
    from quality.identity import identity_rules

    checks = [(r.check, r.severity, r.description) for r in identity_rules(thresholds)]

    def run(cdp: CdpSettings) -> GateResult:
        from quality import docs_dir_for, run_identity_gate

        with cdp.connect() as con:
            return run_identity_gate(
                con, thresholds=load_thresholds(), docs_dir=docs_dir_for(cdp.warehouse_path())
            )

    return _gate_check("quality_identity__customer_xref", IDENTITY_XREF, checks, run)


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


def build_marts_check(
    asset_key: dg.AssetKey, thresholds: Thresholds, columns: Sequence[str] = ()
) -> dg.AssetChecksDefinition:
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

    def run(cdp: CdpSettings) -> GateResult:
        from quality import docs_dir_for, run_marts_gate

        with cdp.connect() as con:
            return run_marts_gate(
                con,
                table,
                thresholds=load_thresholds(),
                docs_dir=docs_dir_for(cdp.warehouse_path()),
                declared=declared,
            )

    return _gate_check(f"quality_marts__{table}", asset_key, checks, run)


def _keys(assets: Iterable[dg.AssetsDefinition | dg.AssetSpec]) -> set[dg.AssetKey]:
    keys: set[dg.AssetKey] = set()
    for a in assets:
        keys |= {a.key} if isinstance(a, dg.AssetSpec) else set(a.keys)
    return keys


def build_quality_checks(
    assets: Iterable[dg.AssetsDefinition | dg.AssetSpec],
) -> list[dg.AssetChecksDefinition]:
    """Gates for every gated asset among ``assets``: raw tables, the identity xref (when the
    identity asset exists) and every ``marts/*`` model (when the marts exist)."""
    thresholds = _definition_thresholds()
    keys = _keys(assets)
    checks = [build_raw_check(e, thresholds) for e in ENTITIES if raw_asset_key(e) in keys]
    if IDENTITY_XREF in keys:
        checks.append(build_identity_check(thresholds))
    marts = sorted(k for k in keys if len(k.path) == 2 and k.path[0] == MARTS_SCHEMA)
    documented = manifest_columns() if marts else {}
    checks += [build_marts_check(k, thresholds, documented.get(k.path[-1], ())) for k in marts]
    return checks
