"""What reaches the public status page: a person's choice, else the operator's `auto_publish` rule
(incidents.status_page.published), and the lifecycle's publish and unpublish."""

from datetime import UTC, datetime, timedelta

from incidents import lifecycle, updates
from incidents.lifecycle import StatusWord
from incidents.severity import Severity
from incidents.status_page import AutoPublish, published
from settings.catalog import load_catalog
from tests.unit.test_config import LEVEL, ROOT, problems, write

OPENED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
RULE = AutoPublish(frozenset({Severity.SEV1}), timedelta(minutes=5))


def test_without_a_rule_nothing_is_published_until_a_person_publishes_it():
    late = OPENED + timedelta(days=1)
    assert not published(None, Severity.SEV1, OPENED, None, None, late)
    assert published(True, Severity.SEV3, OPENED, None, None, OPENED)


def test_the_rule_publishes_its_severities_once_open_its_minimum_age():
    assert not published(None, Severity.SEV1, OPENED, None, RULE, OPENED + timedelta(minutes=4, seconds=59))
    assert published(None, Severity.SEV1, OPENED, None, RULE, OPENED + timedelta(minutes=5))
    assert not published(None, Severity.SEV2, OPENED, None, RULE, OPENED + timedelta(hours=5))


def test_an_incident_that_flapped_shorter_than_the_minimum_age_never_reaches_the_page():
    flapped = OPENED + timedelta(seconds=4)
    assert not published(None, Severity.SEV1, OPENED, flapped, RULE, OPENED + timedelta(hours=1))
    assert published(None, Severity.SEV1, OPENED, OPENED + timedelta(minutes=6), RULE, OPENED + timedelta(hours=1))


def test_a_person_taking_it_off_wins_over_the_rule():
    assert not published(False, Severity.SEV1, OPENED, None, RULE, OPENED + timedelta(hours=1))


def test_publishing_and_unpublishing_are_on_the_timeline_once():
    lc = lifecycle.begin(opened_at=OPENED, problem_started_at=None, service="payment-service")
    shown = lifecycle.publish(lc, OPENED, by="alice")
    assert shown.lifecycle.published is True
    assert [e.message for e in shown.entries] == ["Published on the status page by alice"]
    assert lifecycle.publish(shown.lifecycle, OPENED, by="bob").entries == ()
    off = lifecycle.unpublish(shown.lifecycle, OPENED, by="bob")
    assert off.lifecycle.published is False and [e.kind for e in off.entries] == ["unpublished"]


def test_a_public_update_publishes_the_incident_a_private_one_does_not():
    lc = lifecycle.begin(opened_at=OPENED, problem_started_at=None, service="payment-service")
    private, _ = updates.post(lc, StatusWord.IDENTIFIED, "db-1 failover", OPENED, by="alice", every=None)
    assert private.lifecycle.published is None
    public, update = updates.post(
        lc, StatusWord.IDENTIFIED, "Payments fail", OPENED, by="alice", every=None, public=True
    )
    assert public.lifecycle.published is True and update.public
    assert public.entries[-1].message == "Published on the status page by alice with a public update"


def test_the_example_config_publishes_sev1_after_five_minutes():
    rule = load_catalog(ROOT / "config").status_page.auto_publish
    assert rule == AutoPublish(frozenset({Severity.SEV1}), timedelta(minutes=5))


def test_a_wrong_auto_publish_rule_names_its_field(tmp_path):
    services = "status_page:\n  auto_publish: {severities: [SEV9], after: soon}\nservices:\n"
    services += "  - name: api\n    default: true\n    escalation_policy:\n" + LEVEL
    write(tmp_path, services, "people:\n  - name: a\n")
    found = problems(tmp_path)
    assert any("status_page.auto_publish.severities" in p for p in found), found
    assert any('status_page.auto_publish.after: "soon" is not a duration' in p for p in found), found
