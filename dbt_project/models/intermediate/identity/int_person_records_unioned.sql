{#- The single input of identity resolution: one row per source record that
    describes a person, keyed by the contract's source_record_id, with the
    standardised identifiers every source shares.

    source_trust ranks sources for survivorship (higher wins a tie): a sales
    rep's CRM entry > a verified web account > the email list > the till >
    a social profile. -#}

{#- Incremental: a run recomputes only the records a new delivery touches
    (changed_records), from the staging tables, which hold every current row.
    _loaded_at is the newest delivery behind a record; it is the watermark.
    Records that no longer exist (a cookie whose only login changed, an erased
    person) come back as _cdp_removed rows, which delete their key.
    Full refresh and incremental give the same rows. -#}
-- depends_on: {{ source('raw', 'pos__transactions') }}
-- depends_on: {{ source('raw', 'web__accounts') }}
-- depends_on: {{ source('raw', 'web__events') }}
-- depends_on: {{ source('raw', 'email__contacts') }}
-- depends_on: {{ source('raw', 'email__events') }}
-- depends_on: {{ source('raw', 'social__profiles') }}
-- depends_on: {{ source('raw', 'social__interactions') }}
-- depends_on: {{ source('raw', 'sales__contacts') }}
{%- set person_entities = [
    'pos__transactions', 'web__accounts', 'web__events', 'email__contacts',
    'email__events', 'social__profiles', 'social__interactions', 'sales__contacts'
] %}
{{ config(
    materialized='incremental',
    incremental_strategy='cdp_replace_keys',
    unique_key=['source', 'source_record_id'],
    cdp_removal_flag=true,
    cdp_watermark='_loaded_at',
    pre_hook="{{ replaced_files_rebuild(" ~ person_entities ~ ") }}"
) }}

with erasure_tombstones as (
    select * from {{ ref('stg_sync__erasure_tombstones') }}
),

{% if is_incremental() %}
{#- The records a delivery newer than the watermark touches. Events are
    matched on their deduplication key in raw, so an event re-delivered under
    another user or cookie also refreshes the one it left. changed_records is
    materialized: every input below reads it. -#}
new_web_events as (
    select distinct trim(event_id) as event_id
    from {{ source('raw', 'web__events') }}
    where {{ is_new_delivery() }}
),

web_event_versions as (
    select user_id, user_pseudo_id
    from {{ source('raw', 'web__events') }}
    where trim(event_id) in (select event_id from new_web_events)
),

new_social_interactions as (
    select distinct {{ vocabulary('platform') }} as platform, trim(interaction_id) as interaction_id
    from {{ source('raw', 'social__interactions') }}
    where {{ is_new_delivery() }}
),

social_interaction_versions as (
    select platform, profile_id
    from {{ source('raw', 'social__interactions') }} as interactions
    semi join new_social_interactions
        on new_social_interactions.platform is not distinct from {{ vocabulary('interactions.platform') }}
        and new_social_interactions.interaction_id = trim(interactions.interaction_id)
),

kept_erased as (
    select source, source_record_id
    from {{ this }}
    where exists (select 1 from erasure_tombstones)
        and (
            sha256(lower(trim(email))) in (
                select identifier_hash from erasure_tombstones where identifier_type = 'email'
            )
            or sha256(trim(phone_e164)) in (
                select identifier_hash from erasure_tombstones where identifier_type = 'phone'
            )
        )
),

changed_records as materialized (
    select distinct source, source_record_id
    from (
        select 'pos' as source, {{ clean_text('transaction_id') }} as source_record_id
        from {{ source('raw', 'pos__transactions') }}
        where {{ is_new_delivery() }}
        union all
        select 'web', 'user:' || {{ clean_text('user_id') }}
        from {{ source('raw', 'web__accounts') }}
        where {{ is_new_delivery() }}
        union all
        select 'web', 'user:' || {{ clean_text('user_id') }} from web_event_versions
        union all
        select 'web', 'cookie:' || {{ clean_text('user_pseudo_id') }} from web_event_versions
        union all
        select 'email', cdp_email(email)
        from {{ source('raw', 'email__contacts') }}
        where {{ is_new_delivery() }}
        union all
        select 'email', cdp_email(email)
        from {{ source('raw', 'email__events') }}
        where {{ is_new_delivery() }}
        union all
        select 'social', {{ vocabulary('platform') }} || ':' || {{ clean_text('profile_id') }}
        from {{ source('raw', 'social__profiles') }}
        where {{ is_new_delivery() }}
        union all
        select 'social', {{ vocabulary('platform') }} || ':' || {{ clean_text('profile_id') }}
        from social_interaction_versions
        union all
        select 'sales', {{ clean_text('contact_id') }}
        from {{ source('raw', 'sales__contacts') }}
        where {{ is_new_delivery() }}
        union all
        select source, source_record_id from kept_erased
    ) as touched
    where source_record_id is not null
),
{% endif %}

{#- Each input, cut down on incremental runs to the rows behind a changed
    record (all of them, so aggregates see the record's whole history). -#}
pos_transactions as (
    select * from {{ ref('stg_pos__transactions') }}
    where {{ changed_only('pos', 'transaction_id') }}
),

web_accounts as (
    select * from {{ ref('stg_web__accounts') }}
    where {{ changed_only('web', "'user:' || user_id") }}
),

web_events_of_accounts as (
    select * from {{ ref('stg_web__events') }}
    where user_id is not null and {{ changed_only('web', "'user:' || user_id") }}
),

web_events_of_cookies as (
    select * from {{ ref('stg_web__events') }}
    where user_pseudo_id is not null and {{ changed_only('web', "'cookie:' || user_pseudo_id") }}
),

email_contacts as (
    select * from {{ ref('stg_email__contacts') }}
    where {{ changed_only('email', 'email') }}
),

email_events as (
    select * from {{ ref('stg_email__events') }}
    where email is not null and {{ changed_only('email', 'email') }}
),

social_profiles as (
    select * from {{ ref('stg_social__profiles') }}
    where {{ changed_only('social', 'social_profile_key') }}
),

social_interactions as (
    select * from {{ ref('stg_social__interactions') }}
    where {{ changed_only('social', 'social_profile_key') }}
),

sales_contacts as (
    select * from {{ ref('stg_sales__contacts') }}
    where {{ changed_only('sales', 'contact_id') }}
),

{#- A transaction has many line items but one customer: take the first
    non-empty identifier of its lines. -#}
pos_records as (
    select
        'pos' as source,
        transaction_id as source_record_id,
        min(transacted_at) as first_seen_at,
        max(transacted_at) as last_seen_at,
        min(customer_full_name) as full_name,
        min(customer_name_key) as name_key,
        min(customer_family_key) as family_name,
        min(customer_middle_key) as middle_name,
        min(customer_given_key) as given_name,
        min(email) as email,
        min(email_match_key) as email_match_key,
        false as email_verified,
        min(phone_e164) as phone_e164,
        min(phone_match_key) as phone_match_key,
        null::date as birth_date,
        null::integer as birth_month,
        null::integer as birth_day,
        null::varchar as gender,
        null::varchar as city,
        min(loyalty_id) as account_id,
        2 as source_trust,
        max(_loaded_at) as _loaded_at
    from pos_transactions
    where transaction_id is not null
    group by transaction_id
),

web_activity as (
    select
        user_id,
        min(event_at) as first_event_at,
        max(event_at) as last_event_at,
        max(_loaded_at) as last_loaded_at
    from web_events_of_accounts
    group by user_id
),

web_account_records as (
    select
        'web' as source,
        'user:' || web_accounts.user_id as source_record_id,
        least(web_accounts.created_at, web_activity.first_event_at) as first_seen_at,
        greatest(web_accounts.created_at, web_activity.last_event_at) as last_seen_at,
        full_name,
        name_key,
        family_key as family_name,
        middle_key as middle_name,
        given_key as given_name,
        email,
        email_match_key,
        true as email_verified,
        phone_e164,
        phone_match_key,
        birth_date,
        birth_month,
        birth_day,
        gender,
        city,
        web_accounts.user_id as account_id,
        4 as source_trust,
        greatest(web_accounts._loaded_at, web_activity.last_loaded_at) as _loaded_at
    from web_accounts
    left join web_activity on web_activity.user_id = web_accounts.user_id
),

{#- Anonymous cookies become person records only when a login event stitches
    them to an account; the account they logged in as most often is theirs,
    the smallest user_id on a tie (mode() picks any of a tie, so two builds
    could disagree). -#}
cookie_account_logins as (
    select user_pseudo_id, user_id, count(*) as logins
    from web_events_of_cookies
    where user_id is not null
    group by user_pseudo_id, user_id
),

cookie_accounts as (
    select user_pseudo_id, first(user_id order by logins desc, user_id) as account_id
    from cookie_account_logins
    group by user_pseudo_id
),

cookie_logins as (
    select
        user_pseudo_id,
        any_value(cookie_accounts.account_id) as account_id,
        min(event_at) as first_seen_at,
        max(event_at) as last_seen_at,
        max(_loaded_at) as _loaded_at
    from web_events_of_cookies
    inner join cookie_accounts using (user_pseudo_id)
    group by user_pseudo_id
),

cookie_records as (
    select
        'web' as source,
        'cookie:' || user_pseudo_id as source_record_id,
        first_seen_at,
        last_seen_at,
        null::varchar as full_name,
        null::varchar as name_key,
        null::varchar as family_name,
        null::varchar as middle_name,
        null::varchar as given_name,
        null::varchar as email,
        null::varchar as email_match_key,
        false as email_verified,
        null::varchar as phone_e164,
        null::varchar as phone_match_key,
        null::date as birth_date,
        null::integer as birth_month,
        null::integer as birth_day,
        null::varchar as gender,
        null::varchar as city,
        account_id,
        4 as source_trust,
        _loaded_at
    from cookie_logins
),

email_activity as (
    select
        email,
        min(occurred_at) as first_event_at,
        max(occurred_at) as last_event_at,
        max(_loaded_at) as last_loaded_at
    from email_events
    group by email
),

email_records as (
    select
        'email' as source,
        email_contacts.email as source_record_id,
        least(email_contacts.opt_in_at, email_activity.first_event_at) as first_seen_at,
        greatest(email_contacts.opt_in_at, email_activity.last_event_at) as last_seen_at,
        full_name,
        name_key,
        family_key as family_name,
        middle_key as middle_name,
        given_key as given_name,
        email_contacts.email,
        email_match_key,
        email_contacts.status in ('subscribed', 'unsubscribed') as email_verified,
        phone_e164,
        phone_match_key,
        birth_date,
        birth_month,
        birth_day,
        null::varchar as gender,
        city,
        null::varchar as account_id,
        3 as source_trust,
        greatest(email_contacts._loaded_at, email_activity.last_loaded_at) as _loaded_at
    from email_contacts
    left join email_activity on email_activity.email = email_contacts.email
),

social_activity as (
    select
        social_profile_key,
        min(occurred_at) as first_event_at,
        max(occurred_at) as last_event_at,
        max(_loaded_at) as last_loaded_at
    from social_interactions
    group by social_profile_key
),

social_records as (
    select
        'social' as source,
        social_profiles.social_profile_key as source_record_id,
        social_activity.first_event_at as first_seen_at,
        social_activity.last_event_at as last_seen_at,
        full_name,
        name_key,
        family_key as family_name,
        middle_key as middle_name,
        given_key as given_name,
        email,
        email_match_key,
        false as email_verified,
        phone_e164,
        phone_match_key,
        null::date as birth_date,
        null::integer as birth_month,
        null::integer as birth_day,
        null::varchar as gender,
        city,
        null::varchar as account_id,
        1 as source_trust,
        greatest(social_profiles._loaded_at, social_activity.last_loaded_at) as _loaded_at
    from social_profiles
    left join social_activity
        on social_activity.social_profile_key = social_profiles.social_profile_key
),

sales_records as (
    select
        'sales' as source,
        contact_id as source_record_id,
        created_at as first_seen_at,
        created_at as last_seen_at,
        full_name,
        name_key,
        family_key as family_name,
        middle_key as middle_name,
        given_key as given_name,
        email,
        email_match_key,
        false as email_verified,
        phone_e164,
        phone_match_key,
        birth_date,
        birth_month,
        birth_day,
        gender,
        city,
        null::varchar as account_id,
        5 as source_trust,
        _loaded_at
    from sales_contacts
),

unioned as (
    select * from pos_records
    union all by name
    select * from web_account_records
    union all by name
    select * from cookie_records
    union all by name
    select * from email_records
    union all by name
    select * from social_records
    union all by name
    select * from sales_records
),

{#- A forgotten person's email or phone never links again: records carrying
    one are left out of identity, and so out of every golden record and mart.
    Hashes are of the same normalised forms crm_sync.erasure tombstones. -#}
not_erased as (
    select unioned.*
    from unioned
    where not exists (
        select 1
        from erasure_tombstones
        where (erasure_tombstones.identifier_type = 'email'
               and erasure_tombstones.identifier_hash = sha256(lower(trim(unioned.email))))
           or (erasure_tombstones.identifier_type = 'phone'
               and erasure_tombstones.identifier_hash = sha256(trim(unioned.phone_e164)))
    )
),

final as (
    select
        source,
        source_record_id,
        first_seen_at,
        last_seen_at,
        full_name,
        name_key,
        family_name,
        middle_name,
        given_name,
        email,
        email_match_key,
        email_match_key is not null as email_valid,
        email_verified and email_match_key is not null as email_verified,
        phone_e164,
        phone_match_key,
        phone_match_key is not null as phone_valid,
        birth_date,
        birth_month,
        birth_day,
        gender,
        city,
        account_id,
        source_trust,
        _loaded_at
    from not_erased
)

{% if is_incremental() %}
{#- Every changed key is deleted; those still current are inserted again. -#}
select *, false as _cdp_removed from final
union all by name
select source, source_record_id, true as _cdp_removed from changed_records
{% else %}
select * from final
{% endif %}
