"""What a participant's browser may send that it should not: wrong codes, tampered pages,
values outside the scale, double posts, expired forms, oversize and hostile text."""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from assessment import config, management, participation, questionnaire_files
from assessment.db import read_session
from assessment.models import Answer, Comment, Respondent, Status
from tests.helpers import Participant, csrf_token

GARBAGE_TOKEN = "IjBhZDg0ZjE3In0.ZZZZZZ.not-a-real-signature"
TRACEBACK_MARKERS = ("Traceback", "File \"", "werkzeug.exceptions", "sqlalchemy")


# -- helpers ----------------------------------------------------------------------------


class FormState(HTMLParser):
    """The radios a page shows checked and the text in its text boxes."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.checked: dict[str, str] = {}
        self.textareas: dict[str, str] = {}
        self._textarea: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "input" and a.get("type") == "radio" and "checked" in a:
            self.checked[a["name"] or ""] = a["value"] or ""
        elif tag == "textarea":
            self._textarea = a.get("name") or ""
            self.textareas[self._textarea] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            text = self.textareas[self._textarea]
            self.textareas[self._textarea] = text.removeprefix("\r\n").removeprefix("\n")
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.textareas[self._textarea] += data


def shown(response) -> FormState:
    return FormState(response.get_data(as_text=True))


def rows(app) -> dict[str, int]:
    """How many answers and comments are stored, in all."""
    with app.app_context():
        session = read_session()
        return {
            "answers": session.scalar(select(func.count()).select_from(Answer)),
            "comments": session.scalar(select(func.count()).select_from(Comment)),
        }


NOTHING = {"answers": 0, "comments": 0}


def respondent_of(app, person: Participant) -> Respondent:
    with app.app_context():
        respondent = participation.find_respondent(person.token)
        assert respondent is not None
        return respondent


def stored_answers(app, person: Participant) -> dict[str, str]:
    respondent_id = respondent_of(app, person).id
    with app.app_context():
        result = read_session().execute(
            select(Answer.statement_id, Answer.value).where(Answer.respondent_id == respondent_id))
        return dict(result.all())


def stored_texts(app, person: Participant) -> dict[str, str]:
    respondent_id = respondent_of(app, person).id
    with app.app_context():
        result = read_session().execute(
            select(Comment.topic_id, Comment.text).where(Comment.respondent_id == respondent_id))
        return dict(result.all())


def respondent_count(app) -> int:
    with app.app_context():
        return read_session().scalar(select(func.count()).select_from(Respondent))


def make_assessment(app, owner_id, status: Status | None) -> str:
    """Another assessment on the product's questionnaire, left in ``status``; its code."""
    from assessment.models import Assessment

    with app.app_context():
        questionnaire = questionnaire_files.available()[("tien-lessen", "nl")]
        assessment_id = management.create_assessment(owner_id, "Regio Elders", "Andere scan",
                                                     questionnaire)
        if status is not None:
            management.set_status(assessment_id, status)
        return read_session().get(Assessment, assessment_id).join_code


def assert_friendly(response, status: int, *texts: str) -> str:
    """The response has ``status``, says ``texts`` and shows no traceback; its HTML."""
    assert response.status_code == status
    html = response.get_data(as_text=True)
    for text in texts:
        assert text in html
    for marker in TRACEBACK_MARKERS:
        assert marker not in html
    return html


def unknown_code(known: str) -> str:
    """A well-formed join code that is not ``known``."""
    return "ZZZZZ2" if known != "ZZZZZ2" else "ZZZZZ3"


# -- join codes -------------------------------------------------------------------------


def test_unknown_code_on_the_start_page_is_a_friendly_404(client, open_assessment):
    start = client.get("/")

    response = client.post("/", data={"csrf_token": csrf_token(start),
                                      "code": unknown_code(str(open_assessment["code"]))})

    assert_friendly(response, 404, "Deze code kennen we niet")
    assert 'name="code"' in response.get_data(as_text=True)


