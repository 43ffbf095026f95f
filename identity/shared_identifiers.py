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

Two more rules once deterministic units (an account with its cookies and loyalty
sales) are known:

* ``detect_unit_shared_phones``: the same name rules over the names of the *units*
  carrying a phone, so a nameless loyalty sale counts with its account's name;
* ``guard_anonymous_phones``: the phone of a unit that never gives a name links
  nothing. A household in which only one member ever gave a name looks exactly like
  one person's phone; the others' bare POS sales cannot be told from hers.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from identity.clustering import connected_components


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
    #: keep the phone of a unit that never gives a name out of linking
    #: (``guard_anonymous_phones``); False trades household mixing for recall
    guard_nameless_phones: bool = True


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
               se.kind as email_shared_kind,
               -- set by guard_anonymous_phones once the deterministic units are known
               false as phone_anonymous
        from {source} s
        left join {shared} sp
            on sp.identifier_type = 'phone' and sp.identifier = s.phone_e164 and s.phone_valid
        left join {shared} se
            on se.identifier_type = 'email' and se.identifier = s.email and s.email_valid
        """
    )
    return out


def deterministic_units(
    con: duckdb.DuckDBPyConnection, flagged: str, deterministic_edges: str,
    out: str = "_identity_units",
) -> str:
    """``out(node_id, component_id)``: each record (``source:source_record_id``) and its
    unit, the records deterministically linked to it (an account, its cookies and
    loyalty sales). ``deterministic_edges`` must join records of ``flagged`` (built
    from it by ``identity.edges``), one row per record."""
    con.execute(
        f"""
        create or replace temp table _units_nodes as
        select source || ':' || source_record_id as node_id from {flagged}
        """
    )
    # closed: one node per record, and the edges join records of the same input
    connected_components(con, "_units_nodes", deterministic_edges, out, closed=True)
    con.execute("drop table if exists _units_nodes")
    return out


def detect_unit_shared_phones(
    con: duckdb.DuckDBPyConnection,
    flagged: str,
    shared: str,
    units: str,
    rules: SharedIdentifierRules | None = None,
) -> int:
    """Household phones seen through the names of deterministic units.

    A POS sale on a loyalty card often carries no name, but the card's account does.
    Each phone is credited with every name of every unit that carries it, and
    ``detect_shared_identifiers``' name rules run again: a phone typed on the named
    sale of one person and on the nameless loyalty sale of another (whose account
    gives another name) is a household phone, which the record-level detection cannot
    see. New shared phones are added to ``shared`` and flagged in ``flagged``.
    Returns their number.
    """
    rules = rules or SharedIdentifierRules()
    con.execute(
        f"""
        create or replace temp table _unit_named as
        with keyed as (
            select f.*, u.component_id
            from {flagged} f
            join {units} u on u.node_id = f.source || ':' || f.source_record_id
        ),
        unit_names as (
            select distinct component_id, name_key, given_name, family_name, middle_name
            from keyed where nullif(trim(given_name), '') is not null
        ),
        phones as (
            select distinct component_id, phone_e164 from keyed
            where phone_valid and phone_e164 is not null and not phone_shared
        )
        select p.phone_e164, true as phone_valid, null::varchar as email,
               false as email_valid, n.name_key, n.given_name, n.family_name, n.middle_name
        from phones p join unit_names n using (component_id)
        """
    )
    detect_shared_identifiers(con, "_unit_named", "_unit_shared", rules)
    con.execute(
        f"""
        insert into {shared}
        select u.identifier_type, u.identifier, u.kind, u.people, v.records
        from _unit_shared u
        join (
            select phone_e164 as identifier, count(*) as records from {flagged}
            where phone_valid group by all
        ) v using (identifier)
        where u.identifier_type = 'phone' and u.people >= 2
          and u.identifier not in (select identifier from {shared} where identifier_type = 'phone')
        """
    )
    found = con.execute(
        f"""
        update {flagged} f set phone_shared = true, phone_shared_kind = s.kind
        from {shared} s
        where s.identifier_type = 'phone' and s.identifier = f.phone_e164 and f.phone_valid
          and not f.phone_shared
        returning f.phone_e164
        """
    ).fetchall()
    for t in ("_unit_named", "_unit_shared"):
        con.execute(f"drop table if exists {t}")
    return len({r[0] for r in found})


def guard_anonymous_phones(con: duckdb.DuckDBPyConnection, flagged: str, units: str) -> int:
    """Set ``phone_anonymous`` on the records of units that never carry a name.

    A unit is a record and everything deterministically linked to it
    (``deterministic_units``). When no record of the unit gives a name, its phone is
    the only thing tying it to anyone, and a phone proves nothing about *which* member
    of a household shopped: in a family where only one member ever gave a name, the
    others' POS sales carry the family phone and no name, and no name-based detection
    can see that the phone is shared. Such a phone is therefore kept out of linking
    (``customer_features_sql`` nulls it for these records; it still shows in
    survivorship). Returns the number of records flagged.
    """
    con.execute(
        f"""
        update {flagged} f set phone_anonymous = true
        from (
            select u.node_id
            from {units} u
            join (
                select u2.component_id
                from {units} u2
                join {flagged} r on r.source || ':' || r.source_record_id = u2.node_id
                group by all
                having count(nullif(trim(r.name_key), '')) = 0
                   and count(nullif(trim(r.given_name), '')) = 0
            ) a using (component_id)
        ) anon
        where anon.node_id = f.source || ':' || f.source_record_id
          and f.phone_valid and f.phone_e164 is not null
        """
    )
    return int(
        con.execute(f"select count(*) from {flagged} where phone_anonymous").fetchall()[0][0]
    )


def build_households(
    con: duckdb.DuckDBPyConnection, flagged: str, shared: str, xref: str, out: str
) -> str:
    """``out(household_id, golden_id, identifier_type, shared_identifier)``: the golden
    customers behind each household identifier (counters are not households)."""
    con.execute(
        f"""
        create or replace table {out} as
        with households as (
            select identifier_type, identifier from {shared} where kind = 'household'
        ),
        -- one equi-join per identifier type: a join on "phone = x or email = y" cannot be
        -- hashed and compared every record with every identifier (minutes at 1M)
        carriers as (
            select h.identifier_type, h.identifier, f.source, f.source_record_id
            from households h join {flagged} f
              on h.identifier_type = 'phone' and f.phone_valid and f.phone_e164 = h.identifier
            union all
            select h.identifier_type, h.identifier, f.source, f.source_record_id
            from households h join {flagged} f
              on h.identifier_type = 'email' and f.email_valid and f.email = h.identifier
        ),
        members as (
            select distinct 'hh_' || substr(md5(c.identifier_type || ':' || c.identifier), 1, 12)
                       as household_id,
                   x.golden_id, c.identifier_type, c.identifier as shared_identifier
            from carriers c join {xref} x using (source, source_record_id)
        )
        select * from members
        where household_id in (
            select household_id from members group by all having count(distinct golden_id) >= 2
        )
        order by household_id, golden_id
        """
    )
    return out
