"""``make dev``: the Dagster UI, started so that Ctrl-C (SIGINT) always stops it.

A shell that starts a job in the background without job control sets SIGINT to
"ignore", and exec'd programs inherit that: `dagster dev` would then outlive
the Ctrl-C or `kill -INT` meant for it. Restore the default handlers first.
"""

import os
import signal
import sys
from pathlib import Path


def dagster_dev_command(host: str, port: int) -> list[str]:
    dagster = str(Path(sys.executable).parent / "dagster")
    return [dagster, "dev", "-w", "workspace.yaml", "-h", host, "-p", str(port)]


def main() -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)
    host = os.environ.get("CDP_DEV_HOST", "127.0.0.1")
    port = int(os.environ.get("CDP_DEV_PORT", "3000"))
    command = dagster_dev_command(host, port)
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
