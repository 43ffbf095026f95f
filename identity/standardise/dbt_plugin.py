"""dbt-duckdb plugin that makes the `cdp_*` standardisation functions callable in models.

profiles.yml::

    cdp:
      target: dev
      outputs:
        dev:
          type: duckdb
          path: data/warehouse.duckdb
          plugins:
            - module: identity.standardise.dbt_plugin

dbt-duckdb calls `configure_connection` once on the connection it opens; model threads
run on cursors of that connection, which share its functions.
"""

from __future__ import annotations

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from identity.standardise.duckdb_functions import register_standardisation_functions


class Plugin(BasePlugin):
    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        register_standardisation_functions(conn)
