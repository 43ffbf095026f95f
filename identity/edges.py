"""Deterministic edges: links that are certain by construction (probability 1.0).

* ``cookie_login``: a web cookie and the account it logged in as;
* ``same_account_id``: records carrying the same account id (a web account, its
  cookies, POS transactions whose loyalty id is that web user id);
* ``same_verified_email``: two records whose email was verified by its source (a web
  account's login, an email-list subscription), unless that address is shared by
  several people (a family mailbox proves nothing about who is who).

Each group is linked as a star to one anchor record instead of all pairs: the
clusters are the same, the edge count is linear.

Record keys are ``source || ':' || source_record_id`` (the customer model's id).
"""

from __future__ import annotations

import duckdb

RECORD_KEY_SQL = "source || ':' || source_record_id"


def deterministic_edges(
    con: duckdb.DuckDBPyConnection,
    source: str,
    out: str = "_identity_deterministic_edges",
    shared: str | None = None,
) -> str:
    """Write ``out(id_l, id_r, rule, match_probability)`` with ``id_l < id_r``.

    ``shared`` is the table from ``identity.shared_identifiers`` (optional).
    """
    shared_emails = (
        f"select identifier from {shared} where identifier_type = 'email'"
        if shared
        else "select null::varchar as identifier limit 0"
    )
    con.execute(
        f"""
        create or replace temp table {out} as
        with records as (
            select {RECORD_KEY_SQL} as record_key, source, source_record_id, account_id,
                   email, email_valid, email_verified
            from {source}
        ),
        by_account as (
            -- the web account itself anchors its group when present
            select record_key, source_record_id, account_id,
                   first_value(record_key) over (
                       partition by account_id
                       order by (source = 'web' and source_record_id = 'user:' || account_id)
                                desc, record_key
                   ) as anchor
            from records where account_id is not null
        ),
        by_email as (
            select record_key,
                   min(record_key) over (partition by email) as anchor
            from records
            where email_verified and email_valid and email is not null
              and email not in ({shared_emails})
        ),
        edges as (
            select record_key, anchor,
                   case when source_record_id like 'cookie:%' then 'cookie_login'
                        else 'same_account_id' end as rule
            from by_account
            union all
            select record_key, anchor, 'same_verified_email' from by_email
        )
        select least(record_key, anchor) as id_l, greatest(record_key, anchor) as id_r,
               min(rule) as rule, 1.0::double as match_probability
        from edges where record_key <> anchor
        group by all
        """
    )
    return out
