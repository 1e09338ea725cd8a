"""Write the dbt staging layer from the contract: sources yml, stg_ models and their yml.

Run `python -m valuemap.dbt_staging` after changing valuemap/contract.py;
tests/test_contract.py fails while the files are out of date.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from valuemap.contract import LOAD_COLUMNS, SOURCES, TABLES, Table

# Renames from landing names to the project's naming conventions (STYLE.md).
RENAMES: dict[str, dict[str, str]] = {
    "crm/customers": {"sales_potential": "sales_potential_amount"},
    "crm/opportunities": {"name": "opportunity_name", "amount": "opportunity_amount"},
    "costs/products": {"unit_standard_cost": "unit_standard_cost_amount"},
    "costs/activities": {"activity_id": "cost_activity_id", "activity_name": "cost_activity_name"},
    "crm/activities": {"activity_id": "crm_activity_id"},
    "orders/returns": {"quantity": "returned_quantity", "reason": "return_reason"},
}
# Columns derived by a cast, for the month a cost pool line belongs to.
DERIVED: dict[str, list[tuple[str, str, str]]] = {
    "costs/resource_pools": [
        (
            "period_start_date",
            "cast({{ dbt.concat(['period', \"'-01'\"]) }} as date)",
            "First day of the period's month.",
        )
    ],
}
# The contract's own description of _load_id, and what the models use it for.
LOAD_ID_DESCRIPTION = (
    next(text for name, _, text in LOAD_COLUMNS if name == "_load_id")
    + " The incremental models rebuild the months of rows loaded since their last build."
)
HEADER = "# Generated from valuemap/contract.py by `python -m valuemap.dbt_staging`; do not edit.\n"


def model_name(table: Table) -> str:
    return f"stg_{table.source}__{table.name}"


def _staging_sql(table: Table) -> str:
    renames = RENAMES.get(table.path, {})
    lines = [
        f"{c.name} as {renames[c.name]}" if c.name in renames else c.name for c in table.columns
    ]
    lines += [f"{expr} as {name}" for name, expr, _ in DERIVED.get(table.path, [])]
    lines.append("_load_id")
    columns = ",\n        ".join(lines)
    return (
        HEADER.replace("# ", "-- ")
        + f"with source as (\n    select * from {{{{ source('{table.source}', '{table.name}') }}}}\n),\n\n"
        + f"renamed as (\n    select\n        {columns}\n    from source\n)\n\n"
        + "select * from renamed\n"
    )


def _model_yml(table: Table) -> dict:
    """The model's columns, documented, and one test: its primary key. The loader is the
    one enforcer of the rest of the contract (types, required and accepted values, ranges,
    references): a staging view only renames what it loaded."""
    renames = RENAMES.get(table.path, {})
    key = [renames.get(k, k) for k in table.key]
    columns = []
    for c in table.columns:
        name = renames.get(c.name, c.name)
        col: dict = {"name": name, "description": c.description}
        if key == [name]:
            col["data_tests"] = ["unique"]
        columns.append(col)
    for name, _, description in DERIVED.get(table.path, []):
        columns.append({"name": name, "description": description})
    columns.append({"name": "_load_id", "description": LOAD_ID_DESCRIPTION})
    model: dict = {
        "name": model_name(table),
        "description": f"Grain: one row per {', '.join(key)}. {table.description}",
        "columns": columns,
    }
    if len(key) > 1:
        model["data_tests"] = [
            {"unique_combination_of_columns": {"arguments": {"combination": key}}}
        ]
    return model


def _sources_yml(source: str) -> dict:
    tables = []
    for t in (t for t in TABLES if t.source == source):
        tables.append(
            {
                "name": t.name,
                "identifier": t.raw_name,
                "description": f"{t.description} Grain: {', '.join(t.key)}.",
                "columns": [{"name": c.name, "description": c.description} for c in t.columns]
                + [{"name": name, "description": text} for name, _, text in LOAD_COLUMNS],
            }
        )
    return {
        "version": 2,
        "sources": [
            {
                "name": source,
                "schema": "raw",
                "description": f"Landing folder `{source}/`, type-checked and loaded by the ingest"
                " assets (docs/contract.md).",
                "tables": tables,
            }
        ],
    }


def expected_files(root: Path) -> dict[Path, str]:
    """Every generated file and its content."""
    files: dict[Path, str] = {}
    for source in SOURCES:
        folder = root / "models" / "staging" / source
        dump = lambda doc: HEADER + yaml.safe_dump(doc, sort_keys=False, width=100)  # noqa: E731
        files[folder / f"_{source}__sources.yml"] = dump(_sources_yml(source))
        models = [_model_yml(t) for t in TABLES if t.source == source]
        files[folder / f"_{source}__models.yml"] = dump({"version": 2, "models": models})
        for t in (t for t in TABLES if t.source == source):
            files[folder / f"{model_name(t)}.sql"] = _staging_sql(t)
    return files


def main() -> None:
    root = Path(__file__).resolve().parent.parent
    for path, text in expected_files(root).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print("wrote", path.relative_to(root))


if __name__ == "__main__":
    main()
