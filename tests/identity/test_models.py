"""The versioned models match their specs, load for scoring, and the recipe trains."""

import dataclasses
import json

import duckdb
import pytest

from identity import datasets
from identity.linking import ModelNotTrainedError, load_model
from identity.pipeline import prepare_input
from identity.settings import CUSTOMER, SPECS
from identity.training import train


@pytest.mark.parametrize("name", sorted(SPECS))
def test_versioned_model_matches_its_spec(name):
    spec = SPECS[name]
    model = load_model(spec)
    assert [c["output_column_name"] for c in model["comparisons"]] == spec.comparison_names()
    assert 0 < model["probability_two_random_records_match"] < 0.01


def test_a_stale_model_is_refused(tmp_path):
    model = json.loads(CUSTOMER.model_path.read_text())
    model["comparisons"] = model["comparisons"][:-1]
    stale = tmp_path / "customer.json"
    stale.write_text(json.dumps(model))
    with pytest.raises(ModelNotTrainedError, match="retrain"):
        load_model(CUSTOMER, stale)
    with pytest.raises(ModelNotTrainedError, match=r"identity\.train"):
        load_model(CUSTOMER, tmp_path / "missing.json")


def test_recipe_trains_the_customer_spec(tmp_path):
    con = duckdb.connect()
    source = datasets.load_synthetic(con, 400, seed=9)
    records, _ = prepare_input(con, source)
    quick = dataclasses.replace(CUSTOMER, u_max_pairs=2e5)
    result = train(con, quick, records, out_path=tmp_path / "customer.json")
    saved = json.loads((tmp_path / "customer.json").read_text())
    # the training size is saved next to the model, for the population-scaled prior
    assert saved.pop("training_records") == result.records == len(
        con.execute(f"select 1 from {records}").fetchall()
    )
    assert saved == json.loads(json.dumps(result.model, sort_keys=True))
    levels = {c["output_column_name"]: c["comparison_levels"] for c in saved["comparisons"]}
    phone_exact = next(lvl for lvl in levels["phone"] if lvl.get("label_for_charts") ==
                       "Phone exact")
    # the same personal phone is strong evidence of a match, learnt from the data
    assert phone_exact["m_probability"] > 0.5 > phone_exact["u_probability"]
    con.close()
