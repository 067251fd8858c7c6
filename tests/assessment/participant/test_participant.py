"""The participant's path through the test client: join, every page, review, submit, resume."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from assessment import participation
from assessment.db import read_session
from assessment.models import Answer, Comment, Respondent
from questions.loader import CONTENT_DIR, load_questionnaire
from tests.helpers import Participant, csrf_token
from tests.loopback import checked_choices

QUESTIONNAIRE = load_questionnaire(CONTENT_DIR / "tien-lessen.nl.yaml")
LESSONS = QUESTIONNAIRE.lessons
LESSON_IDS = [lesson.id for lesson in LESSONS]
CONTEXT_STATEMENTS = [s for block in QUESTIONNAIRE.context_blocks for s in block.statements]
OPEN_IDS = [question.id for question in QUESTIONNAIRE.open_questions]
#: Every page of the path, in order.
PATH = ["intro", "profiel", *LESSON_IDS, "context", "open-vragen", "overzicht"]
SCALE_OPTIONS = ["1", "2", "3", "4", "5", "weet_niet", "nvt"]
BASE_URL = "http://regiospiegel.test"


# -- reading pages ----------------------------------------------------------------------


class ParsedPage(HTMLParser):
    """What a browser would show of a page: radio groups, checked options, texts, links."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.fieldsets: dict[str, dict[str, object]] = {}
        self.checked: dict[str, str] = {}
        self.textareas: dict[str, str] = {}
        self.links: list[str] = []
        self.definitions: list[tuple[str, str]] = []
        self.forms = 0
        self._fieldset: str | None = None
        self._textarea: str | None = None
        self._capture: list[str] | None = None
        self._capture_tag = ""
        self._term = ""
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.forms += 1
        elif tag == "fieldset":
            self._fieldset = a.get("id") or ""
            self.fieldsets[self._fieldset] = {"legend": "", "names": set(), "options": []}
        elif tag == "input" and a.get("type") == "radio":
            name, value = a["name"] or "", a["value"] or ""
            if self._fieldset is not None:
                group = self.fieldsets[self._fieldset]
                group["names"].add(name)  # type: ignore[attr-defined]
                group["options"].append(value)  # type: ignore[attr-defined]
            if "checked" in a:
                self.checked[name] = value
        elif tag == "textarea":
            self._textarea = a.get("name") or ""
            self.textareas[self._textarea] = ""
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
        if tag in ("legend", "dt", "dd"):
            self._capture, self._capture_tag = [], tag

    def handle_endtag(self, tag: str) -> None:
        if tag == "fieldset":
            self._fieldset = None
        elif tag == "textarea" and self._textarea is not None:
            # HTML drops the newline that opens a textarea's content.
            text = self.textareas[self._textarea]
            self.textareas[self._textarea] = text.removeprefix("\r\n").removeprefix("\n")
            self._textarea = None
        if tag == self._capture_tag and self._capture is not None:
            text = " ".join("".join(self._capture).split())
            if tag == "legend" and self._fieldset is not None:
                self.fieldsets[self._fieldset]["legend"] = text
            elif tag == "dt":
                self._term = text
            elif tag == "dd":
                self.definitions.append((self._term, text))
            self._capture, self._capture_tag = None, ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.textareas[self._textarea] += data
        if self._capture is not None:
            self._capture.append(data)


def parse(response) -> ParsedPage:
    """The response's page, parsed."""
    return ParsedPage(response.get_data(as_text=True))


# -- reading the database ---------------------------------------------------------------


def respondent_of(app, person: Participant) -> Respondent:
    """The stored respondent behind a participant's token."""
    with app.app_context():
        respondent = participation.find_respondent(person.token)
        assert respondent is not None
        return respondent


def stored_answers(app, person: Participant) -> dict[str, str]:
    """statement id → stored value, for one participant."""
    respondent_id = respondent_of(app, person).id
    with app.app_context():
        rows = read_session().execute(
            select(Answer.statement_id, Answer.value).where(Answer.respondent_id == respondent_id))
        return dict(rows.all())