@pytest.mark.parametrize("code", ["ZZZZZ2", "zzzzz2", "A" * 13, "%3Cscript%3E", "-"])
def test_unknown_code_in_the_join_link_is_a_friendly_404(client, open_assessment, code):
    if code.upper() == open_assessment["code"]:
        pytest.skip("random code happened to match")

    response = client.get(f"/d/{code}")

    assert_friendly(response, 404, "Deze code kennen we niet. Controleer de link of de code.")
    assert "<script>" not in response.get_data(as_text=True)


@pytest.mark.parametrize(("typed", "message"), [
    ("", "Vul de code in die u heeft gekregen."),
    ("K" * 21, "Deze code is te lang."),
])
def test_start_page_rejects_empty_or_overlong_input(client, open_assessment, typed, message):
    start = client.get("/")

    response = client.post("/", data={"csrf_token": csrf_token(start), "code": typed})

    assert_friendly(response, 200, message)
    assert "Deze code kennen we niet" not in response.get_data(as_text=True)


@pytest.mark.parametrize(("status", "message"), [
    (Status.DRAFT, "Deze scan is nog niet geopend."),
    (Status.CLOSED, "Deze scan is gesloten."),
])
def test_draft_or_closed_assessment_cannot_be_started(app, client, open_assessment,
                                                       status, message):
    code = make_assessment(app, open_assessment["owner_id"],
                           None if status is Status.DRAFT else status)
    start = client.get("/")

    via_start = client.post("/", data={"csrf_token": csrf_token(start), "code": code.lower()})
    assert via_start.location == f"/d/{code}"
    welcome = client.get(f"/d/{code}")
    html = assert_friendly(welcome, 200, message)
    assert 'name="start_key"' not in html
    assert ">Beginnen</button>" not in html

    started = client.post(f"/d/{code}", data={"csrf_token": csrf_token(start),
                                              "start_key": secrets.token_urlsafe(32)})

    assert_friendly(started, 409, message)
    assert respondent_count(app) == 0


def test_wrong_codes_are_rate_limited_but_right_codes_do_not_count(request, app_config):
    app_config["JOIN_RATE_LIMIT"] = "3 per minute"
    app = request.getfixturevalue("app")
    code = str(request.getfixturevalue("open_assessment")["code"])
    client = app.test_client()
    token = csrf_token(client.get("/"))

    def typed(value: str):
        return client.post("/", data={"csrf_token": token, "code": value})

    assert typed(unknown_code(code)).status_code == 404
    assert typed(unknown_code(code)).status_code == 404
    for _ in range(5):
        assert typed(code.lower()).status_code == 302
    assert typed(unknown_code(code)).status_code == 404

    limited = typed(unknown_code(code))

    assert_friendly(limited, 429, "Even wachten", "Er zijn te veel pogingen gedaan.")


def test_wrong_join_links_are_rate_limited_but_right_links_do_not_count(request, app_config):
    app_config["JOIN_RATE_LIMIT"] = "3 per minute"
    app = request.getfixturevalue("app")
    code = str(request.getfixturevalue("open_assessment")["code"])
    client = app.test_client()
    wrong = f"/d/{unknown_code(code)}"

    assert client.get(wrong).status_code == 404
    for _ in range(5):
        assert client.get(f"/d/{code}").status_code == 200
    assert client.get(wrong).status_code == 404
    assert client.get(wrong).status_code == 404

    limited = client.get(wrong)

    assert_friendly(limited, 429, "Even wachten")


def test_default_join_limit_allows_a_few_typos(app, client, open_assessment):
    code = str(open_assessment["code"])
    token = csrf_token(client.get("/"))

    for _ in range(5):
        response = client.post("/", data={"csrf_token": token, "code": unknown_code(code)})
        assert response.status_code == 404

    right = client.post("/", data={"csrf_token": token, "code": code})
    assert right.status_code == 302


