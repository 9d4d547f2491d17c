"""Every package the code imports is declared in pyproject.toml, not left to arrive with another."""

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
OURS = {"incidents", "store", "ingest", "web", "workers", "settings", "cli", "tests", "bench"}


def imported(folders: list[str]) -> set[str]:
    """Top-level names of the modules imported by the .py files under `folders`."""
    names = set()
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.split(".")[0])
    return names - OURS - set(sys.stdlib_module_names)


def declared(*extras: str) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = project["dependencies"] + [line for extra in extras for line in project["optional-dependencies"][extra]]
    return {Requirement(line).name.lower().replace("_", "-") for line in lines}


def undeclared(modules: set[str], allowed: set[str]) -> dict[str, list[str]]:
    distributions = packages_distributions()
    out = {}
    for module in sorted(modules):
        names = {d.lower().replace("_", "-") for d in distributions.get(module, [module])}
        if not names & allowed:
            out[module] = sorted(names)
    return out


def test_every_package_the_service_imports_is_a_declared_dependency():
    assert undeclared(imported(["incidents", "store", "ingest", "web", "workers", "settings", "cli"]), declared()) == {}


def test_every_package_the_tests_and_benchmarks_import_is_declared():
    assert undeclared(imported(["tests", "bench"]), declared("test")) == {}
