"""The offline sentiment scorer: rules and measured accuracy on the labelled sample."""

import pytest

from analytics.sentiment import SentimentScorer, detect_language
from analytics.sentiment_eval import evaluate, load_sample


@pytest.fixture(scope="module")
def scorer() -> SentimentScorer:
    return SentimentScorer()


def test_labelled_sample_covers_both_languages_and_all_labels():
    sample = load_sample()
    assert {(r.lang, r.label) for r in sample} == {
        (lang, label) for lang in ("vi", "en") for label in ("positive", "neutral", "negative")
    }
    assert len(sample) >= 80


def test_accuracy_on_the_labelled_sample():
    scores = evaluate()
    assert scores["cdp_declared_language"]["vi"] >= 0.9
    assert scores["cdp_declared_language"]["en"] >= 0.9
    assert scores["cdp_detected_language"]["all"] >= 0.9
    # the Vietnamese lexicon is what makes Vietnamese work at all
    assert scores["plain_vader_baseline"]["vi"] < 0.5


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Giày đẹp quá", "positive"),
        ("Giày không đẹp", "negative"),
        ("giay khong dep", "negative"),
        ("Giao hàng chậm quá", "negative"),
        ("Chạy 10km không đau chân", "positive"),
        ("Có ship COD không shop?", "neutral"),
        ("cho minh xin bang size", "neutral"),
        ("Love these! So comfy", "positive"),
        ("Customer service never replied", "negative"),
        ("Size 42 còn không shop? 🙏", "neutral"),
        ("Đế bị bong 👎", "negative"),
    ],
)
def test_rules(scorer, text, label):
    assert scorer.score(text).label == label


def test_language_detection():
    assert detect_language("Giày đẹp quá") == "vi"
    assert detect_language("giao sai size ma ko ai tra loi") == "vi"
    assert detect_language("Runs small, order a size up") == "en"
    assert detect_language("anything", "en") == "en"


def test_empty_text_is_neutral(scorer):
    assert scorer.score(None).label == "neutral"
    assert scorer.score("   ").compound == 0.0
