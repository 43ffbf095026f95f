"""E-mail rule: mechanical cleaning, the documented typo table, syntax flag."""

import pytest

from identity.standardise.emails import (
    DOMAIN_TYPOS,
    email_domain,
    email_is_valid,
    email_match_key,
    email_normalise,
    email_status,
    standardise_email,
)


@pytest.mark.parametrize(
    "raw",
    [
        "lan.nguyen@gmail.com",
        "  Lan.Nguyen@Gmail.com  ",
        "LAN.NGUYEN@GMAIL.COM",
        "<lan.nguyen@gmail.com>",
        "< lan.nguyen@gmail.com >",
        "mailto:lan.nguyen@gmail.com",
        "MAILTO:Lan.Nguyen@gmail.com",
        "mailto:<lan.nguyen@gmail.com>",
        "Nguyễn Thị Lan <lan.nguyen@gmail.com>",
        '"lan.nguyen@gmail.com"',
        "(lan.nguyen@gmail.com).",
        "lan.nguyen@gmail.com,",
        "lan.nguyen@gmail.com.",  # sentence full stop
        "lan.nguyen＠gmail.com",  # full-width @
        "lan.nguyen@gmial.com",
        "lan.nguyen@GMAL.COM",
        "lan.nguyen@gmail.con",
    ],
)
def test_cleaning(raw: str) -> None:
    assert standardise_email(raw) == ("lan.nguyen@gmail.com", "valid")


REQUIRED_TYPOS = {
    "gmial.com": "gmail.com", "gmal.com": "gmail.com", "gamil.com": "gmail.com",
    "gmail.con": "gmail.com", "gmail.co": "gmail.com", "gmail.cm": "gmail.com",
    "gmaill.com": "gmail.com", "yaho.com": "yahoo.com", "yahooo.com": "yahoo.com",
    "yahoo.con": "yahoo.com", "hotmial.com": "hotmail.com", "hotmal.com": "hotmail.com",
    "hotmail.con": "hotmail.com", "outlok.com": "outlook.com", "outllok.com": "outlook.com",
    "iclod.com": "icloud.com", "gmail.com.vn": "gmail.com",
}  # fmt: skip


@pytest.mark.parametrize(("typo", "domain"), sorted(REQUIRED_TYPOS.items()))
def test_provider_typos_repaired(typo: str, domain: str) -> None:
    assert email_normalise(f"tuan.tran@{typo}") == f"tuan.tran@{domain}"
    assert email_domain(f"tuan.tran@{typo}") == domain


def test_typo_table_never_rewrites_a_real_domain_or_itself() -> None:
    real = {"gmail.com", "yahoo.com", "yahoo.com.vn", "hotmail.com", "outlook.com",
            "icloud.com", "fpt.vn", "fpt.com.vn", "vnn.vn", "outlook.com.vn"}  # fmt: skip
    assert not real & DOMAIN_TYPOS.keys()
    assert set(DOMAIN_TYPOS.values()) <= real


@pytest.mark.parametrize(
    "raw",
    ["lan@yahoo.com.vn", "lan@fpt.vn", "lan@company.com.vn", "lan@sub.domain.vn",
     "lan_nguyen-1990@edu.vn", "LAN+shop@gmail.com", "o'brien@example.ie"],
)  # fmt: skip
def test_real_addresses_kept_as_typed(raw: str) -> None:
    assert email_normalise(raw) == raw.lower()
    assert email_is_valid(raw)


@pytest.mark.parametrize(
    "raw",
    ["lan@@gmail.com", "lan gmail.com", "lan@gmail", "nguyễn@gmail.com", "lan @gmail.com",
     "lan..x@gmail.com", ".lan@gmail.com", "lan.@gmail.com", "lan@-gmail.com", "@gmail.com",
     "lan@", "lan@gmail.c0m", "0901234567"],
)  # fmt: skip
def test_invalid_addresses_are_flagged_and_kept(raw: str) -> None:
    result = standardise_email(raw)
    assert result.status == "invalid"
    assert result.email  # never dropped
    assert email_match_key(raw) is None


@pytest.mark.parametrize(
    "raw",
    [None, "", "  ", "-", "N/A", "none", "không có", "noemail@gmail.com",
     "khongco@gmail.com", "test@test.com", "na@na.com"],
)  # fmt: skip
def test_missing_and_placeholders(raw: str | None) -> None:
    assert standardise_email(raw) == (None, "missing")
    assert email_status(raw) == "missing"
    assert not email_is_valid(raw)


def test_gmail_dots_and_tags_only_in_the_match_key() -> None:
    raw = "L.A.N+khuyenmai@googlemail.com"
    assert email_normalise(raw) == "l.a.n+khuyenmai@googlemail.com"  # shown as typed
    assert email_match_key(raw) == "lan@gmail.com"
    assert email_match_key("lan@gmial.com") == "lan@gmail.com"
    # Other providers treat dots and tags as part of the mailbox.
    assert email_match_key("l.a.n+x@yahoo.com") == "l.a.n+x@yahoo.com"
    assert email_match_key("+x@gmail.com") is None


def test_every_provider_typo_the_generator_makes_is_repaired():
    """The demo data's ground truth keys email records by the intended address."""
    from generator.vocab import EMAIL_DOMAIN_TYPOS
    from identity.standardise import email_normalise

    for typo, intended in EMAIL_DOMAIN_TYPOS.items():
        assert email_normalise(f"lan.nguyen@{typo}") == f"lan.nguyen@{intended}"