def stored_texts(app, person: Participant) -> dict[str, str]:
    """topic id → stored free text, for one participant."""
    respondent_id = respondent_of(app, person).id
    with app.app_context():
        rows = read_session().execute(
            select(Comment.topic_id, Comment.text).where(Comment.respondent_id == respondent_id))
        return dict(rows.all())


def count(app, model) -> int:
    """The number of rows of ``model``."""
    with app.app_context():
        return read_session().scalar(select(func.count()).select_from(model))


def lesson_answers(lesson_index: int) -> dict[str, str]:
    """Distinct, recognisable answers for every statement of one lesson."""
    lesson = LESSONS[lesson_index]
    return {f"a_{s.id}": SCALE_OPTIONS[(lesson_index + i) % len(SCALE_OPTIONS)]
            for i, s in enumerate(lesson.statements)}


def progress_text(page_id: str) -> str:
    return f"Stap {PATH.index(page_id) + 1} van {len(PATH)}"


# -- joining ----------------------------------------------------------------------------


@pytest.mark.parametrize("typed", [
    pytest.param(lambda code: code.lower(), id="lower case"),
    pytest.param(lambda code: f"  {code[:3].lower()}-{code[3:].lower()} ", id="dash and spaces"),
    pytest.param(lambda code: " ".join(code.lower()), id="spaced out"),
    pytest.param(lambda code: f"{code[:2]} - {code[2:4]}-{code[4:]}", id="dashes"),
])
def test_start_page_normalises_the_typed_code(client, open_assessment, typed):
    code = str(open_assessment["code"])
    start = client.get("/")
    assert start.status_code == 200
    assert "Meedoen aan de Regiospiegel" in start.get_data(as_text=True)

    response = client.post("/", data={"csrf_token": csrf_token(start), "code": typed(code)})

    assert response.status_code == 302
    assert response.location == f"/d/{code}"


def test_welcome_page_shows_duration_and_anonymity(client, open_assessment):
    response = client.get(f"/d/{open_assessment['code']}")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Testscan" in html
    assert "Regio Test" in html
    assert f"Duur: ongeveer {QUESTIONNAIRE.texts.duration_minutes} minuten" in html
    assert "Anoniem: we vragen niet naar uw naam" in html
    assert ">Beginnen</button>" in html
    assert "Verder waar u was gebleven" not in html


def test_beginnen_starts_a_respondent_and_shows_the_personal_link(app, client, open_assessment):
    person = Participant(client)

    response = person.join(str(open_assessment["code"]))

    assert response.location == f"/r/{person.token}/intro"
    intro = client.get(response.location)
    assert intro.status_code == 200
    html = intro.get_data(as_text=True)
    assert progress_text("intro") in html
    assert QUESTIONNAIRE.texts.intro_title in html
    assert f'<a href="{BASE_URL}/r/{person.token}">{BASE_URL}/r/{person.token}</a>' in html
    assert f"/r/{person.token}/profiel" in parse(intro).links
    respondent = respondent_of(app, person)
    assert respondent.assessment_id == open_assessment["id"]
    assert respondent.last_page == "intro"
    assert respondent.submitted_at is None
    # The token itself is never stored, only its hash.
    assert respondent.token_hash != person.token


def test_the_join_page_never_offers_to_continue_what_this_browser_started(
        app, participant, open_assessment):
    """A laptop passed round the table: whoever opens the join link next starts afresh."""
    code = open_assessment["code"]
    participant.post_page("profiel", {"p_organisatietype": "gemeente", "p_rol": "ambtenaar"})

    welcome = participant.client.get(f"/d/{code}")

    assert welcome.status_code == 200
    html = welcome.get_data(as_text=True)
    assert "Verder waar u was gebleven" not in html
    assert participant.token not in html
    assert 'name="start_key"' in html
    started = participant.client.post(f"/d/{code}", data={
        "csrf_token": csrf_token(welcome), "start_key": "k" * 40})
    assert started.status_code == 302
    assert participant.token not in started.location
    assert count(app, Respondent) == 2
    first = participant.client.get(participant.url("profiel")).get_data(as_text=True)
    fresh = participant.client.get(started.location.replace("/intro", "/profiel"))
    assert checked_choices(first)["p_organisatietype"] == "gemeente"
    assert checked_choices(fresh.get_data(as_text=True)) == {}


