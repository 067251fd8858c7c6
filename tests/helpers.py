"""Test helpers: a participant that clicks through pages like a browser would."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pypdfium2
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from assessment import discussion
from assessment.db import read_session
from assessment.demo import DEMO_JOIN_CODE as DEMO_JOIN_CODE
from assessment.demo import TRYOUT_JOIN_CODE as TRYOUT_JOIN_CODE
from assessment.models import Assessment, Moderation
from questions.loader import CONTENT_DIR, load_questionnaire
from reports.context import Numbers

#: The seeded demo (the ``demo`` fixture): the closed scan with 28 respondents comes first,
#: the open, empty try-out scan that participants join second.
DEMO_ID, TRYOUT_ID = 1, 2

_CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
_START_KEY = re.compile(r'name="start_key" type="hidden" value="([^"]+)"')

#: Files the tests read: frozen questionnaires and summaries from earlier versions.
TEST_DATA = Path(__file__).parent / "data"


@lru_cache(maxsize=16)
@lru_cache(maxsize=2)
def report_numbers(language: str = "nl") -> Numbers:
    """The report's number formats for the shipped questionnaire (bands from 3,0 and 4,0)."""
    return Numbers.of(load_questionnaire(CONTENT_DIR / "tien-lessen.nl.yaml"), language)


def pdf_pages(pdf: bytes) -> tuple[str, ...]:
    """The text of each page of a PDF, as a reader's copy-and-paste would give it.

    PDFium reads a page's text about twenty times faster than pypdf, which made the tests
    that read a rendered report spend most of their time extracting text. A line break is
    one newline, and a word the renderer hyphenated at a line end keeps its hyphen there
    ("be-" newline "spreken"), as it does on paper. Kept for the last PDFs read, since a
    module's tests often read one rendered report several times.
    """
    document = pypdfium2.PdfDocument(pdf)
    try:
        return tuple(_page_text(document[number]) for number in range(len(document)))
    finally:
        document.close()


def _page_text(page: pypdfium2.PdfPage) -> str:
    text_page = page.get_textpage()
    try:
        text = text_page.get_text_range()
    finally:
        text_page.close()
        page.close()
    # PDFium ends a line with CR LF and marks a hyphen it broke the word at with U+FFFE.
    return text.replace("\r\n", "\n").replace("\ufffe", "-\n")


def pdf_text(pdf: bytes) -> str:
    """The text of a whole PDF, page after page (see :func:`pdf_pages`)."""
    return "\n".join(pdf_pages(pdf))


def edited(text: str, *edits: tuple[str, str]) -> str:
    """``text`` with each (old, new) edit applied; ``old`` must occur exactly once."""
    for old, new in edits:
        assert text.count(old) == 1, f"edit target {old!r} is not unique"
        text = text.replace(old, new)
    return text


def line_of(text: str, needle: str) -> int:
    """The 1-based line holding ``needle``, which must occur exactly once."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) == 1, f"{needle!r} is on lines {hits}"
    return hits[0]


def accepted(invitation: str) -> str:
    """A personal link made in advance, begun with: the participant's own token (in an app
    context), as the welcome page's "Beginnen" gives it."""
    from assessment import participation

    own = participation.new_token()
    assert participation.accept_invitation(invitation, own)
    return own


def csrf_token(response: TestResponse) -> str:
    """The CSRF token in a rendered page."""
    match = _CSRF.search(response.get_data(as_text=True))
    assert match, "page has no CSRF token"
    return match.group(1)


def login(client: FlaskClient, email: str, password: str) -> TestResponse:
    """Log a facilitator in through the login form."""
    page = client.get("/begeleider/inloggen")
    return client.post("/begeleider/inloggen", data={
        "csrf_token": csrf_token(page), "email": email, "password": password})


class Participant:
    """A participant's browser: joins by code, then reads and posts pages."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.token = ""

    def join(self, code: str) -> TestResponse:
        """Open the join link and press "Beginnen"; remember the resume token."""
        welcome = self.client.get(f"/d/{code}")
        assert welcome.status_code == 200, welcome.status_code
        html = welcome.get_data(as_text=True)
        key = _START_KEY.search(html)
        assert key, "welcome page has no start button"
        response = self.client.post(f"/d/{code}", data={
            "csrf_token": csrf_token(welcome), "start_key": key.group(1)})
        assert response.status_code == 302, response.status_code
        self.token = response.location.split("/")[2]
        return response

    def url(self, page_id: str) -> str:
        """The URL of one of this participant's pages."""
        return f"/r/{self.token}/{page_id}"

    def post_page(self, page_id: str, data: dict[str, Any], action: str = "volgende",
                  token: str | None = None) -> TestResponse:
        """Load a page (for its CSRF token) and post ``data`` with a button."""
        if token is None:
            token = csrf_token(self.client.get(self.url(page_id)))
        return self.client.post(self.url(page_id),
                                data={"csrf_token": token, "action": action, **data})

    def submit(self) -> TestResponse:
        """Press "Antwoorden verzenden" on the review page."""
        review = self.client.get(self.url("overzicht"))
        return self.client.post(f"/r/{self.token}/verzenden",
                                data={"csrf_token": csrf_token(review)})


def text_ref(app: Any, comment_id: int, assessment_id: int = 1) -> str:
    """The reference the moderation pages use for a free text (never its database id)."""
    from assessment import discussion

    with app.app_context():
        return discussion.text_reference(assessment_id, comment_id)


def moderate(assessment_id: int, comment_id: int, moderation: Moderation) -> None:
    """Include or exclude a free text through the moderation page's own write (no actor).

    Call inside an app context.
    """
    discussion.set_moderation(read_session().get(Assessment, assessment_id), comment_id,
                              moderation, None)
