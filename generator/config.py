"""Generator configuration: command-line arguments plus JSON-overridable knobs.

Every dirty case is a named *corruption kind* with a default rate (see
:data:`CORRUPTION_DEFAULTS`, documented in ``docs/generator.md``). A JSON file
passed with ``--config`` may override rates, source participation and activity
volumes, and the format plan::

    {"rates": {"email_typo": 0.05, "malformed_nul_byte": 0},
     "participation": {"web_account": 0.4},
     "volumes": {"web_sessions_per_year": 3.0},
     "formats": ["csv", "parquet"],
     "format_plan": {"pos/transactions": ["csv"]}}
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from ingest.contract import ENTITIES, FORMATS

#: kind -> (default rate, unit, what it does). The unit says what the rate is a share of.
CORRUPTION_DEFAULTS: dict[str, tuple[float, str, str]] = {
    # phones
    "phone_notation": (0.30, "phone value", "written in another notation "
                       "(`+84 38 123 4567`, `84381234567`, `0381.234.567`, `(+84) 38-123-4567`…)"),
    "phone_legacy_prefix": (0.12, "renumbered mobile value",
                            "a mobile whose prefix was renumbered in 2018 written as the old "
                            "11-digit number (0168… for 038…)"),
    "phone_digit_error": (0.01, "phone value", "one digit dropped or doubled"),
    # names
    "name_no_diacritics": (0.25, "name value", "written without Vietnamese diacritics"),
    "name_reordered": (0.05, "name value", "given name first (`Lan Nguyen Thi`) or "
                       "`Last, First` (`Nguyễn, Thị Lan`)"),
    "name_uppercase": (0.03, "name value", "written in capitals (`NGUYEN THI LAN`)"),
    "name_honorific": (0.03, "name value (non-POS)", "prefixed with an honorific "
                       "(`chị Lan`, `anh Tuấn`, `Mr John`) or given name only"),
    "pos_name_honorific": (0.15, "POS customer name", "cashier typed an honorific and the "
                           "given name (`chị Lan`, `cô Hương`)"),
    "pos_name_placeholder": (0.06, "identified POS transaction", "name typed as a placeholder "
                             "(`Khách lẻ`, `KH`, `N/A`, `-`) although the customer is known"),
    "name_placeholder": (0.005, "name value (non-POS)", "a placeholder instead of the name"),
    # emails
    "email_case": (0.06, "email value", "upper or mixed case (`Lan.Nguyen92@Gmail.com`)"),
    "email_whitespace": (0.02, "email value", "leading/trailing spaces"),
    "email_typo": (0.015, "free-mail email value", "provider typo (`gmial.com`, `gmail.con`, "
                   "`yaho.com`, `hotmial.com`, `outlok.com`…)"),
    # people
    "household_shared_phone": (0.06, "person", "lives in a 2–4 person household that "
                               "shares one phone (spouses, parents and children)"),
    "phone_changed": (0.05, "person", "changed number: older records carry the old one"),
    "second_email": (0.08, "person", "uses a second address in some records "
                     "(some open a second web account with it)"),
    "namesake": (0.005, "person", "forced namesake: copies another person's full name "
                 "(half of them in the same city), on top of natural namesakes"),
    "duplicate_crm_contact": (0.05, "sales contact", "the CRM holds a second contact record "
                              "for the same person"),
    # POS
    "counter_phone_walk_in": (0.35, "walk-in POS transaction", "carries the store's counter "
                              "phone with a placeholder or a (walk-in's) name"),
    "counter_phone_member": (0.02, "identified POS transaction", "carries the store counter "
                             "phone and the customer's real name instead of their phone"),
    # cities
    "city_alias": (0.5, "city value", "written with an alias (`HCM`, `TPHCM`, `Sài Gòn`, "
                   "`Saigon`, `Hanoi`, `HN`, `Da Nang`…) instead of the canonical name"),
    # timestamps
    "timestamp_offset": (0.15, "timestamp value", "written with an explicit `+07:00` offset"),
    # rows and files
    "duplicate_row": (0.01, "row", "exact duplicate of a row within the same file"),
    "redelivered_row": (0.05, "row dated the previous drop day", "arrives again in the "
                        "next day's file"),
    "optional_column_missing": (0.05, "optional column of a later drop's file", "the file "
                                "is exported without that (opt) column"),
    "resend_file": (1, "run (count)", "whole files delivered a second time as "
                    "`<entity>_<date>_resend.<ext>` (identical bytes)"),
    # malformed rows (extra physical lines in CSV/JSONL files)
    "malformed_unterminated_quote": (2e-5, "CSV row", "a quoted field that is never closed"),
    "malformed_too_many_fields": (2e-5, "CSV row", "a row with extra fields"),
    "malformed_too_few_fields": (2e-5, "CSV row", "a row cut short"),
    "malformed_json_array": (2e-5, "JSONL row", "a JSON array instead of an object"),
    "malformed_json_scalar": (2e-5, "JSONL row", "a JSON scalar (number/string/null)"),
    "malformed_truncated_json": (2e-5, "JSONL row", "a JSON object cut off mid-way"),
    "malformed_invalid_utf8": (2e-5, "CSV/JSONL row", "Windows-1258/Latin-1 bytes, not UTF-8"),
    "malformed_nul_byte": (2e-5, "CSV/JSONL row", "binary NUL bytes inside the line"),
    "malformed_blank_line": (2e-5, "CSV/JSONL row", "an empty or whitespace-only line"),
    "malformed_garbage_line": (2e-5, "CSV/JSONL row", "a line of non-data text"),
}
MALFORMED_KINDS: tuple[str, ...] = tuple(
    k.removeprefix("malformed_") for k in CORRUPTION_DEFAULTS if k.startswith("malformed_")
)
CSV_MALFORMED = ("unterminated_quote", "too_many_fields", "too_few_fields", "invalid_utf8",
                 "nul_byte", "blank_line", "garbage_line")
JSONL_MALFORMED = ("json_array", "json_scalar", "truncated_json", "invalid_utf8", "nul_byte",
                   "blank_line", "garbage_line")

#: Share of people present in each source (channel overlap is modelled on top).
PARTICIPATION_DEFAULTS: dict[str, float] = {
    "pos": 0.65,              # buys in stores
    "web_account": 0.30,      # has a web shop account (and loyalty member number)
    "web_anonymous": 0.30,    # of people without an account: browses the web shop anonymously
    "email": 0.42,            # newsletter contact (most web account holders subscribe)
    "social": 0.22,           # follows / talks to the brand on a social network
    "sales_b2b": 0.012,       # B2B contact of the sales team (company, job title)
    "sales_vip": 0.015,       # VIP customer managed by the sales team
    "service": 0.04,          # opened a service case (becomes a CRM contact)
    "foreign": 0.03,          # foreign name
    "landline": 0.02,         # personal phone is a landline
    "store_loyalty": 0.35,    # store-only loyalty card (POS buyers without a web account)
    "lapsed": 0.40,           # stopped buying at some point of the history
}

#: Activity volumes (per person and year unless stated otherwise).
VOLUME_DEFAULTS: dict[str, float] = {
    "history_days": 730,             # first drop covers this many days before the start date
    "pos_transactions_per_year": 1.6,  # mean, per store buyer (long-tailed)
    "pos_walk_in_share": 0.25,       # share of POS transactions by anonymous walk-ins
    "pos_lines_mean": 1.6,           # line items per transaction
    "web_sessions_per_year": 2.2,    # mean, per web visitor
    "web_login_share": 0.45,         # account holders' sessions that log in
    "email_campaigns_per_week": 1.5,
    "email_sends_per_contact_year": 1.6,
    "social_interactions_per_year": 1.5,
    "sales_opportunities_per_b2b": 1.5,
    "sales_cases_per_contact": 1.2,
    "daily_update_share": 0.002,     # existing contacts/accounts re-sent with changes per day
}


def _default_rates() -> dict[str, float]:
    return {k: float(v[0]) for k, v in CORRUPTION_DEFAULTS.items()}


@dataclass
class GeneratorConfig:
    """Everything a run depends on. Same config -> byte-identical output."""

    people: int = 2000
    seed: int = 42
    landing_dir: Path = Path("data/landing")
    truth_dir: Path = Path("data/ground_truth")
    days: int = 3
    start_date: dt.date = dt.date(2026, 11, 1)
    formats: tuple[str, ...] = FORMATS
    rates: dict[str, float] = field(default_factory=_default_rates)
    participation: dict[str, float] = field(default_factory=lambda: dict(PARTICIPATION_DEFAULTS))
    volumes: dict[str, float] = field(default_factory=lambda: dict(VOLUME_DEFAULTS))
    #: entity prefix -> formats cycled over the drop days (default: rotate `formats`).
    format_plan: dict[str, tuple[str, ...]] = field(default_factory=dict)
    brand_domain: str = "saibuoc.vn"
    config_file: str | None = None
    #: delete earlier generator outputs (contract-named landing files, truth files) first
    clean: bool = False

    def validate(self) -> None:
        if not 1 <= self.people <= 10_000_000:
            raise ValueError("people must be between 1 and 10,000,000")
        if self.days < 1:
            raise ValueError("days must be at least 1")
        bad = [f for f in self.formats if f not in FORMATS]
        if bad or not self.formats:
            raise ValueError(f"formats must be a non-empty subset of {FORMATS}, got {bad}")
        for k, v in self.rates.items():
            if k not in CORRUPTION_DEFAULTS:
                raise ValueError(f"unknown corruption kind {k!r}")
            if k != "resend_file" and not 0.0 <= v <= 1.0:
                raise ValueError(f"rate {k} must be within [0, 1], got {v}")
        for k in self.participation:
            if k not in PARTICIPATION_DEFAULTS:
                raise ValueError(f"unknown participation key {k!r}")
        for k in self.volumes:
            if k not in VOLUME_DEFAULTS:
                raise ValueError(f"unknown volume key {k!r}")
        prefixes = {e.prefix for e in ENTITIES}
        for k, v in self.format_plan.items():
            if k not in prefixes:
                raise ValueError(f"format_plan: unknown entity {k!r}")
            if not v or any(f not in FORMATS for f in v):
                raise ValueError(f"format_plan[{k!r}] must list formats from {FORMATS}")

    def formats_for(self, prefix: str) -> tuple[str, ...]:
        """Formats cycled over the drop days for one entity."""
        if prefix in self.format_plan:
            return tuple(self.format_plan[prefix])
        index = [e.prefix for e in ENTITIES].index(prefix)
        n = len(self.formats)
        return tuple(self.formats[(index + d) % n] for d in range(n))

    def format_of(self, prefix: str, day: int) -> str:
        plan = self.formats_for(prefix)
        return plan[day % len(plan)]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, Path):
                v = str(v)
            elif isinstance(v, dt.date):
                v = v.isoformat()
            elif isinstance(v, tuple):
                v = list(v)
            elif isinstance(v, dict):
                v = {k: list(x) if isinstance(x, tuple) else x for k, x in v.items()}
            out[f.name] = v
        return out


def apply_overrides(config: GeneratorConfig, overrides: dict[str, Any]) -> GeneratorConfig:
    """Merge a parsed ``--config`` JSON document into ``config`` (in place) and validate."""
    allowed = {"rates", "participation", "volumes", "formats", "format_plan", "brand_domain"}
    unknown = set(overrides) - allowed
    if unknown:
        raise ValueError(f"unknown config keys {sorted(unknown)}; allowed: {sorted(allowed)}")
    config.rates.update({k: float(v) for k, v in overrides.get("rates", {}).items()})
    config.participation.update(
        {k: float(v) for k, v in overrides.get("participation", {}).items()})
    config.volumes.update({k: float(v) for k, v in overrides.get("volumes", {}).items()})
    if "formats" in overrides:
        config.formats = tuple(overrides["formats"])
    if "format_plan" in overrides:
        config.format_plan = {k: tuple(v) for k, v in overrides["format_plan"].items()}
    if "brand_domain" in overrides:
        config.brand_domain = str(overrides["brand_domain"])
    config.validate()
    return config


def load_overrides(path: str | Path) -> dict[str, Any]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object")
    return data


def rng_for(seed: int, stream: str) -> np.random.Generator:
    """An independent, stable random stream per component (names are hashed with CRC32,
    not Python's salted ``hash``), so changing one source does not shift the others."""
    return np.random.default_rng([seed, zlib.crc32(stream.encode())])
