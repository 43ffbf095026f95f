"""Quality gates as Dagster asset checks: one check per gated table and severity.

A gated table gets ``gx_blocking`` (its rules of error severity; ``blocking=True``)
and, when it has any, ``gx_warnings`` (its warn rules; never blocks). Each check's
metadata lists every rule it holds with its verdict, observed value, counts, failing
ids or sample values and Data Docs page, so nothing the rules say is lost; Dagster
writes ~3 events per check, and one check per rule made the event log most of a gate
step's time (docs/quality.md, "Dagster").

A gate validates one table and yields one ``AssetCheckResult`` per check. Several
gates share one step (one ``multi_asset_check``, one warehouse connection, one Data
Docs build) wherever that blocks nothing the separate steps would not have blocked:

* ``quality_raw``: every raw table. Every raw table feeds the staging dbt models,
  which run as one dbt step, so a failing raw gate already held all of staging back;
* ``quality_identity__customer_xref``;
* the marts gates grouped by the assets that read their tables (``marts_step_groups``):
  gates whose tables have the same direct dependents share a step, so a failing gate
  holds back exactly the steps it held back on its own (e.g. ``customer_360`` feeds
  the CRM outbox and keeps its own step; the marts only the BI copy reads share one).

When a rule of error severity fails, ``gx_blocking`` fails with severity ERROR, the step
fails and nothing downstream of it runs in that run, so the tables built by earlier
runs stay as they were. Every gate of a step runs even when an earlier one fails or
raises.
"""

import json
from collections import Counter, defaultdict
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

#: The check of each severity: error rules block their table's dependents, warn rules never.
SEVERITY_CHECKS: dict[str, str] = {"error": "gx_blocking", "warn": "gx_warnings"}
BLOCKING_CHECK = SEVERITY_CHECKS["error"]

#: Runs one gate on the step's connection, thresholds and Data Docs session.
GateRun = Callable[["duckdb.DuckDBPyConnection", Thresholds, "DataDocs | None"], GateResult]


@dataclass(frozen=True)
class Gate:
    """One gated table: its asset, its rules (name, severity, description) and its run."""

    asset_key: dg.AssetKey
    rules: list[tuple[str, str, str]]
    run: GateRun

    @property
    def checks(self) -> dict[str, list[tuple[str, str, str]]]:
        """The table's Dagster checks (one per severity its rules have), each with its rules."""
        grouped: dict[str, list[tuple[str, str, str]]] = {}
        for severity, name in SEVERITY_CHECKS.items():
            rules = [r for r in self.rules if r[1] == severity]
            if rules:
                grouped[name] = rules
        return grouped

    @property
    def check_keys(self) -> list[dg.AssetCheckKey]:
        return [dg.AssetCheckKey(self.asset_key, name) for name in self.checks]

    def check_of(self, outcome: ExpectationOutcome) -> str:
        """The check an outcome is reported in: its rule's, as declared when the definitions
        loaded; a rule not declared then goes by its own severity (blocking when the table
        has no check of that severity)."""
        for name, rules in self.checks.items():
            if any(rule == outcome.check for rule, _, _ in rules):
                return name
        name = SEVERITY_CHECKS.get(outcome.severity, BLOCKING_CHECK)
        return name if name in self.checks else BLOCKING_CHECK


def _definition_thresholds() -> Thresholds:
    """Severities (hence which check, blocking or not, holds a rule) come from the thresholds
    file in the repository."""
    return load_thresholds(DEFAULT_THRESHOLDS_PATH)


def _plain(value: object) -> object:
    return json.loads(json.dumps(value, default=str))


def rule_keys(outcomes: Sequence[ExpectationOutcome]) -> list[str]:
    """The name each outcome is listed under: its rule, or ``rule:column`` when the rule
    has several outcomes (as the undeclared marts ranges do, one per column)."""
    counts = Counter(o.check for o in outcomes)
    return [o.check if counts[o.check] == 1 else f"{o.check}:{o.column}" for o in outcomes]


def rule_entries(
    rules: Sequence[str], outcomes: Sequence[ExpectationOutcome]
) -> dict[str, dict[str, object]]:
    """Every rule of a check with its verdict. A declared rule the gate returned no outcome
    for is listed as failing: a missing result fails, as it always has."""
    entries: dict[str, dict[str, object]] = {
        key: {
            "passed": o.success,
            "severity": o.severity,
            "expectation": o.expectation,
            "column": o.column,
            "observed": _plain(o.observed),
            "unexpected_count": o.unexpected_count,
            "element_count": o.element_count,
            "note": o.note,
            "data_docs": o.docs_url,
        }
        for key, o in zip(rule_keys(outcomes), outcomes, strict=True)
    }
    answered = {o.check for o in outcomes}
    for rule in rules:
        if rule not in answered:
            entries[rule] = {"passed": False, "severity": "error", "note": "no result"}
    return entries


