"""Field mapping: golden-record payload fields -> CRM properties, defined as JSON data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAPPINGS_DIR = Path(__file__).parent / "mappings"
DEFAULT_MAPPING = MAPPINGS_DIR / "hubspot_contacts.json"
OPERATIONS = ("upsert", "merge", "delete")


@dataclass(frozen=True)
class PropertyRule:
    field: str
    join: str | None = None


@dataclass(frozen=True)
class FieldMapping:
    object: str
    id_property: str
    paths: dict[str, str]
    properties: dict[str, PropertyRule]


def parse_mapping(spec: dict[str, Any]) -> FieldMapping:
    """A mapping from its JSON form; a property is a field name or ``{field, join}``."""
    missing = [op for op in OPERATIONS if op not in spec.get("paths", {})]
    if missing:
        raise ValueError(f"mapping lacks paths for {missing}")
    rules = {
        prop: PropertyRule(rule) if isinstance(rule, str) else PropertyRule(**rule)
        for prop, rule in spec["properties"].items()
    }
    return FieldMapping(spec["object"], spec["id_property"], dict(spec["paths"]), rules)


def load_mapping(path: Path | str | None = None) -> FieldMapping:
    return parse_mapping(json.loads(Path(path or DEFAULT_MAPPING).read_text(encoding="utf-8")))


def map_value(value: Any, rule: PropertyRule) -> Any:
    if rule.join is not None and isinstance(value, list):
        return rule.join.join("" if v is None else str(v) for v in value)
    return value


def map_properties(payload: dict[str, Any], mapping: FieldMapping) -> dict[str, Any]:
    """CRM properties for the payload fields present (an update maps only what changed)."""
    return {
        prop: map_value(payload[rule.field], rule)
        for prop, rule in mapping.properties.items()
        if rule.field in payload
    }