def test_after_sending_in_the_browser_forgets_the_respondent(participant, open_assessment):
    participant.post_page("profiel", {"p_organisatietype": "gemeente", "p_rol": "ambtenaar"})
    with participant.client.session_transaction() as cookie:
        assert participant.token in cookie["respondents"].values()

    sent = participant.submit()

    assert sent.location == f"/r/{participant.token}/bedankt"
    with participant.client.session_transaction() as cookie:
        assert "respondents" not in cookie
        assert participant.token not in str(dict(cookie))
    thanks = participant.client.get(sent.location).get_data(as_text=True)
    summary = participant.client.get(participant.url("samenvatting")).get_data(as_text=True)
    assert "Bedankt!" in thanks and 'class="answers"' not in thanks  # no answer on the page
    assert 'class="answers"' in summary  # only one deliberate click further
    for page_id in ("overzicht", "profiel", "intro"):  # Back, on a shared computer
        back = participant.client.get(participant.url(page_id))
        assert back.location == f"/r/{participant.token}/bedankt"


def test_double_click_on_beginnen_creates_one_respondent(app, client, open_assessment):
    code = open_assessment["code"]
    welcome = client.get(f"/d/{code}")
    html = welcome.get_data(as_text=True)
    start_key = html.split('name="start_key" type="hidden" value="')[1].split('"')[0]
    data = {"csrf_token": csrf_token(welcome), "start_key": start_key}
    # A double click sends the second post before the first answer (and its cookie) arrives.
    cookie_before = client.get_cookie("session").value

    first = client.post(f"/d/{code}", data=data)
    client.set_cookie("session", cookie_before)
    second = client.post(f"/d/{code}", data=data)

    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    assert first.location.endswith("/intro")
    assert count(app, Respondent) == 1


def test_posting_beginnen_twice_in_a_row_creates_one_respondent(app, client, open_assessment):
    code = open_assessment["code"]
    welcome = client.get(f"/d/{code}")
    html = welcome.get_data(as_text=True)
    start_key = html.split('name="start_key" type="hidden" value="')[1].split('"')[0]
    data = {"csrf_token": csrf_token(welcome), "start_key": start_key}

    first = client.post(f"/d/{code}", data=data)
    second = client.post(f"/d/{code}", data=data)

    token = first.location.split("/")[2]
    assert first.status_code == second.status_code == 302
    assert second.location in (f"/r/{token}", f"/r/{token}/intro")
    assert count(app, Respondent) == 1


# -- the forms --------------------------------------------------------------------------


@pytest.mark.parametrize("lesson", LESSONS, ids=LESSON_IDS)
def test_lesson_page_has_one_radio_group_per_statement_and_a_comment_box(participant, lesson):
    response = participant.client.get(participant.url(lesson.id))

    assert response.status_code == 200
    page = parse(response)
    groups = {fid: g for fid, g in page.fieldsets.items() if fid.startswith("a_")}
    assert list(groups) == [f"a_{s.id}" for s in lesson.statements]
    for number, statement in enumerate(lesson.statements, start=1):
        group = groups[f"a_{statement.id}"]
        assert group["legend"] == f"{number}. {statement.text}"
        assert group["names"] == {f"a_{statement.id}"}
        assert group["options"] == SCALE_OPTIONS
    assert list(page.textareas) == [f"t_{lesson.id}"]
    assert page.checked == {}
    html = response.get_data(as_text=True)
    assert QUESTIONNAIRE.texts.comment_label in html
    assert f"Les {LESSON_IDS.index(lesson.id) + 1} van {len(LESSONS)}" in html
    assert 'value="volgende"' in html
    assert 'value="vorige"' in html


