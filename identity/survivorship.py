"""Survivorship: one best value per field of each golden customer.

Rules (one per field, each a deterministic ordering; the first value wins):

* ``full_name``: most trusted source, then most frequent, then most recent. Cashiers
  and social users type names; a web account or CRM contact is the person's own.
* ``primary_email``: verified first, then most frequent, then most recent: a
  verified address reaches the person.
* ``primary_phone``: not shared, then most frequent, then most recent: a household
  or counter phone does not identify the person.
* ``birth_date``: most trusted source, then most frequent (full dates only);
  ``birth_month``/``birth_day`` also take partial birthdays (email list), most
  frequent first, for birthday campaigns.
* ``gender``: most frequent, then most trusted.
* ``city``: most recent, then most trusted: people move, the latest sighting wins.
* ``emails``, ``phones``: every distinct value seen, most frequent first: nothing is
  lost, CRMs can keep secondary contacts.
* ``sources``, ``first_seen_at``, ``last_seen_at``, ``record_count``: union, min,
  max, count.

Source trust is the input's ``source_trust`` rank (higher is more trusted).
Ties after all keys fall back to the value itself, so the result never depends on
row order.
"""

from __future__ import annotations

import duckdb


def _best_value(field: str, order_by: str) -> str:
    """CTEs ``stats_<field>`` (per golden id and value: count, trust, recency, verified,
    shared) and ``best_<field>``, the first value per golden id by ``order_by``."""
    return f"""
        stats_{field} as (
            select golden_id, {field},
                   count(*) as n,
                   max(source_trust) as trust,
                   max(last_seen_at) as seen,
                   bool_or(verified) as verified,
                   bool_or(shared) as shared
            from (
                select golden_id, {field}, source_trust, last_seen_at,
                       email_verified as verified,
                       {'phone_shared' if field == 'phone' else 'false'} as shared
                from records where {field} is not null
            )
            group by all
        ),
        best_{field} as (
            select golden_id, {field} from stats_{field}
            qualify row_number() over (partition by golden_id order by {order_by}) = 1
        )"""


def build_golden_customers(
    con: duckdb.DuckDBPyConnection, records: str, xref: str, out: str
) -> str:
    """``records`` is the flagged identity input; ``xref`` maps records to golden ids."""
    ctes = ",\n".join([
        _best_value("full_name", "trust desc, n desc, seen desc, full_name"),
        _best_value("email", "verified desc, n desc, seen desc, email"),
        _best_value("phone", "shared asc, n desc, seen desc, phone"),
        _best_value("birth_date", "trust desc, n desc, birth_date"),
        _best_value("birth_md", "n desc, trust desc, birth_md"),
        _best_value("gender", "n desc, trust desc, gender"),
        _best_value("city", "seen desc, trust desc, city"),
    ])
    # Most golden customers have a single record (81 % at 1M people): every rule then
    # picks that record's value, so only golden ids with several records are ranked,
    # and the single-record ones are projected straight from their row.
    con.execute(
        f"""
        create or replace table {out} as
        with keyed as (
            select golden_id, source, source_record_id,
                   count(*) over (partition by golden_id) = 1 as single
            from {xref}
        ),
        cleaned as (
            select x.golden_id, x.single, r.source, r.source_trust, r.first_seen_at,
                   r.last_seen_at,
                   nullif(trim(r.full_name), '') as full_name,
                   case when r.email_valid then r.email end as email,
                   coalesce(r.email_verified and r.email_valid, false) as email_verified,
                   case when r.phone_valid then r.phone_e164 end as phone,
                   coalesce(r.phone_shared, false) as phone_shared,
                   cast(r.birth_date as date) as birth_date,
                   case when r.birth_month is not null and r.birth_day is not null
                        then {{'month': r.birth_month, 'day': r.birth_day}} end as birth_md,
                   nullif(trim(r.gender), '') as gender,
                   nullif(trim(r.city), '') as city
            from {records} r join keyed x using (source, source_record_id)
        ),
        records as (select * from cleaned where not single),
        {ctes},
        emails as (
            select golden_id, list(email order by n desc, email) as emails
            from stats_email group by all
        ),
        phones as (
            select golden_id, list(phone order by n desc, phone) as phones
            from stats_phone group by all
        ),
        summary as (
            select golden_id,
                   list(distinct source order by source) as sources,
                   min(first_seen_at) as first_seen_at,
                   max(last_seen_at) as last_seen_at,
                   count(*) as record_count
            from records group by all
        ),
        ranked as (
            select s.golden_id,
                   n.full_name,
                   e.email as primary_email,
                   p.phone as primary_phone,
                   coalesce(em.emails, []::varchar[]) as emails,
                   coalesce(ph.phones, []::varchar[]) as phones,
                   b.birth_date,
                   coalesce(month(b.birth_date), md.birth_md.month) as birth_month,
                   coalesce(day(b.birth_date), md.birth_md.day) as birth_day,
                   g.gender,
                   c.city,
                   s.sources,
                   s.first_seen_at,
                   s.last_seen_at,
                   s.record_count
            from summary s
            left join best_full_name n using (golden_id)
            left join best_email e using (golden_id)
            left join best_phone p using (golden_id)
            left join emails em using (golden_id)
            left join phones ph using (golden_id)
            left join best_birth_date b using (golden_id)
            left join best_birth_md md using (golden_id)
            left join best_gender g using (golden_id)
            left join best_city c using (golden_id)
        ),
        -- the same columns as ``ranked`` for a golden customer of one record
        single as (
            select golden_id,
                   full_name,
                   email as primary_email,
                   phone as primary_phone,
                   case when email is not null then [email] else []::varchar[] end as emails,
                   case when phone is not null then [phone] else []::varchar[] end as phones,
                   birth_date,
                   coalesce(month(birth_date), birth_md.month) as birth_month,
                   coalesce(day(birth_date), birth_md.day) as birth_day,
                   gender,
                   city,
                   [source] as sources,
                   first_seen_at,
                   last_seen_at,
                   1::bigint as record_count
            from cleaned where single
        )
        select * from (select * from ranked union all select * from single)
        order by golden_id
        """
    )
    return out
