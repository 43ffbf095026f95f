"""Offline lexicon sentiment for English and Vietnamese social text.

English is scored by VADER (``vaderSentiment``, lexicon shipped in the wheel).
Vietnamese reuses VADER's rule engine (negation, boosters, "but", punctuation,
emoji) over a Vietnamese lexicon kept in ``lexicons/vi.tsv``: the text is
rewritten into tokens VADER understands before scoring:

* lexicon phrases (longest match first, up to five syllables) become one
  placeholder token whose valence is the phrase's score;
* negators (``không``, ``chưa``, ``ko``...) become ``not``, so VADER's negation
  window flips the sentiment word after them;
* Vietnamese puts intensifiers after the word (``đẹp quá``): they are moved in
  front of it as ``very``; ``rất``/``hơi`` map to ``very``/``slightly``;
* every other syllable becomes a neutral filler: Vietnamese syllables such as
  ``ban`` (bạn, friend) or ``no`` (no, full) are English lexicon words and must
  not be scored as English.

Text without any Vietnamese diacritic is matched against the diacritic-free
("folded") lexicon; entries whose folded form is ambiguous (``êm`` → ``em``,
the pronoun) are marked ``fold=no`` and only match with diacritics.

Compound scores are VADER's, in [-1, 1]; ``label`` applies VADER's customary
±0.05 thresholds.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

SCORER_VERSION = "vader-3.3.2+cdp-lexicon-1"
POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05
MAX_PHRASE_TOKENS = 5

_VI_NEGATORS = {
    "không",
    "ko",
    "k",
    "kg",
    "khg",
    "hông",
    "hổng",
    "chẳng",
    "chả",
    "chưa",
    "đừng",
    "chớ",
    "khong",
    "hong",
    "chang",
    "chua",
    "hok",
    "hem",
}
_VI_PRE_BOOSTERS = {
    "rất": "very",
    "cực": "extremely",
    "siêu": "extremely",
    "quá": "very",
    "khá": "quite",
    "hơi": "slightly",
    "rat": "very",
    "sieu": "extremely",
    "hoi": "slightly",
}
_VI_POST_BOOSTERS = {"quá", "lắm", "ghê", "vãi", "xỉu", "thật", "qua", "lam", "ghe", "vai"}
_VI_BUT = {"nhưng", "nhung"}
_VI_LETTERS = set("ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")
_VI_HINT_WORDS = {
    "shop",
    "khong",
    "ko",
    "qua",
    "giay",
    "mua",
    "cho",
    "minh",
    "ban",
    "oi",
    "em",
    "anh",
    "chi",
    "duoc",
    "roi",
    "lam",
    "nha",
    "nhe",
    "ak",
    "ib",
    "giao",
    "hang",
    "sale",
    "dep",
    "tot",
    "ship",
    "con",
    "mau",
    "doi",
    "voi",
    "gi",
    "the",
    "nao",
}
_EN_HINT_WORDS = {
    "the",
    "is",
    "my",
    "for",
    "to",
    "and",
    "you",
    "i",
    "it",
    "a",
    "was",
    "this",
    "these",
    "of",
    "in",
    "after",
    "do",
    "when",
    "so",
    "are",
    "not",
    "never",
    "love",
    "great",
}
_FILLER = "xx"
_TOKEN = re.compile(r"[\w']+|[^\w\s]", re.UNICODE)
#: Emoji VADER's emoji lexicon describes neutrally (or not at all) but that carry
#: a clear valence in retail social text.
_EMOJI_WORDS = {
    "👎": "bad",
    "😡": "angry",
    "😤": "annoyed",
    "💢": "angry",
    "🙁": "sad",
    "😞": "disappointed",
    "😠": "angry",
    "🤬": "angry",
    "😢": "sad",
    "😭": "sad",
    "💔": "heartbroken",
    "👍": "good",
    "🔥": "great",
    "💯": "perfect",
    "👟": "",
    "🙌": "yay",
    "🥰": "love",
    "😍": "love",
    "❤️": "love",
    "❤": "love",
    "😊": "happy",
    "🙏": "",
    "🤔": "",
    "👀": "",
    "😅": "",
}


def fold(text: str) -> str:
    """Lower-case and strip Vietnamese diacritics (``Đẹp quá`` → ``dep qua``)."""
    text = text.lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def has_vietnamese_diacritics(text: str) -> bool:
    return any(ch in _VI_LETTERS for ch in unicodedata.normalize("NFC", text.lower()))


def detect_language(text: str, declared: str | None = None) -> str:
    """``vi`` or ``en``: the declared language when it is one of them, else a guess."""
    if declared in ("vi", "en"):
        return declared
    if has_vietnamese_diacritics(text):
        return "vi"
    words = [w for w in _TOKEN.findall(fold(text)) if w.isalnum()]
    vi_hits = sum(w in _VI_HINT_WORDS for w in words)
    en_hits = sum(w in _EN_HINT_WORDS for w in words)
    return "vi" if vi_hits > en_hits else "en"


@dataclass(frozen=True)
class Score:
    language: str
    compound: float
    label: str


def label_for(compound: float) -> str:
    if compound >= POSITIVE_THRESHOLD:
        return "positive"
    if compound <= NEGATIVE_THRESHOLD:
        return "negative"
    return "neutral"


def _read_lexicon(name: str) -> list[tuple[str, float, bool]]:
    path = resources.files("analytics") / "lexicons" / name
    rows = []
    with path.open(encoding="utf-8") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if not row or row[0].startswith("#"):
                continue
            phrase = unicodedata.normalize("NFC", row[0].strip().lower())
            foldable = len(row) < 3 or row[2].strip() != "no"
            rows.append((phrase, float(row[1]), foldable))
    return rows


class SentimentScorer:
    """Scores text; build once and reuse (the lexicons load in the constructor)."""

    def __init__(self, extra_lexicon_dir: Path | None = None) -> None:
        self._vader = SentimentIntensityAnalyzer()
        for emoji, word in _EMOJI_WORDS.items():
            self._vader.emojis[emoji] = word
        self._vi_exact: dict[tuple[str, ...], str] = {}
        self._vi_folded: dict[tuple[str, ...], str] = {}
        self._en_phrases: dict[tuple[str, ...], str] = {}
        for number, (phrase, score, foldable) in enumerate(_read_lexicon("vi.tsv")):
            token = f"cdpvi{number}"
            self._vader.lexicon[token] = score
            self._vi_exact[tuple(phrase.split())] = token
            if foldable:
                self._vi_folded.setdefault(tuple(fold(phrase).split()), token)
        for number, (phrase, score, _) in enumerate(_read_lexicon("en_retail.tsv")):
            words = tuple(phrase.split())
            if len(words) == 1:
                self._vader.lexicon[phrase] = score
            else:
                token = f"cdpen{number}"
                self._vader.lexicon[token] = score
                self._en_phrases[words] = token

    @cached_property
    def _vi_negators_folded(self) -> set[str]:
        return {fold(w) for w in _VI_NEGATORS} - {"cha", "cho", "dung"}

    def score(self, text: str | None, declared_language: str | None = None) -> Score:
        if text is None or not text.strip():
            return Score(declared_language or "unknown", 0.0, "neutral")
        text = unicodedata.normalize("NFC", text)
        language = detect_language(text, declared_language)
        rewritten = self._rewrite_vi(text) if language == "vi" else self._rewrite_en(text)
        compound = round(self._vader.polarity_scores(rewritten)["compound"], 4)
        return Score(language, compound, label_for(compound))

    @staticmethod
    def _match(tokens: list[str], start: int, table: dict[tuple[str, ...], str]) -> tuple[str, int]:
        for size in range(min(MAX_PHRASE_TOKENS, len(tokens) - start), 0, -1):
            token = table.get(tuple(tokens[start : start + size]))
            if token:
                return token, size
        return "", 0

    def _rewrite_en(self, text: str) -> str:
        tokens = _TOKEN.findall(text)
        lowered = [t.lower() for t in tokens]
        out, i = [], 0
        while i < len(tokens):
            token, size = self._match(lowered, i, self._en_phrases)
            if size:
                out.append(token)
                i += size
            else:
                out.append(tokens[i])
                i += 1
        return " ".join(out)

    def _rewrite_vi(self, text: str) -> str:
        folded_text = not has_vietnamese_diacritics(text)
        raw = _TOKEN.findall(text.lower())
        tokens = [fold(t) for t in raw] if folded_text else raw
        table = self._vi_folded if folded_text else self._vi_exact
        negators = self._vi_negators_folded if folded_text else _VI_NEGATORS
        out: list[str] = []
        last_sentiment = -1
        i = 0
        while i < len(tokens):
            token, size = self._match(tokens, i, table)
            word = tokens[i]
            if size:
                out.append(token)
                last_sentiment = len(out) - 1
                i += size
                continue
            if word in negators:
                out.append("not")
            elif word in _VI_POST_BOOSTERS and last_sentiment == len(out) - 1 >= 0:
                out.insert(last_sentiment, "very")
                last_sentiment += 1
            elif word in _VI_PRE_BOOSTERS:
                out.append(_VI_PRE_BOOSTERS[word])
            elif word in _VI_BUT:
                out.append("but")
            elif not word.isalnum() or raw[i] in self._vader.emojis:
                out.append(raw[i])  # punctuation and emoji keep their VADER meaning
            else:
                out.append(_FILLER)
            i += 1
        return " ".join(out)


_DEFAULT: SentimentScorer | None = None


def default_scorer() -> SentimentScorer:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = SentimentScorer()
    return _DEFAULT


def score_text(text: str | None, declared_language: str | None = None) -> Score:
    return default_scorer().score(text, declared_language)
