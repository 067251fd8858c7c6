"""Fuzzing the participant routes: whatever is posted, never a 5xx, never a bad stored value.

Hypothesis builds posts with random field names (also ones that look like items: ``a_``,
``t_``, ``p_``), random values (unicode, control characters, NUL bytes, numbers, empty, and
strings far over MAX_CONTENT_LENGTH), in random encodings (form-urlencoded, multipart, raw
bodies with odd content types), with and without a valid CSRF token. After every post, each
stored answer is a code of its statement's scale and each stored text fits
COMMENT_MAX_LENGTH. 429 (rate limited) and other 4xx are fine; 5xx never.

Some inputs broke only PostgreSQL (a NUL byte, which it cannot store or compare) or both
databases (a file where a text is expected, an id larger than a database integer). Random
posts seldom combine a real field of the right page with such a value, so the fuzzers always
try them too (``@example``), and a table below sends each one on its own. `make test` runs
this file on PostgreSQL as well.
"""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from assessment import content
from assessment.db import read_session
from assessment.models import Answer, Assessment, Comment, Respondent
from tests.assessment.test_errors import assert_friendly
from tests.helpers import Participant, csrf_token, login

FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])

#: Field names the forms really use, so the fuzzer often hits the real parsing paths.
REAL_NAMES = ("csrf_token", "action", "code", "start_key", "a_urgentie-1", "a_urgentie-3",
              "a_brede-welvaart-1", "t_urgentie", "t_sterkste-punt", "p_organisatietype",
              "p_rol")
#: Codes real and almost real: valid ones, out of range, other scales' ids, look-alikes.
CODES = ("1", "2", "3", "4", "5", "weet_niet", "nvt", "0", "6", "-1", "1.0", " 3", "5\x00",
         "NVT", "gemeente", "volgende", "vorige")

class Body(bytes):
    """A long raw body with a short repr."""

    def __repr__(self) -> str:
        return f"Body({len(self)} bytes)"


class Upload(bytes):
    """A file posted in a form field (sent as a file part in multipart, as text otherwise)."""

    def __repr__(self) -> str:
        return f"Upload({bytes(self)!r})"

    def as_file(self) -> FileStorage:
        """The file part: a text file named ``tekst.txt``."""
        return FileStorage(io.BytesIO(self), filename="tekst.txt", content_type="text/plain")


class Long(str):
    """A long value with a short repr, so Hypothesis can report it."""

    def __new__(cls, length: int) -> Long:
        return super().__new__(cls, "é" * length)

    def __repr__(self) -> str:
        return f"Long({len(self)})"


names = st.one_of(
    st.sampled_from(REAL_NAMES),
    st.text(max_size=40),
    st.builds(lambda prefix, rest: prefix + rest, st.sampled_from(("a_", "t_", "p_")),
              st.text(max_size=40)),
)
values = st.one_of(
    st.sampled_from(CODES),
    st.text(max_size=200),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=50),   # control chars
    st.integers().map(str),
    st.floats(allow_nan=True).map(str),
    st.just(""),
    st.just("\x00" * 10),
    st.sampled_from((1999, 2000, 2001, 5000, 300_000)).map(lambda n: Long(n)),
    st.builds(lambda text: "a" + text + "\x00b", st.text(max_size=20)),
    st.binary(max_size=50).map(lambda data: Upload(data)),
)
fields = st.lists(st.tuples(names, values), max_size=8)
encodings = st.sampled_from(("form", "multipart", "raw"))
raw_types = st.sampled_from((
    "", "text/plain", "application/json", "application/octet-stream",
    "application/x-www-form-urlencoded; charset=latin-1", "multipart/form-data",
    "application/x-www-form-urlencoded; charset=utf-16",
))
raw_bodies = st.one_of(st.binary(max_size=500), st.text(max_size=500).map(str.encode),
                       st.just(Body(b"a_urgentie-1=9&t_urgentie=" + b"x" * 300_000)))


@pytest.fixture
def app_config(app_config: dict[str, object]) -> dict[str, object]:
    """The test app without the join rate limit, so 429s do not hide other answers."""
    return {**app_config, "JOIN_RATE_LIMIT": "100000 per minute"}


