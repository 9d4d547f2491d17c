from incidents.alerts import Alert, batches
from incidents.severity import Severity
from incidents.timeline import AlertChange, IncidentChange, entries


def alert(fp, group="g", status="firing", service="api", resolved=False):
    return Alert(
        fingerprint=fp, group_key=group, status=status, labels={"service": service}, summary=fp, group_resolved=resolved
    )


def test_alerts_are_split_by_service_and_group_in_a_stable_order():
    result = batches(
        [alert("b", "g2"), alert("a", "g1", service="pay"), alert("c", "g1")], lambda a: a.labels["service"]
    )
    assert [(b.service, b.group_key, [a.fingerprint for a in b.alerts]) for b in result] == [
        ("api", "g1", ["c"]),
        ("api", "g2", ["b"]),
        ("pay", "g1", ["a"]),
    ]


def test_a_fingerprint_repeated_in_one_request_keeps_its_last_copy():
    (batch,) = batches([alert("a"), alert("a", status="resolved")], lambda a: "api")
    assert [a.status for a in batch.alerts] == ["resolved"]
    assert not batch.firing


def test_opening_lists_the_incident_then_its_alerts():
    change = IncidentChange(
        opened=True, alerts=(AlertChange("joined", "a", "disk full"),), severity_after=Severity.SEV2
    )
    assert [(e.kind, e.message) for e in entries(change, service="api")] == [
        ("opened", "Incident opened for service api"),
        ("alert_firing", "Alert firing: disk full"),
    ]


def test_a_severity_rise_is_written_but_a_repeat_writes_nothing():
    rise = IncidentChange(severity_before=Severity.SEV3, severity_after=Severity.SEV1)
    assert [e.message for e in entries(rise, service="api")] == ["Severity raised from SEV3 to SEV1"]
    assert entries(IncidentChange(severity_before=Severity.SEV3, severity_after=Severity.SEV3), service="x") == []
