"""Fixtures for the CRM sync tests: a small real warehouse and a fake CRM process."""

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sync.helpers import FakeCrm, Warehouse

SERVER = Path(__file__).parent / "crm_server.py"


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[Warehouse]:
    yield Warehouse(tmp_path / "w.duckdb")


@pytest.fixture
def crm() -> Iterator[FakeCrm]:
    """A fresh fake CRM server process on 127.0.0.1 and a free port."""
    process = subprocess.Popen([sys.executable, str(SERVER)], stdout=subprocess.PIPE, text=True)
    try:
        port = int(process.stdout.readline())
        yield FakeCrm(port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
