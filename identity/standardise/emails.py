"""E-mail addresses: clean, repair known provider typos, flag syntax validity.

The only "guess" this rule makes is the provider-typo table below: each entry is a
domain nobody registers mail on that is one keystroke away from a big webmail
provider. Everything else is mechanical (trim, lower-case, unwrap). Provider-specific
equivalences (Gmail ignores dots and +tags) live in the separate `email_match_key`,
never in the displayed address.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal, NamedTuple

EmailStatus = Literal["valid", "invalid", "missing"]

# Typed-domain -> intended domain. Only unambiguous typos of large webmail providers
# seen in Vietnamese consumer data; a real domain (e.g. yahoo.com.vn, which Yahoo
# Vietnam did operate) must never appear on the left.
DOMAIN_TYPOS: dict[str, str] = {
    # gmail.com
    "gmial.com": "gmail.com", "gmal.com": "gmail.com", "gamil.com": "gmail.com",
    "gmail.con": "gmail.com", "gmail.co": "gmail.com", "gmail.cm": "gmail.com",
    "gmaill.com": "gmail.com", "gmai.com": "gmail.com", "gmil.com": "gmail.com",
    "gnail.com": "gmail.com", "gmali.com": "gmail.com", "gmail.om": "gmail.com",
    "gmail.comm": "gmail.com", "gmail.cmo": "gmail.com", "gmail.vn": "gmail.com",
    "gmail.com.vn": "gmail.com", "gmaiil.com": "gmail.com", "gemail.com": "gmail.com",
    "g.mail.com": "gmail.com", "gmail.c": "gmail.com", "gmail.coom": "gmail.com",
    # yahoo.com
    "yaho.com": "yahoo.com", "yahooo.com": "yahoo.com", "yahoo.con": "yahoo.com",
    "yhoo.com": "yahoo.com", "yahho.com": "yahoo.com", "yahoo.cm": "yahoo.com",
    "yahoo.comm": "yahoo.com", "yaoo.com": "yahoo.com", "tahoo.com": "yahoo.com",
    # yahoo.com.vn (Yahoo Vietnam addresses are still in use)
    "yahoo.com.vm": "yahoo.com.vn", "yaho.com.vn": "yahoo.com.vn",
    # hotmail.com
    "hotmial.com": "hotmail.com", "hotmal.com": "hotmail.com", "hotmail.con": "hotmail.com",
    "hotmai.com": "hotmail.com", "hotmil.com": "hotmail.com", "homail.com": "hotmail.com",
    "hotnail.com": "hotmail.com", "hotmaill.com": "hotmail.com", "hotmail.cm": "hotmail.com",
    # outlook.com
    "outlok.com": "outlook.com", "outllok.com": "outlook.com", "outlook.con": "outlook.com",
    "outloook.com": "outlook.com", "otlook.com": "outlook.com", "outook.com": "outlook.com",
    "outlool.com": "outlook.com",
    # icloud.com
    "iclod.com": "icloud.com", "icloud.con": "icloud.com", "icoud.com": "icloud.com",
    "iclould.com": "icloud.com", "icluod.com": "icloud.com", "icloud.cm": "icloud.com",
}  # fmt: skip

# Local parts that mean "no e-mail" (typed to get past a mandatory field). Such
# addresses are shared by unrelated people, so they are reported as missing.
PLACEHOLDER_LOCAL_PARTS = frozenset(
    {"noemail", "no-email", "no_email", "none", "null", "na", "n.a", "khongco", "khong",
     "khachle", "khachhang", "test", "example", "email", "abc", "xxx", "noreply",
     "no-reply"}
)  # fmt: skip
PLACEHOLDER_VALUES = frozenset({"", "-", ".", "n/a", "na", "none", "null", "không có", "khong co"})

# Pragmatic RFC 5321 subset: dot-atom local part, LDH domain labels, alphabetic TLD.
_LOCAL = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_EMAIL = re.compile(rf"{_LOCAL}@(?:{_LABEL}\.)+[a-z]{{2,24}}")
# "Lan Nguyen <lan@x.vn>" -> the bracketed address.
_DISPLAY_FORM = re.compile(r"<\s*([^<>]+?)\s*>")
_MAILTO = re.compile(r"^mailto:", re.IGNORECASE)
# Quotes/brackets around an address, and punctuation that clings to its end when it was
# copied out of a sentence. A leading dot is left alone: it makes the address invalid.
_WRAPPERS = "'\"()[]"
_TRAILING_JUNK = ".,;:"

GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


class EmailResult(NamedTuple):
    """Normalised address (None only when missing) and its syntax status."""

    email: str | None
    status: EmailStatus


MISSING = EmailResult(None, "missing")


def _unwrap(text: str) -> str:
    """Remove display names, angle brackets and mailto: around the address."""
    bracketed = _DISPLAY_FORM.search(text) if "<" in text else None
    if bracketed:
        text = bracketed.group(1)
    text = text.strip()
    if ":" in text:  # only then can it start with "mailto:"
        text = _MAILTO.sub("", text)
    previous = None
    while previous != text:  # '("lan@x.vn").' needs several passes
        previous = text
        text = text.strip().strip(_WRAPPERS).rstrip(_TRAILING_JUNK)
    return text


def repair_domain(domain: str) -> str:
    """Known provider typo -> intended domain; anything else unchanged."""
    return DOMAIN_TYPOS.get(domain, domain)


@lru_cache(maxsize=1 << 18)
def standardise_email(raw: str | None) -> EmailResult:
    """Trim, lower-case, unwrap, repair provider typos and check syntax."""
    if raw is None:
        return MISSING
    # NFKC folds full-width '＠' and letters from mobile keyboards to ASCII; it never
    # changes ASCII text, so that skips it.
    text = raw if raw.isascii() else unicodedata.normalize("NFKC", raw)
    text = _unwrap(text).lower()
    if text in PLACEHOLDER_VALUES:
        return MISSING
    local, at, domain = text.rpartition("@")
    if not at:
        return EmailResult(text, "invalid")
    domain = repair_domain(domain.strip("."))
    if local in PLACEHOLDER_LOCAL_PARTS:
        return MISSING
    email = f"{local}@{domain}"
    return EmailResult(email, "valid" if _EMAIL.fullmatch(email) else "invalid")


def email_normalise(raw: str | None) -> str | None:
    """Cleaned address (kept even when invalid); None only when empty or a placeholder."""
    return standardise_email(raw).email


def email_status(raw: str | None) -> EmailStatus:
    """'valid' (syntax), 'invalid' or 'missing'."""
    return standardise_email(raw).status


def email_is_valid(raw: str | None) -> bool:
    """True when the normalised address is syntactically valid."""
    return standardise_email(raw).status == "valid"


def email_domain(raw: str | None) -> str | None:
    """Domain of a valid address (after typo repair), e.g. for provider analytics."""
    result = standardise_email(raw)
    return result.email.rpartition("@")[2] if result.status == "valid" and result.email else None


@lru_cache(maxsize=1 << 18)
def email_match_key(raw: str | None) -> str | None:
    """Key for identity linking: valid addresses only, with Gmail's own equivalences.

    Gmail delivers a.b.c+promo@gmail.com to abc@gmail.com and treats googlemail.com as
    gmail.com, so those spellings are the same mailbox. Other providers differ (some
    treat dots as significant), so nothing else is rewritten.
    """
    result = standardise_email(raw)
    if result.status != "valid" or result.email is None:
        return None
    local, _, domain = result.email.rpartition("@")
    if domain in GMAIL_DOMAINS:
        local = local.split("+", 1)[0].replace(".", "")
        domain = "gmail.com"
        if not local:
            return None
    return f"{local}@{domain}"
