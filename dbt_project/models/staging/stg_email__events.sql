with source as (
    select * from {{ source('raw', 'email__events') }}
),

deduplicated as (
    select *
    from source
    qualify row_number() over (
        partition by lower(trim(email)), trim(campaign_id), lower(trim(event)), trim(occurred_at), url
        order by {{ latest_delivery_first() }}
    ) = 1
),

final as (
    select
        cdp_email(email) as email,
        {{ clean_text('email') }} as email_raw,
        {{ clean_text('campaign_id') }} as campaign_id,
        {{ clean_text('campaign_name') }} as campaign_name,
        {{ vocabulary('event') }} as event,
        {{ parse_timestamp('occurred_at') }} as occurred_at,
        {{ clean_text('url') }} as url,
        _source_file,
        _row_number,
        _loaded_at
    from deduplicated
)

select * from final