def check_result(
    asset_key: dg.AssetKey,
    check: str,
    rules: Sequence[str],
    outcomes: Sequence[ExpectationOutcome],
    gate: GateResult,
) -> dg.AssetCheckResult:
    """One Dagster result for the ``rules`` of one check: passes when every rule passed;
    severity ERROR when a failing rule is of error severity or has no result (a rule a
    run-time override made a warning fails with WARN and does not block, as before)."""
    entries = rule_entries(rules, outcomes)
    failed = [k for k, e in entries.items() if not e["passed"]]
    failing = [o for o in outcomes if not o.success]
    missing = not {o.check for o in outcomes} >= set(rules)
    severe = missing or any(o.severity == "error" for o in (failing or outcomes))
    metadata: dict[str, dg.RawMetadataValue] = {
        "rows_checked": gate.rows_checked,
        "rows_in_scope": gate.rows_in_scope,
        "sampled": gate.sampled,
        "rules": len(entries),
        "rules_failed": len(failed),
        "failed_rules": ", ".join(failed),
        "unexpected_count": sum(o.unexpected_count or 0 for o in outcomes),
        "results": dg.MetadataValue.json(entries),
    }
    examples = {
        key: list(o.examples)
        for key, o in zip(rule_keys(outcomes), outcomes, strict=True)
        if not o.success and o.examples
    }
    if examples:  # the offending ids (raw rows: `_record` = file:line) or values, per rule
        metadata["failing_examples"] = dg.MetadataValue.json(_plain(examples))  # type: ignore[arg-type]
    if gate.details:  # e.g. merge rate and churn, rows per file against the baseline
        metadata["gate_details"] = dg.MetadataValue.json(_plain(gate.details))  # type: ignore[arg-type]
    url = next((o.docs_url for o in (*failing, *outcomes) if o.docs_url), None)
    if url:  # the page of the first failing rule (every rule's page is in `results`)
        metadata["data_docs"] = dg.MetadataValue.url(url)
    if gate.docs_index_url:
        metadata["data_docs_index"] = dg.MetadataValue.url(gate.docs_index_url)
    summary = f"{len(failed)} of {len(entries)} rules failed: {', '.join(failed)}"
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=check,
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR if severe else dg.AssetCheckSeverity.WARN,
        metadata=metadata,
        description=summary if failed else f"all {len(entries)} rules passed",
    )


def gate_results(g: Gate, checks: Sequence[str], gate: GateResult) -> Iterator[dg.AssetCheckResult]:
    """A result for each of ``checks`` of the gate's table, from the outcomes of its rules."""
    declared = g.checks
    for check in checks:
        rules = [name for name, _, _ in declared[check]]
        outcomes = [o for o in gate.outcomes if g.check_of(o) == check]
        yield check_result(g.asset_key, check, rules, outcomes, gate)


def spec_description(check: str, rules: Sequence[tuple[str, str, str]]) -> str:
    effect = "any failing one blocks downstream" if check == BLOCKING_CHECK else "never block"
    listed = "; ".join(f"`{rule}` {text}".strip() for rule, _, text in rules)
    return f"{len(rules)} Great Expectations rules ({effect}): {listed}"


def check_specs(g: Gate) -> list[dg.AssetCheckSpec]:
    """One spec per check of the gate's table; only the error rules' check blocks."""
    return [
        dg.AssetCheckSpec(
            name=name, asset=g.asset_key, blocking=name == BLOCKING_CHECK,
            description=spec_description(name, rules),
        )
        for name, rules in g.checks.items()
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
            yield from gate_results(g, [k.name for k in g.check_keys if k in chosen], gate)
    if errors:
        raise errors[0]


def gate_step(name: str, gates: Sequence[Gate]) -> dg.AssetChecksDefinition:
    """One Dagster step that runs ``gates`` (subsettable: a run selecting some of the
    checks runs only the gates those belong to)."""
    tables = ", ".join(g.asset_key.to_user_string() for g in gates)

    @dg.multi_asset_check(
        specs=[spec for g in gates for spec in check_specs(g)],
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