def test_profile_and_context_and_open_pages_are_built_from_the_questionnaire(participant):
    profile = parse(participant.client.get(participant.url("profiel")))
    context = parse(participant.client.get(participant.url("context")))
    open_page = parse(participant.client.get(participant.url("open-vragen")))

    assert list(profile.fieldsets) == [f"p_{q.id}" for q in QUESTIONNAIRE.profile]
    for question in QUESTIONNAIRE.profile:
        group = profile.fieldsets[f"p_{question.id}"]
        assert group["legend"] == question.label
        assert group["options"] == [option.id for option in question.options]
    assert list(context.fieldsets) == [f"a_{s.id}" for s in CONTEXT_STATEMENTS]
    assert all(g["options"] == SCALE_OPTIONS for g in context.fieldsets.values())
    assert list(open_page.textareas) == [f"t_{qid}" for qid in OPEN_IDS]
    assert open_page.fieldsets == {}


# -- the whole path ---------------------------------------------------------------------


def test_whole_path_from_code_to_thank_you(app, client, open_assessment):
    code = str(open_assessment["code"])
    start = client.get("/")
    typed = f" {code[:3].lower()}-{code[3:].lower()} "
    to_welcome = client.post("/", data={"csrf_token": csrf_token(start), "code": typed})
    assert to_welcome.location == f"/d/{code}"
    person = Participant(client)
    to_intro = person.join(code)
    intro = client.get(to_intro.location)
    assert progress_text("intro") in intro.get_data(as_text=True)
    assert f"{BASE_URL}/r/{person.token}" in intro.get_data(as_text=True)

    sent: dict[str, dict[str, str]] = {
        "profiel": {"p_organisatietype": "waterschap", "p_rol": "bestuurder"},
        **{lesson.id: lesson_answers(i) for i, lesson in enumerate(LESSONS)},
        # One context statement stays unanswered, to be found on the review page.
        "context": {f"a_{s.id}": "4" for s in CONTEXT_STATEMENTS[:-1]},
        "open-vragen": {f"t_{qid}": f"Antwoord op {qid}." for qid in OPEN_IDS},
    }
    sent["urgentie"]["t_urgentie"] = "Een toelichting\nover twee regels."
    for page_id, data in sent.items():
        shown = client.get(person.url(page_id))
        assert shown.status_code == 200
        assert progress_text(page_id) in shown.get_data(as_text=True)
        response = person.post_page(page_id, data, token=csrf_token(shown))
        assert response.status_code == 302
        assert response.location == person.url(PATH[PATH.index(page_id) + 1])
        assert respondent_of(app, person).last_page == page_id

    expected = {name.removeprefix("a_"): value
                for data in sent.values() for name, value in data.items() if name[:2] == "a_"}
    assert stored_answers(app, person) == expected
    assert count(app, Answer) == len(expected) == 10 * 4 + len(CONTEXT_STATEMENTS) - 1
    assert stored_texts(app, person) == {
        "urgentie": "Een toelichting\nover twee regels.",
        **{qid: f"Antwoord op {qid}." for qid in OPEN_IDS},
    }
    assert respondent_of(app, person).profile == {"organisatietype": "waterschap",
                                                 "rol": "bestuurder"}

    review = client.get(person.url("overzicht"))
    assert review.status_code == 200
    review_html = review.get_data(as_text=True)
    assert progress_text("overzicht") in review_html
    missing = CONTEXT_STATEMENTS[-1]
    assert f"/r/{person.token}/context?terug=overzicht#a_{missing.id}" in parse(review).links
    assert missing.text in review_html

    submitted = person.submit()
    assert submitted.status_code == 302
    assert submitted.location == f"/r/{person.token}/bedankt"
    assert "Bedankt!" in client.get(submitted.location).get_data(as_text=True)
    summary = client.get(f"/r/{person.token}/samenvatting")
    assert summary.status_code == 200
    summary_html = summary.get_data(as_text=True)
    assert "Bedankt!" in summary_html
    page = parse(summary)
    assert page.forms == 0
    assert page.fieldsets == {}
    assert page.textareas == {}
    shown = dict(page.definitions)
    labels = {"1": "Helemaal oneens", "2": "Oneens", "3": "Neutraal", "4": "Eens",
              "5": "Helemaal eens", "weet_niet": "Weet ik niet", "nvt": "Niet van toepassing"}
    for lesson in LESSONS:
        for statement in lesson.statements:
            assert shown[statement.text] == labels[expected[statement.id]]
    assert shown[missing.text] == "Niet beantwoord"
    assert "Een toelichting\nover twee regels." in summary_html
    for question in QUESTIONNAIRE.open_questions:
        assert shown[question.text] == f"Antwoord op {question.id}."
    respondent = respondent_of(app, person)
    assert respondent.submitted_at is not None
    assert respondent.last_page == "bedankt"


