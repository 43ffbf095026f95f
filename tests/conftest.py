"""Shared fixtures: a small generated landing zone, built once per session."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SMALL_PEOPLE = 150


def generate_landing(root: Path, people: int = SMALL_PEOPLE, seed: int = 7, days: int = 2) -> Path:
    """Run the user-facing generator command exactly as a user would."""
    landing, truth = root / "landing", root / "ground_truth"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "generator",
            "--people",
            str(people),
            "--seed",
            str(seed),
            "--days",
            str(days),
            "--landing-dir",
            str(landing),
            "--truth-dir",
            str(truth),
        ],
        check=True,
        capture_output=True,
        cwd=REPO_ROOT,
    )
    return landing


@pytest.fixture(scope="session")
def generated_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A read-only generated landing zone; copy it before changing anything."""
    return generate_landing(tmp_path_factory.mktemp("generated"))


@pytest.fixture
def landing_copy(generated_landing: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the generated landing zone."""
    target = tmp_path / "landing"
    shutil.copytree(generated_landing, target)
    return target
