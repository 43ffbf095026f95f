"""Phones and emails used by several distinct people.

A family phone (spouses, parents and children) or a store counter phone typed for
walk-ins looks, to a record linker, like the strongest possible evidence. We detect
them before scoring so that the model can treat them for what they are:

* the phone/email comparison gets its own "exact but shared" level (little weight),
* shared values are removed from the blocking keys (a counter phone would otherwise
  produce millions of pairs), and
* clustering refuses to put two records with clearly different given names behind
  one shared identifier in the same cluster (``CUSTOMER.cannot_link_sql``).

Detection is by names: an identifier carried by records with two or more names
that are not spellings of one another (given names Jaro-Winkler-dissimilar, or
different family or middle names, and not the same words in another order)
belongs to several people. Up to
``max_household_size`` people it is a household, above that a counter.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class SharedIdentifierRules:
    #: given names at least this Jaro-Winkler-similar are spellings of one name (short
    #: Vietnamese given names differ by one letter between siblings: hung/dung, lan/lam)
    name_similarity: float = 0.85
    #: more distinct people than this on one identifier: a counter, not a household
    max_household_size: int = 6
    #: an identifier on more records than this is shared whatever the names say (a busy
    #: counter phone mostly carries placeholder names, which we cannot compare)
    max_records_per_person: int = 250


def detect_shared_identifiers(
    con: duckdb.DuckDBPyConnection,
    source: str,
    out: str = "_identity_shared_identifiers",
    rules: SharedIdentifierRules | None = None,
) -> str:
    """Write ``out(identifier_type, identifier, kind, people, records)`` for every
    shared phone/email in ``source`` (the identity input)."""
    rules = rules or SharedIdentifierRules()
    con.execute(
        f"""
        create or replace temp table {out} as
        with named as (
            select *, array_to_string(list_sort(string_split(name_key, ' ')), ' ') as words
            from {source}
        ),
        carried as (
            select 'phone' as identifier_type, phone_e164 as identifier,
                   given_name, family_name, middle_name, words
            from named where phone_valid and phone_e164 is not null
            union all
            select 'email', email, given_name, family_name, middle_name, words
            from named where email_valid and email is not null
        ),
        -- one row per spelling of a name on the identifier; the family name may be
        -- missing (a POS sale typed "chị Lan")
        names as (
            select identifier_type, identifier, given_name, family_name, middle_name,
                   any_value(words) as words, count(*) as n
            from carried where given_name is not null
            group by all
        ),
        -- a name is a variant of another on the same identifier when it is a spelling
        -- of it (similar given name, same or missing family and middle names) and the
        -- other is more frequent (ties: alphabetically earlier), or when the other has
        -- the same words in another order (given name first, middle and given swapped)
        variants as (
            select distinct a.identifier_type, a.identifier, a.given_name, a.family_name,
                   a.middle_name
            from names a join names b using (identifier_type, identifier)
            where (
                    jaro_winkler_similarity(a.given_name, b.given_name)
                        >= {rules.name_similarity}
                    and (a.family_name is null or b.family_name is null
                         or a.family_name = b.family_name)
                    and (a.middle_name is null or b.middle_name is null
                         or a.middle_name = b.middle_name)
                    and (b.n > a.n or (b.n = a.n
                         and (b.given_name, coalesce(b.family_name, ''),
                              coalesce(b.middle_name, ''))
                           < (a.given_name, coalesce(a.family_name, ''),
                              coalesce(a.middle_name, ''))))
                  )
               or (a.words = b.words and (a.given_name, coalesce(a.family_name, ''),
                                          coalesce(a.middle_name, ''))
                                       > (b.given_name, coalesce(b.family_name, ''),
                                          coalesce(b.middle_name, '')))
        ),
        people as (
            select identifier_type, identifier, count(*) as people
            from names n
            where not exists (
                select 1 from variants v
                where v.identifier_type = n.identifier_type and v.identifier = n.identifier
                  and v.given_name = n.given_name
                  and v.family_name is not distinct from n.family_name
                  and v.middle_name is not distinct from n.middle_name
            )
            group by all
        ),
        volume as (
            select identifier_type, identifier, count(*) as records from carried group by all
        )
        select v.identifier_type, v.identifier,
               case when coalesce(p.people, 0) > {rules.max_household_size}
                         or v.records > {rules.max_records_per_person}
                    then 'counter' else 'household' end as kind,
               coalesce(p.people, 0) as people, v.records
        from volume v left join people p using (identifier_type, identifier)
        where coalesce(p.people, 0) >= 2 or v.records > {rules.max_records_per_person}
        """
    )
    return out


def flag_shared_identifiers(
    con: duckdb.DuckDBPyConnection, source: str, shared: str, out: str
) -> str:
    """``source`` plus ``phone_shared`` / ``email_shared`` booleans and the kind of
    sharing (``household`` / ``counter``, null when personal)."""
    con.execute(
        f"""
        create or replace temp table {out} as
        select s.*,
               sp.identifier is not null as phone_shared,
               se.identifier is not null as email_shared,
               sp.kind as phone_shared_kind,
               se.kind as email_shared_kind
        from {source} s
        left join {shared} sp
            on sp.identifier_type = 'phone' and sp.identifier = s.phone_e164 and s.phone_valid
        left join {shared} se
            on se.identifier_type = 'email' and se.identifier = s.email and s.email_valid
        """
    )
    return out


def build_households(
    con: duckdb.DuckDBPyConnection, flagged: str, shared: str, xref: str, out: str
) -> str:
    """``out(household_id, golden_id, identifier_type, shared_identifier)``: the golden
    customers behind each household identifier (counters are not households)."""
    con.execute(
        f"""
        create or replace table {out} as
        with members as (
            select distinct 'hh_' || substr(md5(sh.identifier_type || ':' || sh.identifier), 1, 12)
                       as household_id,
                   x.golden_id, sh.identifier_type, sh.identifier as shared_identifier
            from {shared} sh
            join {flagged} f
              on (sh.identifier_type = 'phone' and f.phone_valid and f.phone_e164 = sh.identifier)
              or (sh.identifier_type = 'email' and f.email_valid and f.email = sh.identifier)
            join {xref} x using (source, source_record_id)
            where sh.kind = 'household'
        )
        select * from members
        where household_id in (
            select household_id from members group by all having count(distinct golden_id) >= 2
        )
        order by household_id, golden_id
        """
    )
    return out
