"""Run rules through Great Expectations and render the Data Docs site.

One ephemeral GX context per process and docs folder: a pandas data source (GX's
SQL data source does not work with DuckDB 2), one dataframe asset and one
``ValidationDefinition`` per suite. Validation results are kept in a filesystem
store beside the site (``<docs>/.results``) so the site's index shows history.
Great Expectations is imported here only, lazily: the import takes seconds.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quality.results import ExpectationOutcome
from quality.rules import Rule

if TYPE_CHECKING:
    import pandas as pd

SITE_NAME = "cdp_quality"
DATASOURCE = "cdp_quality_frames"
EXAMPLES = 10


@dataclass(frozen=True)
class Frame:
    """What GX validates: a small pandas frame built in DuckDB."""

    name: str  # suite name, e.g. raw.pos__transactions.rows
    data: pd.DataFrame
    example_columns: tuple[str, ...] = ()  # columns that identify a failing row


def docs_dir_for(warehouse: Path) -> Path:
    """The static Data Docs site lives next to the warehouse file."""
    return Path(warehouse).resolve().parent / "quality_docs"


@cache
def _context(docs_dir: Path | None) -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        progress_bars=ProgressBarsConfig(globally=False),
        analytics_enabled=False,
    )
    if docs_dir is not None:
        config.stores["validation_results_store"] = {
            "class_name": "ValidationResultsStore",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs_dir / ".results"),
            },
        }
        config.data_docs_sites = {
            SITE_NAME: {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        }
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.data_sources.add_pandas(DATASOURCE)
    return context


def _expectation(rule: Rule) -> Any:
    import great_expectations as gx

    cls = getattr(gx.expectations, rule.expectation)
    meta = {
        "rule": rule.key,
        "check": rule.check,
        "severity": rule.severity,
        "description": rule.description,
    }
    return cls(**rule.kwargs, meta=meta)


def _batch_definition(context: Any, asset_name: str) -> Any:
    datasource = context.data_sources.get(DATASOURCE)
    try:
        asset = datasource.get_asset(asset_name)
    except LookupError:
        asset = datasource.add_dataframe_asset(asset_name)
    try:
        return asset.get_batch_definition("frame")
    except KeyError:
        return asset.add_batch_definition_whole_dataframe("frame")


def run_suite(
    frame: Frame, rules: Sequence[Rule], table: str, docs_dir: Path | None
) -> tuple[list[ExpectationOutcome], Any]:
    """Validate ``frame`` against ``rules``: outcomes in rule order, and the result's key in
    the validation results store (None without a docs folder)."""
    import great_expectations as gx

    context = _context(docs_dir)
    suite = context.suites.add_or_update(
        gx.ExpectationSuite(name=frame.name, expectations=[_expectation(r) for r in rules])
    )
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(
            name=frame.name, data=_batch_definition(context, frame.name), suite=suite
        )
    )
    result_format: dict[str, Any] = {
        "result_format": "SUMMARY",
        "partial_unexpected_count": EXAMPLES,
    }
    present = [c for c in frame.example_columns if c in frame.data.columns]
    if present and len(frame.data):
        result_format["unexpected_index_column_names"] = present
    result = definition.run(batch_parameters={"dataframe": frame.data}, result_format=result_format)
    key = _result_key(context, frame.name, result) if docs_dir is not None else None
    by_rule = {r.expectation_config.meta.get("rule"): r for r in result.results}
    return [_outcome(rule, by_rule.get(rule.key), table) for rule in rules], key


def _outcome(rule: Rule, evr: Any, table: str) -> ExpectationOutcome:
    if evr is None:  # GX could not build the expectation: fail closed
        return ExpectationOutcome(
            rule.check,
            table,
            rule.severity,
            False,
            rule.expectation,
            rule.description,
            note="no result from Great Expectations",
        )
    res = _plain(evr.result or {})
    error = (evr.exception_info or {}).get("exception_message") if evr.exception_info else None
    if isinstance(evr.exception_info, dict) and not error:
        error = next(
            (
                v.get("exception_message")
                for v in evr.exception_info.values()
                if isinstance(v, dict) and v.get("raised_exception")
            ),
            None,
        )
    unexpected = res.get("unexpected_count")
    elements = res.get("element_count")
    observed = res.get("observed_value")
    if observed is None and res.get("unexpected_percent") is not None:
        observed = round(res["unexpected_percent"] / 100, 6)  # share of non-null values
    elif observed is None and unexpected is not None:
        observed = 0.0
    return ExpectationOutcome(
        check=rule.check,
        table=table,
        severity=rule.severity,
        success=bool(evr.success),
        expectation=evr.expectation_config.type,
        description=rule.description,
        observed=observed,
        element_count=elements,
        unexpected_count=unexpected,
        examples=_examples(res),
        note=error,
        column=rule.kwargs.get("column"),
    )


def _examples(result: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    indexed = result.get("partial_unexpected_index_list")
    if indexed:
        return tuple(indexed[:EXAMPLES])
    values = result.get("partial_unexpected_list") or []
    return tuple({"value": v} for v in values[:EXAMPLES])


def _plain(value: Any) -> Any:
    """JSON-safe plain Python (numpy scalars, NaN, timestamps -> str)."""

    def default(o: Any) -> Any:
        if hasattr(o, "item"):
            return o.item()
        return str(o)

    def clean(o: Any) -> Any:
        if isinstance(o, float) and math.isnan(o):
            return None
        if isinstance(o, dict):
            return {k: clean(v) for k, v in o.items()}
        if isinstance(o, list):
            return [clean(v) for v in o]
        return o

    return clean(json.loads(json.dumps(value, default=default)))


def _result_key(context: Any, suite_name: str, result: Any) -> Any:
    store = context.validation_results_store
    run_id = result.meta["run_id"]
    keys = [k for k in store.list_keys() if k.expectation_suite_identifier.name == suite_name]
    _prune(context, keys)
    return next((k for k in keys if k.run_id == run_id), None)


def _render_docs(docs_dir: Path, keys: list[Any]) -> dict[Any, str]:
    """Render the pages of ``keys`` and the site index once; the URL of each page."""
    context = _context(docs_dir)
    context.build_data_docs(site_names=[SITE_NAME], resource_identifiers=keys)
    urls = {}
    for key in keys:
        found = context.get_docs_sites_urls(resource_identifier=key, site_name=SITE_NAME)
        if found and found[0].get("site_url"):
            urls[key] = found[0]["site_url"]
    return urls


def _prune(context: Any, keys: list[Any], keep: int | None = None) -> None:
    from quality.config import load_thresholds

    keep = keep if keep is not None else int(load_thresholds().get("docs.keep_results_per_suite"))
    ordered = sorted(keys, key=lambda k: k.run_id.run_time)
    site_dir = Path(context.variables.data_docs_sites[SITE_NAME]["store_backend"]["base_directory"])
    for key in ordered[:-keep] if len(ordered) > keep else []:
        context.validation_results_store.remove_key(key)
        page = site_dir / "validations" / Path(*key.to_tuple()[:-1])
        shutil.rmtree(page, ignore_errors=True)


def run_frames(
    frames: dict[str, Frame], rules: Sequence[Rule], table: str, docs_dir: Path | None
) -> list[ExpectationOutcome]:
    """Each frame with its own suite, then one Data Docs build; outcomes in rule order."""
    validated: list[tuple[list[ExpectationOutcome], Any]] = []
    for name, frame in frames.items():
        frame_rules = [r for r in rules if r.frame == name]
        if frame_rules:
            validated.append(run_suite(frame, frame_rules, table, docs_dir))
    keys = [key for _, key in validated if key is not None]
    urls = _render_docs(docs_dir, keys) if docs_dir is not None and keys else {}
    outcomes = [replace(o, docs_url=urls.get(key)) for found, key in validated for o in found]
    order = {r.check: i for i, r in enumerate(rules)}
    return sorted(outcomes, key=lambda o: order[o.check])  # stable within one check


def index_url(docs_dir: Path) -> str:
    return (docs_dir / "index.html").resolve().as_uri()