# -- tampered pages ---------------------------------------------------------------------


@pytest.mark.parametrize("extra", [
    pytest.param({"a_bogus": "3"}, id="unknown statement"),
    pytest.param({"a_visie-1": "3"}, id="statement of another lesson"),
    pytest.param({"a_brede-welvaart-1": "3"}, id="context statement"),
    pytest.param({"t_visie": "tekst"}, id="comment of another lesson"),
    pytest.param({"t_sterkste-punt": "tekst"}, id="open question"),
    pytest.param({"p_rol": "ambtenaar"}, id="profile question"),
])
def test_tampered_items_are_refused_and_nothing_is_stored(app, participant, extra):
    response = participant.post_page("urgentie", {"a_urgentie-1": "4", "a_urgentie-2": "2",
                                                  "t_urgentie": "Geldig.", **extra})

    assert_friendly(response, 400, "Er is niets opgeslagen")
    assert rows(app) == NOTHING
    respondent = respondent_of(app, participant)
    assert respondent.last_page == "intro"
    assert respondent.profile == {}


def test_a_statement_page_posted_to_the_profile_page_is_refused(app, participant):
    response = participant.post_page("profiel", {"p_organisatietype": "gemeente",
                                                 "p_rol": "ambtenaar", "a_urgentie-1": "4"})

    assert_friendly(response, 400, "Er is niets opgeslagen")
    assert rows(app) == NOTHING
    assert respondent_of(app, participant).profile == {}


# -- values outside the scale -----------------------------------------------------------


@pytest.mark.parametrize("value", [
    "0", "6", "9", "-1", "abc", "", " ", "\t", "4 ", "weet niet", "NVT", "5" * 5000,
], ids=["0", "6", "9", "-1", "abc", "empty", "space", "tab", "4-space", "weet niet", "NVT",
        "very long"])
def test_values_outside_the_scale_are_refused_and_nothing_is_stored(app, participant, value):
    response = participant.post_page("urgentie", {"a_urgentie-1": value, "a_urgentie-2": "3",
                                                  "t_urgentie": "Geldig."})

    html = assert_friendly(response, 400, "Er is iets niet goed gegaan")
    assert 'class="error-message" id="a_urgentie-1-error"' in html
    assert rows(app) == NOTHING
    assert respondent_of(app, participant).last_page == "intro"


def test_a_value_outside_the_scale_keeps_the_earlier_answer(app, participant):
    participant.post_page("urgentie", {"a_urgentie-1": "2"})

    response = participant.post_page("urgentie", {"a_urgentie-1": "7"})

    assert response.status_code == 400
    assert stored_answers(app, participant) == {"urgentie-1": "2"}


@pytest.mark.parametrize(("data", "missing"), [
    ({"p_organisatietype": "gemeente"}, ["p_rol"]),
    ({"p_rol": "ambtenaar"}, ["p_organisatietype"]),
    ({}, ["p_organisatietype", "p_rol"]),
    ({"p_organisatietype": "gemeente", "p_rol": ""}, ["p_rol"]),
    ({"p_organisatietype": "koninkrijk", "p_rol": "ambtenaar"}, ["p_organisatietype"]),
])
def test_profile_page_needs_every_choice_and_stores_nothing_without(app, participant, data,
                                                                     missing):
    response = participant.post_page("profiel", data)

    html = assert_friendly(response, 400, "Er is iets niet goed gegaan")
    for name in missing:
        assert f'id="{name}-error"' in html
    assert respondent_of(app, participant).profile == {}
    assert respondent_of(app, participant).last_page == "intro"


def test_profile_page_missing_a_choice_says_kies_een_antwoord(participant):
    response = participant.post_page("profiel", {"p_organisatietype": "gemeente"})

    assert "Kies een antwoord." in response.get_data(as_text=True)
    assert shown(response).checked == {"p_organisatietype": "gemeente"}


# -- double posts and the back button ---------------------------------------------------


