"""The incident list's search, order and filters (#14 §4): free text over title, service, labels and number;
SEV1s first among open incidents; by severity or newest; by status word and phase."""

import pytest

from tests.integration.acting import act, open_incident
from tests.integration.signing_in import signed_in
from tests.integration.test_web_incident_pages import alertmanager, numbers_listed
from tests.support import READ

pytestmark = pytest.mark.both_databases


def listed(client, query: str) -> list[str]:
    return numbers_listed(client.get(f"/incidents?{query}").get_data(as_text=True))


def declare(client, title, severity="SEV3", service="production-api"):
    body = {"title": title, "service": service, "severity": severity}
    assert client.post("/api/incidents", headers=READ, json=body).status_code == 201


def test_the_search_finds_incidents_by_title_service_label_and_number(client, engine):
    alertmanager(client, instances=("db-7:9100", "db-8:9100"))  # INC-1, production-api
    declare(client, "Checkout slow for 100% of EU_users", service="payment-service")  # INC-2
    declare(client, "Login errors")  # INC-3
    signed_in(client, engine)
    assert listed(client, "q=checkout") == ["INC-2"]
    assert listed(client, "q=PAYMENT") == ["INC-2"]
    assert listed(client, "q=db-8") == ["INC-1"]  # an alert's label value
    assert listed(client, "q=instance%3Ddb-7") == ["INC-1"]  # name=value
    assert listed(client, "q=instance%3Dbd") == []
    assert listed(client, "q=INC-3") == ["INC-3"] and listed(client, "q=3") == ["INC-3"]
    assert listed(client, "q=errors+login") == ["INC-3"]  # every term must match
    assert listed(client, "q=100%25") == ["INC-2"] and listed(client, "q=EU_") == ["INC-2"]
    assert listed(client, "q=%25") == ["INC-2"]  # a % is a percent sign, not "anything"
    page = client.get("/incidents?q=%3Cscript%3E").get_data(as_text=True)
    assert "No incidents match." in page and "<script>" not in page


def test_a_search_says_how_many_match_on_each_page_and_past_the_last(client, engine):
    alertmanager(client, instances=("db-7:9100", "db-8:9100"))  # INC-1: the match is in its labels
    for n in range(26):
        declare(client, f"Disk full on db-{n}")  # INC-2 to INC-27
    declare(client, "Login errors")
    signed_in(client, engine)
    first = client.get("/incidents?q=db-").get_data(as_text=True)
    assert "27 incidents matching “db-”" in first and len(numbers_listed(first)) == 25 and "Page 1 of 2" in first
    second = client.get("/incidents?q=db-&page=2").get_data(as_text=True)
    assert "27 incidents matching" in second and numbers_listed(second) == ["INC-2", "INC-1"]
    past = client.get("/incidents?q=db-&page=3").get_data(as_text=True)
    assert "27 incidents matching" in past and numbers_listed(past) == []
    assert "0 incidents matching" in client.get("/incidents?q=nowhere").get_data(as_text=True)
    assert "1 incident matching" in client.get("/incidents?q=7%3A9100").get_data(as_text=True)  # a label alone


def test_sev1s_come_first_among_open_incidents_then_newest_then_resolved(client, engine):
    declare(client, "a", "SEV3")  # INC-1
    declare(client, "b", "SEV1")  # INC-2
    declare(client, "c", "SEV2")  # INC-3
    declare(client, "d", "SEV1")  # INC-4, resolved
    act(client, 4, "resolve")
    signed_in(client, engine)
    assert listed(client, "") == ["INC-2", "INC-3", "INC-1", "INC-4"]
    assert listed(client, "order=severity") == ["INC-4", "INC-2", "INC-3", "INC-1"]
    assert listed(client, "order=newest") == ["INC-4", "INC-3", "INC-2", "INC-1"]
    assert listed(client, "order=bogus") == ["INC-2", "INC-3", "INC-1", "INC-4"]


def test_the_list_filters_by_status_word_and_phase(client, engine):
    for key in ("a", "b", "c"):
        open_incident(client, engine, dedup_key=key)
    act(client, 1, "status", status="Identified")
    act(client, 2, "acknowledge")
    signed_in(client, engine)
    assert listed(client, "word=Identified") == ["INC-1"]
    assert listed(client, "word=Investigating") == ["INC-3", "INC-2"]
    assert listed(client, "phase=response") == ["INC-2"]
    assert listed(client, "phase=detection&q=INC-3") == ["INC-3"]
    assert len(listed(client, "phase=nonsense")) == 3  # an unknown value is ignored


def test_the_list_refreshes_itself_with_a_script_file(client, engine):
    signed_in(client, engine)
    page = client.get("/incidents").get_data(as_text=True)
    assert '<script src="/assets/list.js" defer></script>' in page and "data-list-live" in page
    assert client.get("/assets/list.js").status_code == 200
