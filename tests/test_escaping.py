"""Stored XSS and friends: every user-controlled text arrives inert in every page and file.

A payload list (script tags, event handlers, attribute break-outs, ``javascript:`` URLs, CSS
injection, ``url(file:...)``, Jinja syntax and a spreadsheet formula) goes in through every
text a person can write: the assessment's region, title and organisations, participants'
comments and open answers, notes and conclusions, actions, a facilitator's name, and the
questionnaire content itself. Then every page, the exports and the PDF are read back.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

import reports
from assessment import create_app, db, management
from assessment.db import read_session
from assessment.extensions import limiter
from assessment.models import Assessment, Comment, Moderation
from questions.loader import CONTENT_DIR
from reports.build import report_context, report_html, report_key
from reports.render import html_to_pdf, make_fetcher
from tests.conftest import TEST_SETTINGS
from tests.helpers import Participant, csrf_token, login, moderate, pdf_text

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
BREAKOUT = '" onmouseover="alert(1)'
JS_URL = "javascript:alert(1)"
CSS = "</style><style>body{display:none}</style>"
FILE_URL = "url(file:///etc/passwd)"
JINJA = "j{{7*7}}j"
FORMULA = '=HYPERLINK("http://x")'
PAYLOADS = (SCRIPT, IMG, BREAKOUT, JS_URL, CSS, FILE_URL, JINJA, FORMULA)

#: All payloads in one text (under 200 characters, so it fits every field); it starts with
#: the formula, so the exports have to defuse it.
P = FORMULA + SCRIPT + IMG + BREAKOUT + " " + CSS + " " + FILE_URL + " " + JINJA
#: How the script tag looks when the text is shown escaped.
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"

ADMIN_EMAIL, ADMIN_PASSWORD = "beheer@example.nl", "lang-genoeg-wachtwoord"
LESSON = "urgentie"


class _Audit(HTMLParser):
    """Collects every place where markup from a payload would execute or restyle the page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._raw: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            text = (value or "").strip().lower()
            if name.startswith("on"):
                self.problems.append(f"<{tag}> has an event handler {name}={value!r}")
            if name in ("href", "src", "action", "formaction", "xlink:href", "data",
                        "poster", "srcset") and text.startswith(("javascript:", "data:text")):
                self.problems.append(f"<{tag} {name}={value!r}> runs a script URL")
            if name == "style" and ("display:none" in text.replace(" ", "")
                                    or "url(" in text):
                self.problems.append(f"<{tag} style={value!r}> carries injected CSS")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.problems.append("an injected <img src=x>")
        if tag in ("script", "style"):
            self._raw = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._raw:
            self._raw = None

    def handle_data(self, data: str) -> None:
        if self._raw == "script" and "alert(1)" in data:
            self.problems.append(f"injected script {data[:80]!r}")
        if self._raw == "style" and ("display:none" in data.replace(" ", "")
                                     or "passwd" in data):
            self.problems.append(f"injected style {data[:80]!r}")


def assert_inert(html: str, where: str) -> None:
    """No payload in ``html`` can run, restyle the page or render as a template."""
    assert SCRIPT not in html, f"{where}: raw script tag"
    assert "<img src=x" not in html.lower(), f"{where}: raw img tag"
    assert "<style>body{display:none}" not in html, f"{where}: raw style tag"
    assert "j49j" not in html, f"{where}: Jinja syntax in user text was evaluated"
    audit = _Audit()
    audit.feed(html)
    audit.close()
    assert not audit.problems, f"{where}: {audit.problems}"


def assert_shown(html: str, where: str) -> None:
    """The payload is visible on the page as literal, escaped text."""
    assert_inert(html, where)
    assert SCRIPT_ESCAPED in html, f"{where}: the payload is not shown as text"
    assert JINJA in html, f"{where}: the Jinja payload is not shown literally"


