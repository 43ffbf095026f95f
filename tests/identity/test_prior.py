import math

import pytest

from identity.prior import population_prior_factor, scale_prior


@pytest.mark.parametrize(
    ("records", "training", "factor"),
    [
        (50, 73_000, 1.0),  # smaller population: the trained prior is kept
        (73_000, 73_000, 1.0),
        (100_000, 73_000, 1.0),  # 1.4x rounds to 2^0
        (365_000, 73_000, 0.25),  # 5x rounds to 2^2
        (3_600_000, 73_000, 1 / 64),  # 49x rounds to 2^6
        (1_000_000, None, 1.0),  # a model without a training size is not scaled
    ],
)
def test_factor_is_the_nearest_power_of_two_never_above_one(records, training, factor):
    assert population_prior_factor(records, training) == factor


def test_a_daily_drop_does_not_move_the_factor():
    base = population_prior_factor(3_600_000, 73_000)
    assert population_prior_factor(int(3_600_000 * 1.01), 73_000) == base


def test_scaling_multiplies_the_prior_odds():
    model = {"probability_two_random_records_match": 0.001, "comparisons": []}
    scaled = scale_prior(model, 0.25)
    odds = lambda p: p / (1 - p)  # noqa: E731
    assert math.isclose(
        odds(scaled["probability_two_random_records_match"]), odds(0.001) * 0.25
    )
    assert model["probability_two_random_records_match"] == 0.001  # not mutated
    assert scale_prior(model, 1.0) is model


def _prior_weight_in_evidence(con) -> float:
    (weight,) = con.execute(
        "select distinct step_match_weight from identity.match_evidence "
        "where comparison = 'prior'"
    ).fetchone()
    return weight


def test_a_larger_population_lowers_the_prior_and_a_moved_factor_goes_full():
    import dataclasses
    import datetime as dt

    import duckdb

    from identity import datasets
    from identity.pipeline import resolve_identities
    from identity.settings import CUSTOMER

    con = duckdb.connect()
    source = datasets.load_synthetic(con, 150, seed=3, name="population")
    records = con.execute(f"select count(*) from {source}").fetchone()[0]
    trained_here = dataclasses.replace(CUSTOMER, training_records=records)
    trained_smaller = dataclasses.replace(CUSTOMER, training_records=records // 4)

    first = resolve_identities(
        con, input_table=source, spec=trained_here, run_at=dt.datetime(2026, 3, 1)
    )
    assert first.prior_factor == 1.0
    unscaled = _prior_weight_in_evidence(con)

    second = resolve_identities(
        con, input_table=source, spec=trained_smaller, run_at=dt.datetime(2026, 3, 2)
    )
    # same records, but the prior moved: the stored state no longer applies
    assert second.prior_factor == 0.25 and second.mode == "full"
    assert math.isclose(_prior_weight_in_evidence(con), unscaled - 2, abs_tol=1e-6)
