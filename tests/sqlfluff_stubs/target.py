"""dbt's `target` for sqlfluff's jinja templater: the DuckDB target."""

type = "duckdb"
database = "warehouse"
schema = "main"