def test_the_same_page_posted_twice_keeps_one_row_per_statement_with_the_last_value(
        app, participant):
    token = csrf_token(participant.client.get(participant.url("urgentie")))
    first = {"a_urgentie-1": "1", "a_urgentie-2": "2", "t_urgentie": "Eerst."}
    second = {"a_urgentie-1": "5", "a_urgentie-2": "2", "a_urgentie-3": "nvt",
              "t_urgentie": "Daarna."}

    responses = [participant.post_page("urgentie", data, token=token)
                 for data in (first, second)]

    assert [r.status_code for r in responses] == [302, 302]
    assert stored_answers(app, participant) == {"urgentie-1": "5", "urgentie-2": "2",
                                                "urgentie-3": "nvt"}
    assert stored_texts(app, participant) == {"urgentie": "Daarna."}
    assert rows(app) == {"answers": 3, "comments": 1}


def test_an_old_page_reposted_after_going_on_overwrites_with_its_values(app, participant):
    old_form = participant.client.get(participant.url("urgentie"))
    participant.post_page("urgentie", {"a_urgentie-1": "1"}, token=csrf_token(old_form))
    participant.post_page("visie", {"a_visie-1": "4"})

    # Back button: the browser shows the old form and the participant posts it again.
    again = participant.post_page("urgentie", {"a_urgentie-1": "3", "a_urgentie-4": "4"},
                                  token=csrf_token(old_form))

    assert again.status_code == 302
    assert again.location == participant.url("visie")
    assert stored_answers(app, participant) == {"urgentie-1": "3", "urgentie-4": "4",
                                                "visie-1": "4"}
    assert rows(app)["answers"] == 3


# -- expired or missing forms -----------------------------------------------------------

POSTED = {"a_urgentie-1": "4", "a_urgentie-2": "weet_niet", "t_urgentie": "Mijn toelichting."}


def _assert_kept_and_then_saved(app, person: Participant, response) -> None:
    """An expired post shows its answers again, stores nothing, and its new form saves."""
    assert_friendly(response, 400, "Uw antwoorden zijn nog niet opgeslagen")
    state = shown(response)
    assert state.checked == {k: v for k, v in POSTED.items() if k.startswith("a_")}
    assert state.textareas == {"t_urgentie": POSTED["t_urgentie"]}
    assert rows(app) == NOTHING
    assert respondent_of(app, person).last_page == "intro"

    saved = person.post_page("urgentie", POSTED, token=csrf_token(response))

    assert saved.status_code == 302
    assert saved.location == person.url("visie")
    assert stored_answers(app, person) == {"urgentie-1": "4", "urgentie-2": "weet_niet"}
    assert stored_texts(app, person) == {"urgentie": "Mijn toelichting."}


@pytest.mark.parametrize("token", [GARBAGE_TOKEN, "", "x"], ids=["garbage", "empty", "short"])
def test_a_page_with_a_bad_csrf_token_keeps_the_answers_shown(app, participant, token):
    response = participant.post_page("urgentie", POSTED, token=token)

    _assert_kept_and_then_saved(app, participant, response)


def test_a_page_without_a_csrf_token_keeps_the_answers_shown(app, participant):
    response = participant.client.post(participant.url("urgentie"),
                                       data={"action": "volgende", **POSTED})

    _assert_kept_and_then_saved(app, participant, response)


def test_a_page_whose_browser_lost_its_cookie_keeps_the_answers_shown(app, participant):
    token = csrf_token(participant.client.get(participant.url("urgentie")))
    participant.client.delete_cookie("session")

    response = participant.post_page("urgentie", POSTED, token=token)

    _assert_kept_and_then_saved(app, participant, response)


