"""Settings from the environment: where pages go by default (the built-in local sink on the embedded
set-up, PagerDuty otherwise), and the timings an operator may override."""

from datetime import timedelta

from incidents.timings import Timings
from settings import env


def test_the_embedded_defaults_page_the_built_in_local_sink_of_the_web_process():
    settings = env.load({"PORT": "9000"})
    assert settings.pagerduty_events_url == "http://127.0.0.1:9000/local-pagerduty"
    assert settings.local_pagerduty


def test_a_real_database_pages_pagerduty_itself():
    settings = env.load({"DATABASE_URL": "postgresql://db/incidents"})
    assert settings.pagerduty_events_url == "https://events.pagerduty.com"
    assert not settings.local_pagerduty


def test_a_routing_url_switches_the_local_sink_off():
    settings = env.load({"PAGERDUTY_EVENTS_URL": "https://events.eu.pagerduty.com/"})
    assert settings.pagerduty_events_url == "https://events.eu.pagerduty.com"
    assert not settings.local_pagerduty


def test_timings_default_to_the_policy_and_the_sweep_grace_can_be_overridden():
    assert env.load({}).timings == Timings()
    assert Timings().sweep_grace == timedelta(seconds=10) and Timings().ack_timeout == timedelta(minutes=30)
    assert env.load({"INCIDENTS_SWEEP_GRACE_SECONDS": "1.5"}).timings.sweep_grace == timedelta(seconds=1.5)
