"""dbt's `run_started_at` for sqlfluff's jinja templater."""


def strftime(fmt):
    return "2026-01-01 00:00:00"
