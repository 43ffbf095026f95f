"""Plain Splink tutorial models, the reference the benchmark compares against.

They follow Splink's own DuckDB examples (``deduplicate_50k_synthetic`` for
historical_50k, the detailed model of ``febrl4``): trained on the fly with the
tutorial's rules, clustered with Splink's connected components at the tutorial's
threshold. Only the public API is used.
"""

from __future__ import annotations

import logging

import duckdb
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from identity.settings import febrl4_blocking_rules


def historical_50k_tutorial(
    con: duckdb.DuckDBPyConnection, source: str, threshold: float = 0.95
) -> str:
    """Cluster ``source`` (historical_50k rows) as the tutorial does; returns a table
    ``(record_id, cluster_id)``."""
    con.execute(
        f"create or replace temp table _tutorial_h50k as select *, "
        f"first_name || ' ' || surname as first_name_surname_concat from {source}"
    )
    blocking_rules = [
        block_on("substr(first_name,1,3)", "substr(surname,1,4)"),
        block_on("surname", "dob"),
        block_on("first_name", "dob"),
        block_on("postcode_fake", "first_name"),
        block_on("postcode_fake", "surname"),
        block_on("dob", "birth_place"),
        block_on("substr(postcode_fake,1,3)", "dob"),
        block_on("substr(postcode_fake,1,3)", "first_name"),
        block_on("substr(postcode_fake,1,3)", "surname"),
        block_on("substr(first_name,1,2)", "substr(surname,1,2)", "substr(dob,1,4)"),
    ]
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=blocking_rules,
        comparisons=[
            cl.ForenameSurnameComparison(
                "first_name", "surname",
                forename_surname_concat_col_name="first_name_surname_concat",
            ),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.PostcodeComparison("postcode_fake"),
            cl.ExactMatch("birth_place").configure(term_frequency_adjustments=True),
            cl.ExactMatch("occupation").configure(term_frequency_adjustments=True),
        ],
        retain_intermediate_calculation_columns=True,
    )
    db_api = DuckDBAPI(connection=con)
    linker = Linker(db_api.register("_tutorial_h50k"), settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [
            block_on("first_name", "surname", "dob"),
            block_on("substr(first_name,1,2)", "surname", "substr(postcode_fake,1,2)"),
            block_on("dob", "postcode_fake"),
        ],
        recall=0.6,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    for rule in (block_on("first_name", "surname"), block_on("dob")):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    predictions = linker.inference.predict(threshold_match_probability=0.01, warning_mode="never")
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    )
    con.execute(
        "create or replace temp table _tutorial_h50k_clusters as select "
        f"unique_id::varchar as record_id, cluster_id::varchar as cluster_id "
        f"from {clusters.physical_name}"
    )
    linker.table_management.delete_tables_created_by_splink_from_db()
    return "_tutorial_h50k_clusters"


def febrl4_tutorial(
    con: duckdb.DuckDBPyConnection, source: str, threshold: float = 0.99
) -> str:
    """The febrl4 tutorial's detailed model (link_only between files A and B)."""
    for side in ("a", "b"):
        con.execute(
            f"""
            create or replace temp table _tutorial_febrl4_{side} as
            select * exclude (source_dataset) replace (
                trim(cast(date_of_birth as varchar)) as date_of_birth,
                trim(cast(soc_sec_id as varchar)) as soc_sec_id,
                trim(cast(postcode as varchar)) as postcode
            )
            from {source} where source_dataset = '{side}'
            """
        )
    # The same candidate pairs as this engine's FEBRL4 spec: the comparison is of models.
    blocking_rules = febrl4_blocking_rules()
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only",
        blocking_rules_to_generate_predictions=blocking_rules,
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d",
                invalid_dates_as_null=True,
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
                term_frequency_adjustments=True
            ),
        ],
        retain_intermediate_calculation_columns=True,
    )
    db_api = DuckDBAPI(connection=con)
    frames = [db_api.register(f"_tutorial_febrl4_{side}") for side in ("a", "b")]
    linker = Linker(frames, settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")],
        recall=0.8,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    for rule in (block_on("date_of_birth"), block_on("postcode")):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    predictions = linker.inference.predict(threshold_match_probability=0.2, warning_mode="never")
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    )
    con.execute(
        "create or replace temp table _tutorial_febrl4_clusters as select "
        f"rec_id::varchar as record_id, cluster_id::varchar as cluster_id "
        f"from {clusters.physical_name}"
    )
    linker.table_management.delete_tables_created_by_splink_from_db()
    return "_tutorial_febrl4_clusters"
