"""Calendar feeds over HTTP and from the command line (#16 §4), on PostgreSQL and SQLite: the URL the CLI
prints answers without sign-in, a wrong or reset token answers 404."""

import shutil
from urllib.parse import urlsplit

import icalendar
import pytest
from click.testing import CliRunner

from cli.main import cli

pytestmark = pytest.mark.both_databases


def run(settings, *args, config_dir=None):
    environment = {
        "DATABASE_URL": settings.database_url,
        "INCIDENTS_CONFIG": str(config_dir or settings.config_dir),
        "INCIDENTS_VAR": str(settings.var_dir),
        "SECRET_KEY": settings.secret_key,
        "PUBLIC_URL": settings.public_url,
    }
    return CliRunner().invoke(cli, list(args), env=environment)


def url_of(settings, *args) -> str:
    result = run(settings, "calendar-url", *args)
    assert result.exit_code == 0, result.output
    return result.output.strip()


def fetched(client, url: str):
    return client.get(urlsplit(url).path)


def events(answer) -> list:
    return list(icalendar.Calendar.from_ical(answer.data).walk("VEVENT"))


def test_a_persons_url_from_the_cli_answers_their_calendar_without_sign_in(settings, client):
    url = url_of(settings, "alice")
    assert url.startswith(f"{settings.public_url}/calendars/") and url.endswith(".ics")
    assert url_of(settings, "alice") == url  # created once, printed again
    answer = fetched(client, url)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(answer.data)
    assert str(calendar["x-wr-calname"]) == "On call: alice"
    found = events(answer)
    assert found and {str(event["summary"]) for event in found} == {"On call: sre-primary"}
    assert all(event.walk("VALARM") for event in found)
    assert [str(event["uid"]) for event in events(fetched(client, url))] == [str(event["uid"]) for event in found]


def test_a_schedules_feed_holds_everyones_periods(settings, client):
    answer = fetched(client, url_of(settings, "--schedule", "sre-primary"))
    assert answer.status_code == 200
    summaries = {str(event["summary"]) for event in events(answer)}
    assert summaries == {"sre-primary: alice", "sre-primary: oncall-sre"}


def test_an_unknown_token_answers_404(settings, client):
    assert client.get("/calendars/nothing-of-the-kind.ics").status_code == 404
    url = url_of(settings, "alice")
    assert client.get(urlsplit(url).path[:-5] + "x.ics").status_code == 404


def test_a_reset_url_stops_the_old_one_at_once(settings, client):
    old = url_of(settings, "alice")
    new = url_of(settings, "alice", "--reset")
    assert new != old
    assert fetched(client, old).status_code == 404
    assert fetched(client, new).status_code == 200
    assert url_of(settings, "alice") == new


def test_unknown_people_and_schedules_are_refused_naming_the_known_ones(settings):
    person = run(settings, "calendar-url", "zed")
    assert person.exit_code == 2
    assert 'no person called "zed" in people.yaml; known: alice, oncall-sre, sre-manager' in person.output
    schedule = run(settings, "calendar-url", "--schedule", "nope")
    assert (
        schedule.exit_code == 2 and 'no schedule called "nope" in schedules.yaml; known: sre-primary' in schedule.output
    )
    neither = run(settings, "calendar-url")
    assert neither.exit_code == 2 and "name a PERSON or give --schedule NAME" in neither.output


def test_check_config_names_the_person_whose_time_zone_is_wrong(settings, config_dir, tmp_path):
    folder = tmp_path / "config"
    shutil.copytree(config_dir, folder)
    people = (folder / "people.yaml").read_text().replace("Europe/Paris", "Europe/Parsi")
    (folder / "people.yaml").write_text(people)
    result = run(settings, "check-config", config_dir=folder)
    assert result.exit_code == 2
    assert 'people[2].time_zone: person "alice": "Europe/Parsi" is not a time zone of the tz database' in result.output
