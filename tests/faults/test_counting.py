"""The fault suite's comparisons catch what they are there to catch: a lost alert, a doubled page."""

import pytest

from tests.faults.counting import alert_discrepancies, page_discrepancies

pytestmark = pytest.mark.faults


def test_a_lost_alert_a_doubled_alert_and_a_lost_request_are_each_reported():
    problems = alert_discrepancies(held={"a", "b", "c"}, stored=["a", "b", "b"], delivered=5, raw=4)
    assert len(problems) == 3 and "never stored" in problems[0] and "more than once" in problems[1]
    assert alert_discrepancies(held={"a", "b"}, stored=["b", "a"], delivered=4, raw=4) == []


def test_a_missing_page_and_a_page_sent_twice_are_each_reported():
    due = [("sre", "k1"), ("sre", "k2")]
    assert len(page_discrepancies(due, [("sre", "k1"), ("sre", "k1")])) == 2
    assert page_discrepancies(due, [("sre", "k2"), ("sre", "k1")]) == []