def _poisoned_questions(directory: Path) -> None:
    """The product's questionnaire with payloads in a lesson title, a statement and intros."""
    data = yaml.safe_load((CONTENT_DIR / "tien-lessen.nl.yaml").read_text(encoding="utf-8"))
    lesson = next(item for item in data["lessons"] if item["id"] == LESSON)
    lesson["title"] = "Urgentie " + P
    lesson["short_title"] = "Urgentie " + JINJA
    lesson["intro"] = "Intro " + P
    lesson["statements"][0]["text"] = "Stelling " + P
    data["texts"]["intro"] = "Welkom " + P
    data["title"] = "Vragenlijst " + P
    (directory / "tien-lessen.nl.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def poisoned(new_db_url: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[dict[str, object]]:
    """An app whose every user-controlled text carries the payloads, with enough answers.

    Built once for this module: the tests below only read what it stored.
    """
    tmp_path = tmp_path_factory.mktemp("escaping")
    db_url = new_db_url()
    questions_dir = tmp_path / "questions"
    questions_dir.mkdir()
    _poisoned_questions(questions_dir)
    app = create_app({**TEST_SETTINGS, "DATABASE_URL": db_url,
                      "REPORT_CACHE_DIR": str(tmp_path / "reports"),
                      "QUESTIONS_DIR": str(questions_dir)})
    with app.app_context():
        limiter.reset()
        management.create_facilitator(ADMIN_EMAIL, ADMIN_PASSWORD, name="Beheer " + P,
                                      is_admin=True)
    facilitator = app.test_client()
    assert login(facilitator, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 302
    form = facilitator.get("/begeleider/scans/nieuw")
    response = facilitator.post("/begeleider/scans/nieuw", data={
        "csrf_token": csrf_token(form), "region": P, "title": P,
        "questionnaire": "tien-lessen:nl", "previous": "",
        "organisations": "\n".join(PAYLOADS)})
    assert response.status_code == 302, response.get_data(as_text=True)
    assessment_id = int(response.location.rstrip("/").split("/")[-1])
    base = f"/begeleider/scans/{assessment_id}"
    # The prepare form saves the same texts again (its own path through the form).
    prepare = facilitator.get(f"{base}/voorbereiden")
    assert facilitator.post(f"{base}/voorbereiden", data={
        "csrf_token": csrf_token(prepare), "region": P, "title": P, "previous": "",
        "organisations": "\n".join(PAYLOADS)}).status_code == 302
    detail = facilitator.get(base)
    assert facilitator.post(f"{base}/status", data={
        "csrf_token": csrf_token(detail), "status": "open"}).status_code == 302

    with app.app_context():
        assessment = read_session().get(Assessment, assessment_id)
        assert assessment.region == P and assessment.organisations == "\n".join(PAYLOADS)
        code = assessment.join_code
    people = [Participant(app.test_client()) for _ in range(5)]
    for number, person in enumerate(people):
        person.join(code)
        person.post_page("profiel", {"p_organisatietype": "gemeente"})
        with app.app_context():
            questionnaire = _questionnaire(assessment_id)
        for lesson in questionnaire.lessons:
            answers = {f"a_{s.id}": str(1 + (number + i) % 5)
                       for i, s in enumerate(lesson.statements)}
            response = person.post_page(lesson.id, {**answers, f"t_{lesson.id}": P})
            assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        assert person.post_page("open-vragen", {
            f"t_{q.id}": P for q in questionnaire.open_questions}).status_code == 302
    last = people[-1]
    pages = {}
    for page_id in ("intro", "profiel", LESSON, "context", "open-vragen", "overzicht"):
        response = last.client.get(last.url(page_id))
        assert response.status_code == 200, page_id
        pages[page_id] = response.get_data(as_text=True)
    for person in people:
        assert person.submit().status_code == 302
    pages["samenvatting"] = last.client.get(f"/r/{last.token}/samenvatting").get_data(
        as_text=True)
    pages["welkom"] = app.test_client().get(f"/d/{code}").get_data(as_text=True)

    with app.app_context():
        for comment_id in read_session().scalars(
                select(Comment.id).where(Comment.assessment_id == assessment_id)):
            moderate(assessment_id, comment_id, Moderation.INCLUDED)

    discussion = facilitator.get(f"{base}/bespreking")
    prefix = f"les-{LESSON}-"
    assert facilitator.post(f"{base}/bespreking", data={
        "csrf_token": csrf_token(discussion), prefix + "notes": "Notitie " + P,
        prefix + "conclusion": "Conclusie " + P}).status_code == 302
    actions = facilitator.get(f"{base}/acties")
    for action in (P, JS_URL):
        assert facilitator.post(f"{base}/acties", data={
            "csrf_token": csrf_token(actions), "action": action, "owner": P,
            "term": JINJA + SCRIPT, "lesson": LESSON}).status_code == 302
    # Closed, so all five count in the results (open, the latest three would wait).
    detail = facilitator.get(base)
    assert facilitator.post(f"{base}/status", data={
        "csrf_token": csrf_token(detail), "status": "closed"}).status_code == 302
    yield {"app": app, "client": facilitator, "id": assessment_id, "base": base,
           "participant_pages": pages}
    app.extensions["regiospiegel.reports"].close()
    db.dispose(app)


def _questionnaire(assessment_id: int):  # type: ignore[no-untyped-def]
    from assessment import content

    return content.for_assessment(read_session().get(Assessment, assessment_id))


def test_participant_pages_show_questionnaire_and_answers_as_text(poisoned):
    pages = poisoned["participant_pages"]
    for name, html in pages.items():
        assert_inert(html, f"participant page {name}")
    # Questionnaire content: the welcome and intro texts, the lesson title, intro, statement.
    assert_shown(pages["welkom"], "welcome")
    assert_shown(pages["intro"], "intro")
    assert_shown(pages[LESSON], "lesson page")
    assert "Stelling =HYPERLINK" in pages[LESSON]
    # The participant's own comment comes back in its textarea, escaped.
    assert pages[LESSON].count(SCRIPT_ESCAPED) >= 4   # title, intro, statement, comment
    assert_shown(pages["open-vragen"], "open questions")
    assert_shown(pages["samenvatting"], "summary")


FACILITATOR_PAGES = {
    # page: whether the payload must be visible there (as text)
    "": True, "/voorbereiden": True, "/live": True, "/projector": True, "/agenda": True,
    "/bespreking": True, "/acties": True, "/toelichtingen": True, "/exporteren": True,
    "/uitnodiging": True, "/papier/invoeren": True, "/rapport": True,
}


def test_facilitator_pages_show_every_text_inert(poisoned):
    client: FlaskClient = poisoned["client"]
    base = poisoned["base"]
    index = client.get("/begeleider/")
    assert index.status_code == 200
    assert_shown(index.get_data(as_text=True), "index")
    for suffix, shown in FACILITATOR_PAGES.items():
        response = client.get(base + suffix)
        assert response.status_code == 200, suffix
        html = response.get_data(as_text=True)
        (assert_shown if shown else assert_inert)(html, base + suffix)
    admin = client.get("/beheer/")
    assert admin.status_code == 200
    html = admin.get_data(as_text=True)
    assert_shown(html, "/beheer/")
    assert "Beheer =HYPERLINK" in html


def test_the_organisation_named_javascript_url_is_never_a_link(poisoned):
    client: FlaskClient = poisoned["client"]
    html = client.get(poisoned["base"] + "/voorbereiden").get_data(as_text=True)
    assert JS_URL in html          # shown in the textarea, as text
    assert_inert(html, "prepare")
    actions = client.get(poisoned["base"] + "/acties").get_data(as_text=True)
    assert re.search(r">\s*javascript:alert\(1\)\s*<", actions), "the action is not shown"
    assert_inert(actions, "actions")


def test_discussion_texts_are_shown_escaped(poisoned):
    client: FlaskClient = poisoned["client"]
    base = poisoned["base"]
    discussion = client.get(base + "/bespreking").get_data(as_text=True)
    assert "Notitie =HYPERLINK" in discussion and "Conclusie =HYPERLINK" in discussion
    moderation = client.get(base + "/toelichtingen").get_data(as_text=True)
    assert moderation.count(SCRIPT_ESCAPED) >= 5   # the five participants' comments


def test_the_projector_shows_included_comments_inert_at_every_step(poisoned):
    client: FlaskClient = poisoned["client"]
    base = poisoned["base"]
    seen_comment = False
    total = client.get(base + "/projector.json").get_json()["total"]
    for _step in range(total + 1):   # every slide, and one click past the end
        for suffix in ("/projector", "/projector/dia", "/presentator"):
            assert_inert(client.get(base + suffix).get_data(as_text=True), base + suffix)
        html = client.get(base + "/projector/dia").get_data(as_text=True)
        comments = html.partition('<ul class="answers">')[2].partition("</ul>")[0]
        seen_comment = seen_comment or SCRIPT_ESCAPED in comments
        page = client.get(base + "/presentator")
        client.post(base + "/projector/stap", data={"csrf_token": csrf_token(page),
                                                     "stap": "volgende"})
    assert seen_comment


def test_live_json_is_data_not_markup(poisoned):
    response = poisoned["client"].get(poisoned["base"] + "/live.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    text = json.dumps(response.get_json())
    assert "j49j" not in text


def test_exports_carry_texts_literally_and_defuse_formulas(poisoned):
    client: FlaskClient = poisoned["client"]
    base = poisoned["base"]

    csv_response = client.get(base + "/export.csv")
    assert csv_response.status_code == 200
    cells = [cell for row in csv.reader(io.StringIO(csv_response.get_data(as_text=True)
                                                    .lstrip("\ufeff")), delimiter=";")
             for cell in row]
    cells += [cell for row in csv.reader(io.StringIO(csv_response.get_data(as_text=True)
                                                     .lstrip("\ufeff"))) for cell in row]
    assert any(P in cell for cell in cells), "the payload is not in the CSV"
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells), "a formula cell"

    xlsx_response = client.get(base + "/export.xlsx")
    assert xlsx_response.status_code == 200
    workbook = load_workbook(io.BytesIO(xlsx_response.data))
    values = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula in {sheet.title}!{cell.coordinate}"
                if isinstance(cell.value, str):
                    values.append(cell.value)
    assert any(P in value for value in values), "the payload is not in the XLSX"
    assert not any(value.startswith("=") for value in values)

    json_response = client.get(base + "/export.json")
    assert json_response.status_code == 200
    assert json_response.mimetype == "application/json"
    exported = json_response.get_data(as_text=True)
    assert P in _strings(json.loads(exported)), "JSON keeps the text exactly as written"
    assert "j49j" not in exported


def _strings(data: object) -> list[str]:
    """Every string value in decoded JSON."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        data = list(data.values())
    if isinstance(data, list):
        return [text for item in data for text in _strings(item)]
    return []


def _pdf_text(pdf: bytes) -> str:
    return pdf_text(pdf)


@pytest.mark.report_pdf
def test_the_pdf_report_prints_payloads_as_text_and_fetches_nothing(poisoned):
    app: Flask = poisoned["app"]
    static = Path(app.static_folder or "")
    with app.app_context():
        assessment = read_session().get(Assessment, poisoned["id"])
        html = report_html(report_context(assessment), static.resolve().as_uri() + "/")
        assert_shown(html, "report HTML")
        pdf = reports.jobs().render_now(report_key(html), html).read_bytes()
    text = re.sub(r"\s+", "", _pdf_text(pdf))
    assert "<script>alert(1)</script>" in text, "the payload is printed as literal text"
    assert "j{{7*7}}j" in text and "j49j" not in text
    assert "url(file:///etc/passwd)" in text
    assert b"root:" not in pdf

    # The same HTML in this process, with the app's fetcher watched: only static files
    # are asked for, and the payload's file URL never reaches the fetcher as a URL at all.
    fetcher = make_fetcher(static)
    asked: list[str] = []
    fetch = fetcher.fetch

    def watched(url: str, headers: object = None) -> object:
        asked.append(url)
        return fetch(url, headers)

    fetcher.fetch = watched
    html_to_pdf(html, static, fetcher=fetcher)
    assert asked, "the report's own stylesheet was fetched"
    assert all(url.startswith(static.resolve().as_uri()) for url in asked), asked
    assert not fetcher.refused
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    assert fetcher.refused == ["file:///etc/passwd"]