# -- saving on every button -------------------------------------------------------------

#: page id → a valid post for it.
FORM_PAGES = {
    "profiel": {"p_organisatietype": "provincie", "p_rol": "volksvertegenwoordiger"},
    **{lesson.id: {**lesson_answers(i), f"t_{lesson.id}": f"Over {lesson.title}."}
       for i, lesson in enumerate(LESSONS)},
    "context": {f"a_{s.id}": "2" for s in CONTEXT_STATEMENTS},
    "open-vragen": {f"t_{qid}": f"Tekst bij {qid}." for qid in OPEN_IDS},
}


def _expected_rows(data: dict[str, str]) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    answers = {k.removeprefix("a_"): v for k, v in data.items() if k.startswith("a_")}
    texts = {k.removeprefix("t_"): v for k, v in data.items() if k.startswith("t_")}
    profile = {k.removeprefix("p_"): v for k, v in data.items() if k.startswith("p_")}
    return answers, texts, profile


@pytest.mark.parametrize(("action", "step"), [("volgende", +1), ("vorige", -1)])
@pytest.mark.parametrize("page_id", list(FORM_PAGES))
def test_each_page_saves_on_either_button_and_moves(app, participant, page_id, action, step):
    data = FORM_PAGES[page_id]
    shown = participant.client.get(participant.url(page_id))
    assert progress_text(page_id) in shown.get_data(as_text=True)

    response = participant.post_page(page_id, data, action=action, token=csrf_token(shown))

    assert response.status_code == 302
    assert response.location == participant.url(PATH[PATH.index(page_id) + step])
    answers, texts, profile = _expected_rows(data)
    assert stored_answers(app, participant) == answers
    assert stored_texts(app, participant) == texts
    respondent = respondent_of(app, participant)
    assert respondent.profile == profile
    assert respondent.last_page == page_id


@pytest.mark.parametrize("page_id", list(FORM_PAGES))
def test_revisiting_a_page_shows_its_stored_answers(participant, page_id):
    data = FORM_PAGES[page_id]
    participant.post_page(page_id, data)

    page = parse(participant.client.get(participant.url(page_id)))

    assert page.checked == {k: v for k, v in data.items() if k[:2] in ("a_", "p_")}
    assert {k: v for k, v in page.textareas.items() if v} == {
        k: v for k, v in data.items() if k.startswith("t_")}


@pytest.mark.parametrize("page_id", PATH)
def test_every_page_of_the_path_shows_its_step(participant, page_id):
    response = participant.client.get(participant.url(page_id))

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert progress_text(page_id) in html
    assert f'max="{len(PATH)}" value="{PATH.index(page_id) + 1}"' in html


def test_answers_can_be_changed_until_submitted(app, participant):
    participant.post_page("urgentie", {"a_urgentie-1": "1", "a_urgentie-2": "2",
                                       "t_urgentie": "Eerste gedachte."})

    participant.post_page("urgentie", {"a_urgentie-1": "5", "a_urgentie-2": "nvt",
                                       "t_urgentie": "Tweede gedachte."})

    assert stored_answers(app, participant) == {"urgentie-1": "5", "urgentie-2": "nvt"}
    assert count(app, Answer) == 2
    assert stored_texts(app, participant) == {"urgentie": "Tweede gedachte."}
    assert count(app, Comment) == 1
    page = parse(participant.client.get(participant.url("urgentie")))
    assert page.checked == {"a_urgentie-1": "5", "a_urgentie-2": "nvt"}