def _post(client: FlaskClient, url: str, pairs: list[tuple[str, str]], encoding: str,
          token: str | None, raw: tuple[bytes, str]) -> int:
    """Post one generated request; its status code."""
    if encoding == "raw":
        body, content_type = raw
        response = client.post(url, data=body, content_type=content_type or None)
    else:
        if encoding == "multipart":
            data = MultiDict([(name, value.as_file() if isinstance(value, Upload) else value)
                              for name, value in pairs])
        else:
            data = MultiDict([(name, value.decode("latin-1") if isinstance(value, Upload)
                               else value) for name, value in pairs])
        if token is not None:
            data.add("csrf_token", token)
        if encoding == "multipart":
            # Encoded here, in memory: the test client would spool a big body to a file.
            boundary, body = encode_multipart(data)
            response = client.post(url, data=body,
                                   content_type=f"multipart/form-data; boundary={boundary}")
        else:
            response = client.post(url, data=data)
    return response.status_code


def assert_stored_values_valid(app: Flask) -> None:
    """Every stored answer is a code of its statement's scale; every text fits the limit."""
    with app.app_context():
        session = read_session()
        limit = int(app.config["COMMENT_MAX_LENGTH"])
        for assessment in session.scalars(select(Assessment)):
            questionnaire = content.for_assessment(assessment)
            codes = {s.id: set(questionnaire.statement_scale(s).answer_codes())
                     for s in questionnaire.statements()}
            answers = session.execute(
                select(Answer.statement_id, Answer.value).join(Respondent)
                .where(Respondent.assessment_id == assessment.id))
            for statement_id, value in answers:
                assert statement_id in codes, f"answer to unknown statement {statement_id!r}"
                assert value in codes[statement_id], f"{statement_id} stored {value!r}"
        for (text,) in session.execute(select(Comment.text)):
            assert len(text) <= limit, f"stored text of {len(text)} characters"


NO_RAW = (b"", "")


def _ok(status: int) -> None:
    assert status < 500, f"server error {status}"


@FUZZ
@given(route=st.sampled_from(("/", "/d/{code}", "/d/{code}x", "/d/", "/d/\x00")),
       pairs=fields, encoding=encodings, with_token=st.booleans(),
       raw=st.tuples(raw_bodies, raw_types))
@example(route="/", pairs=[("code", "ABC\x00")], encoding="form", with_token=True,
         raw=(b"", ""))
def test_joining_never_fails_on_any_post(app, open_assessment, route, pairs, encoding,
                                         with_token, raw):
    client = app.test_client()
    url = route.format(code=open_assessment["code"])
    token = csrf_token(client.get("/")) if with_token else None
    status = _post(client, url, pairs, encoding, token, raw)
    _ok(status)
    assert_stored_values_valid(app)


PAGE_IDS = ("intro", "profiel", "urgentie", "samenwerken", "context", "open-vragen",
            "overzicht", "bestaat-niet", "samenvatting")


@settings(FUZZ, max_examples=80)
@given(page_id=st.sampled_from(PAGE_IDS), pairs=fields, encoding=encodings,
       with_token=st.booleans(), raw=st.tuples(raw_bodies, raw_types))
@example(page_id="urgentie", pairs=[("t_urgentie", "a\x00b")], encoding="form",
         with_token=True, raw=NO_RAW)
@example(page_id="urgentie", pairs=[("t_urgentie", Upload(b"hallo"))], encoding="multipart",
         with_token=True, raw=NO_RAW)
@example(page_id="profiel", pairs=[("p_rol\x00", "x")], encoding="multipart",
         with_token=True, raw=NO_RAW)
def test_page_posts_never_fail_and_never_store_a_bad_value(app, participant, page_id, pairs,
                                                           encoding, with_token, raw):
    token = csrf_token(participant.client.get(participant.url("profiel"))) \
        if with_token else None
    status = _post(participant.client, participant.url(page_id), pairs, encoding, token, raw)
    _ok(status)
    assert_stored_values_valid(app)


@settings(FUZZ, max_examples=30)
@given(pairs=fields, encoding=encodings, with_token=st.booleans(),
       raw=st.tuples(raw_bodies, raw_types), wrong_token=st.booleans())
def test_submitting_never_fails(app, open_assessment, pairs, encoding, with_token, raw,
                                wrong_token):
    person = Participant(app.test_client())
    person.join(str(open_assessment["code"]))
    token = csrf_token(person.client.get(person.url("overzicht"))) if with_token else None
    url = f"/r/{person.token}{'x' if wrong_token else ''}/verzenden"
    status = _post(person.client, url, pairs, encoding, token, raw)
    _ok(status)
    assert_stored_values_valid(app)


