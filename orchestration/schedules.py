"""Schedules. Nightly at 02:00 by default; VALUEMAP_REFRESH_CRON overrides it."""

from dagster import DefaultScheduleStatus, ScheduleDefinition

from orchestration.jobs import refresh_job
from valuemap.settings import Settings


def nightly_refresh(settings: Settings) -> ScheduleDefinition:
    return ScheduleDefinition(
        name="nightly_refresh",
        job=refresh_job,
        cron_schedule=settings.refresh_cron,
        execution_timezone=settings.timezone,
        default_status=DefaultScheduleStatus.RUNNING,
    )
