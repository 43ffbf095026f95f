"""Run rules through Great Expectations and render the Data Docs site.

One ephemeral GX context per process and docs folder: a pandas data source (GX's
SQL data source does not work with DuckDB 2), one dataframe asset for every suite and
one ``ValidationDefinition`` per suite. Validation results are kept in a filesystem
store beside the site (``<docs>/.results``) so the site's index shows history.
Great Expectations is imported here only, lazily: the import takes seconds.
Process-wide settings keep the fixed cost per gate down (docs/quality.md, "Cost and
scale"): Jinja bytecode shared between GX's Data Docs views, no pandas batch
fingerprint, one shared dataframe asset. A :class:`DataDocs` session collects the
results its gates write and, when it closes, prunes old results and renders their
pages and the site index in one build: a Dagster step that runs several gates builds
the index once, not once per gate.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2.bccache import Bucket, BytecodeCache

from quality.results import ExpectationOutcome
from quality.rules import Rule

if TYPE_CHECKING:
    import pandas as pd

SITE_NAME = "cdp_quality"
DATASOURCE = "cdp_quality_frames"
#: One dataframe asset and batch definition for every suite: the frame comes with each
#: run and the suite name says which table and frame it is. Adding an asset per suite
#: saved GX's project config twice per suite (~45 ms each time).
ASSET = "frames"
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
                # the index reads every result it lists: list the newest only
                "site_index_builder": {
                    "class_name": "DefaultSiteIndexBuilder",
                    "validation_results_limit": _index_results(),
                },
            }
        }
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.data_sources.add_pandas(DATASOURCE)
    _share_compiled_templates()
    _skip_batch_fingerprints()
    _index_first_examples_only()
    return context


def _index_results() -> int:
    """How many validation results the site index lists, newest first. Building the index
    deserialises each listed result (~3 ms): with every stored result listed (30 per
    suite, 59 suites) one build took ~5 s, and a run builds it once per step."""
    from quality.config import load_thresholds

    return int(load_thresholds().get("docs.index_results"))


def _skip_batch_fingerprints() -> None:
    """GX hashes every pandas batch under 1 GB for a ``pandas_data_fingerprint`` batch
    marker nothing here reads: a pass over every value of every column (arrow-backed
    strings under pandas 3 are slow to hash), 2-9 s of the gates at 100k people. The
    engine reads the threshold at call time, so zero turns the fingerprint off."""
    from great_expectations.execution_engine import pandas_execution_engine

    pandas_execution_engine.HASH_THRESHOLD = 0


@cache
def _index_first_examples_only() -> None:
    """GX builds the example list of a failing column-map rule one pandas ``.at`` lookup
    per failing row, then keeps the first ``partial_unexpected_count`` unless the result
    format is COMPLETE: on a raw sample with a few percent invalid phones that is tens of
    thousands of Python calls per rule (2.2 s of 13.7 s of two raw gates at 100k people).
    Handing it the first rows only gives the same examples; COMPLETE is left as it is."""
    from great_expectations.expectations.metrics.map_metric_provider import (
        map_condition_auxilliary_methods as aux,
    )

    original = aux.compute_unexpected_pandas_indices

    def first_only(*, domain_records_df: Any, result_format: dict, **kwargs: Any) -> Any:
        if result_format.get("result_format") != "COMPLETE":
            domain_records_df = domain_records_df.head(result_format["partial_unexpected_count"])
        return original(domain_records_df=domain_records_df, result_format=result_format, **kwargs)

    aux.compute_unexpected_pandas_indices = first_only


class _MemoryBytecodeCache(BytecodeCache):
    """Jinja bytecode kept in memory for the life of the process.

    GX builds a new Jinja ``Environment`` for every view it renders, so without a cache
    every Data Docs build parses and compiles the same templates again: about half of
    a gate's fixed cost (0.4 s of 0.9 s per build, measured at 100k people). Templates
    are still bound to their own environment (filters stay the view's); only the
    compiled code is reused, keyed by Jinja on template name and source checksum.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


@cache
def _share_compiled_templates() -> None:
    from great_expectations.render.view.view import DefaultJinjaView

    cache_impl = _MemoryBytecodeCache()
    original_init = DefaultJinjaView.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.env.bytecode_cache = cache_impl

    DefaultJinjaView.__init__ = init  # type: ignore[method-assign]


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


@cache
def _batch_definition(docs_dir: Path | None) -> Any:
    """The whole-dataframe batch definition every suite of the context validates."""
    asset = _context(docs_dir).data_sources.get(DATASOURCE).add_dataframe_asset(ASSET)
    return asset.add_batch_definition_whole_dataframe("frame")


def run_suite(
    frame: Frame, rules: Sequence[Rule], table: str, docs_dir: Path | None
) -> tuple[list[ExpectationOutcome], Any]:
    """Validate ``frame`` against ``rules``: outcomes in rule order, and the store key of
    the result (None without a docs folder)."""
    import great_expectations as gx

    context = _context(docs_dir)
    suite = context.suites.add_or_update(
        gx.ExpectationSuite(name=frame.name, expectations=[_expectation(r) for r in rules])
    )
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=frame.name, data=_batch_definition(docs_dir), suite=suite)
    )
    result_format: dict[str, Any] = {
        "result_format": "SUMMARY",
        "partial_unexpected_count": EXAMPLES,
    }
    present = [c for c in frame.example_columns if c in frame.data.columns]
    if present and len(frame.data):
        result_format["unexpected_index_column_names"] = present
    result = definition.run(batch_parameters={"dataframe": frame.data}, result_format=result_format)
    key = _result_key(frame.name, result) if docs_dir is not None else None
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


