{#- The single input of identity resolution: one row per source record that
    describes a person, keyed by the contract's source_record_id, with the
    standardised identifiers every source shares.

    source_trust ranks sources for survivorship (higher wins a tie): a sales
    rep's CRM entry > a verified web account > the email list > the till >
    a social profile. -#}
with pos_transactions as (
    select * from {{ ref('stg_pos__transactions') }}
),

web_accounts as (
    select * from {{ ref('stg_web__accounts') }}
),

web_events as (
    select * from {{ ref('stg_web__events') }}
),

email_contacts as (
    select * from {{ ref('stg_email__contacts') }}
),

email_events as (
    select * from {{ ref('stg_email__events') }}
),

social_profiles as (
    select * from {{ ref('stg_social__profiles') }}
),

social_interactions as (
    select * from {{ ref('stg_social__interactions') }}
),

sales_contacts as (
    select * from {{ ref('stg_sales__contacts') }}
),

erasure_tombstones as (
    select * from {{ ref('stg_sync__erasure_tombstones') }}
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
        2 as source_trust
    from pos_transactions
    where transaction_id is not null
    group by transaction_id
),

web_activity as (
    select user_id, min(event_at) as first_event_at, max(event_at) as last_event_at
    from web_events
    where user_id is not null
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
        4 as source_trust
    from web_accounts
    left join web_activity on web_activity.user_id = web_accounts.user_id
),

{#- Anonymous cookies become person records only when a login event stitches
    them to an account; the account they logged in as most often is theirs. -#}
cookie_logins as (
    select
        user_pseudo_id,
        mode(user_id) as account_id,
        min(event_at) as first_seen_at,
        max(event_at) as last_seen_at
    from web_events
    where user_pseudo_id is not null
    group by user_pseudo_id
    having count(user_id) > 0
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
        4 as source_trust
    from cookie_logins
),

email_activity as (
    select email, min(occurred_at) as first_event_at, max(occurred_at) as last_event_at
    from email_events
    where email is not null
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
        3 as source_trust
    from email_contacts
    left join email_activity on email_activity.email = email_contacts.email
),

social_activity as (
    select social_profile_key, min(occurred_at) as first_event_at, max(occurred_at) as last_event_at
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
        1 as source_trust
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
        5 as source_trust
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
        source_trust
    from not_erased
)

select * from final
