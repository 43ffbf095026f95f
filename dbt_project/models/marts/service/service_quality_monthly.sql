{#- Service KPIs per month and case channel ('all' = every channel). Volumes
    count cases by the month they opened; scores and resolution count closed
    cases by the month they closed (surveys follow the resolution).
      nps = 100 * (promoters (9-10) - detractors (0-6)) / NPS answers
      csat_score = 100 * answers of 4 or 5 / CSAT answers; csat_average = mean(1-5)
      ces_average = mean CES (1-7, lower is easier)
      first_contact_resolution_rate = closed cases resolved in one contact / closed cases with a contact count
      average_resolution_days = mean(closed_at - opened_at) -#}
with cases as (
    select * from {{ ref('int_service_cases_resolved') }}
),

cases_by_month as (
    select
        *,
        coalesce(channel, 'unknown') as case_channel,
        cast(date_trunc('month', opened_at) as date) as opened_month,
        cast(date_trunc('month', closed_at) as date) as closed_month
    from cases
),

opened_labelled as (
    select
        opened_month as month_start,
        case when grouping(case_channel) = 1 then 'all' else case_channel end as channel,
        count(*) as cases_opened
    from cases_by_month
    where opened_month is not null
    group by grouping sets ((opened_month), (opened_month, case_channel))
),

closed_labelled as (
    select
        closed_month as month_start,
        case when grouping(case_channel) = 1 then 'all' else case_channel end as channel,
        count(*) as cases_closed,
        count(is_first_contact_resolution) as cases_with_contact_count,
        count(*) filter (where is_first_contact_resolution) as first_contact_resolutions,
        avg(resolution_days) as average_resolution_days,
        count(nps) as nps_answers,
        count(*) filter (where nps >= 9) as promoters,
        count(*) filter (where nps <= 6) as detractors,
        count(csat) as csat_answers,
        count(*) filter (where csat >= 4) as satisfied_answers,
        avg(csat) as csat_average,
        count(ces) as ces_answers,
        avg(ces) as ces_average
    from cases_by_month
    where closed_month is not null
    group by grouping sets ((closed_month), (closed_month, case_channel))
),

final as (
    select
        md5(concat_ws('|', coalesce(opened_labelled.month_start, closed_labelled.month_start),
            coalesce(opened_labelled.channel, closed_labelled.channel))) as service_metric_id,
        coalesce(opened_labelled.month_start, closed_labelled.month_start) as month_start,
        coalesce(opened_labelled.channel, closed_labelled.channel) as channel,
        coalesce(opened_labelled.cases_opened, 0) as cases_opened,
        coalesce(closed_labelled.cases_closed, 0) as cases_closed,
        round(closed_labelled.first_contact_resolutions / nullif(closed_labelled.cases_with_contact_count, 0), 4)
            as first_contact_resolution_rate,
        round(closed_labelled.average_resolution_days, 2) as average_resolution_days,
        coalesce(closed_labelled.nps_answers, 0) as nps_answers,
        round(100.0 * (closed_labelled.promoters - closed_labelled.detractors)
            / nullif(closed_labelled.nps_answers, 0), 1) as nps,
        coalesce(closed_labelled.csat_answers, 0) as csat_answers,
        round(100.0 * closed_labelled.satisfied_answers / nullif(closed_labelled.csat_answers, 0), 1) as csat_score,
        round(closed_labelled.csat_average, 2) as csat_average,
        coalesce(closed_labelled.ces_answers, 0) as ces_answers,
        round(closed_labelled.ces_average, 2) as ces_average
    from opened_labelled
    full outer join closed_labelled
        on closed_labelled.month_start = opened_labelled.month_start
        and closed_labelled.channel = opened_labelled.channel
)

select * from final
