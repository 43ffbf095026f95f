"""Accuracy of the sentiment scorer on the hand-labelled sample.

``python -m analytics.sentiment_eval`` prints accuracy per language, with the
declared language and with language detection, next to plain VADER as the
baseline.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analytics.sentiment import SentimentScorer, label_for


@dataclass(frozen=True)
class LabelledText:
    text: str
    lang: str
    label: str


def load_sample() -> list[LabelledText]:
    path = resources.files("analytics") / "sentiment_sample.csv"
    with path.open(encoding="utf-8") as handle:
        return [LabelledText(r["text"], r["lang"], r["label"]) for r in csv.DictReader(handle)]


def accuracy(sample: list[LabelledText], predict) -> dict[str, float]:
    result: dict[str, float] = {}
    for lang in ("en", "vi", "all"):
        rows = [r for r in sample if lang == "all" or r.lang == lang]
        hits = sum(predict(r) == r.label for r in rows)
        result[lang] = round(hits / len(rows), 4) if rows else 0.0
    return result


def evaluate() -> dict[str, dict[str, float]]:
    sample = load_sample()
    scorer = SentimentScorer()
    vader = SentimentIntensityAnalyzer()
    return {
        "cdp_declared_language": accuracy(sample, lambda r: scorer.score(r.text, r.lang).label),
        "cdp_detected_language": accuracy(sample, lambda r: scorer.score(r.text).label),
        "plain_vader_baseline": accuracy(
            sample, lambda r: label_for(vader.polarity_scores(r.text)["compound"])
        ),
    }


def main() -> None:
    sample = load_sample()
    print(
        f"labelled sample: {len(sample)} texts "
        f"({sum(r.lang == 'vi' for r in sample)} vi, {sum(r.lang == 'en' for r in sample)} en)"
    )
    for name, scores in evaluate().items():
        print(f"{name:24} " + "  ".join(f"{k}={v:.1%}" for k, v in scores.items()))


if __name__ == "__main__":
    main()
