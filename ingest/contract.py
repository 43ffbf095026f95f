"""The landing contract (CONTRACT.md section 1) as data.

Everything that needs to know which files exist, which columns they must carry
and which values are "known" reads it from here: the generator, the ingest
loader, the quality gates and the tests.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Entity:
    source: str
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]

    @property
    def prefix(self) -> str:
        """Landing path prefix, e.g. ``pos/transactions``."""
        return f"{self.source}/{self.name}"

    @property
    def raw_table(self) -> str:
        """Unqualified raw table name, e.g. ``pos__transactions``."""
        return f"{self.source}__{self.name}"

    @property
    def columns(self) -> tuple[str, ...]:
        """All contract columns in the order the contract lists them."""
        return COLUMN_ORDER[self.prefix]


def _entity(source: str, name: str, spec: str) -> tuple[Entity, tuple[str, ...]]:
    columns = [c.strip() for c in spec.split(",")]
    required = tuple(c for c in columns if not c.endswith("(opt)"))
    optional = tuple(c.removesuffix("(opt)").strip() for c in columns if c.endswith("(opt)"))
    order = tuple(c.removesuffix("(opt)").strip() for c in columns)
    return Entity(source, name, required, optional), order


_SPECS = [
    (
        "pos",
        "transactions",
        "transaction_id, store_id, transacted_at, customer_name (opt), phone (opt), email (opt), "
        "loyalty_id (opt), sku, product_name (opt), category (opt), quantity, unit_price, "
        "discount (opt), currency (opt), payment_method (opt), promo_code (opt)",
    ),
    (
        "web",
        "accounts",
        "user_id, email, full_name (opt), phone (opt), birth_date (opt), gender (opt), city (opt), "
        "created_at",
    ),
    (
        "web",
        "events",
        "event_id, event_timestamp, event_name, user_pseudo_id, user_id (opt), "
        "page_location (opt), utm_source (opt), utm_medium (opt), utm_campaign (opt), "
        "device_category (opt), item_sku (opt), value (opt), currency (opt), transaction_id (opt)",
    ),
    (
        "email",
        "contacts",
        "email, first_name (opt), last_name (opt), phone (opt), birthday (opt), city (opt), "
        "status, opt_in_at (opt), tags (opt)",
    ),
    ("email", "events", "email, campaign_id, campaign_name (opt), event, occurred_at, url (opt)"),
    (
        "social",
        "profiles",
        "platform, profile_id, handle (opt), display_name (opt), email (opt), phone (opt), "
        "location (opt), followers (opt)",
    ),
    (
        "social",
        "interactions",
        "interaction_id, platform, profile_id, kind, text (opt), occurred_at, in_reply_to (opt), "
        "lang (opt)",
    ),
    (
        "sales",
        "contacts",
        "contact_id, first_name (opt), last_name (opt), email (opt), phone (opt), company (opt), "
        "job_title (opt), birth_date (opt), gender (opt), marital_status (opt), city (opt), "
        "lifecycle_stage (opt), lead_source (opt), created_at",
    ),
    (
        "sales",
        "opportunities",
        "opportunity_id, contact_id, stage, amount, currency (opt), created_at, closed_at (opt), "
        "is_won (opt)",
    ),
    (
        "sales",
        "cases",
        "case_id, contact_id, channel, category (opt), opened_at, closed_at (opt), "
        "contacts_to_resolve (opt), csat (opt), nps (opt), ces (opt)",
    ),
]

COLUMN_ORDER: dict[str, tuple[str, ...]] = {}
ENTITIES: tuple[Entity, ...] = ()
for _source, _name, _spec in _SPECS:
    _e, _order = _entity(_source, _name, _spec)
    COLUMN_ORDER[_e.prefix] = _order
    ENTITIES = (*ENTITIES, _e)

SOURCES: tuple[str, ...] = ("pos", "web", "email", "social", "sales")
FORMATS: tuple[str, ...] = ("csv", "jsonl", "parquet")

#: Columns the loader adds to every raw table.
LOAD_METADATA_COLUMNS: tuple[str, ...] = (
    "_source_file",
    "_row_number",
    "_file_sha256",
    "_loaded_at",
)

#: Known vocabularies; values outside them are kept (and reported), never dropped.
VOCABULARIES: dict[tuple[str, str], tuple[str, ...]] = {
    ("web__events", "event_name"): (
        "page_view",
        "view_item",
        "add_to_cart",
        "begin_checkout",
        "purchase",
        "sign_up",
        "login",
    ),
    ("email__contacts", "status"): ("subscribed", "unsubscribed", "cleaned"),
    ("email__events", "event"): (
        "sent",
        "delivered",
        "open",
        "click",
        "bounce",
        "unsubscribe",
        "complaint",
    ),
    ("social__profiles", "platform"): ("facebook", "instagram", "tiktok", "zalo", "x"),
    ("social__interactions", "platform"): ("facebook", "instagram", "tiktok", "zalo", "x"),
    ("social__interactions", "kind"): ("comment", "message", "mention", "review", "share"),
    ("sales__contacts", "lifecycle_stage"): ("lead", "mql", "sql", "opportunity", "customer"),
    ("sales__opportunities", "stage"): (
        "prospecting",
        "qualification",
        "proposal",
        "negotiation",
        "closed_won",
        "closed_lost",
    ),
}


def entity(raw_table: str) -> Entity:
    """Look an entity up by its raw table name (``pos__transactions``)."""
    for e in ENTITIES:
        if e.raw_table == raw_table:
            return e
    raise KeyError(f"no contract entity for raw table {raw_table!r}")
