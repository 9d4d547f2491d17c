import pytest

from incidents.severity import Severity, SeverityRules, after_alerts


@pytest.mark.parametrize(
    "labels, expected",
    [
        ({"severity": "critical"}, Severity.SEV2),
        ({"severity": "error"}, Severity.SEV2),
        ({"severity": "major"}, Severity.SEV2),
        ({"severity": "warning"}, Severity.SEV3),
        ({"severity": "Minor"}, Severity.SEV3),
        ({"severity": "info"}, Severity.SEV4),
        ({"severity": "SEV1"}, Severity.SEV1),
        ({"severity": "sev-2"}, Severity.SEV2),
        ({"priority": "P1"}, Severity.SEV1),
        ({"priority": "p5"}, Severity.SEV4),
        ({"severity": "whatever"}, Severity.SEV3),
        ({}, Severity.SEV3),
    ],
)
def test_default_rules_map_labels_to_severities(labels, expected):
    assert SeverityRules().severity_of(labels) == expected


def test_an_explicit_level_wins_over_a_word_in_another_label():
    assert SeverityRules().severity_of({"severity": "warning", "priority": "P1"}) == Severity.SEV1


def test_unknown_values_get_the_configured_default():
    assert SeverityRules(default=Severity.SEV4).severity_of({"severity": "odd"}) == Severity.SEV4


def test_parse_rejects_what_is_not_a_severity():
    with pytest.raises(ValueError):
        Severity.parse("SEV9")


def test_alerts_raise_an_incidents_severity_and_never_lower_it():
    assert after_alerts(Severity.SEV3, Severity.SEV1) == Severity.SEV1
    assert after_alerts(Severity.SEV2, Severity.SEV4) == Severity.SEV2
    assert after_alerts(Severity.SEV2, None) == Severity.SEV2
