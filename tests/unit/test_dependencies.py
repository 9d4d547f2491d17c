"""Every package the code imports is declared in pyproject.toml, not left to arrive with another."""

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
# Our packages: those pyproject.toml ships (so the image has them), and the tests and benchmarks.
PACKAGES = [name.rstrip("*") for name in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]]
OURS = {*PACKAGES, "tests", "bench"}


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
    project = PYPROJECT["project"]
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
    assert undeclared(imported(PACKAGES), declared()) == {}


def test_every_top_level_package_is_shipped():
    """A new top-level package goes in pyproject.toml's list, so into the wheel and the image."""
    folders = {path.parent.name for path in ROOT.glob("*/__init__.py")} - {"tests", "bench"}
    assert folders <= set(PACKAGES)


def test_every_package_the_tests_and_benchmarks_import_is_declared():
    assert undeclared(imported(["tests", "bench"]), declared("test")) == {}
