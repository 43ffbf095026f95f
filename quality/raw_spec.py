"""Which raw columns are ids, keys, timestamps, numbers, phones and e-mails.

The contract (ingest/contract.py) says which columns exist and which vocabularies are
known; this says how each column must parse. Keys are unique *within one file*
among distinct rows: exact duplicate rows and later files re-sending a record are
normal deliveries, which staging de-duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Bounds = tuple[float | None, float | None]
NON_NEGATIVE: Bounds = (0, None)


@dataclass(frozen=True)
class RawSpec:
    ids: tuple[str, ...] = ()  # must be present
    key: tuple[str, ...] = ()  # unique per file among distinct rows
    timestamps: tuple[str, ...] = ()
    numbers: dict[str, Bounds] = field(default_factory=dict)
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    # a person has many rows (events, line items): phone and e-mail statuses are computed
    # once per distinct value (1 s of 14 s CPU of pos__transactions at 1M people)
    repeats: bool = False


RAW_SPECS: dict[str, RawSpec] = {
    # one row per line item, so transaction_id repeats: no key
    "pos__transactions": RawSpec(
        ids=("transaction_id", "store_id", "sku"),
        timestamps=("transacted_at",),
        numbers={"quantity": NON_NEGATIVE, "unit_price": NON_NEGATIVE, "discount": NON_NEGATIVE},
        phones=("phone",),
        emails=("email",),
        repeats=True,
    ),
    "web__accounts": RawSpec(
        ids=("user_id",), key=("user_id",), timestamps=("created_at",),
        phones=("phone",), emails=("email",),
    ),
    "web__events": RawSpec(
        ids=("event_id", "user_pseudo_id"), key=("event_id",), timestamps=("event_timestamp",),
        numbers={"value": NON_NEGATIVE},
    ),
    "email__contacts": RawSpec(
        ids=("email",), key=("email",), timestamps=("opt_in_at",),
        phones=("phone",), emails=("email",),
    ),
    "email__events": RawSpec(
        ids=("email", "campaign_id"), timestamps=("occurred_at",), emails=("email",),
        repeats=True,
    ),
    "social__profiles": RawSpec(
        ids=("platform", "profile_id"), key=("platform", "profile_id"),
        numbers={"followers": NON_NEGATIVE}, phones=("phone",), emails=("email",),
    ),
    "social__interactions": RawSpec(
        ids=("interaction_id", "platform", "profile_id"), key=("interaction_id",),
        timestamps=("occurred_at",),
    ),
    "sales__contacts": RawSpec(
        ids=("contact_id",), key=("contact_id",), timestamps=("created_at",),
        phones=("phone",), emails=("email",),
    ),
    "sales__opportunities": RawSpec(
        ids=("opportunity_id", "contact_id"), key=("opportunity_id",),
        timestamps=("created_at", "closed_at"), numbers={"amount": NON_NEGATIVE},
    ),
    "sales__cases": RawSpec(
        ids=("case_id", "contact_id"), key=("case_id",), timestamps=("opened_at", "closed_at"),
        numbers={"contacts_to_resolve": NON_NEGATIVE, "csat": (1, 5), "nps": (0, 10),
                 "ces": (1, 7)},
    ),
}  # fmt: skip
