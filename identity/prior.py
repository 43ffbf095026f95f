"""The prior scaled to the population a run resolves.

Splink's prior, the probability that two random records match, is estimated on the
training data. It is not a property of the model but of the population: each person
has a few records whatever the size of the shop, so the share of record pairs that
match falls as 1 / records. A model trained on 73k records and run on 3.6M without
correction believes a namesake is fifty times likelier to be the same person than it
is: at 1M generated people 4.6M of the 6.4M pairs it scored above 0.5 joined two
different people (clustering kept most of them apart, at a high price in time).

The correction is the ratio of record counts, rounded to a power of two so that daily
drops of a few percent do not move it (a changed prior changes the model fingerprint,
and with it forces a full identity run). It only ever lowers the prior: on a smaller
population than the training one the trained prior is kept, which errs on the side of
not merging.
"""

from __future__ import annotations

import math


def population_prior_factor(records: int, training_records: int | None) -> float:
    """The power of two (≤ 1) nearest to ``training_records / records``."""
    if not training_records or records <= training_records:
        return 1.0
    return 2.0 ** -round(math.log2(records / training_records))


def scale_prior(model: dict, factor: float) -> dict:
    """``model`` with its prior odds multiplied by ``factor`` (a copy; 1 returns it)."""
    if factor == 1.0:
        return model
    prior = model["probability_two_random_records_match"]
    odds = prior / (1 - prior) * factor
    return {**model, "probability_two_random_records_match": odds / (1 + odds)}
