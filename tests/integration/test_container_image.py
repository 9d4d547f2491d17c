"""The container image starts: the files the Dockerfile copies (the tree through .dockerignore) build a
wheel that, installed in a fresh virtualenv and run from elsewhere, checks the example config, migrates
a database and serves pages with their templates and static files. No Docker daemon needed: a package
or data file left out of the wheel fails here."""

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

from tests.support import ROOT


def dockerignore_rules(text: str) -> list[tuple[bool, re.Pattern]]:
    """(excludes, pattern) per line of a .dockerignore, in order: Docker's rules (the last match wins, `!`
    takes a path back, `**` spans folders, a matched folder takes its contents)."""
    rules = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keep = line.startswith("!")
        pattern = line.removeprefix("!").strip().strip("/")
        rules.append((not keep, re.compile(_regex(pattern))))
    return rules


def _regex(pattern: str) -> str:
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return out + "$"


def ignored(path: str, rules) -> bool:
    """True when Docker leaves `path` (relative, with /) out of the build context."""
    parts = path.split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    verdict = False
    for excludes, regex in rules:
        if any(regex.match(candidate) for candidate in candidates):
            verdict = excludes
    return verdict


def build_context(source: Path, into: Path) -> Path:
    """A copy of the files Docker would send as the build context (git-tracked or not, as Docker sees them)."""
    rules = dockerignore_rules((source / ".dockerignore").read_text())
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source).as_posix()
        if path.is_file() and not ignored(relative, rules):
            (into / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, into / relative)
    return into


def run(*command, **kwargs) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, **kwargs)
    assert done.returncode == 0, f"{' '.join(map(str, command))} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def fresh_virtualenv(folder: Path) -> Path:
    """A virtualenv of its own whose only extra path is this interpreter's installed dependencies: that
    folder's .pth files (this project's editable install among them) are not read, so the source tree
    stays out of reach."""
    run(sys.executable, "-m", "venv", "--without-pip", str(folder))
    python = folder / "bin" / "python"
    site = Path(run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip())
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


SMOKE = """
from server.app import create_app
app = create_app()
client = app.test_client()
for path in ("/sign-in", "/assets/style.css", "/assets/vendor/chartjs/chart.umd.min.js", "/openapi.json"):
    answer = client.get(path)
    assert answer.status_code == 200, (path, answer.status_code, answer.get_data(as_text=True)[:300])
print("served")
"""


def test_the_dockerfile_copies_the_tree_rather_than_a_list_of_packages():
    steps = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    assert "COPY . ." in steps and [step for step in steps if step.startswith("RUN pip install . ")]
    assert not [step for step in steps if step.startswith("COPY") and step != "COPY . ."]


def test_the_image_files_build_a_wheel_that_starts_in_a_fresh_virtualenv(tmp_path):
    context = build_context(ROOT, tmp_path / "context")
    assert not (context / ".git").exists() and not (context / "tests").exists()
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index", "-w",
        str(tmp_path / "dist"), str(context))  # fmt: skip
    (wheel,) = (tmp_path / "dist").glob("incident_ingest-*.whl")
    python = fresh_virtualenv(tmp_path / "venv")
    run(sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index", str(wheel))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "DATABASE_URL"))}
    environment |= {"INCIDENTS_CONFIG": str(context / "config"), "INCIDENTS_VAR": str(tmp_path / "var")}
    environment.pop("PAGERDUTY_EVENTS_URL", None)
    incidents = str(python.parent / "incidents")

    assert "ok, " in run(incidents, "check-config", cwd=elsewhere, env=environment)
    assert "up to date" in run(incidents, "db", "upgrade", cwd=elsewhere, env=environment)
    assert "served" in run(str(python), "-c", SMOKE, cwd=elsewhere, env=environment)
    installed = Path(run(str(python), "-c", "import web; print(web.__file__)", cwd=elsewhere, env=environment).strip())
    assert installed.parent.parent != context and not installed.is_relative_to(ROOT)
    assert missing_from(installed.parent.parent, context) == []


def missing_from(site: Path, context: Path) -> list[str]:
    """Files of the project's packages (pyproject's `packages.find`) in the context but not installed."""
    project = tomllib.loads((context / "pyproject.toml").read_text())
    packages = [name.rstrip("*") for name in project["tool"]["setuptools"]["packages"]["find"]["include"]]
    return [
        path.relative_to(context).as_posix()
        for package in packages
        for path in sorted((context / package).rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and not (site / path.relative_to(context)).exists()
    ]
