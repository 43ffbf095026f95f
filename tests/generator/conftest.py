"""Shared generator runs (small populations, generated once per test session)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from generator.config import CORRUPTION_DEFAULTS, GeneratorConfig
from generator.core import Manifest, generate
from ingest.contract import COLUMN_ORDER


@dataclass
class Run:
    config: GeneratorConfig
    manifest: Manifest
    landing: Path
    truth: Path

    def files(self) -> list[Path]:
        return sorted(p for p in self.landing.rglob("*") if p.is_file())

    def rel(self, path: Path) -> str:
        return path.relative_to(self.landing).as_posix()

    def malformed(self) -> dict[str, dict[int, str]]:
        out: dict[str, dict[int, str]] = {}
        with (self.truth / "malformed_rows.csv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                out.setdefault(row["file"], {})[int(row["line"])] = row["kind"]
        return out

    def read(self, path: Path) -> pa.Table:
        """A landing file as an all-string table, skipping the listed malformed lines."""
        ext = path.suffix.lstrip(".")
        if ext == "parquet":
            t = pq.read_table(path)
            return pa.table({c: t[c].cast(pa.string()) for c in t.column_names})
        bad = self.malformed().get(self.rel(path), {})
        lines = path.read_bytes().split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        good = [ln.decode("utf-8") for i, ln in enumerate(lines, start=1) if i not in bad]
        if ext == "csv":
            rows = list(csv.reader(io.StringIO("\n".join(good) + "\n")))
            header, body = rows[0], rows[1:]
            cols = {h: [r[i] if r[i] != "" else None for r in body] for i, h in enumerate(header)}
            return pa.table({h: pa.array(v, pa.string()) for h, v in cols.items()})
        objs = [json.loads(g) for g in good]
        if not objs:  # an empty JSONL file: no rows, no header
            source, name = self.rel(path).split("_")[0].split("/")
            return pa.table({c: pa.array([], pa.string())
                             for c in COLUMN_ORDER[f"{source}/{name}"]})
        keys = list(objs[0])
        return pa.table({k: pa.array([None if o[k] is None else str(o[k]).lower()
                                      if isinstance(o[k], bool) else str(o[k]) for o in objs],
                                     pa.string()) for k in keys})

    def entity_rows(self, prefix: str) -> list[pa.Table]:
        source, name = prefix.split("/")
        return [self.read(p) for p in sorted((self.landing / source).glob(f"{name}_*"))]


def make_run(base: Path, **kwargs) -> Run:
    rates = kwargs.pop("rates", None)
    config = GeneratorConfig(landing_dir=base / "landing", truth_dir=base / "truth", **kwargs)
    if rates is not None:
        config.rates.update(rates)
    manifest = generate(config)
    return Run(config, manifest, config.landing_dir, config.truth_dir)


@pytest.fixture(scope="session")
def run(tmp_path_factory) -> Run:
    """The default run shape (3 days, all formats) on a small population."""
    return make_run(tmp_path_factory.mktemp("gen_default"), people=2000, seed=7)


@pytest.fixture(scope="session")
def clean_run(tmp_path_factory) -> Run:
    """Every corruption rate set to 0."""
    zero = {k: 0.0 for k in CORRUPTION_DEFAULTS}
    return make_run(tmp_path_factory.mktemp("gen_clean"), people=800, seed=11, rates=zero)
