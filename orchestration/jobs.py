"""Jobs and the daily schedule."""

import dagster as dg

materialize_everything = dg.define_asset_job(
    name="materialize_everything",
    selection=dg.AssetSelection.all(),
    description="Every asset: ingest, quality gates, standardisation, identity, marts, CRM sync.",
)

daily_refresh = dg.ScheduleDefinition(
    name="daily_refresh",
    job=materialize_everything,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Ho_Chi_Minh",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Nightly full materialisation after the channels' daily drops.",
)