def test_the_checks_catch_a_too_long_stored_text(app, open_assessment, participant):
    """The invariant check above can fail: a text over the limit is reported."""
    from assessment.db import write_transaction

    with app.app_context(), write_transaction() as session:
        respondent_id = session.scalar(select(Respondent.id))
        session.add(Comment(assessment_id=open_assessment["id"], respondent_id=respondent_id,
                            topic_id="urgentie", text="x" * 2001))
    with pytest.raises(AssertionError, match="2001 characters"):
        assert_stored_values_valid(app)


def test_a_multipart_part_without_a_name_is_refused(app, open_assessment, participant):
    # A nameless part becomes a None key in request.form; it is refused with 400 before the
    # CSRF check (which would trip over it) or any view reads the form.
    for part in (b"Content-Disposition: form-data", b'Content-Disposition: form-data; name="\r"'):
        body = b"--x\r\n" + part + b"\r\n\r\nhallo\r\n--x--\r\n"
        for url in ("/", f"/d/{open_assessment['code']}", participant.url("profiel"),
                    f"/r/{participant.token}/verzenden", "/begeleider/inloggen"):
            response = app.test_client().post(url, data=body,
                                              content_type="multipart/form-data; boundary=x")
            assert response.status_code == 400, (url, part)


# -- bad input, one at a time, on SQLite and PostgreSQL ---------------------------------


def _page_post(participant: Participant, **data: object) -> dict[str, object]:
    """A post of the "urgentie" page with its form token and ``data``."""
    token = csrf_token(participant.client.get(participant.url("urgentie")))
    return {"csrf_token": token, "action": "volgende", **data}


@pytest.mark.parametrize("url", [
    "/d/%00", "/d/AB%00CD", "/r/%00/profiel", "/?x=%00", "/?%00=x", "/begeleider/inloggen?next=%00",
    "/static/regiospiegel.css%00",
])
def test_a_nul_byte_in_the_address_is_refused(client, url):
    assert_friendly(client.get(url), 400)


def test_a_nul_byte_in_a_participant_text_is_refused_and_nothing_is_stored(app, participant):
    before = participant.client.get(participant.url("urgentie"))
    assert before.status_code == 200
    data = _page_post(participant, **{"t_urgentie": "Goed\x00idee", "a_urgentie-1": "4"})
    response = participant.client.post(participant.url("urgentie"), data=data)
    assert_friendly(response, 400)
    with app.app_context():
        assert read_session().scalar(select(Answer.id)) is None
        assert read_session().scalar(select(Comment.id)) is None


def test_a_nul_byte_in_a_login_or_a_join_code_is_refused(app, client, open_assessment):
    page = client.get("/begeleider/inloggen")
    response = client.post("/begeleider/inloggen", data={
        "csrf_token": csrf_token(page), "email": "begeleider@example.nl\x00",
        "password": "lang-genoeg-wachtwoord"})
    assert_friendly(response, 400)
    page = client.get("/")
    response = client.post("/", data={"csrf_token": csrf_token(page),
                                      "code": f"{open_assessment['code']}\x00"})
    assert_friendly(response, 400)


def test_a_nul_byte_in_a_cookie_or_a_json_body_is_refused(client):
    client.set_cookie("taal", "nl\x00")
    assert_friendly(client.get("/"), 400)
    client.delete_cookie("taal")
    for body in ('{"code": "AB\\u0000"}', '{"code": "AB\x00"}'):
        response = client.post("/", data=body, content_type="application/json")
        assert_friendly(response, 400)


def test_a_file_in_a_text_field_is_refused_and_nothing_is_stored(app, participant):
    data = _page_post(participant, t_urgentie=(io.BytesIO(b"Goed idee"), "tekst.txt"))
    response = participant.client.post(participant.url("urgentie"), data=data,
                                       content_type="multipart/form-data")
    assert_friendly(response, 400)
    with app.app_context():
        assert read_session().scalar(select(Comment.id)) is None


@pytest.mark.parametrize("number", [2**31, 2**63 - 1, 2**63, 2**64, 10**30, int("9" * 500)])
def test_an_id_larger_than_the_database_holds_is_not_found(app, open_assessment, number):
    browser = app.test_client()
    assert login(browser, "begeleider@example.nl", "lang-genoeg-wachtwoord").status_code == 302
    assert browser.get(f"/begeleider/scans/{open_assessment['id']}").status_code == 200
    for url in (f"/begeleider/scans/{number}", f"/begeleider/scans/{number}/export.csv",
                f"/begeleider/scans/{open_assessment['id']}/toelichtingen/{number}/aanpassen"):
        assert_friendly(browser.get(url), 404)
