"""The development SECRET_KEY: refused with a real database, a warning on the embedded one."""

import pytest
from click.testing import CliRunner

from cli.main import cli
from settings import env
from settings.secret_key import InsecureSecretKey, secret_key_warning

POSTGRES = "postgresql://incidents@db.example/incidents"


def test_the_development_key_on_the_embedded_database_is_a_warning(tmp_path):
    settings = env.load({"INCIDENTS_VAR": str(tmp_path)})
    assert "SECRET_KEY is not set" in secret_key_warning(settings)


def test_the_development_key_with_a_database_url_is_refused(tmp_path):
    with pytest.raises(InsecureSecretKey, match="Set SECRET_KEY"):
        secret_key_warning(env.load({"INCIDENTS_VAR": str(tmp_path), "DATABASE_URL": POSTGRES}))


def test_a_key_of_ones_own_needs_no_word_on_any_database(tmp_path):
    assert secret_key_warning(env.load({"DATABASE_URL": POSTGRES, "SECRET_KEY": "s3cr3t" * 8})) is None
    assert secret_key_warning(env.load({"INCIDENTS_VAR": str(tmp_path), "SECRET_KEY": "s3cr3t" * 8})) is None


@pytest.mark.parametrize("command", ["serve", "worker", "beat", "up"])
def test_every_long_running_command_refuses_to_start_with_the_development_key_and_a_database_url(command):
    answer = CliRunner().invoke(cli, [command], env={"DATABASE_URL": POSTGRES, "SECRET_KEY": ""})
    assert answer.exit_code == 2
    assert "error: SECRET_KEY is not set" in answer.output


@pytest.mark.parametrize("command", ["serve", "worker", "beat", "up"])
def test_every_long_running_command_warns_about_the_development_key_on_the_embedded_database(command, tmp_path):
    # A missing config folder stops the command after the warning, before it starts anything.
    environ = {"DATABASE_URL": "", "SECRET_KEY": "", "INCIDENTS_VAR": str(tmp_path), "INCIDENTS_CONFIG": str(tmp_path)}
    answer = CliRunner().invoke(cli, [command], env=environ)
    assert answer.exit_code == 2
    assert "warning: SECRET_KEY is not set" in answer.output
