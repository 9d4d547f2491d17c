"""Forms that keep what people typed (#14 §3): a refused form answers 400 with every value as typed and every
error next to its field; long text is refused in the API's words, never cut; the person declaring commands."""

import html
import re

import pytest
import sqlalchemy as sa

from store.tables import incident_lifecycle, incidents, timeline
from tests.integration.acting import act, open_incident, snapshot
from tests.integration.signing_in import csrf_token, signed_in

pytestmark = pytest.mark.both_databases
LONG = "Rolled back the deploy. " * 417 + "Done"  # 10,012 characters: over the 10,000 a text may have


def post(client, path, **form):
    """A form of incident 1's page as a browser posts it, not followed."""
    token = csrf_token(client.get("/incidents/INC-1").get_data(as_text=True))
    return client.post(f"/incidents/INC-1/{path}", data={"csrf_token": token, **form})


def field(page: str, name: str) -> str:
    """The text of an input's value or a textarea's content, unescaped."""
    found = re.search(rf'<textarea id="{name}"[^>]*>(.*?)</textarea>', page, re.S) or re.search(
        rf'<input id="{name}"[^>]*value="([^"]*)"', page
    )
    return html.unescape(found.group(1))


def test_an_update_with_a_wrong_eta_comes_back_as_typed_with_the_error_beside_the_eta(client, engine):
    incident = open_incident(client, engine)
    signed_in(client, engine)
    before = snapshot(engine, incident.id)
    text = 'Failing over to the replica <b>"eu-2"</b>'
    answer = post(client, "updates", status="Monitoring", text=text, eta="when pigs fly", public="on")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert field(page, "update-text") == text and field(page, "update-eta") == "when pigs fly"
    assert re.search(r'<select id="update-status"[^>]*>.*<option selected>Monitoring</option>', page)
    assert re.search(r'<input type="checkbox" name="public" checked>', page)
    eta_error = re.search(r'id="update-eta-error" role="alert">([^<]+)<', page).group(1)
    assert eta_error and 'aria-describedby="update-eta-error"' in page
    assert "<b>" not in page.split('id="update-text"')[1].split("</textarea>")[0]  # typed text is data
    assert snapshot(engine, incident.id) == before


def test_text_over_the_limit_is_refused_in_the_api_words_and_kept_whole(client, engine):
    incident = open_incident(client, engine)
    signed_in(client, engine)
    before = snapshot(engine, incident.id)
    api = act(client, incident.number, "notes", text=LONG)
    words = api.get_json()["fields"]["text"]
    assert api.status_code == 400 and words == "At most 10,000 characters: this has 10,012. Shorten it."
    answer = post(client, "notes", text=LONG, pinned="on")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and words in page
    assert field(page, "note-text") == LONG  # every character typed, none cut
    assert 'maxlength="10000"' not in page  # a browser would cut it silently
    assert snapshot(engine, incident.id) == before


def test_every_wrong_field_of_a_form_is_named_at_once(client, engine):
    open_incident(client, engine)
    signed_in(client, engine)
    page = post(client, "severity", severity="SEV9", reason="").get_data(as_text=True)
    assert "Say why the severity changes." in page and "is not a severity" in html.unescape(page)
    assert page.count('aria-invalid="true"') == 2


def test_the_page_keeps_other_forms_empty_when_one_is_refused(client, engine):
    open_incident(client, engine)
    signed_in(client, engine)
    page = post(client, "notes", text=" ").get_data(as_text=True)
    assert "Write the note." in page and field(page, "update-text") == "" and field(page, "update-eta") == ""


def declare(client, **form):
    token = csrf_token(client.get("/incidents/new").get_data(as_text=True))
    return client.post("/incidents/new", data={"csrf_token": token, **form})


def commander_of(engine):
    with engine.connect() as conn:
        return conn.execute(sa.select(incident_lifecycle.c.commander)).scalar_one()


