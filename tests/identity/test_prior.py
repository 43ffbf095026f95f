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


def _model_trained_on(tmp_path, records: int | None):
    """The versioned customer model, saved as if trained on ``records`` records."""
    from identity.linking import load_model
    from identity.settings import CUSTOMER
    from identity.training import save_model

    return save_model(
        load_model(CUSTOMER), tmp_path / f"customer_{records}.json", training_records=records
    )


def test_the_training_size_is_read_from_the_model_file(tmp_path):
    from identity.linking import load_model, load_training_records
    from identity.settings import CUSTOMER

    path = _model_trained_on(tmp_path, 1234)
    assert load_training_records(CUSTOMER, path) == 1234
    # Splink's settings only: the training size is not a Splink key
    assert load_model(CUSTOMER, path) == load_model(CUSTOMER)
    assert load_training_records(CUSTOMER, _model_trained_on(tmp_path, None)) is None
    assert load_training_records(CUSTOMER) > 0  # the committed model says it


def test_a_larger_population_lowers_the_prior_and_a_moved_factor_goes_full(tmp_path):
    import datetime as dt

    import duckdb

    from identity import datasets
    from identity.pipeline import resolve_identities

    con = duckdb.connect()
    source = datasets.load_synthetic(con, 150, seed=3, name="population")
    records = con.execute(f"select count(*) from {source}").fetchone()[0]

    first = resolve_identities(
        con, input_table=source, model_path=_model_trained_on(tmp_path, records),
        run_at=dt.datetime(2026, 3, 1),
    )
    assert first.prior_factor == 1.0
    unscaled = _prior_weight_in_evidence(con)

    second = resolve_identities(
        con, input_table=source, model_path=_model_trained_on(tmp_path, records // 4),
        run_at=dt.datetime(2026, 3, 2),
    )
    # same records, but the prior moved: the stored state no longer applies
    assert second.prior_factor == 0.25 and second.mode == "full"
    assert math.isclose(_prior_weight_in_evidence(con), unscaled - 2, abs_tol=1e-6)