def test_a_really_expired_page_keeps_the_answers_shown(request, app_config):
    app_config["WTF_CSRF_TIME_LIMIT"] = 1
    app = request.getfixturevalue("app")
    code = str(request.getfixturevalue("open_assessment")["code"])
    person = Participant(app.test_client())
    person.join(code)
    token = csrf_token(person.client.get(person.url("urgentie")))
    time.sleep(2.2)

    response = person.post_page("urgentie", POSTED, token=token)

    _assert_kept_and_then_saved(app, person, response)


def test_an_expired_page_with_a_wrong_value_stores_nothing_until_corrected(app, participant):
    response = participant.post_page("urgentie", {**POSTED, "a_urgentie-3": "6"},
                                     token=GARBAGE_TOKEN)

    html = assert_friendly(response, 400, "Er is iets niet goed gegaan")
    assert 'id="a_urgentie-3-error"' in html
    assert shown(response).checked["a_urgentie-1"] == "4"
    assert rows(app) == NOTHING

    corrected = participant.post_page("urgentie", {**POSTED, "a_urgentie-3": "2"},
                                      token=csrf_token(response))

    assert corrected.status_code == 302
    assert stored_answers(app, participant) == {"urgentie-1": "4", "urgentie-2": "weet_niet",
                                                "urgentie-3": "2"}


def test_forms_stay_valid_for_at_least_four_hours(app):
    four_hours = int(timedelta(hours=4).total_seconds())

    assert config.DEFAULTS["WTF_CSRF_TIME_LIMIT"] >= four_hours
    assert app.config["WTF_CSRF_TIME_LIMIT"] >= four_hours
    # The CSRF secret lives in the session cookie, so the session must last as long.
    assert app.config["PERMANENT_SESSION_LIFETIME"] >= timedelta(hours=4)


def test_submit_with_a_bad_csrf_token_is_refused(app, participant):
    response = participant.client.post(f"/r/{participant.token}/verzenden",
                                       data={"csrf_token": GARBAGE_TOKEN})

    assert_friendly(response, 400, "Het formulier was verlopen")
    assert respondent_of(app, participant).submitted_at is None


# -- text -------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["t_urgentie", "t_sterkste-punt"])
def test_an_oversize_text_is_refused_and_nothing_is_stored(app, participant, field):
    limit = app.config["COMMENT_MAX_LENGTH"]
    page_id = "urgentie" if field == "t_urgentie" else "open-vragen"
    data = {field: "x" * (limit + 1)}
    if page_id == "urgentie":
        data["a_urgentie-1"] = "4"

    response = participant.post_page(page_id, data)

    assert_friendly(response, 400, f"Uw tekst is te lang: maximaal {limit} tekens.")
    assert rows(app) == NOTHING


def test_a_text_of_exactly_the_maximum_length_is_stored(app, participant):
    limit = app.config["COMMENT_MAX_LENGTH"]

    response = participant.post_page("urgentie", {"t_urgentie": "y" * limit})

    assert response.status_code == 302
    assert stored_texts(app, participant) == {"urgentie": "y" * limit}


def test_a_text_the_browser_allowed_with_line_breaks_is_stored(app, participant):
    # A textarea's maxlength counts a line break as one character, but the browser sends
    # it as CR LF; a text at the limit with line breaks must not be refused.
    limit = app.config["COMMENT_MAX_LENGTH"]
    lines = ["regel"] * 10
    typed = "\n".join(lines)
    typed += "z" * (limit - len(typed))
    assert len(typed) == limit

    response = participant.post_page("urgentie", {"t_urgentie": typed.replace("\n", "\r\n")})

    assert response.status_code == 302
    assert stored_texts(app, participant) == {"urgentie": typed}


def test_a_post_larger_than_the_request_limit_is_a_friendly_413(app, participant):
    size = app.config["MAX_CONTENT_LENGTH"] + 1

    response = participant.post_page("urgentie", {"a_urgentie-1": "4", "t_urgentie": "x" * size})

    assert_friendly(response, 413, "Te veel tekst")
    assert rows(app) == NOTHING


HOSTILE = "<script>alert(1)</script> en <img src=x onerror=alert(1)>"


