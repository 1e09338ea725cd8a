"""`valuemap-dbt`: dbt's own command line with one change, for the refresh: the warehouse
file's path and its DuckDB settings leave the hash that decides whether dbt may reuse its
last parse of the project (partial parsing).

dbt parses the whole project again whenever a value of the connection changes, in case a
macro reads it while parsing: on every first run on a warehouse file, 15 s where a partial
parse takes 6 s (the demo, measured one after the other). No macro of this project or of
dbt-duckdb reads those two values; the database name (the file's stem, in every relation
name), the schema and everything else dbt-duckdb names stay in the hash. `valuemap run`
seeds a new warehouse's dbt target with the project's own parse (orchestration/assets/
dbt.py), which dbt then checks file by file, as always.
"""

from __future__ import annotations

import sys

# Values of the DuckDB connection that never change what the project parses to.
NOT_PARSED = ("path", "config_options")


def main() -> int:
    from dbt.cli.main import cli
    from dbt.parser.manifest import ManifestLoader

    state_check = ManifestLoader.build_manifest_state_check

    def without_the_file(loader: ManifestLoader):
        credentials = type(loader.root_project.credentials)
        if loader.root_project.credentials.type != "duckdb":
            return state_check(loader)
        keys = credentials._connection_keys
        credentials._connection_keys = lambda self: tuple(
            key for key in keys(self) if key not in NOT_PARSED
        )
        try:
            return state_check(loader)
        finally:
            credentials._connection_keys = keys

    ManifestLoader.build_manifest_state_check = without_the_file
    return cli()


if __name__ == "__main__":
    sys.exit(main())
