"""Gates as Dagster checks (orchestration/quality/checks.py): one check per table and
severity, whose metadata lists every rule; several gates per step, every gate of a step
runs even when another fails or raises, and gates share a step only when that holds back
nothing their own steps would not have."""

from pathlib import Path

import dagster as dg
import pytest

from orchestration.definitions import all_assets
from orchestration.quality.checks import (
    Gate,
    build_quality_checks,
    dependents,
    gate_results,
    gate_step,
    marts_step_groups,
    run_gates,
)
from orchestration.resources import CdpSettings
from quality.results import ExpectationOutcome, GateResult

A, B, C = (dg.AssetKey(["raw", n]) for n in ("a", "b", "c"))


def fake_gate(key: dg.AssetKey, success: bool | None, ran: list[str]) -> Gate:
    """A gate with one error check that passes, fails, or (None) raises."""

    def run(con, thresholds, docs) -> GateResult:
        ran.append(key.path[-1])
        if success is None:
            raise RuntimeError(f"{key.path[-1]} is broken")
        outcome = ExpectationOutcome("rule", key.path[-1], "error", success, "Expect", "")
        return GateResult("raw", key.path[-1], (outcome,))

    return Gate(key, [("rule", "error", "")], run)


def outcome(rule: str, severity: str, success: bool, **kw) -> ExpectationOutcome:
    return ExpectationOutcome(rule, "raw.a", severity, success, "Expect", "", **kw)  # type: ignore[arg-type]


RULES = [("x__not_null", "error", ""), ("y__in_range", "error", ""), ("z__known", "warn", "")]


def results_of(outcomes: list[ExpectationOutcome], rules=RULES) -> dict[str, dg.AssetCheckResult]:
    gate = Gate(A, rules, lambda *_: None)  # type: ignore[arg-type, return-value]
    result = GateResult("raw", "raw.a", tuple(outcomes), rows_checked=9, rows_in_scope=9)
    return {r.check_name: r for r in gate_results(gate, list(gate.checks), result)}


def test_one_check_per_severity_lists_every_rule_with_its_failing_examples():
    bad = ({"_record": "a.csv:3", "y": -2},)
    found = results_of([
        outcome("x__not_null", "error", True, unexpected_count=0),
        outcome("y__in_range", "error", False, unexpected_count=4, examples=bad,
                docs_url="file:///docs/y.html"),
        outcome("z__known", "warn", False, unexpected_count=1, examples=({"value": "new"},)),
    ])  # fmt: skip
    blocking, warnings = found["gx_blocking"], found["gx_warnings"]
    assert not blocking.passed and blocking.severity == dg.AssetCheckSeverity.ERROR
    meta = {k: v.value for k, v in blocking.metadata.items()}
    assert meta["failed_rules"] == "y__in_range" and meta["rules"] == 2
    assert meta["results"]["x__not_null"]["passed"] and meta["unexpected_count"] == 4
    assert meta["failing_examples"] == {"y__in_range": [{"_record": "a.csv:3", "y": -2}]}
    assert meta["data_docs"] == "file:///docs/y.html"
    assert not warnings.passed and warnings.severity == dg.AssetCheckSeverity.WARN
    assert warnings.metadata["failing_examples"].value == {"z__known": [{"value": "new"}]}


def test_a_rule_without_a_result_fails_the_blocking_check():
    found = results_of([outcome("x__not_null", "error", True), outcome("z__known", "warn", True)])
    assert found["gx_warnings"].passed
    blocking = found["gx_blocking"]
    assert not blocking.passed and blocking.severity == dg.AssetCheckSeverity.ERROR
    assert blocking.metadata["failed_rules"].value == "y__in_range"


def test_a_rule_made_a_warning_at_run_time_fails_without_blocking():
    found = results_of([outcome("x__not_null", "error", True),
                        outcome("y__in_range", "warn", False),
                        outcome("z__known", "warn", True)])  # fmt: skip
    assert not found["gx_blocking"].passed
    assert found["gx_blocking"].severity == dg.AssetCheckSeverity.WARN


def test_several_outcomes_of_one_rule_are_listed_by_column():
    found = results_of(
        [outcome("r", "error", True, column="a"), outcome("r", "error", False, column="b")],
        rules=[("r", "error", "")],
    )
    assert set(found) == {"gx_blocking"}  # no warn rules, no warn check
    assert found["gx_blocking"].metadata["failed_rules"].value == "r:b"


