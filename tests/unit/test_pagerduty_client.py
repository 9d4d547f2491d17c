"""The PagerDuty client's Session reads the environment once, at start, for the URL it posts to."""

from workers.pagerduty import PagerDutyClient


def test_the_session_takes_proxy_and_ca_bundle_from_the_environment_once(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/corporate.pem")
    session = PagerDutyClient("https://events.pagerduty.com").session
    assert session.proxies.get("https") == "http://proxy.internal:3128"
    assert session.verify == "/etc/ssl/corporate.pem"
    assert session.trust_env is False  # not read again on every request


def test_a_host_in_no_proxy_is_reached_directly(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    session = PagerDutyClient("http://127.0.0.1:8080").session
    assert not session.proxies and session.verify is True