def test_hostile_text_is_stored_as_text_and_shown_escaped(app, participant):
    participant.post_page("urgentie", {"a_urgentie-1": "3", "t_urgentie": HOSTILE})
    participant.post_page("open-vragen", {"t_sterkste-punt": HOSTILE})

    assert stored_texts(app, participant) == {"urgentie": HOSTILE, "sterkste-punt": HOSTILE}
    for page_id in ("urgentie", "open-vragen"):
        html = participant.client.get(participant.url(page_id)).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html

    participant.submit()
    summary = participant.client.get(f"/r/{participant.token}/samenvatting")
    html = summary.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2
    assert html.count("&lt;img src=x onerror=alert(1)&gt;") == 2


# -- a closed assessment ----------------------------------------------------------------


def test_posting_to_a_closed_assessment_stores_nothing_and_says_closed(app, participant,
                                                                      open_assessment):
    participant.post_page("urgentie", {"a_urgentie-1": "2"})
    token = csrf_token(participant.client.get(participant.url("visie")))
    with app.app_context():
        management.set_status(int(open_assessment["id"]), Status.CLOSED)

    response = participant.post_page("visie", {"a_visie-1": "5", "t_visie": "Te laat."},
                                     token=token)
    overwrite = participant.post_page("urgentie", {"a_urgentie-1": "5"}, token=token)

    for posted in (response, overwrite):
        assert posted.status_code == 302
        assert posted.location == f"/r/{participant.token}/bedankt"
    assert stored_answers(app, participant) == {"urgentie-1": "2"}
    assert stored_texts(app, participant) == {}
    assert respondent_of(app, participant).last_page == "urgentie"
    summary = participant.client.get(response.location)
    assert_friendly(summary, 200, "Deze scan is gesloten",
                    "U kunt uw antwoorden niet meer wijzigen")
    assert participant.client.get(participant.url("visie")).location == response.location
    assert participant.client.get(f"/r/{participant.token}").location == response.location


def test_submitting_in_a_closed_assessment_does_not_submit(app, participant, open_assessment):
    review = participant.client.get(participant.url("overzicht"))
    with app.app_context():
        management.set_status(int(open_assessment["id"]), Status.CLOSED)

    response = participant.client.post(f"/r/{participant.token}/verzenden",
                                       data={"csrf_token": csrf_token(review)})

    assert response.status_code == 302
    assert respondent_of(app, participant).submitted_at is None
    summary = participant.client.get(response.location)
    assert "Deze scan is gesloten" in summary.get_data(as_text=True)


# -- unknown links ----------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/r/{random}",
    "/r/{random}/intro",
    "/r/{random}/urgentie",
    "/r/{random}/samenvatting",
    "/r/{long}",
    "/r/{token}/bestaat-niet",
    "/r/{token}/klaar",
])
def test_unknown_links_are_a_friendly_404(participant, path):
    url = path.format(random=secrets.token_urlsafe(32), long="x" * 300, token=participant.token)

    response = participant.client.get(url)

    assert_friendly(response, 404, "Pagina niet gevonden", "Controleer de link of de code.")


def test_posting_to_an_unknown_token_or_page_is_a_404_and_stores_nothing(app, participant):
    token = csrf_token(participant.client.get(participant.url("urgentie")))
    data = {"csrf_token": token, "action": "volgende", "a_urgentie-1": "4"}

    unknown_token = participant.client.post(f"/r/{secrets.token_urlsafe(32)}/urgentie",
                                            data=data)
    unknown_page = participant.client.post(participant.url("bestaat-niet"), data=data)
    unknown_submit = participant.client.post(f"/r/{secrets.token_urlsafe(32)}/verzenden",
                                             data={"csrf_token": token})

    for response in (unknown_token, unknown_page, unknown_submit):
        assert_friendly(response, 404, "Pagina niet gevonden")
    assert rows(app) == NOTHING