def test_leaving_a_statement_out_keeps_its_stored_answer_and_empty_text_deletes(app,
                                                                              participant):
    participant.post_page("visie", {"a_visie-1": "3", "a_visie-2": "4", "t_visie": "Iets."})

    participant.post_page("visie", {"a_visie-2": "1", "t_visie": ""})

    assert stored_answers(app, participant) == {"visie-1": "3", "visie-2": "1"}
    assert stored_texts(app, participant) == {}


# -- review -----------------------------------------------------------------------------


def test_review_lists_unanswered_statements_with_links_to_their_anchor(participant):
    participant.post_page("urgentie", {f"a_{s.id}": "3" for s in LESSONS[0].statements})
    participant.post_page("visie", {"a_visie-1": "3", "a_visie-3": "weet_niet"})

    review = participant.client.get(participant.url("overzicht"))

    assert review.status_code == 200
    html = review.get_data(as_text=True)
    assert "U heeft nog niet alle stellingen beantwoord" in html
    links = [link for link in parse(review).links if "#a_" in link]
    expected = [f"/r/{participant.token}/{page_id}?terug=overzicht#a_{s.id}"
                for page_id, statements in [
                    *((lesson.id, lesson.statements) for lesson in LESSONS),
                    ("context", CONTEXT_STATEMENTS)]
                for s in statements
                if s.id not in {"urgentie-1", "urgentie-2", "urgentie-3", "urgentie-4",
                                "visie-1", "visie-3"}]
    assert links == expected
    assert LESSONS[1].statements[1].text in html
    assert LESSONS[1].statements[0].text not in html
    # The link's anchor is the id of the statement's radio group on that page.
    target = parse(participant.client.get(participant.url("visie")))
    assert "a_visie-2" in target.fieldsets


def test_a_page_opened_from_the_review_saves_and_goes_back_to_it(app, participant):
    """Its "Terug naar het overzicht" saves the page, even half answered, and returns."""
    review = participant.client.get(participant.url("overzicht")).get_data(as_text=True)
    assert f"/r/{participant.token}/visie?terug=overzicht#a_visie-1" in review
    shown = participant.client.get(participant.url("visie") + "?terug=overzicht")
    assert 'value="overzicht"' in shown.get_data(as_text=True)
    assert 'value="overzicht"' not in participant.client.get(
        participant.url("visie")).get_data(as_text=True)

    response = participant.client.post(
        participant.url("visie") + "?terug=overzicht",
        data={"csrf_token": csrf_token(shown), "action": "overzicht", "a_visie-2": "4"})

    assert response.status_code == 302
    assert response.location == participant.url("overzicht")
    assert stored_answers(app, participant) == {"visie-2": "4"}


def test_a_post_without_a_button_means_volgende(app, participant):
    """Enter in a field may send no button at all: the page is saved and the next follows."""
    shown = participant.client.get(participant.url("urgentie"))
    data = {f"a_{s.id}": "3" for s in LESSONS[0].statements}
    response = participant.client.post(participant.url("urgentie"),
                                       data={"csrf_token": csrf_token(shown), **data})
    assert response.location == participant.url(PATH[PATH.index("urgentie") + 1])
    assert stored_answers(app, participant) == {k.removeprefix("a_"): v for k, v in data.items()}


def test_review_says_all_answered_when_nothing_is_missing(participant):
    for i, lesson in enumerate(LESSONS):
        participant.post_page(lesson.id, lesson_answers(i))
    participant.post_page("context", FORM_PAGES["context"])

    html = participant.client.get(participant.url("overzicht")).get_data(as_text=True)

    assert "U heeft alle stellingen beantwoord." in html
    assert "#a_" not in html


# -- after submitting -------------------------------------------------------------------


