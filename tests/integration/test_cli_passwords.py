"""`incidents user set-password NAME`, and the first sign-in `incidents up` prints on the embedded defaults."""

import sqlalchemy as sa
from click.testing import CliRunner

from cli.main import cli
from cli.passwords import first_sign_in
from store.tables import credentials
from tests.integration.signing_in import sign_in


def run(settings, *args, stdin=""):
    environment = {
        "DATABASE_URL": settings.database_url,
        "INCIDENTS_CONFIG": str(settings.config_dir),
        "INCIDENTS_VAR": str(settings.var_dir),
    }
    return CliRunner().invoke(cli, list(args), input=stdin, env=environment)


def stored(engine) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(credentials.c.name, credentials.c.password_hash)).all())


def test_set_password_reads_stdin_and_stores_a_hash_not_the_password(settings, engine, client):
    result = run(settings, "user", "set-password", "sre-manager", stdin="a long enough secret\n")
    assert result.exit_code == 0, result.output
    assert "password set for sre-manager" in result.output
    [(name, hashed)] = stored(engine).items()
    assert name == "sre-manager" and hashed.startswith("scrypt:") and "a long enough secret" not in hashed
    assert sign_in(client, "sre-manager", "a long enough secret").status_code == 302


def test_setting_it_again_replaces_the_old_password(settings, engine, client):
    run(settings, "user", "set-password", "oncall-sre", stdin="first password\n")
    run(settings, "user", "set-password", "oncall-sre", stdin="second password\n")
    assert len(stored(engine)) == 1
    assert sign_in(client, "oncall-sre", "first password").status_code == 401
    assert sign_in(client, "oncall-sre", "second password").status_code == 302


def test_an_unknown_name_or_a_short_password_is_refused(settings, engine):
    unknown = run(settings, "user", "set-password", "nobody", stdin="a long enough secret\n")
    short = run(settings, "user", "set-password", "oncall-sre", stdin="short\n")
    assert unknown.exit_code == 2 and 'no person called "nobody"' in unknown.output
    assert short.exit_code == 2 and "at least 8 characters" in short.output
    assert stored(engine) == {}


def test_the_first_sign_in_sets_a_random_password_once_for_the_first_person(settings, catalog, engine, client):
    line = first_sign_in(settings, catalog, port=8000)
    assert line.startswith("Sign in at http://127.0.0.1:8000/ as oncall-sre with password ")
    password = line.rsplit(" ", 1)[1]
    assert sign_in(client, "oncall-sre", password).status_code == 302
    again = first_sign_in(settings, catalog, port=8000)
    assert "password set earlier" in again and password not in again
