"""Configuration loading: the example config is valid, and every mistake names file, field and reason."""

from datetime import timedelta
from pathlib import Path

import pytest

from incidents.policy import Target
from incidents.severity import Severity
from settings.catalog import ConfigError, load_catalog

ROOT = Path(__file__).resolve().parents[2]
LEVEL = "      - targets: [{user: a}]\n        timeout: 5m\n"


def write(folder: Path, services: str, people: str = "") -> Path:
    (folder / "services.yaml").write_text(services)
    if people:
        (folder / "people.yaml").write_text(people)
    return folder


def problems(folder: Path, environ=None) -> list[str]:
    with pytest.raises(ConfigError) as error:
        load_catalog(folder, environ={} if environ is None else environ)
    return error.value.problems


def test_the_example_config_loads_with_the_seed_policy():
    catalog = load_catalog(ROOT / "config")
    api = catalog.service("production-api")
    assert api.default
    assert [(level.targets[0].name, level.timeout) for level in api.escalation_policy.levels] == [
        ("oncall-sre", timedelta(minutes=30)),
        ("sre-manager", timedelta(minutes=15)),
    ]
    assert catalog.route({"service": "payment-service"}).name == "payment-service"
    assert catalog.route({"service": "checkout"}).name == "production-api"
    assert catalog.service("payment-service").severity.severity_of({"severity": "critical"}) == Severity.SEV1


def test_a_misspelt_duration_names_file_field_and_value(tmp_path):
    services = "services:\n" + "".join(
        f"  - name: s{i}\n    default: {str(i == 0).lower()}\n    escalation_policy:\n{LEVEL}" for i in range(2)
    )
    services += "  - name: s2\n    escalation_policy:\n      - targets: [{user: a}]\n        timeout: 30 minuets\n"
    write(tmp_path, services)
    assert problems(tmp_path) == [
        f'{tmp_path}/services.yaml: services[2].escalation_policy[0].timeout: "30 minuets" is not a duration'
    ]


def test_unknown_keys_missing_policy_and_no_default_are_all_reported(tmp_path):
    write(tmp_path, "services:\n  - name: api\n    escalation_polcy: []\n")
    found = problems(tmp_path)
    assert any("services[0].escalation_polcy: Unknown field." in p for p in found)
    assert any("services[0].escalation_policy: Missing data for required field." in p for p in found)


def test_targets_must_name_people_from_the_people_file(tmp_path):
    write(
        tmp_path,
        f"services:\n  - name: api\n    default: true\n    escalation_policy:\n{LEVEL}",
        "people:\n  - name: b\n    routing_key: k\n",
    )
    assert problems(tmp_path) == [
        f'{tmp_path}/services.yaml: services[0].escalation_policy[0].targets[0].user: no user called "a" in people.yaml'
    ]


def test_secrets_come_from_the_environment_and_a_missing_one_is_named(tmp_path):
    write(
        tmp_path,
        "services:\n  - name: api\n    default: true\n    intake:\n      bearer_token: ${API_TOKEN}\n"
        f"    escalation_policy:\n{LEVEL}",
    )
    catalog = load_catalog(tmp_path, environ={"API_TOKEN": "s3cret-token"})
    assert catalog.service("api").credentials.bearer_tokens == ("s3cret-token",)
    assert problems(tmp_path) == [
        f"{tmp_path}/services.yaml: services[0].intake.bearer_token: environment variable API_TOKEN is not set"
    ]


SCHEDULE = """schedules:
  - name: sre-primary
    time_zone: America/New_York
    layers:
      - name: weekly
        start: 2027-03-01T09:00
        rotation: 1 week
        participants: [a]
        restrictions:
          - {days: [mon], from: FROM, to: "18:00"}
"""


ONE_SERVICE = "services:\n  - name: s\n    default: true\n    escalation_policy:\n" + LEVEL


def test_the_example_schedule_loads_and_has_someone_on_call():
    from datetime import UTC, datetime

    from incidents.schedules import on_call

    schedule = load_catalog(ROOT / "config").schedules["sre-primary"]
    assert [layer.name for layer in schedule.layers] == ["weekly", "business-hours"]
    assert on_call(schedule, datetime(2026, 12, 7, 20, 0, tzinfo=UTC)) in ("oncall-sre", "alice")


def test_an_unquoted_time_of_day_is_explained(tmp_path):
    write(tmp_path, ONE_SERVICE, "people:\n  - {name: a, routing_key: k}\n")
    (tmp_path / "schedules.yaml").write_text(SCHEDULE.replace("FROM", "9:00").replace('"18:00"', "18:00"))
    assert problems(tmp_path) == [
        f"{tmp_path}/schedules.yaml: schedules[0].layers[0].restrictions[0].from: write a time of day in quotes, "
        '"09:00": YAML reads 9:00 unquoted as the number 540',
        f"{tmp_path}/schedules.yaml: schedules[0].layers[0].restrictions[0].to: write a time of day in quotes, "
        '"18:00": YAML reads 18:00 unquoted as the number 1080',
    ]


def test_a_schedule_names_people_of_people_yaml_and_a_real_time_zone(tmp_path):
    write(tmp_path, ONE_SERVICE, "people:\n  - {name: a, routing_key: k}\n")
    (tmp_path / "schedules.yaml").write_text(SCHEDULE.replace("FROM", '"09:00"').replace("[a]", "[a, zed]"))
    assert problems(tmp_path) == [
        f'{tmp_path}/schedules.yaml: schedules[0].layers[0].participants[1]: no person called "zed" in people.yaml'
    ]
    (tmp_path / "schedules.yaml").write_text(SCHEDULE.replace("FROM", '"09:00"').replace("New_York", "Gotham"))
    assert problems(tmp_path) == [
        f'{tmp_path}/schedules.yaml: schedules[0].time_zone: "America/Gotham" is not a time zone of the tz '
        'database ("America/New_York")'
    ]


def test_a_level_may_target_a_schedule_by_name_or_as_a_user_no_person_is_called(tmp_path):
    services = (
        ONE_SERVICE.replace("{user: a}", "{schedule: sre-primary}")
        + "      - targets: [{user: sre-primary}]\n        timeout: 5m\n"
    )
    write(tmp_path, services, "people:\n  - {name: a, routing_key: k}\n")
    (tmp_path / "schedules.yaml").write_text(SCHEDULE.replace("FROM", '"09:00"'))
    levels = load_catalog(tmp_path, environ={}).service("s").escalation_policy.levels
    assert [level.targets[0] for level in levels] == [Target("schedule", "sre-primary")] * 2
    write(tmp_path, ONE_SERVICE.replace("{user: a}", "{schedule: nowhere}"), "people:\n  - {name: a, routing_key: k}\n")
    assert problems(tmp_path) == [
        f'{tmp_path}/services.yaml: services[0].escalation_policy[0].targets[0].schedule: no schedule called "nowhere" '
        "in schedules.yaml"
    ]
