"""Importing the Celery app module reads no environment and creates no folder."""

import subprocess
import sys

from tests.support import ROOT


def test_importing_workers_app_creates_nothing_even_with_a_var_folder_that_does_not_exist(tmp_path):
    missing = tmp_path / "not-yet"
    environ = {"INCIDENTS_VAR": str(missing), "INCIDENTS_CONFIG": str(missing / "config"), "PATH": ""}
    # A fresh interpreter: this test process may have imported (and built) the app already.
    script = "import workers.app, workers.tasks, cli.processes; print(sorted(vars(workers.app)))"
    done = subprocess.run([sys.executable, "-c", script], env=environ, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "'celery'" not in done.stdout  # not built
    assert not missing.exists()
    assert list(tmp_path.iterdir()) == []


def test_the_app_is_built_on_first_use_with_the_broker_folders_of_the_embedded_set_up(tmp_path):
    environ = {"INCIDENTS_VAR": str(tmp_path / "var"), "PATH": ""}
    script = "from workers.app import celery; print(celery.conf.broker_url)"
    done = subprocess.run([sys.executable, "-c", script], env=environ, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "filesystem://localhost/"  # a host named: kombu warns without one
    assert (tmp_path / "var" / "broker" / "queue").is_dir()
