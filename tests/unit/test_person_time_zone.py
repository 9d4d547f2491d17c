"""A person's `time_zone` in people.yaml (#16 §1): optional, UTC by default, checked against the tz database."""

from pathlib import Path

import pytest

from settings.catalog import ConfigError, load_catalog, load_people

SERVICES = """\
services:
  - name: s
    default: true
    escalation_policy:
      - targets: [{user: a}]
        timeout: 5m
"""


def config(folder: Path, people: str) -> Path:
    (folder / "services.yaml").write_text(SERVICES)
    (folder / "people.yaml").write_text(people)
    return folder


def test_a_person_has_the_time_zone_people_yaml_gives_and_utc_without_one(tmp_path):
    people = "people:\n  - {name: a, routing_key: k, time_zone: Europe/Paris}\n  - {name: b, routing_key: k}\n"
    catalog = load_catalog(config(tmp_path, people), environ={})
    assert catalog.people["a"].time_zone == "Europe/Paris"
    assert catalog.people["b"].time_zone == "UTC"
    assert load_people(tmp_path, environ={})["a"].time_zone == "Europe/Paris"


def test_a_zone_the_tz_database_does_not_know_is_named_with_the_person(tmp_path):
    people = "people:\n  - {name: a, routing_key: k}\n  - {name: bea, routing_key: k, time_zone: Mars/Olympus}\n"
    with pytest.raises(ConfigError) as error:
        load_catalog(config(tmp_path, people), environ={})
    assert error.value.problems == [
        f'{tmp_path}/people.yaml: people[1].time_zone: person "bea": "Mars/Olympus" is not a time zone of the tz '
        'database ("America/New_York")'
    ]


def test_a_team_has_no_time_zone_of_its_own(tmp_path):
    people = "people:\n  - {name: a, routing_key: k}\nteams:\n  - {name: t, routing_key: k, time_zone: UTC}\n"
    with pytest.raises(ConfigError) as error:
        load_catalog(config(tmp_path, people), environ={})
    assert error.value.problems == [f"{tmp_path}/people.yaml: teams[0].time_zone: Unknown field."]
