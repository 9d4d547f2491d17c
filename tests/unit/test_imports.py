"""`incidents import` (issue #16 §7): another tool's schedules put the same people on call at the same times
here as there. Each expectation below is worked out by hand from the fixture's rules (tests/fixtures/imports/,
described in its README), then asked of our core over the schedule as our real loader reads it."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cli.main import cli
from incidents.policy import Target
from incidents.schedules import on_call
from settings.catalog import load_catalog, load_people
from settings.imports import VENDORS, BadExport
from settings.imports.imported import slug
from settings.imports.yaml_form import schedules_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
NOW = datetime(2027, 2, 1, tzinfo=UTC)  # the fixtures' layers start in March 2027; one ended in 2026
PEOPLE = "people:\n" + "".join(
    f"  - {{name: {name}, routing_key: k-{name}-00000000000001, email: {name}@example.com}}\n"
    for name in ("alice", "bob", "carol", "dave", "erin", "frank")
)
SERVICES = (
    "services:\n  - name: s\n    default: true\n    escalation_policy:\n"
    "      - targets: [{user: alice}]\n        timeout: 5m\n"
)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def fixture(vendor: str) -> dict:
    return json.loads((FIXTURES / f"{vendor.replace('-', '_')}.json").read_text())


@pytest.fixture
def config(tmp_path) -> Path:
    (tmp_path / "people.yaml").write_text(PEOPLE)
    (tmp_path / "services.yaml").write_text(SERVICES)
    return tmp_path


def imported(vendor: str, config: Path, export=None):
    return VENDORS[vendor].convert(export or fixture(vendor), load_people(config), NOW)


def loaded(vendor: str, config: Path, export=None):
    """The imported schedules as our loader reads them back from config/schedules.yaml."""
    (config / "schedules.yaml").write_text(schedules_text(imported(vendor, config, export).schedules))
    return load_catalog(config, environ={}).schedules


# PagerDuty (America/New_York; daylight saving starts 14 March 2027). Layers, highest first in the API:
# "Business hours": daily turns from Mon 1 March 09:00 for dave, erin, frank (turn k is [dave, erin, frank][k % 3]
#   by the calendar), on call only Mon-Fri 10:00-18:00; "Old nights": ended in 2026; "Weekly": weekly turns from
#   the virtual start Mon 22 Feb 09:00 (alice; bob from 1 March, carol 8 March, alice 15 March), from 1 March.
PAGERDUTY = [
    (utc(2027, 2, 28, 12), None),  # before both layers start
    (utc(2027, 3, 1, 14, 30), "bob"),  # Mon 09:30 EST: the weekly turn of 1 March; business hours not yet
    (utc(2027, 3, 1, 15, 30), "dave"),  # Mon 10:30 EST: business hours, turn 0
    (utc(2027, 3, 1, 23, 30), "bob"),  # Mon 18:30 EST: after business hours
    (utc(2027, 3, 5, 16), "erin"),  # Fri 11:00 EST: turn 4
    (utc(2027, 3, 6, 16), "bob"),  # Saturday: turn 5 (frank) is outside the restriction, lost to him
    (utc(2027, 3, 8, 16), "erin"),  # Mon 11:00 EST: turn 7 by the calendar, erin (counting only Mon-Fri: frank)
    (utc(2027, 3, 8, 14, 30), "carol"),  # Mon 09:30 EST: the weekly handoff was at 14:00 UTC
    (utc(2027, 3, 15, 12, 30), "carol"),  # Mon 08:30 EDT, after the clock change: before the handoff
    (utc(2027, 3, 15, 13, 30), "alice"),  # Mon 09:30 EDT: handed off at 09:00 local, 13:00 UTC now
    (utc(2027, 3, 15, 14, 30), "frank"),  # Mon 10:30 EDT: inside the window (09:30 EST a week ago was not); turn 14
    (utc(2027, 3, 15, 21, 30), "frank"),  # Mon 17:30 EDT
    (utc(2027, 3, 15, 22, 30), "alice"),  # Mon 18:30 EDT
]


@pytest.mark.parametrize(("at", "person"), PAGERDUTY)
def test_a_pagerduty_schedule_puts_the_same_people_on_call_here(config, at, person):
    assert on_call(loaded("pagerduty", config)["imported-primary"], at) == person


def test_pagerduty_layers_keep_their_precedence_and_an_ended_one_is_left_out_with_a_word(config):
    result = imported("pagerduty", config)
    assert [layer.name for layer in result.schedules[0].layers] == ["Weekly", "Business hours"]
    assert 'schedule "Imported Primary", layer "Old nights": ended at 2027-01-01T00:00Z: left out' in (
        result.notes.warnings
    )


def test_a_schedule_keeps_the_sources_name_lowercased_with_dashes():
    assert slug("Imported Primary") == "imported-primary"
    assert slug("DB — Secondary!") == "db-secondary"
    assert slug("  SRE / On-Call (EU)  ") == "sre-on-call-eu"


def test_two_source_names_that_give_one_of_ours_are_refused(config):
    export = fixture("pagerduty")
    export["schedules"][1]["name"] = "imported   primary"
    with pytest.raises(BadExport) as error:
        imported("pagerduty", config, export)
    assert error.value.problems == [
        'schedules[1].name: "imported   primary" and "Imported Primary" would both be named imported-primary'
    ]


def test_users_are_matched_by_email_ignoring_case_and_the_unmatched_are_listed(config):
    result = imported("pagerduty", config)
    assert result.notes.unmatched == ["zed@example.com (PagerDuty user PZED001)"]
    business = result.schedules[0].layers[1]
    assert set(business.participants) == {"dave", "erin", "frank"}  # Erin@Example.com is erin


def test_pagerduty_escalation_policies_become_ours_without_the_unmatched(config):
    ((name, policy),) = imported("pagerduty", config).policies
    assert name == "Engineering Escalation Policy"
    assert [(level.targets, level.timeout) for level in policy.levels] == [
        ((Target("schedule", "imported-primary"),), timedelta(minutes=30)),
        ((Target("user", "alice"),), timedelta(minutes=15)),  # zed, who matches nobody, is left out
        ((Target("schedule", "db-secondary"),), timedelta(minutes=10)),
    ]
    assert policy.repeat == 2


def test_a_layer_starting_within_a_turn_in_the_future_is_told(config):
    export = fixture("pagerduty")
    export["schedules"][0]["schedule_layers"][2]["start"] = "2027-03-03T12:00:00-05:00"  # a Wednesday noon
    result = imported("pagerduty", config, export)
    assert (
        'schedule "Imported Primary", layer "Weekly": starts at 2027-03-03T17:00Z, within a turn; here its person '
        "is on call from that turn's handoff, 2027-03-01T14:00Z" in result.notes.warnings
    )
    schedules = loaded("pagerduty", config, export)
    assert on_call(schedules["imported-primary"], utc(2027, 3, 4, 3)) == "bob"  # the turn under way is bob's


# Opsgenie (Europe/Berlin; summer time starts 28 March 2027, 09:00 is 08:00 UTC before, 07:00 after). Rotations,
# the later winning here: "Weekly" from Mon 1 March 09:00, alice then bob; "Weeknights", daily turns from Mon
# 1 March 18:00 for carol and dave by the calendar (turn k is [carol, dave][k % 2]), on call Mon-Thu 18:00 to
# 08:00 the next morning; "Lunch cover" (12:00-13:00) is approximated and not asked about.
OPSGENIE = [
    (utc(2027, 3, 1, 7, 30), None),  # Mon 08:30 CET: before the first rotation starts
    (utc(2027, 3, 1, 8, 30), "alice"),  # Mon 09:30 CET
    (utc(2027, 3, 1, 18), "carol"),  # Mon 19:00 CET: weeknight turn 0
    (utc(2027, 3, 2, 6, 30), "carol"),  # Tue 07:30 CET: the window crosses midnight
    (utc(2027, 3, 2, 7, 30), "alice"),  # Tue 08:30 CET
    (utc(2027, 3, 5, 20), "alice"),  # Fri 21:00 CET: no weeknight window on Fridays
    (utc(2027, 3, 8, 19), "dave"),  # Mon 20:00 CET: turn 7 by the calendar (counting only weeknights: carol)
    (utc(2027, 3, 8, 7, 30), "alice"),  # Mon 08:30 CET: before the weekly handoff at 08:00 UTC
    (utc(2027, 3, 8, 8, 30), "bob"),
    (utc(2027, 3, 29, 6, 30), "bob"),  # Mon 08:30 CEST, after the clock change
    (utc(2027, 3, 29, 7, 30), "alice"),  # Mon 09:30 CEST: handed off at 09:00 local, 07:00 UTC now
    (utc(2027, 3, 29, 15, 30), "alice"),  # Mon 17:30 CEST
    (utc(2027, 3, 29, 16, 30), "carol"),  # Mon 18:30 CEST: turn 28
]


@pytest.mark.parametrize(("at", "person"), OPSGENIE)
def test_an_opsgenie_schedule_puts_the_same_people_on_call_here(config, at, person):
    assert on_call(loaded("opsgenie", config)["platform-on-call"], at) == person


def test_what_opsgenie_has_and_we_do_not_is_told(config):
    result = imported("opsgenie", config)
    assert result.notes.unmatched == ["zed@example.com (Opsgenie user b3alp2f1-0007-4f3b-9d57-5f1d2c0a0007)"]
    where = 'schedule "Platform On-Call"'
    assert result.notes.warnings == [
        f"{where}: where its rotations overlap Opsgenie has each one's participant on call at once; here the later "
        "rotation's only",
        f'{where}, rotation "Lunch cover": an hourly rotation hands off on the wall clock here, so the turn over a '
        "clock change is an hour shorter or longer",
        f'{where}, rotation "Lunch cover": a participant of type none is not a person: its turns are left out',
        f'{where}, rotation "Lunch cover": the turns of people not in people.yaml go to the next in turn',
    ]
    assert result.schedules[0].layers[2].participants == ("frank",)


# Grafana OnCall (America/New_York), built to the same rules as the PagerDuty fixture: "Weekly" (level 0) rolls
# alice, bob, carol weekly from Mon 1 March 09:00 starting at index 1 (bob); "Business hours" (level 1, wins)
# rolls dave, erin, frank daily from 10:00 for 8 hours on MO-FR, by the calendar. So the same table holds.
@pytest.mark.parametrize(("at", "person"), PAGERDUTY)
def test_a_grafana_oncall_schedule_puts_the_same_people_on_call_here(config, at, person):
    assert on_call(loaded("grafana-oncall", config)["sre-primary"], at) == person


def test_what_grafana_oncall_has_and_we_do_not_is_told(config):
    result = imported("grafana-oncall", config)
    assert [s.name for s in result.schedules] == ["sre-primary"]
    assert [layer.name for layer in result.schedules[0].layers] == ["Weekly", "Business hours"]  # by level
    assert result.notes.warnings == [
        'schedule "SRE / Primary", shift "Release night": a single_event is not a rotation (add it as an override '
        "here): left out",
        'schedule "Legacy calendar": no shifts in the export (an iCal schedule has none): left out',
    ]


def test_a_daily_grafana_shift_whose_by_day_skips_days_among_its_first_turns_is_told(config):
    export = fixture("grafana-oncall")
    export["on_call_shifts"][0]["start"] = "2027-03-04T10:00:00"  # a Thursday: the third user starts on Monday
    assert any(
        "two can be on call at once there" in w for w in imported("grafana-oncall", config, export).notes.warnings
    )


def run(*args, env=None):
    return CliRunner().invoke(cli, ["import", *map(str, args)], env=env)


def test_without_write_it_prints_the_schedules_and_policies_as_yaml(config):
    answer = run("pagerduty", FIXTURES / "pagerduty.json", env={"INCIDENTS_CONFIG": str(config)})
    assert answer.exit_code == 0, answer.output
    schedules, policy = yaml.safe_load_all(answer.stdout)
    assert [s["name"] for s in schedules["schedules"]] == ["imported-primary", "db-secondary"]
    assert policy["escalation_policy"][0] == {"targets": [{"schedule": "imported-primary"}], "timeout": "30 minutes"}
    assert policy["repeat"] == 2
    assert "zed@example.com (PagerDuty user PZED001)" in answer.stderr


def test_write_creates_schedules_yaml_and_touches_nothing_else(config):
    before = {p.name: p.read_bytes() for p in config.iterdir()}
    answer = run("opsgenie", FIXTURES / "opsgenie.json", "--write", config)
    assert answer.exit_code == 0, answer.output
    assert answer.stdout == ""  # Opsgenie's export holds no policies
    assert {p.name: p.read_bytes() for p in config.iterdir() if p.name != "schedules.yaml"} == before
    assert list(load_catalog(config, environ={}).schedules) == ["platform-on-call"]


def test_write_replaces_a_schedule_of_the_same_name_and_keeps_the_others(config):
    (config / "schedules.yaml").write_text(
        "schedules:\n"
        "  - name: imported-primary\n    layers: [{name: old, start: 2020-01-01T00:00, rotation: 1 day,"
        " participants: [frank]}]\n"
        "  - name: mine\n    layers: [{name: x, start: 2020-01-01T00:00, rotation: 1 day, participants: [bob]}]\n"
    )
    answer = run("pagerduty", FIXTURES / "pagerduty.json", "--write", config)
    assert answer.exit_code == 0, answer.output
    assert "replacing imported-primary" in answer.stderr
    schedules = load_catalog(config, environ={}).schedules
    assert list(schedules) == ["mine", "imported-primary", "db-secondary"]
    names = [layer.name for layer in schedules["imported-primary"].layers]  # "Old nights" too until 2027
    assert names[0] == "Weekly" and names[-1] == "Business hours" and "old" not in names
    policy = yaml.safe_load(answer.stdout)
    assert policy["escalation_policy"][1] == {"targets": [{"user": "alice"}], "timeout": "15 minutes"}


def test_a_wrong_export_is_refused_naming_the_field(config, tmp_path):
    export = fixture("pagerduty")
    del export["schedules"][0]["schedule_layers"][2]["rotation_turn_length_seconds"]
    export["schedules"][1]["time_zone"] = "Eastern Time (US & Canada)"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(export))
    answer = run("pagerduty", path, "--write", config)
    assert answer.exit_code == 2
    assert answer.stderr.splitlines() == [
        f"{path}: schedules[0].schedule_layers[2].rotation_turn_length_seconds: Missing data for required field.",
        f'{path}: schedules[1].time_zone: "Eastern Time (US & Canada)" is not a time zone of the tz database '
        '("America/New_York")',
    ]
    assert not (config / "schedules.yaml").exists()


def test_a_file_that_is_not_json_or_not_the_vendors_shape_is_refused(config, tmp_path):
    path = tmp_path / "export.json"
    path.write_text("{not json")
    answer = run("opsgenie", path, env={"INCIDENTS_CONFIG": str(config)})
    assert answer.exit_code == 2 and answer.stderr.startswith(f"{path}: not JSON: ")
    path.write_text(json.dumps({"schedules": [{"name": "x"}]}))
    answer = run("grafana-oncall", path, env={"INCIDENTS_CONFIG": str(config)})
    assert answer.exit_code == 2
    assert f"{path}: users: Missing data for required field." in answer.stderr.splitlines()
    assert f"{path}: schedules[0].id: Missing data for required field." in answer.stderr.splitlines()
