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
    assert targets.phases == {
        "detection": timedelta(minutes=5),
        "mitigation": timedelta(minutes=30),
        "recovery": timedelta(hours=4),
        "postmortem": timedelta(days=7),
    }
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
    assert api.phases["detection"] == timedelta(seconds=10) and api.phases["recovery"] == timedelta(hours=4)
    assert api.response[Severity.SEV1] == timedelta(minutes=5) and Severity.SEV3 not in api.update_every
    assert pay.response[Severity.SEV1] == timedelta(minutes=2) and pay.phases["detection"] == timedelta(seconds=10)
    assert pay.update_every[Severity.SEV4] == timedelta(hours=1) and Severity.SEV3 not in pay.update_every
    assert catalog.targets_for("pay") is pay


def test_wrong_targets_name_file_field_and_reason(tmp_path):
    write(tmp_path, "lifecycle:\n  phases: {detection: soon, respons: 5m}\n  response: {SEV9: 5m}\n" + SERVICES)
    assert sorted(problems(tmp_path)) == [
        f'{tmp_path}/services.yaml: lifecycle.phases.detection: "soon" is not a duration',
        f"{tmp_path}/services.yaml: lifecycle.phases.respons: Unknown field.",
        f"{tmp_path}/services.yaml: lifecycle.response.SEV9.key: 'SEV9' is not a severity (SEV1..SEV4)",
    ]
    write(tmp_path, SERVICES + "    lifecycle:\n      update_evry: {SEV1: 5m}\n")
    assert problems(tmp_path) == [f"{tmp_path}/services.yaml: services[1].lifecycle.update_evry: Unknown field."]
