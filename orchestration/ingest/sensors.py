"""Start a run when the landing zone changes."""

import hashlib

import dagster as dg

from ingest.contract import ENTITIES
from ingest.landing import find_landing_files
from orchestration.jobs import materialize_everything
from orchestration.resources import CdpSettings


def landing_fingerprint(cdp: CdpSettings) -> str:
    """A digest of every landing file's path, size and modification time.

    Cheap (one ``stat`` per file, no reads, no warehouse connection, so the
    sensor never competes with a run for DuckDB's single writer) and changes
    whenever a file is added, replaced or removed.
    """
    landing = cdp.landing_path()
    digest = hashlib.sha256()
    for entity in ENTITIES:
        for landing_file in find_landing_files(landing, entity):
            stat = landing_file.path.stat()
            digest.update(f"{landing_file.relpath}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


@dg.sensor(
    job=materialize_everything,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Materialises the whole platform when landing files appear or change.",
)
def landing_files_sensor(context: dg.SensorEvaluationContext, cdp: CdpSettings):
    fingerprint = landing_fingerprint(cdp)
    if fingerprint == context.cursor:
        return dg.SkipReason("no new or changed landing files")
    context.update_cursor(fingerprint)
    return dg.RunRequest(run_key=fingerprint)
