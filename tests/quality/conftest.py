"""A good landing zone (no re-sent files), generated once per session."""

from pathlib import Path

import pytest

from tests.quality.helpers import drop_resends, generate


@pytest.fixture(scope="session")
def good_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return drop_resends(generate(tmp_path_factory.mktemp("good")))
