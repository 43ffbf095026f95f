"""``resolve_identities``: the one entry point an orchestrator calls.

Input: a table with one row per source record (``int_person_records_unioned``, see
``INPUT_COLUMNS``). Output, in schema ``identity``:

* ``customer_xref`` (contract): source, source_record_id, golden_id, match_probability;
* ``golden_customers``: one survivorship row per golden id;
* ``golden_id_history``: every created/merged/split/retired id, appended per run;
* ``match_evidence``: the waterfall behind every link, queryable per golden id;
* ``households``: golden customers sharing a household phone/email;
* ``shared_identifiers``: the phones/emails detected as used by several people.

``match_probability`` in the xref is the strongest link from the record to another
record of its golden customer: the link that put it there (1.0 when deterministic,
null for a golden customer with one record).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from identity.edges import RECORD_KEY_SQL, deterministic_edges
from identity.engine import close_session, run_engine
from identity.evidence import build_match_evidence, write_model_charts, write_waterfall_chart
from identity.golden_ids import HISTORY_COLUMNS, assign_golden_ids
from identity.linking import load_model
from identity.settings import CUSTOMER, ClusteringPolicy, ModelSpec
from identity.shared_identifiers import (
    SharedIdentifierRules,
    build_households,
    detect_shared_identifiers,
    detect_unit_shared_phones,
    deterministic_units,
    flag_shared_identifiers,
    guard_anonymous_phones,
)
from identity.survivorship import build_golden_customers

logger = logging.getLogger(__name__)

#: The identity input interface: column -> DuckDB type it is cast to.
INPUT_TYPES: dict[str, str] = {
    "source": "varchar", "source_record_id": "varchar",
    "first_seen_at": "timestamp", "last_seen_at": "timestamp",
    "full_name": "varchar", "name_key": "varchar", "family_name": "varchar",
    "middle_name": "varchar", "given_name": "varchar",
    "email": "varchar", "email_valid": "boolean", "email_verified": "boolean",
    "phone_e164": "varchar", "phone_valid": "boolean",
    "birth_date": "date", "birth_month": "integer", "birth_day": "integer",
    "gender": "varchar", "city": "varchar", "account_id": "varchar", "source_trust": "integer",
}
INPUT_COLUMNS: tuple[str, ...] = tuple(INPUT_TYPES)

DEFAULT_INPUT = "intermediate.int_person_records_unioned"
DEFAULT_SHARED_RULES = SharedIdentifierRules()


@dataclass
class ResolutionSummary:
    run_at: dt.datetime
    records: int
    golden_customers: int
    deterministic_edges: int
    blocked_pairs: int
    completed_pairs: int
    shared_identifiers: dict[str, int]
    households: int
    events: dict[str, int]
    cluster_sizes: dict[int, int]
    largest_cluster: int
    clustering_rounds: int
    merges_refused_by_size: int
    merges_refused_by_cannot_link: int
    charts: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["run_at"] = self.run_at.isoformat()
        return d


class InputContractError(ValueError):
    """The identity input lacks columns of the interface."""


def _check_input(con: duckdb.DuckDBPyConnection, input_table: str) -> None:
    columns = {r[0] for r in con.execute(f"describe select * from {input_table}").fetchall()}
    missing = [c for c in INPUT_COLUMNS if c not in columns]
    if missing:
        raise InputContractError(f"{input_table} lacks identity input columns: {missing}")


def prepare_input(
    con: duckdb.DuckDBPyConnection,
    input_table: str,
    rules: SharedIdentifierRules = DEFAULT_SHARED_RULES,
) -> tuple[str, str]:
    """Copy the input (one row per record) and flag shared identifiers.

    Returns (flagged records table, shared identifiers table). Training uses the same
    preparation, so the model sees the same columns it will score.
    """
    _check_input(con, input_table)
    # Explicit types: an all-null column of a small frame would otherwise arrive untyped.
    cols = ", ".join(f"cast({c} as {t}) as {c}" for c, t in INPUT_TYPES.items())
    # Duplicate deliveries of one source record collapse to one row (the latest).
    con.execute(
        f"""
        create or replace temp table _identity_input as
        select {cols} from {input_table}
        qualify row_number() over (
            partition by source, source_record_id
            order by last_seen_at desc nulls last, source_trust desc
        ) = 1
        """
    )
    shared = detect_shared_identifiers(con, "_identity_input", rules=rules)
    flagged = flag_shared_identifiers(con, "_identity_input", shared, "_identity_records")
    return flagged, shared


def _record_match_probability(
    con: duckdb.DuckDBPyConnection, scored: str, det: str, golden: str, link_threshold: float
) -> str:
    con.execute(
        f"""
        create or replace temp table _identity_record_link as
        with links as (
            select id_l, id_r, match_probability from {scored}
            where match_probability >= {link_threshold}
            union all
            select id_l, id_r, 1.0 from {det}
        ),
        inside as (
            select l.record_key, l.golden_id, k.match_probability
            from links k
            join {golden} l on l.record_key = k.id_l
            join {golden} r on r.record_key = k.id_r
            where l.golden_id = r.golden_id
            union all
            select r.record_key, r.golden_id, k.match_probability
            from links k
            join {golden} l on l.record_key = k.id_l
            join {golden} r on r.record_key = k.id_r
            where l.golden_id = r.golden_id
        )
        select record_key, max(match_probability) as match_probability
        from inside group by all
        """
    )
    return "_identity_record_link"


def _ensure_schema(con: duckdb.DuckDBPyConnection, schema: str) -> None:
    con.execute(f"create schema if not exists {schema}")
    con.execute(f"create table if not exists {schema}.golden_id_history ({HISTORY_COLUMNS})")


def resolve_identities(
    con: duckdb.DuckDBPyConnection,
    *,
    input_table: str = DEFAULT_INPUT,
    schema: str = "identity",
    run_at: dt.datetime | None = None,
    charts_dir: Path | None = None,
    spec: ModelSpec = CUSTOMER,
    model_path: Path | None = None,
    policy: ClusteringPolicy | None = None,
    shared_rules: SharedIdentifierRules = DEFAULT_SHARED_RULES,
) -> ResolutionSummary:
    """Resolve every record of ``input_table`` to a golden customer (see module doc).

    ``policy`` overrides the spec's clustering thresholds (ids stay stable when it
    changes: merges keep the oldest id, splits leave it with the largest part).
    """
    run_at = run_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    policy = policy or spec.clustering
    model = load_model(spec, model_path)
    _ensure_schema(con, schema)

    records, shared = prepare_input(con, input_table, shared_rules)
    det = deterministic_edges(con, records, shared=shared)
    units = deterministic_units(con, records, det)
    unit_shared = detect_unit_shared_phones(con, records, shared, units, shared_rules)
    anonymous = (
        guard_anonymous_phones(con, records, units)
        if shared_rules.guard_nameless_phones else 0
    )
    logger.info(
        "%s household phones found through unit names; phones of %s records in nameless "
        "units kept out of linking", unit_shared, anonymous,
    )
    engine = run_engine(
        con, spec, records, model=model, deterministic_edges=det, policy=policy
    )
    con.execute(
        f"""
        create or replace temp table _identity_record_clusters as
        select f.source, f.source_record_id, f.{spec.unique_id_column} as record_key,
               c.cluster_id, c.cluster_id as anchor
        from {engine.features} f join {engine.clusters} c
          on c.node_id = f.{spec.unique_id_column}
        """
    )
    assignment, events = assign_golden_ids(
        con,
        "_identity_record_clusters",
        previous_xref=f"{schema}.customer_xref",
        history=f"{schema}.golden_id_history",
        run_at=run_at,
    )
    con.execute(
        f"""
        create or replace temp table _identity_record_golden as
        select {RECORD_KEY_SQL} as record_key, source, source_record_id, golden_id
        from {assignment}
        """
    )
    record_link = _record_match_probability(
        con, engine.scored_pairs, det, "_identity_record_golden", policy.best_link_threshold
    )

    con.execute("begin transaction")
    try:
        con.execute(
            f"""
            create or replace table {schema}.customer_xref as
            select g.source, g.source_record_id, g.golden_id,
                   case when count(*) over (partition by g.golden_id) > 1
                        then coalesce(l.match_probability, 1.0) end as match_probability
            from _identity_record_golden g left join {record_link} l using (record_key)
            order by g.golden_id, g.source, g.source_record_id
            """
        )
        con.execute(f"insert into {schema}.golden_id_history select * from {events}")
        build_golden_customers(
            con, records, f"{schema}.customer_xref", f"{schema}.golden_customers"
        )
        build_match_evidence(
            con,
            model=model,
            scored_pairs=engine.scored_pairs,
            deterministic_edges=det,
            record_golden="_identity_record_golden",
            link_threshold=policy.best_link_threshold,
            out=f"{schema}.match_evidence",
        )
        build_households(
            con, records, shared, f"{schema}.customer_xref", f"{schema}.households"
        )
        con.execute(
            f"create or replace table {schema}.shared_identifiers as select * from {shared}"
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise

    charts: list[str] = []
    if charts_dir is not None:
        charts = [str(p) for p in write_model_charts(engine.session.linker, charts_dir, "customer")]
        weakest = con.execute(
            f"""
            select s.* from {engine.scored_pairs} s
            join _identity_record_golden l on l.record_key = s.id_l
            join _identity_record_golden r on r.record_key = s.id_r
            where l.golden_id = r.golden_id and s.match_probability >= {policy.best_link_threshold}
            order by s.match_probability, s.id_l, s.id_r limit 20
            """
        ).df().to_dict("records")
        path = write_waterfall_chart(
            engine.session.linker, weakest, charts_dir, "customer_weakest_links_waterfall"
        )
        if path:
            charts.append(str(path))
    close_session(engine.session)
    return _summary(con, schema, run_at, engine, det, shared, events, charts)


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(con.execute(sql).fetchall()[0][0])


def _summary(con, schema, run_at, engine, det, shared, events, charts) -> ResolutionSummary:
    report = engine.report
    return ResolutionSummary(
        run_at=run_at,
        records=_scalar(con, f"select count(*) from {schema}.customer_xref"),
        golden_customers=_scalar(con, f"select count(*) from {schema}.golden_customers"),
        deterministic_edges=_scalar(con, f"select count(*) from {det}"),
        blocked_pairs=engine.blocked_pairs,
        completed_pairs=engine.completed_pairs,
        shared_identifiers=dict(
            con.execute(f"select kind, count(*) from {shared} group by all").fetchall()
        ),
        households=_scalar(
            con, f"select count(distinct household_id) from {schema}.households"
        ),
        events=dict(con.execute(f"select event, count(*) from {events} group by all").fetchall()),
        cluster_sizes=report.size_distribution,
        largest_cluster=report.max_cluster_size,
        clustering_rounds=report.rounds,
        merges_refused_by_size=report.refused_by_size,
        merges_refused_by_cannot_link=report.refused_by_cannot_link,
        charts=charts,
    )
