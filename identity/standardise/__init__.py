"""Standardisation rules shared by dbt staging SQL and identity resolution.

Each rule is a small pure Python function (memoised, because identifier columns repeat)
and is registered under a `cdp_*` name on any DuckDB connection by
`register_standardisation_functions`, or on dbt's connection by the dbt-duckdb plugin
`identity.standardise.dbt_plugin`. See docs/standardisation.md.
"""

from identity.standardise.cities import (
    CityResult,
    city_canonical,
    city_is_known,
    city_province,
    standardise_city,
)
from identity.standardise.dates import (
    BirthDate,
    birth_date,
    birth_date_status,
    birth_day,
    birth_month,
    birth_year,
    parse_birth_date,
)
from identity.standardise.duckdb_functions import (
    SQL_FUNCTIONS,
    register_standardisation_functions,
)
from identity.standardise.emails import (
    EmailResult,
    email_domain,
    email_is_valid,
    email_match_key,
    email_normalise,
    email_status,
    standardise_email,
)
from identity.standardise.names import (
    NameParts,
    fold_text,
    name_clean,
    name_key,
    name_parts_from_first_last,
    standardise_name,
)
from identity.standardise.phones import (
    PhoneResult,
    phone_e164,
    phone_kind,
    phone_match_key,
    phone_status,
    standardise_phone,
)

__all__ = [
    "SQL_FUNCTIONS",
    "BirthDate",
    "CityResult",
    "EmailResult",
    "NameParts",
    "PhoneResult",
    "birth_date",
    "birth_date_status",
    "birth_day",
    "birth_month",
    "birth_year",
    "city_canonical",
    "city_is_known",
    "city_province",
    "email_domain",
    "email_is_valid",
    "email_match_key",
    "email_normalise",
    "email_status",
    "fold_text",
    "name_clean",
    "name_key",
    "name_parts_from_first_last",
    "parse_birth_date",
    "phone_e164",
    "phone_kind",
    "phone_match_key",
    "phone_status",
    "register_standardisation_functions",
    "standardise_city",
    "standardise_email",
    "standardise_name",
    "standardise_phone",
]