def test_a_failing_blocking_check_holds_back_dependants_and_a_warning_does_not(tmp_path: Path):
    def gate(key: dg.AssetKey, failing: str | None) -> Gate:
        rules = [("e", "error", ""), ("w", "warn", "")]
        outcomes = tuple(outcome(r, s, r != failing) for r, s, _ in rules)
        return Gate(key, rules, lambda *_: GateResult("raw", key.path[-1], outcomes))

    @dg.asset(key=A)
    def a() -> None: ...

    @dg.asset(key=B)
    def b() -> None: ...

    @dg.asset(deps=[A])
    def reads_a() -> None: ...

    @dg.asset(deps=[B])
    def reads_b() -> None: ...

    steps = [gate_step("quality_a", [gate(A, "e")]), gate_step("quality_b", [gate(B, "w")])]
    cdp = CdpSettings(warehouse=str(tmp_path / "w.duckdb"))
    result = dg.materialize([a, b, reads_a, reads_b, *steps], resources={"cdp": cdp},
                            raise_on_error=False)  # fmt: skip
    done = {e.asset_key for e in result.get_asset_materialization_events()}
    assert not result.success
    assert dg.AssetKey("reads_b") in done and dg.AssetKey("reads_a") not in done
    evaluations = {
        (e.asset_key, e.check_name): e.passed
        for e in (ev.asset_check_evaluation_data for ev in result.all_events
                  if ev.event_type_value == "ASSET_CHECK_EVALUATION")
    }  # fmt: skip
    assert evaluations == {(A, "gx_blocking"): False, (A, "gx_warnings"): True,
                           (B, "gx_blocking"): True, (B, "gx_warnings"): False}  # fmt: skip


def test_every_gate_of_a_step_runs_and_the_first_error_is_raised_last(tmp_path: Path):
    ran: list[str] = []
    gates = [fake_gate(A, None, ran), fake_gate(B, False, ran), fake_gate(C, True, ran)]
    cdp = CdpSettings(warehouse=str(tmp_path / "w.duckdb"))
    results = []
    with pytest.raises(RuntimeError, match="a is broken"):
        for r in run_gates(gates, [g.check_keys[0] for g in gates], cdp, lambda _: None):
            results.append(r)
    assert ran == ["a", "b", "c"]
    assert [(r.asset_key, r.passed) for r in results] == [(B, False), (C, True)]


def test_a_subset_runs_only_the_gates_of_the_selected_checks(tmp_path: Path):
    ran: list[str] = []
    gates = [fake_gate(A, True, ran), fake_gate(B, True, ran)]
    cdp = CdpSettings(warehouse=str(tmp_path / "w.duckdb"))
    results = list(run_gates(gates, [gates[1].check_keys[0]], cdp, lambda _: None))
    assert ran == ["b"] and [r.asset_key for r in results] == [B]


def test_marts_gates_share_a_step_only_with_tables_of_the_same_readers():
    readers = dependents(all_assets)
    marts = [k for k in readers if k.path[0] == "marts"]
    groups = dict(marts_step_groups(marts, readers))
    for name, tables in groups.items():
        assert len({frozenset(readers[t]) for t in tables}) == 1, name
        # no table of a step is read by another table of the same step
        assert not any(readers[t] & set(tables) for t in tables), name
    # customer_360 feeds the CRM outbox: a failing metrics mart must not hold that back
    assert groups["quality_marts__customer_360"] == [dg.AssetKey(["marts", "customer_360"])]
    shared = groups["quality_marts"]
    assert dg.AssetKey(["marts", "store_sales_monthly"]) in shared and len(shared) > 5


def test_the_code_location_gates_every_table_in_a_handful_of_steps():
    steps = build_quality_checks(all_assets)
    assert len(steps) <= 8
    raw = next(s for s in steps if s.node_def.name == "quality_raw")
    assert len({s.asset_key for s in raw.check_specs}) == 10
    specs = [s for step in steps for s in step.check_specs]
    # one check per table and severity: error rules block, warn rules never
    assert {s.name for s in specs} == {"gx_blocking", "gx_warnings"}
    assert all(s.blocking == (s.name == "gx_blocking") for s in specs)
    assert len(specs) < 2 * len({s.asset_key for s in specs})  # tables without warn rules
