"""Small pure helpers."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from generator import textops as tx
from generator.config import GeneratorConfig, apply_overrides, rng_for
from generator.corruption import (
    Tally,
    legacy_number,
    normalise_email,
    normalise_emails,
    render_phones,
)
from generator.vocab import strip_diacritics

from .helpers import canonical_phone


def test_normalise_email_repairs_case_spaces_and_typos():
    assert normalise_email("  Lan.Nguyen92@GMIAL.com ") == "lan.nguyen92@gmail.com"
    assert normalise_email("lan.nguyen92@gmail.con") == "lan.nguyen92@gmail.com"
    assert normalise_email("x@yaho.com") == "x@yahoo.com"
    assert normalise_email("a@saoviet.vn") == "a@saoviet.vn"
    assert normalise_email(" ") is None
    arr = pa.array([" A@Gmial.com", "b@hotmial.com", None])
    assert normalise_emails(arr).to_pylist() == ["a@gmail.com", "b@hotmail.com", None]


def test_legacy_mapping():
    nsn = np.array([381234567, 701234567, 591234567, 961234567, 2838123456])
    assert legacy_number(nsn).tolist() == [1681234567, 1201234567, 1991234567, 0, 0]


def test_phone_rendering_round_trips_to_the_same_number():
    rng = rng_for(1, "t")
    nsn = np.array([381234567] * 400 + [2838123456] * 100 + [0] * 10)
    rates = {"phone_legacy_prefix": 0.2, "phone_digit_error": 0.0, "phone_notation": 0.6}
    out = render_phones(nsn, rng, rates, Tally()).to_pylist()
    assert out[-10:] == [None] * 10
    assert {canonical_phone(p) for p in out[:400]} == {"0381234567"}
    assert {canonical_phone(p) for p in out[400:500]} == {"02838123456"}
    assert "01681234567" in out and any(p.startswith("+84 ") for p in out)


def test_fill_template_and_skip_null_join():
    digits = pa.array(["381234567"])
    assert tx.fill_template(digits, "+84 ## ### ####").to_pylist() == ["+84 38 123 4567"]
    assert tx.fill_template(digits, "0###.###.###").to_pylist() == ["0381.234.567"]
    joined = tx.join(pa.array([None, "a", None]), pa.array([None, None, "b"]), sep=" ",
                     skip_nulls=True)
    assert joined.to_pylist() == ["", "a", "b"]


def test_strip_diacritics():
    assert strip_diacritics("Nguyễn Thị Đào Hồng Nhung") == "Nguyen Thi Dao Hong Nhung"


def test_overrides_validate():
    c = apply_overrides(GeneratorConfig(), {"rates": {"email_typo": 0.2},
                                            "volumes": {"history_days": 365}})
    assert c.rates["email_typo"] == 0.2 and c.volumes["history_days"] == 365
    for bad in ({"rates": {"email_typo": 2}}, {"nope": 1}, {"format_plan": {"x/y": ["csv"]}}):
        try:
            apply_overrides(GeneratorConfig(), bad)
        except ValueError:
            continue
        raise AssertionError(bad)


def test_format_plan_rotates_formats():
    c = GeneratorConfig()
    plans = {e: c.formats_for(e) for e in ("pos/transactions", "web/accounts")}
    assert all(sorted(p) == ["csv", "jsonl", "parquet"] for p in plans.values())
    assert plans["pos/transactions"] != plans["web/accounts"]


def test_docs_list_every_corruption_kind_with_its_default():
    from pathlib import Path

    from generator.config import CORRUPTION_DEFAULTS

    doc = (Path(__file__).parents[2] / "docs" / "generator.md").read_text(encoding="utf-8")
    for kind, (rate, _unit, _what) in CORRUPTION_DEFAULTS.items():
        row = next((ln for ln in doc.splitlines() if ln.startswith(f"| `{kind}` |")), None)
        assert row is not None, kind
        assert float(row.split("|")[2]) == rate, kind
