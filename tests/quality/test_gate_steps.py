"""Several gates per Dagster step (orchestration/quality/checks.py): every gate of a step
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
