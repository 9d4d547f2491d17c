"""`lifecycle:` targets and update cadence: the playbook's defaults, overridden globally and per service,
and a wrong value named by file and field."""

from datetime import timedelta

from incidents.severity import Severity
from incidents.targets import Targets
from settings.catalog import load_catalog
from tests.unit.test_config import LEVEL, ROOT, problems, write

SERVICES = (
    f"services:\n  - name: api\n    default: true\n    escalation_policy:\n{LEVEL}"
    f"  - name: pay\n    escalation_policy:\n{LEVEL}"
)


def test_without_a_lifecycle_section_the_targets_are_the_playbooks(tmp_path):
    targets = load_catalog(write(tmp_path, SERVICES), environ={}).service("api").targets
    assert targets == Targets()
    assert targets.phases["detection"] == timedelta(minutes=5) and targets.phases["postmortem"] == timedelta(days=7)
    assert [targets.limit("mitigation", s) for s in Severity] == [
        timedelta(minutes=30),
        timedelta(hours=1),
        timedelta(hours=4),
        None,
    ]
    assert [targets.limit("recovery", s) for s in Severity] == [
        timedelta(hours=4),
        timedelta(hours=8),
        timedelta(hours=24),
        None,
    ]
    assert [targets.response[s] for s in Severity] == [
        timedelta(minutes=15),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=24),
    ]
    assert Severity.SEV4 not in targets.update_every and targets.update_every[Severity.SEV1] == timedelta(minutes=15)


def test_the_example_config_spells_out_the_defaults():
    catalog = load_catalog(ROOT / "config")
    assert all(service.targets == Targets() for service in catalog.services)


def test_a_service_overrides_the_top_level_which_overrides_the_defaults(tmp_path):
    top = "lifecycle:\n  phases: {detection: 10s}\n  response: {SEV1: 5 minutes}\n  update_every: {SEV3: 0}\n"
    pay = "    lifecycle:\n      response: {P1: 2m}\n      update_every: {SEV4: 1 hour}\n"
    write(tmp_path, top + SERVICES + pay)
    catalog = load_catalog(tmp_path, environ={})
    api, pay = catalog.service("api").targets, catalog.service("pay").targets
    assert api.phases["detection"] == timedelta(seconds=10) and api.limit("recovery", Severity.SEV1) == timedelta(
        hours=4
    )
    assert api.response[Severity.SEV1] == timedelta(minutes=5) and Severity.SEV3 not in api.update_every
    assert pay.response[Severity.SEV1] == timedelta(minutes=2) and pay.phases["detection"] == timedelta(seconds=10)
    assert pay.update_every[Severity.SEV4] == timedelta(hours=1) and Severity.SEV3 not in pay.update_every
    assert catalog.targets_for("pay") is pay


def test_mitigation_and_recovery_take_a_map_by_severity_or_one_value_for_every_severity(tmp_path):
    top = "lifecycle:\n  phases: {mitigation: {SEV3: 1 hour, SEV4: 2 hours}, recovery: 12 hours}\n"
    pay = "    lifecycle:\n      phases: {mitigation: 0, recovery: {P1: 1 hour}}\n"
    write(tmp_path, top + SERVICES + pay)
    catalog = load_catalog(tmp_path, environ={})
    api, pay = catalog.service("api").targets, catalog.service("pay").targets
    assert [api.limit("mitigation", s) for s in Severity] == [
        timedelta(minutes=30),
        timedelta(hours=1),
        timedelta(hours=1),
        timedelta(hours=2),
    ]
    assert {api.limit("recovery", s) for s in Severity} == {timedelta(hours=12)}
    assert {pay.limit("mitigation", s) for s in Severity} == {None}
    assert [pay.limit("recovery", s) for s in Severity] == [timedelta(hours=1), *[timedelta(hours=12)] * 3]


def test_wrong_targets_name_file_field_and_reason(tmp_path):
    phases = "{detection: soon, respons: 5m, mitigation: {SEV1: never}, recovery: {SEV9: 1h}}"
    write(tmp_path, f"lifecycle:\n  phases: {phases}\n  response: {{SEV9: 5m}}\n" + SERVICES)
    assert sorted(problems(tmp_path)) == [
        f'{tmp_path}/services.yaml: lifecycle.phases.detection: "soon" is not a duration',
        f'{tmp_path}/services.yaml: lifecycle.phases.mitigation.SEV1.value: "never" is not a duration',
        f"{tmp_path}/services.yaml: lifecycle.phases.recovery.SEV9.key: 'SEV9' is not a severity (SEV1..SEV4)",
        f"{tmp_path}/services.yaml: lifecycle.phases.respons: Unknown field.",
        f"{tmp_path}/services.yaml: lifecycle.response.SEV9.key: 'SEV9' is not a severity (SEV1..SEV4)",
    ]
    write(tmp_path, SERVICES + "    lifecycle:\n      update_evry: {SEV1: 5m}\n")
    assert problems(tmp_path) == [f"{tmp_path}/services.yaml: services[1].lifecycle.update_evry: Unknown field."]


def test_a_map_overrides_a_single_value_severity_by_severity():
    from settings.catalog import _targets

    base = Targets(phases={"mitigation": timedelta(hours=1)})
    merged = _targets(base, {"phases": {"mitigation": {Severity.SEV1: timedelta(minutes=10)}}})
    assert [merged.limit("mitigation", s) for s in Severity] == [timedelta(minutes=10), *[timedelta(hours=1)] * 3]
