"""Split the identity step into link / cluster / other without touching ``identity/``.

The identity asset is one Dagster step and reports no phase timings, so the bench
wraps, for the length of a run, the functions that bound the phases and records
when each call starts and ends:

* ``identity.pipeline.run_engine``: scoring and clustering of every record (a full
  identity run);
* ``identity.pipeline._link_incremental``: scoring the drop and re-clustering the
  region it touches (an incremental identity run, e.g. a daily drop);
* ``identity.engine.cluster_records``: the clustering inside either.

link = (run_engine or _link_incremental) - cluster_records; cluster =
cluster_records; the rest of the step (input preparation, shared identifiers,
deterministic units, features and term frequencies, golden ids, survivorship,
evidence) is "identity other". If a function is renamed or moved, nothing is wrapped
and the report says the split is unavailable instead of guessing.
"""

from __future__ import annotations

import functools
import importlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# (module, attribute, phase name). The attribute is replaced where it is *looked up*
# (identity.pipeline imports run_engine by name, identity.engine cluster_records).
PROBES = (
    ("identity.pipeline", "run_engine", "engine"),
    ("identity.pipeline", "_link_incremental", "engine"),
    ("identity.engine", "cluster_records", "cluster"),
)


def _timed(fn: Callable, phase: str, calls: list[tuple[str, float, float]]) -> Callable:
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        start = time.time()
        try:
            return fn(*args, **kwargs)
        finally:
            calls.append((phase, start, time.time()))

    return wrapper


@contextmanager
def identity_phase_probe() -> Iterator[list[tuple[str, float, float]] | None]:
    """Yield the list that collects (phase, start, end); None when a probe is missing."""
    targets = []
    for module_name, attr, phase in PROBES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            module = None
        if module is None or not callable(getattr(module, attr, None)):
            yield None
            return
        targets.append((module, attr, phase))
    calls: list[tuple[str, float, float]] = []
    originals = [(m, a, getattr(m, a)) for m, a, _ in targets]
    for module, attr, phase in targets:
        setattr(module, attr, _timed(getattr(module, attr), phase, calls))
    try:
        yield calls
    finally:
        for module, attr, original in originals:
            setattr(module, attr, original)


def split_identity(identity_seconds: float,
                   calls: list[tuple[str, float, float]] | None) -> dict[str, float] | None:
    """{link, cluster, identity other} seconds, or None when the probe saw nothing."""
    if not calls:
        return None
    engine = sum(end - start for phase, start, end in calls if phase == "engine")
    cluster = sum(end - start for phase, start, end in calls if phase == "cluster")
    if engine <= 0:
        return None
    return {
        "link": max(engine - cluster, 0.0),
        "cluster": cluster,
        "identity other": max(identity_seconds - engine, 0.0),
    }
