"""Folding the requests a consumer claimed: repeats of a group become one step, counted; a status change,
a resolved group or an acknowledgement is a step of its own; each group keeps its arrival order."""

from incidents.alerts import FIRING, RESOLVED, Alert, AlertBatch
from incidents.folding import fold


def batch(*alerts: tuple[str, str], group="g", resolved=False, service="api") -> AlertBatch:
    return AlertBatch(
        service,
        group,
        tuple(Alert(fp, group, status, {"alertname": fp}) for fp, status in alerts),
        group_resolved=resolved,
    )


def test_repeats_of_a_group_fold_into_one_step_that_counts_each_alert():
    steps = fold(
        [
            (1, "alertmanager", [batch(("a", FIRING))], ()),
            (2, "alertmanager", [batch(("a", FIRING), ("b", FIRING))], ()),
            (3, "alertmanager", [batch(("a", FIRING))], ()),
        ]
    )
    [step] = steps
    assert step.requests == (1, 2, 3)
    assert [alert.fingerprint for alert in step.batch.alerts] == ["a", "b"]
    assert (step.batch.times("a"), step.batch.times("b")) == (3, 1)


def test_firing_then_resolved_then_firing_stay_three_steps_in_order():
    steps = fold(
        [
            (1, "alertmanager", [batch(("a", FIRING))], ()),
            (2, "alertmanager", [batch(("a", RESOLVED), resolved=True)], ()),
            (3, "alertmanager", [batch(("a", FIRING))], ()),
        ]
    )
    assert [(s.requests, s.batch.group_resolved, s.batch.alerts[0].status) for s in steps] == [
        ((1,), False, FIRING),
        ((2,), True, RESOLVED),
        ((3,), False, FIRING),
    ]


def test_an_alert_changing_status_starts_a_new_step():
    steps = fold(
        [
            (1, "alertmanager", [batch(("a", FIRING), ("b", FIRING))], ()),
            (2, "alertmanager", [batch(("a", RESOLVED), ("b", FIRING))], ()),
        ]
    )
    assert [s.requests for s in steps] == [(1,), (2,)]


def test_groups_are_apart_and_an_acknowledgement_is_a_step_between_repeats():
    steps = fold(
        [
            (1, "pagerduty", [batch(("k", FIRING), group="k")], ()),
            (2, "alertmanager", [batch(("a", FIRING), group="a")], ()),
            (3, "pagerduty", [], (("api", "k"),)),
            (4, "pagerduty", [batch(("k", FIRING), group="k")], ()),
        ]
    )
    assert [(s.group, s.requests, s.batch is None) for s in steps] == [
        (("api", "a"), (2,), False),
        (("api", "k"), (1,), False),
        (("api", "k"), (3,), True),
        (("api", "k"), (4,), False),
    ]


def test_two_senders_of_one_group_do_not_fold_together():
    steps = fold(
        [
            (1, "alertmanager", [batch(("a", FIRING))], ()),
            (2, "grafana", [batch(("a", FIRING))], ()),
        ]
    )
    assert [(s.source, s.requests) for s in steps] == [("alertmanager", (1,)), ("grafana", (2,))]


def test_the_same_request_twice_in_a_step_is_named_once():
    steps = fold([(1, "alertmanager", [batch(("a", FIRING)), batch(("b", FIRING))], ())])
    [step] = steps
    assert step.requests == (1,) and step.batch.times("b") == 1
