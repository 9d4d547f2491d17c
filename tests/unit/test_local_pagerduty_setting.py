"""Where pages go by default: the built-in local sink on the embedded set-up, PagerDuty otherwise."""

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