def _result_key(suite: str, result: Any) -> Any:
    """The store key GX wrote ``result`` under (``ValidationDefinition.run`` builds it from
    the suite name, run id and batch id), so no gate has to list the store to find it."""
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    return ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite),
        run_id=result.meta["run_id"],
        batch_identifier=result.batch_id,
    )


@dataclass
class DataDocs:
    """The Data Docs site of one step: its pages and the index, built once, on close.

    Open with :func:`data_docs`. A gate registers the results it wrote and gets the URLs
    their pages will have; closing prunes each suite written in the session to its last
    ``docs.keep_results_per_suite`` results, renders the session's pages and rebuilds the
    index in one Data Docs build. Each build lists the results store and reads every
    stored result for the index, so a step that runs several gates pays that once, and
    the site is still current after every step (even in a run that stops early).
    """

    dir: Path
    keys: list[Any] = field(default_factory=list)

    def pages(self, keys: list[Any]) -> dict[Any, str]:
        """Register ``keys`` for the build on close; the URL of each one's page."""
        if not keys:  # nothing validated (e.g. a mart with no range column): no GX at all
            return {}
        self.keys += keys
        context = _context(self.dir)
        urls = {}
        for key in keys:
            found = context.get_docs_sites_urls(
                resource_identifier=key, site_name=SITE_NAME, only_if_exists=False
            )
            if found and found[0].get("site_url"):
                urls[key] = found[0]["site_url"]
        return urls

    def close(self) -> None:
        if not self.keys:
            return
        from quality.config import load_thresholds

        context = _context(self.dir)
        keep = int(load_thresholds().get("docs.keep_results_per_suite"))
        suites = {k.expectation_suite_identifier.name for k in self.keys}
        by_suite: dict[str, list[Any]] = {}
        for k in context.validation_results_store.list_keys():
            name = k.expectation_suite_identifier.name
            if name in suites:
                by_suite.setdefault(name, []).append(k)
        for keys in by_suite.values():
            _prune(context, keys, keep)
        # a non-empty list: GX renders every stored result when given none
        context.build_data_docs(site_names=[SITE_NAME], resource_identifiers=_KeyList(self.keys))
        self.keys = []


class _KeyList(list):
    """A list of result keys with set membership. GX's page builder tests every stored
    result against the keys to render (``key not in resource_identifiers``): with a
    plain list that is results × keys tuple comparisons, 40 % of the raw step's Data
    Docs build (under cProfile) once 30 results per suite are kept."""

    def __init__(self, keys: list[Any]) -> None:
        super().__init__(keys)
        self._members = set(keys)

    def __contains__(self, key: object) -> bool:
        return key in self._members


@contextmanager
def data_docs(docs: Path | DataDocs | None) -> Iterator[DataDocs | None]:
    """A session for ``docs``: a folder opens one (closed on exit, the index built once);
    an open session is used as is (its owner closes it); None means no Data Docs."""
    if docs is None or isinstance(docs, DataDocs):
        yield docs
        return
    session = DataDocs(Path(docs))
    try:
        yield session
    finally:
        session.close()


def _prune(context: Any, keys: list[Any], keep: int) -> None:
    ordered = sorted(keys, key=lambda k: k.run_id.run_time)
    site_dir = Path(context.variables.data_docs_sites[SITE_NAME]["store_backend"]["base_directory"])
    for key in ordered[:-keep] if len(ordered) > keep else []:
        context.validation_results_store.remove_key(key)
        page = site_dir / "validations" / Path(*key.to_tuple()[:-1])
        shutil.rmtree(page, ignore_errors=True)


def run_frames(
    frames: dict[str, Frame], rules: Sequence[Rule], table: str, docs: DataDocs | None
) -> list[ExpectationOutcome]:
    """Each frame with its own suite, then its Data Docs pages; outcomes in rule order."""
    validated: list[tuple[list[ExpectationOutcome], Any]] = []
    docs_dir = docs.dir if docs is not None else None
    for name, frame in frames.items():
        frame_rules = [r for r in rules if r.frame == name]
        if frame_rules:
            validated.append(run_suite(frame, frame_rules, table, docs_dir))
    keys = [key for _, key in validated if key is not None]
    urls = docs.pages(keys) if docs is not None else {}
    outcomes = [replace(o, docs_url=urls.get(key)) for found, key in validated for o in found]
    order = {r.check: i for i, r in enumerate(rules)}
    return sorted(outcomes, key=lambda o: order[o.check])  # stable within one check


def index_url(docs: Path | DataDocs) -> str:
    folder = docs.dir if isinstance(docs, DataDocs) else docs
    return (folder / "index.html").resolve().as_uri()
