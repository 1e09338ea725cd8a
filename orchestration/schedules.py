"""Schedules. Nightly at 02:00 by default; VALUEMAP_REFRESH_CRON overrides it."""

import os

from dagster import DefaultScheduleStatus, ScheduleDefinition

from orchestration.jobs import refresh_job

nightly_refresh = ScheduleDefinition(
    name="nightly_refresh",
    job=refresh_job,
    cron_schedule=os.environ.get("VALUEMAP_REFRESH_CRON", "0 2 * * *"),
    execution_timezone=os.environ.get("VALUEMAP_TIMEZONE", "Europe/Amsterdam"),
    default_status=DefaultScheduleStatus.RUNNING,
)