def test_after_submit_pages_are_read_only(app, participant):
    participant.post_page("profiel", {"p_organisatietype": "gemeente", "p_rol": "ambtenaar"})
    participant.post_page("urgentie", {"a_urgentie-1": "2", "t_urgentie": "Vooraf."})
    token = csrf_token(participant.client.get(participant.url("visie")))
    assert participant.submit().status_code == 302

    for page_id, data in [
        ("urgentie", {"a_urgentie-1": "5", "a_urgentie-2": "5", "t_urgentie": "Achteraf."}),
        ("visie", {"a_visie-1": "1"}),
        ("profiel", {"p_organisatietype": "provincie", "p_rol": "bestuurder"}),
    ]:
        response = participant.post_page(page_id, data, token=token)
        assert response.status_code == 302
        assert response.location == f"/r/{participant.token}/bedankt"

    assert stored_answers(app, participant) == {"urgentie-1": "2"}
    assert stored_texts(app, participant) == {"urgentie": "Vooraf."}
    respondent = respondent_of(app, participant)
    assert respondent.profile == {"organisatietype": "gemeente", "rol": "ambtenaar"}
    assert respondent.last_page == "bedankt"
    for page_id in PATH:
        response = participant.client.get(participant.url(page_id))
        assert response.status_code == 302, page_id
        assert response.location == f"/r/{participant.token}/bedankt"
    resumed = participant.client.get(f"/r/{participant.token}")
    assert resumed.location == f"/r/{participant.token}/bedankt"
    summary = participant.client.get(f"/r/{participant.token}/samenvatting")
    assert "Bedankt!" in summary.get_data(as_text=True)
    assert parse(summary).forms == 0


def test_submitting_twice_keeps_the_first_submission(app, participant):
    participant.post_page("urgentie", {"a_urgentie-1": "4"})
    participant.submit()
    first = respondent_of(app, participant).submitted_at

    # The summary has no form; any page's token is this browser's token.
    token = csrf_token(participant.client.get("/"))
    again = participant.client.post(f"/r/{participant.token}/verzenden",
                                    data={"csrf_token": token})

    assert again.status_code == 302
    assert again.location == f"/r/{participant.token}/bedankt"
    assert respondent_of(app, participant).submitted_at == first


def test_summary_before_submitting_leads_to_the_review(participant):
    response = participant.client.get(f"/r/{participant.token}/samenvatting")

    assert response.status_code == 302
    assert response.location == participant.url("overzicht")


# -- resuming ---------------------------------------------------------------------------


def test_resume_link_in_a_fresh_browser_goes_to_the_last_page_saved(app, participant):
    participant.post_page("profiel", {"p_organisatietype": "partner", "p_rol": "partner"})
    participant.post_page("urgentie", lesson_answers(0))
    participant.post_page("visie", {"a_visie-2": "weet_niet", "t_visie": "Nog niet af."},
                          action="volgende")
    other_device = app.test_client()

    response = other_device.get(f"/r/{participant.token}")

    assert response.status_code == 302
    assert response.location == participant.url("visie")
    page = other_device.get(response.location)
    assert page.status_code == 200
    parsed = parse(page)
    assert parsed.checked == {"a_visie-2": "weet_niet"}
    assert parsed.textareas["t_visie"] == "Nog niet af."
    earlier = parse(other_device.get(participant.url("urgentie")))
    assert earlier.checked == lesson_answers(0)
    # The other device can go on saving with its own form.
    moved_on = Participant(other_device)
    moved_on.token = participant.token
    assert moved_on.post_page("visie", {"a_visie-1": "5"}).status_code == 302
    assert stored_answers(app, participant)["visie-1"] == "5"
    assert count(app, Respondent) == 1


def test_resume_link_of_a_fresh_respondent_goes_to_the_intro(app, participant):
    response = app.test_client().get(f"/r/{participant.token}")

    assert response.status_code == 302
    assert response.location == participant.url("intro")


def test_resume_after_going_back_goes_to_the_page_saved_with_vorige(participant):
    participant.post_page("urgentie", {"a_urgentie-1": "3"})
    participant.post_page("visie", {"a_visie-1": "3"}, action="vorige")

    response = participant.client.get(f"/r/{participant.token}")

    assert response.location == participant.url("visie")
