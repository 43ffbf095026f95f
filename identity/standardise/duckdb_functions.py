"""Register every standardisation rule as a vectorised DuckDB function.

dbt staging SQL and the identity code call the very same Python rule through these
functions, so a rule exists once. Each function is an Arrow UDF: DuckDB hands over a
whole vector (2,048 rows), the values are dictionary-encoded in Arrow (C++), the Python
rule runs once per *distinct* value in the vector (and is memoised across vectors by the
rule's own lru_cache), and the results are scattered back with an Arrow `take`. Customer
identifier columns repeat heavily, so most rows never reach Python at all.

SQL names are `cdp_` + a short name; see `SQL_FUNCTIONS` and docs/standardisation.md.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from duckdb.sqltypes import BOOLEAN, DATE, INTEGER, VARCHAR

from identity.standardise import cities, dates, emails, names, phones


@dataclass(frozen=True)
class SqlFunction:
    """One rule exposed to SQL: its name, Python implementation and types."""

    name: str
    rule: Callable[..., Any]
    arity: int
    # Struct results: (name, DuckDB type, Arrow type) per field of the tuple the rule
    # returns, in order. Scalar results: `duckdb_type` / `arrow_type`.
    fields: tuple[tuple[str, Any, pa.DataType], ...] | None = None
    duckdb_type: Any = VARCHAR
    arrow_type: pa.DataType = pa.string()  # noqa: RUF009 - immutable Arrow type

    @property
    def arrow_result_type(self) -> pa.DataType:
        if self.fields is None:
            return self.arrow_type
        return pa.struct([(name, arrow_type) for name, _, arrow_type in self.fields])

    @property
    def return_type(self) -> Any:
        if self.fields is None:
            return self.duckdb_type
        return duckdb.struct_type({name: db_type for name, db_type, _ in self.fields})


_S = (VARCHAR, pa.string())
_I = (INTEGER, pa.int32())
_B = (BOOLEAN, pa.bool_())
_D = (DATE, pa.date32())

PHONE_FIELDS = (("e164", *_S), ("status", *_S), ("kind", *_S), ("match_key", *_S))
NAME_FIELDS = tuple((field, *_S) for field in names.NameParts._fields)
BIRTH_DATE_FIELDS = (("birth_date", *_D), ("month", *_I), ("day", *_I), ("year", *_I),
                     ("status", *_S))  # fmt: skip
CITY_FIELDS = (("city", *_S), ("province", *_S), ("known", *_B))


def _phone_with_key(raw: str | None) -> tuple[Any, ...]:
    result = phones.standardise_phone(raw)
    return (*result, result.match_key)


def _scalar(name: str, rule: Callable[..., Any], types: tuple[Any, pa.DataType] = _S,
            arity: int = 1) -> SqlFunction:  # fmt: skip
    return SqlFunction(name, rule, arity, duckdb_type=types[0], arrow_type=types[1])


SQL_FUNCTIONS: tuple[SqlFunction, ...] = (
    # phones
    SqlFunction("cdp_phone", _phone_with_key, 1, fields=PHONE_FIELDS),
    _scalar("cdp_phone_e164", phones.phone_e164),
    _scalar("cdp_phone_status", phones.phone_status),
    _scalar("cdp_phone_kind", phones.phone_kind),
    _scalar("cdp_phone_match_key", phones.phone_match_key),
    # emails
    _scalar("cdp_email", emails.email_normalise),
    _scalar("cdp_email_status", emails.email_status),
    _scalar("cdp_email_is_valid", emails.email_is_valid, _B),
    _scalar("cdp_email_domain", emails.email_domain),
    _scalar("cdp_email_match_key", emails.email_match_key),
    # names
    SqlFunction("cdp_name", names.standardise_name, 1, fields=NAME_FIELDS),
    SqlFunction("cdp_name_from_first_last", names.name_parts_from_first_last, 2,
                fields=NAME_FIELDS),
    _scalar("cdp_name_clean", names.name_clean),
    _scalar("cdp_name_key", names.name_key),
    _scalar("cdp_fold", names.fold_text),
    # birth dates
    SqlFunction("cdp_birth_date_parts", dates.parse_birth_date, 1, fields=BIRTH_DATE_FIELDS),
    _scalar("cdp_birth_date", dates.birth_date, _D),
    _scalar("cdp_birth_month", dates.birth_month, _I),
    _scalar("cdp_birth_day", dates.birth_day, _I),
    _scalar("cdp_birth_year", dates.birth_year, _I),
    _scalar("cdp_birth_date_status", dates.birth_date_status),
    # cities
    SqlFunction("cdp_city_parts", cities.standardise_city, 1, fields=CITY_FIELDS),
    _scalar("cdp_city", cities.city_canonical),
    _scalar("cdp_city_province", cities.city_province),
    _scalar("cdp_city_is_known", cities.city_is_known, _B),
)  # fmt: skip


def _as_array(values: pa.ChunkedArray | pa.Array) -> pa.Array:
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def vectorise(function: SqlFunction) -> Callable[..., pa.Array]:
    """Arrow UDF that evaluates `function.rule` once per distinct input in each vector."""
    rule = function.rule
    # Arrow converts a list of values, or of tuples for a struct, in C++.
    result_type = function.arrow_result_type

    def unary(values: pa.ChunkedArray) -> pa.Array:
        # null_encoding="encode" keeps NULL as a dictionary entry, so the rule sees None
        # ("missing" statuses) and `take` never meets a null index.
        encoded = pc.dictionary_encode(_as_array(values), null_encoding="encode")
        distinct = list(map(rule, encoded.dictionary.to_pylist()))
        return pa.array(distinct, type=result_type).take(encoded.indices)

    def binary(first: pa.ChunkedArray, second: pa.ChunkedArray) -> pa.Array:
        # Arrow cannot dictionary-encode pairs, so pairs are de-duplicated in a dict.
        rows = zip(_as_array(first).to_pylist(), _as_array(second).to_pylist(), strict=True)
        slots: dict[tuple[Any, Any], int] = {}
        indices = [slots.setdefault(row, len(slots)) for row in rows]
        distinct = [rule(*row) for row in slots]
        return pa.array(distinct, type=result_type).take(pa.array(indices, pa.int32()))

    # DuckDB reads the arity from the Python signature, so each arity needs its own def.
    udfs: dict[int, Callable[..., pa.Array]] = {1: unary, 2: binary}
    return udfs[function.arity]


def register_standardisation_functions(
    con: duckdb.DuckDBPyConnection, functions: Sequence[SqlFunction] = SQL_FUNCTIONS
) -> list[str]:
    """Register the `cdp_*` functions on a connection (idempotent); returns their names.

    Functions are visible to every cursor of the connection, which is how dbt-duckdb
    runs model threads, and to every other connection of this process to the same
    database file (registering there again is a no-op).
    """
    for function in functions:
        with contextlib.suppress(duckdb.InvalidInputException):  # not registered yet
            con.remove_function(function.name)
        try:
            con.create_function(
                function.name,
                _live_udf(function),
                [VARCHAR] * function.arity,
                function.return_type,
                type="arrow",
                # The rules define what NULL means ("missing"), so DuckDB must pass it on.
                null_handling="special",
                side_effects=False,
            )
        except duckdb.CatalogException as error:
            # Another connection of this process to the same database file registered
            # it: DuckDB keeps one catalog per open database, so it is callable here.
            if "already exists" not in str(error):
                raise
    return [function.name for function in functions]


#: Every UDF handed to DuckDB, alive for the life of the process. A registered function
#: stays in the database's catalog while any connection holds the database open, but
#: DuckDB does not own the Python callable: after the registering connection is closed,
#: a call from another connection would run a freed object and crash the process
#: (duckdb/duckdb-python#530). Keyed by the SqlFunction's identity, which it keeps alive.
_LIVE_UDFS: dict[int, tuple[SqlFunction, Callable[..., pa.Array]]] = {}


def _live_udf(function: SqlFunction) -> Callable[..., pa.Array]:
    """The one vectorised callable of `function` this process hands to DuckDB."""
    if id(function) not in _LIVE_UDFS:
        _LIVE_UDFS[id(function)] = (function, vectorise(function))
    return _LIVE_UDFS[id(function)][1]
