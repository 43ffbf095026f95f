"""Peak resident memory per step of a run, from a background sampling thread.

The job runs every step in one process (in-process executor), so the process-wide
``ru_maxrss`` cannot say which step peaked. A thread samples, every ``interval``
seconds, this process's high-water mark since the previous sample (``VmHWM``,
then reset through ``/proc/self/clear_refs``) and the current RSS of every
descendant process (dbt runs as a subprocess). RSS counts DuckDB's native
allocations too, not only Python objects. Samples are attributed to steps
afterwards by time (steps of the in-process executor never overlap), which keeps
the attribution a pure function of (samples, step spans).

Resetting ``VmHWM`` also resets what ``getrusage(RUSAGE_SELF).ru_maxrss`` reports,
so while the sampler runs, the process peak is the maximum over the samples
(each one covers the whole window since the previous reset: short spikes between
samples are not lost). Without ``clear_refs`` (not Linux, or not writable) the
sampler falls back to ``VmRSS``, which can miss spikes shorter than ``interval``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class Sample:
    """Memory over the window (``start``, ``end``], in KB."""

    start: float
    end: float
    self_kb: int
    children_kb: int


@dataclass(frozen=True)
class Peak:
    self_mb: float
    children_mb: float
    total_mb: float  # this process + descendants at the same sample


def status_kb(text: str, field: str) -> int:
    """The ``field`` value (kB) of a ``/proc/<pid>/status`` text; 0 when absent."""
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:  # the process exited between listing and reading
        return ""


def descendants(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (via ``/proc/<pid>/task/*/children``)."""
    out: list[int] = []
    stack = [pid]
    while stack:
        parent = stack.pop()
        for task in (PROC / str(parent) / "task").glob("*"):
            for child in _read(task / "children").split():
                out.append(int(child))
                stack.append(int(child))
    return out


def children_rss_kb(pid: int) -> int:
    return sum(status_kb(_read(PROC / str(c) / "status"), "VmRSS") for c in descendants(pid))


def can_reset_hwm() -> bool:
    try:
        (PROC / "self" / "clear_refs").write_text("5")
        return True
    except OSError:
        return False


class MemorySampler:
    """``with MemorySampler() as m: ...``; then ``m.samples`` (see module doc)."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.samples: list[Sample] = []
        self.resets_hwm = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="bench-memory", daemon=True)
        self._pid = 0

    def __enter__(self) -> MemorySampler:
        import os

        self._pid = os.getpid()
        self.resets_hwm = can_reset_hwm()
        self._last = time.time()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()  # the window since the last sample

    def _sample(self) -> None:
        status = _read(PROC / "self" / "status")
        own = status_kb(status, "VmHWM" if self.resets_hwm else "VmRSS")
        if self.resets_hwm:
            (PROC / "self" / "clear_refs").write_text("5")
        now = time.time()
        self.samples.append(Sample(self._last, now, own, children_rss_kb(self._pid)))
        self._last = now

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def peak(self) -> Peak:
        return peak_of(self.samples)


def peak_of(samples: list[Sample]) -> Peak:
    if not samples:
        return Peak(0.0, 0.0, 0.0)
    return Peak(
        max(s.self_kb for s in samples) / 1024,
        max(s.children_kb for s in samples) / 1024,
        max(s.self_kb + s.children_kb for s in samples) / 1024,
    )


def overlapping(samples: list[Sample], start: float, end: float) -> list[Sample]:
    """Samples whose window overlaps [start, end]: a step's peak may sit in either edge."""
    return [s for s in samples if s.end >= start and s.start <= end]


def peaks_by_span(samples: list[Sample], spans: list[tuple[str, float, float]]) -> dict[str, Peak]:
    """Peak per span name (spans sharing a name, e.g. a stage, are pooled)."""
    pooled: dict[str, list[Sample]] = {}
    for name, start, end in spans:
        pooled.setdefault(name, []).extend(overlapping(samples, start, end))
    return {name: peak_of(found) for name, found in pooled.items()}