def test_a_refused_declaration_names_every_wrong_field_and_keeps_what_was_typed(client, engine):
    signed_in(client, engine)
    answer = declare(
        client, title="", service="nowhere", severity="SEV9", impact=LONG, found_by="a customer", commander="alice"
    )
    page = html.unescape(answer.get_data(as_text=True))
    assert answer.status_code == 400
    for words in (
        "Give the incident a title.",
        'no service called "nowhere"',
        "'SEV9' is not a severity",
        "At most 10,000 characters: this has 10,012.",
    ):
        assert words in page, words
    assert field(page, "declare-impact") == LONG and field(page, "declare-found-by") == "a customer"
    assert '<option value="alice" selected>alice</option>' in page
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(incidents)).scalar_one() == 0


def test_the_person_declaring_commands_unless_they_choose_another(client, engine):
    signed_in(client, engine)
    form = client.get("/incidents/new").get_data(as_text=True)
    assert '<option value="oncall-sre" selected>oncall-sre (you)</option>' in form
    assert declare(client, title="Checkout slow", service="payment-service", severity="SEV3", commander="oncall-sre")
    assert commander_of(engine) == "oncall-sre"
    with engine.connect() as conn:
        entry = conn.execute(
            sa.select(timeline.c.message, timeline.c.actor).where(timeline.c.kind == "commander")
        ).one()
    assert tuple(entry) == ("oncall-sre took command", "oncall-sre")


def test_a_declaration_can_name_another_commander_or_nobody(client, engine):
    signed_in(client, engine)
    declare(client, title="Checkout slow", service="payment-service", severity="SEV3", commander="alice")
    assert commander_of(engine) == "alice"
    with engine.begin() as conn:
        conn.execute(incident_lifecycle.delete())
        conn.execute(timeline.delete())
        conn.execute(sa.text("DELETE FROM pages"))
        conn.execute(incidents.delete())
    declare(client, title="Checkout slow", service="payment-service", severity="SEV3", commander="")
    assert commander_of(engine) is None


def folded_forms(page: str) -> dict[str, str]:
    """Each folded form of the page's cards (<details class="change">) by its action's last part: its tag and body."""
    found = re.findall(r'(<details class="change"[^>]*>.*?</details>)', page, re.S)
    return {re.search(r'action="/incidents/INC-1/(\w+)"', d).group(1): d for d in found if "action=" in d}


@pytest.mark.parametrize(
    ("path", "form", "typed", "error"),
    [
        ("severity", {"severity": "SEV1", "reason": " "}, "<option selected>SEV1</option>", "reason"),
        ("status", {"status": "Identified", "impact": LONG}, "<option selected>Identified</option>", "impact"),
        ("handover", {"to": "nobody-here"}, "", "to"),
        ("roles", {"role": "scribe", "person": "nobody-here"}, "<option selected>scribe</option>", "person"),
        ("responders", {"team": "nobody-here"}, "", "team"),
    ],
)
def test_a_refused_form_folded_in_a_card_comes_back_open_as_typed_with_its_error(
    client, engine, path, form, typed, error
):
    incident = open_incident(client, engine)
    signed_in(client, engine)
    before = snapshot(engine, incident.id)
    answer = post(client, path, **form)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    folded = folded_forms(page)
    assert folded[path].startswith('<details class="change" open>'), folded[path][:80]
    assert all(not body.startswith('<details class="change" open>') for name, body in folded.items() if name != path)
    assert re.search(r'<p class="error-text" id="\w+-' + error + r'-error" role="alert">[^<]+</p>', folded[path])
    assert 'aria-invalid="true"' in folded[path] and page.count('aria-invalid="true"') == 1
    assert typed in folded[path]
    if path == "status":
        assert field(page, "impact") == LONG  # every character typed, none cut
    assert snapshot(engine, incident.id) == before


def test_a_resolved_incident_shows_reopen_in_its_status_card(client, engine):
    incident = open_incident(client, engine)
    act(client, incident.number, "resolve")
    signed_in(client, engine)
    page = post(client, "reopen", reason="").get_data(as_text=True)
    card = re.search(r'<section id="state".*?</section>', page, re.S).group(0)
    assert 'action="/incidents/INC-1/reopen"' in card and 'id="reopen-reason-error"' in card
