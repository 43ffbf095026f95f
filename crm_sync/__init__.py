"""CRM sync: the golden-record change feed, its file export, an HTTP push, and erasure.

A plain library (no Dagster): ``build_outbox`` appends changes to ``sync.crm_outbox``,
``export_events`` writes them as JSONL and CSV, ``push`` sends them to a CRM, ``erase``
forgets a person. See docs/crm_sync.md.
"""

from crm_sync.erasure import ErasureResult, apply_tombstones, erase
from crm_sync.export import ExportResult, export_events
from crm_sync.http_push import Endpoint, PushError, PushResult, RetryPolicy, push
from crm_sync.mapping import FieldMapping, load_mapping, map_properties
from crm_sync.outbox import OutboxResult, build_outbox

__all__ = [
    "Endpoint",
    "ErasureResult",
    "ExportResult",
    "FieldMapping",
    "OutboxResult",
    "PushError",
    "PushResult",
    "RetryPolicy",
    "apply_tombstones",
    "build_outbox",
    "erase",
    "export_events",
    "load_mapping",
    "map_properties",
    "push",
]
