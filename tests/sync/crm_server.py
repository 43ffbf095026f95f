"""A fake CRM: a real HTTP server process for the push tests.

Run ``python crm_server.py``; it binds 127.0.0.1 on a free port and prints the port.
It stores contacts keyed by external id, deduplicates ``Idempotency-Key`` (a replayed
key is answered without applying again) and fails on request:

* ``POST /_faults`` with a JSON list, each consumed by one later CRM request:
  ``{"status": 429, "retry_after": "1"}``, ``{"status": 500}``,
  ``{"sleep": 2}`` (answer late, after applying), ``{"drop": true}`` (close without
  answering, before applying), ``{"drop_after_apply": true}``;
* ``GET /_state``: contacts, merges, applied keys, replays, request count.
"""

from __future__ import annotations

import json
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE: dict = {
    "contacts": {},
    "merged_into": {},
    "applied": [],
    "replays": 0,
    "requests": 0,
    "auth": [],
}
FAULTS: list[dict] = []


def _resolve(contact_id: str) -> str:
    while contact_id in STATE["merged_into"]:
        contact_id = STATE["merged_into"][contact_id]
    return contact_id


def _apply(path: str, body: dict) -> None:
    contacts = STATE["contacts"]
    if path.endswith("/batch/upsert"):
        for item in body["inputs"]:
            contact = contacts.setdefault(_resolve(item["id"]), {})
            contact.update(item["properties"])
    elif path.endswith("/merge"):
        primary, merged = body["primaryObjectId"], body["objectIdToMerge"]
        absorbed = contacts.pop(merged, {})
        target = contacts.setdefault(_resolve(primary), {})
        for prop, value in absorbed.items():
            target.setdefault(prop, value)
        STATE["merged_into"][merged] = primary
    elif path.endswith("/batch/archive"):
        for item in body["inputs"]:
            contacts.pop(_resolve(item["id"]), None)
    else:
        raise KeyError(path)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def _reply(self, status: int, body: dict, headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _drop(self) -> None:
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def do_GET(self) -> None:
        with LOCK:
            self._reply(200, STATE)

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"null")
        if self.path == "/_faults":
            with LOCK:
                FAULTS.extend(body)
            return self._reply(200, {"faults": len(FAULTS)})
        with LOCK:
            STATE["requests"] += 1
            STATE["auth"].append(self.headers.get("Authorization"))
            fault = FAULTS.pop(0) if FAULTS else {}
        if "status" in fault:
            headers = {"Retry-After": fault["retry_after"]} if "retry_after" in fault else {}
            return self._reply(fault["status"], {"error": "injected"}, headers)
        if fault.get("drop"):
            return self._drop()
        if fault.get("sleep"):
            time.sleep(fault["sleep"])
        key = self.headers.get("Idempotency-Key")
        with LOCK:
            if key and key in STATE["applied"]:
                STATE["replays"] += 1
            else:
                _apply(self.path, body)
                STATE["applied"].append(key)
        if fault.get("drop_after_apply"):
            return self._drop()
        self._reply(200, {"status": "ok"})


def main() -> None:
    # A process started from a Dagster run inherits SIGTERM ignored (Dagster maps SIGTERM
    # to the SIGINT handler, which a background shell sets to "ignore"): stop on terminate.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
