"""`make dev` serves the Dagster UI with our code location, and Ctrl-C stops it."""

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
REPOSITORIES_QUERY = """
{ repositoriesOrError { ... on RepositoryConnection { nodes { name location { name } } } } }
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def wait_for_location(port: int, deadline: float) -> list[dict]:
    while time.monotonic() < deadline:
        try:
            nodes = graphql(port, REPOSITORIES_QUERY)["data"]["repositoriesOrError"]["nodes"]
            if nodes:
                return nodes
        except (OSError, KeyError, TypeError):
            pass
        time.sleep(1)
    raise AssertionError("the Dagster UI did not serve the code location in time")


def ignore_sigint() -> None:
    """What a non-interactive shell does to a job started with `&`."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def test_make_dev_serves_the_code_location_and_stops_on_sigint(tmp_path):
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    shutil.copy(REPO_ROOT / ".dagster_home" / "dagster.yaml", dagster_home)
    port = free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(dagster_home),
        "CDP_DEV_PORT": str(port),
        "CDP_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
    }
    process = subprocess.Popen(
        ["make", "--no-print-directory", "dev"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=ignore_sigint,
    )
    try:
        nodes = wait_for_location(port, time.monotonic() + 180)
        assert {node["location"]["name"] for node in nodes} == {"cdp"}
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise AssertionError("make dev ignored SIGINT")
