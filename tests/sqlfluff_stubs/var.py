"""dbt's `var()` for sqlfluff's jinja templater: the project's defaults from dbt_project.yml
(a module that can be called, since the templater exposes modules by name)."""

import sys
import types
from pathlib import Path

import yaml

_VARS = yaml.safe_load((Path(__file__).parents[2] / "dbt_project.yml").read_text())["vars"]


class _Var(types.ModuleType):
    def __call__(self, name, default=None):
        return _VARS.get(name, default)


sys.modules[__name__].__class__ = _Var
