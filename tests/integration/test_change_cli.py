"""`incidents change`: records a deploy through the webhook's parser and store, against the test database."""

import pytest
from click.testing import CliRunner

from cli.main import cli
from tests.integration.changing import stored


@pytest.fixture
def run(settings, engine):
    environ = {"DATABASE_URL": settings.database_url, "INCIDENTS_CONFIG": str(settings.config_dir)}

    def invoke(*args):
        return CliRunner().invoke(cli, ["change", *args], env=environ, catch_exceptions=False)

    return invoke


def test_a_deploy_is_recorded_and_printed(run, engine):
    result = run(
        "--service", "payment-service", "--version", "v1.4.2", "--summary", "Raise the pool",
        "--author", "alice", "--link", "https://ci.example.com/812", "--time", "2026-11-27T11:40:00+01:00",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output == (
        "recorded change 1 to payment-service at 2026-11-27T10:40:00Z: Raise the pool (version v1.4.2)\n"
    )
    (change,), (raw,) = stored(engine)
    assert (change.author, change.links, raw.source, raw.user_agent) == (
        "alice",
        [{"href": "https://ci.example.com/812", "text": None}],
        "deploy",
        "incidents change",
    )


def test_an_unknown_service_exits_2_naming_the_option(run, engine):
    result = run("--service", "billing", "--version", "v1", "--summary", "x")
    assert result.exit_code == 2
    assert '--service: no service called "billing"' in result.output
    assert stored(engine) == ([], [])


def test_without_version_or_commit_it_exits_2_naming_the_option(run, engine):
    result = run("--service", "payment-service", "--summary", "x")
    assert result.exit_code == 2 and "--version: either `version` or `commit` is required" in result.output
    assert stored(engine) == ([], [])


def test_a_wrong_time_exits_2_naming_the_option(run, engine):
    result = run("--service", "payment-service", "--commit", "9fceb02", "--summary", "x", "--time", "now")
    assert result.exit_code == 2 and result.output.startswith("--time: ")
    assert stored(engine) == ([], [])
