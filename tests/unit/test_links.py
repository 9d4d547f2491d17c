"""Acknowledgement links expire against the `now` they are given, not the machine's clock."""

from datetime import UTC, datetime, timedelta

import pytest

from incidents import links
from incidents.links import ExpiredLink, InvalidLink, Link, sign, verify

LINK = Link(7, "user:oncall-sre", "acknowledge", 12)
SIGNED = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def test_a_link_is_valid_up_to_its_maximum_age_after_signing():
    token = sign(LINK, "key", now=SIGNED)
    assert verify(token, "key", max_age=600, now=SIGNED + timedelta(seconds=600)) == LINK


def test_a_link_is_expired_one_second_past_its_maximum_age():
    token = sign(LINK, "key", now=SIGNED)
    with pytest.raises(ExpiredLink):
        verify(token, "key", max_age=600, now=SIGNED + timedelta(seconds=601))


def test_a_link_signed_with_another_key_is_invalid_whatever_its_age():
    with pytest.raises(InvalidLink):
        verify(sign(LINK, "other", now=SIGNED), "key", max_age=600, now=SIGNED)


def test_an_altered_link_is_invalid():
    token = sign(LINK, "key", now=SIGNED)
    with pytest.raises(InvalidLink):
        verify(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), "key", max_age=600, now=SIGNED)


def test_a_link_acknowledges_a_triggered_incident_once():
    assert links.outcome("triggered", used=False) == links.LinkOutcome.ACKNOWLEDGED
    assert links.outcome("triggered", used=True) == links.LinkOutcome.USED


def test_a_link_to_an_incident_someone_acknowledged_first_stays_usable():
    assert links.outcome("acknowledged", used=False) == links.LinkOutcome.ALREADY_ACKNOWLEDGED


def test_a_resolved_incident_says_so_before_the_link_says_it_was_used():
    assert links.outcome("resolved", used=True) == links.LinkOutcome.RESOLVED
    assert links.outcome(None, used=False) == links.LinkOutcome.UNKNOWN


def test_opening_a_link_offers_the_button_only_for_a_triggered_incident_and_an_unused_link():
    assert links.preview("triggered", used=False) is None
    assert links.preview("resolved", used=True) == links.LinkOutcome.USED
    assert links.preview("acknowledged", used=False) == links.LinkOutcome.ALREADY_ACKNOWLEDGED
    assert links.preview(None, used=True) == links.LinkOutcome.UNKNOWN
