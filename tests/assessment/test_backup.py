"""Raw answers leave only in an admin's backup: no facilitator gets them; backup and restore."""

from __future__ import annotations

import hashlib
import io
import json
import random
import re
import stat
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask, url_for
from sqlalchemy import func, select

import reports
from assessment import (
    backup,
    content,
    create_app,
    db,
    discussion,
    management,
    paper,
    report_texts,
    retention,
)
from assessment.anonymity import MIN_GROUP_SIZE
from assessment.db import read_session
from assessment.models import (
    Answer,
    Assessment,
    AuditEvent,
    Comment,
    LessonNote,
    Moderation,
    Respondent,
    Status,
)
from assessment.participation import PageAnswers
from assessment.results import assessment_summary, included_comments, submitted_responses
from tests.conftest import TEST_SETTINGS
from tests.helpers import (
    DEMO_ID,
    DEMO_JOIN_CODE,
    TRYOUT_ID,
    csrf_token,
    login,
    moderate,
    pdf_text,
)

DEMO = "/begeleider/scans/1"
BACKUP = f"/beheer/scans/{DEMO_ID}/back-up"
#: A text nobody included, which only the moderation pages may show to a facilitator.
SECRET_TEXT = "Geheim: alleen voor de moderatie"


@pytest.fixture
def other_app(new_db_url: Callable[[], str], tmp_path: Path) -> Iterator[Flask]:
    """A second installation with its own fresh database and one facilitator."""
    application = create_app({
        **TEST_SETTINGS, "DATABASE_URL": new_db_url(),
        "BASE_URL": "http://elders.test", "REPORT_CACHE_DIR": str(tmp_path / "other-reports")})
    with application.app_context():
        management.create_facilitator("nieuw@example.nl", "nieuw-wachtwoord")
    yield application
    application.extensions["regiospiegel.reports"].close()
    db.dispose(application)


@pytest.fixture
def admin(app: Flask, demo: None):
    """A browser logged in as an administrator (who owns no scan)."""
    with app.app_context():
        management.create_facilitator("beheer@example.nl", "beheerder-wachtwoord", is_admin=True)
    browser = app.test_client()
    login(browser, "beheer@example.nl", "beheerder-wachtwoord")
    return browser


def _backup(app: Flask, assessment_id: int = DEMO_ID, seed: int | None = None
            ) -> dict[str, object]:
    with app.app_context():
        assessment = read_session().get(Assessment, assessment_id)
        shuffle = None if seed is None else random.Random(seed)
        return json.loads(backup.backup_json(backup.backup_document(assessment,
                                                                    shuffle=shuffle)))


def _download(admin, reason: str = "Verhuizing naar de regio-installatie"):
    page = admin.get(BACKUP)
    return admin.post(BACKUP, data={"csrf_token": csrf_token(page), "reason": reason,
                                    "confirm": "y"})


def _import(app: Flask, path: Path, owner: str = "nieuw@example.nl"):
    return app.test_cli_runner().invoke(args=["import", str(path), "--owner", owner])


def _write(tmp_path: Path, document: dict[str, object] | str) -> Path:
    path = tmp_path / "backup.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document),
                    encoding="utf-8")
    return path


def _sealed(document: dict[str, object]) -> dict[str, object]:
    """The document with its checksum made to fit again, as a deliberate forger can."""
    return {**document, "checksum": backup.document_checksum(document)}


def _assessment_count(app: Flask) -> int:
    with app.app_context():
        return read_session().scalar(select(func.count()).select_from(Assessment))


def _events(app: Flask, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(read_session().scalars(select(AuditEvent).where(AuditEvent.action == action)))


# -- no facilitator gets raw answers -------------------------------------------------------


def _get_routes(app: Flask, prefix: str) -> list[tuple[str, str]]:
    """(endpoint, url) of every GET route of a blueprint, for the demo and its first text."""
    with app.test_request_context():
        arguments = {"assessment_id": DEMO_ID, "reference": discussion.text_reference(DEMO_ID, 1),
                     "facilitator_id": 1, "action_id": 1, "lesson_id": "urgentie", "step": 1,
                     "fmt": "csv"}
        return [(rule.endpoint, url_for(rule.endpoint, **{name: arguments[name]
                                                          for name in rule.arguments}))
                for rule in app.url_map.iter_rules()
                if rule.endpoint.startswith(prefix) and "GET" in (rule.methods or ())
                and not rule.endpoint.endswith("_pdf")]  # PDFs: the report, the blank form


def _readable(data: bytes) -> str:
    """A response body as text; a workbook's (a zip) as the text of all its parts."""
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    return data.decode("utf-8")


@pytest.mark.parametrize("role", ["owner", "co-facilitator"])
def test_no_facilitator_can_obtain_raw_answers(app, discussed_demo, role):
    with app.app_context():
        management.create_facilitator("collega@example.nl", "collega-wachtwoord")
        management.share(DEMO_ID, "collega@example.nl", None)
        first = read_session().scalars(select(Comment).order_by(Comment.id)).first()
        moderate(DEMO_ID, first.id, Moderation.EXCLUDED)
        with db.write_transaction() as session:
            session.get(Comment, first.id).text = SECRET_TEXT
        hashes = list(read_session().scalars(select(Respondent.token_hash)))
    browser = app.test_client()
    if role == "owner":
        login(browser, "demo@regiospiegel.nl", "demo-regiospiegel")
    else:
        login(browser, "collega@example.nl", "collega-wachtwoord")

    checked = set()
    for endpoint, url in _get_routes(app, "facilitator.") + _get_routes(app, "admin."):
        response = browser.get(url)
        body = _readable(response.data)
        if endpoint.startswith("admin."):
            assert response.status_code == 404, (endpoint, url)
            continue
        assert response.status_code < 500, (endpoint, url)
        downloaded = ("attachment" in response.headers.get("Content-Disposition", "")
                      or response.mimetype == "application/json")
        if downloaded or endpoint not in ("facilitator.moderation", "facilitator.redact"):
            assert SECRET_TEXT not in body, (endpoint, url)
        for key in ('"respondents"', '"answers"', '"profile"', '"submitted_at"',
                    '"started_on"'):
            assert key not in body, (endpoint, url, key)
        assert not any(token_hash in body for token_hash in hashes), (endpoint, url)
        checked.add(endpoint)
    assert {"facilitator.export_json", "facilitator.export_csv", "facilitator.export_xlsx",
            "facilitator.live_json", "facilitator.projector_json",
            "facilitator.moderation"} <= checked
    # Not by a form post either, with a valid form token.
    token = csrf_token(browser.get("/begeleider/"))
    response = browser.post(BACKUP, data={"csrf_token": token, "reason": "x", "confirm": "y"})
    assert response.status_code == 404
    assert _events(app, "backed_up") == []


# -- the admin's backup --------------------------------------------------------------------


def test_the_admin_reaches_the_backup_from_the_list_of_scans(admin):
    assert 'href="/beheer/scans"' in admin.get("/beheer/").get_data(as_text=True)
    page = admin.get("/beheer/scans").get_data(as_text=True)
    assert f'href="{BACKUP}"' in page
    assert "Regio Zwolle – casus Dalfsen" in page and "demo@regiospiegel.nl" in page


def test_the_backup_needs_a_confirmation_and_a_form_token(app, admin):
    page = admin.get(BACKUP)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "antwoorden en toelichtingen per deelnemer" in html
    assert "Back-up downloaden" in html
    token = csrf_token(page)
    unconfirmed = admin.post(BACKUP, data={"csrf_token": token, "reason": "verhuizing"})
    assert unconfirmed.status_code == 400
    assert "Vink aan dat u dit begrijpt." in unconfirmed.get_data(as_text=True)
    no_reason = admin.post(BACKUP, data={"csrf_token": token, "confirm": "y"})
    assert no_reason.status_code == 400
    no_token = admin.post(BACKUP, data={"reason": "verhuizing", "confirm": "y"})
    assert no_token.status_code == 400
    for response in (unconfirmed, no_reason, no_token):
        assert response.mimetype == "text/html"
    assert _events(app, "backed_up") == []
    assert admin.post("/beheer/scans/999/back-up", data={
        "csrf_token": token, "reason": "x", "confirm": "y"}).status_code == 404


def test_a_confirmed_backup_downloads_and_is_audited(app, admin):
    response = _download(admin)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="regiospiegel-backup-regio-zwolle-casus-dalfsen.json"')
    assert response.headers["Cache-Control"] == "no-store"
    document = json.loads(response.get_data(as_text=True))
    assert (document["format"], document["format_version"]) == ("regiospiegel.assessment", 3)
    assert document["checksum"] == backup.document_checksum(document)
    assert len(document["respondents"]) == 28
    [event] = _events(app, "backed_up")
    assert (event.facilitator_email, event.assessment_id) == ("beheer@example.nl", DEMO_ID)
    assert event.detail.startswith("28 respondents; left out organisatietype: ")
    assert event.detail.endswith("reason: Verhuizing naar de regio-installatie")


def test_the_backup_cuts_times_to_the_day_and_leaves_out_small_groups(app, demo):
    document = _backup(app)
    respondents = document["respondents"]
    # Demo groups: gemeente 14, waterschap 5, provincie 4, partner 4, anders 1; roles:
    # ambtenaar 13, bestuurder 10, partner 4, volksvertegenwoordiger 1.
    assert document["withheld_profile"] == {
        "organisatietype": ["anders", "partner", "provincie"],
        "rol": ["partner", "volksvertegenwoordiger"]}
    for question in ("organisatietype", "rol"):
        counts = Counter(r["profile"].get(question) for r in respondents)
        assert counts.pop(None) >= MIN_GROUP_SIZE
        assert counts and min(counts.values()) >= MIN_GROUP_SIZE
    assert Counter(r["profile"].get("organisatietype") for r in respondents) == {
        "gemeente": 14, "waterschap": 5, None: 9}
    with app.app_context():
        started = {r.created_at.date().isoformat() for r in
                   read_session().scalars(select(Respondent).where(
                       Respondent.assessment_id == DEMO_ID))}
    for respondent in respondents:
        assert set(respondent) == {"number", "source", "language", "profile", "last_page",
                                   "started_on", "submitted_on", "answers", "texts"}
        assert respondent["started_on"] in started and len(respondent["submitted_on"]) == 10
        assert all(set(answer) == {"statement", "value"} for answer in respondent["answers"])
        assert all(set(text) == {"topic", "text", "moderation"} for text in respondent["texts"])


def test_the_backup_puts_respondents_in_a_random_order(app, demo):
    with app.app_context():
        rows = read_session().execute(
            select(Answer.respondent_id, Answer.statement_id, Answer.value)
            .join(Respondent).where(Respondent.assessment_id == DEMO_ID))
        by_id: dict[int, dict[str, str]] = {}
        for respondent_id, statement, value in rows:
            by_id.setdefault(respondent_id, {})[statement] = value
    in_id_order = [by_id[key] for key in sorted(by_id)]
    expected = list(in_id_order)
    random.Random(7).shuffle(expected)
    document = _backup(app, seed=7)
    in_file = [{a["statement"]: a["value"] for a in r["answers"]}
               for r in document["respondents"]]
    assert in_file == expected != in_id_order
    assert [r["number"] for r in document["respondents"]] == list(range(1, 29))


# -- restoring -----------------------------------------------------------------------------


def test_an_admin_backup_round_trips_through_the_import_command(app, admin, discussed_demo,
                                                                other_app, tmp_path):
    path = _write(tmp_path, _download(admin).get_data(as_text=True))
    result = _import(other_app, path)
    assert result.exit_code == 0, result.output
    assert "imported 'Regio Zwolle – casus Dalfsen' as assessment 1" in result.output
    assert "28 respondents, 2 lesson notes, 2 actions" in result.output
    assert f"join code: {DEMO_JOIN_CODE}" in result.output
    assert "personal links of the old installation do not work here" in result.output

    with app.app_context():
        original_summary = assessment_summary(read_session().get(Assessment, DEMO_ID))
        original_texts = included_comments(DEMO_ID)
        original_hashes = set(read_session().scalars(select(Respondent.token_hash)))
    with other_app.app_context():
        imported = read_session().get(Assessment, 1)
        assert imported.owner.email == "nieuw@example.nl"
        assert assessment_summary(imported) == original_summary
        assert included_comments(1) == original_texts
        new_hashes = set(read_session().scalars(select(Respondent.token_hash)))
        assert len(new_hashes) == 28 and not new_hashes & original_hashes
        times = read_session().scalars(select(Respondent.submitted_at)).all()
        assert all((t.hour, t.minute, t.second, t.microsecond) == (0, 0, 0, 0) for t in times)
        [event] = read_session().scalars(select(AuditEvent).where(
            AuditEvent.action == "imported"))
        assert event.assessment_id == 1 and "nieuw@example.nl" in event.detail
        kept = imported.summary_snapshot
        assert kept is not None
        # A paper form typed in, or answering again: the summary follows the answers (the
        # types left out then count as none).
        paper.record(1, "papier-" + "x" * 40, PageAnswers(answers={"urgentie-1": "5"}), None)
        assert read_session().get(Assessment, 1).summary_snapshot is None
        # It counts once two more follow (steps of three: anonymity.py).
        assert assessment_summary(read_session().get(Assessment, 1)).respondents == 28
        demo = read_session().get(Assessment, 1)
        assert len(submitted_responses(1, content.for_assessment(demo))) == 29
        with db.write_transaction() as session:
            session.get(Assessment, 1).summary_snapshot = kept
        management.set_status(1, Status.OPEN)
        assert read_session().get(Assessment, 1).summary_snapshot is None


def test_the_backup_command_writes_a_private_file_and_audits(app, runner, demo, other_app,
                                                             tmp_path):
    target = tmp_path / "scan.json"
    result = runner.invoke(args=["backup", DEMO_JOIN_CODE, "-o", str(target),
                                 "--reason", "verhuizing"])
    assert result.exit_code == 0, result.output
    assert f"wrote {target}: 28 respondents; left out organisatietype" in result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    [event] = _events(app, "backed_up")
    assert event.facilitator_email == "" and "from the command line" in event.detail
    assert event.detail.endswith("reason: verhuizing")
    assert _import(other_app, target).exit_code == 0
    with app.app_context():
        original = assessment_summary(read_session().get(Assessment, DEMO_ID))
    with other_app.app_context():
        assert assessment_summary(read_session().get(Assessment, 1)) == original
    assert runner.invoke(args=["backup", "999"]).exit_code == 1


def test_import_with_a_taken_join_code_gets_a_new_one(app, runner, discussed_demo, tmp_path):
    path = _write(tmp_path, _backup(app))
    result = runner.invoke(args=["import", str(path), "--owner", "DEMO@regiospiegel.nl"])
    assert result.exit_code == 0, result.output
    assert (f"join code {DEMO_JOIN_CODE} is already used here; the new join code is"
            in result.output)
    with app.app_context():
        copy = read_session().scalar(select(Assessment).where(
            Assessment.id.not_in([DEMO_ID, TRYOUT_ID])))
        assert copy.join_code != DEMO_JOIN_CODE and len(copy.join_code) == 6
        assert assessment_summary(copy) == assessment_summary(
            read_session().get(Assessment, DEMO_ID))


def test_round_trip_of_a_purged_assessment_keeps_its_summary(app, demo, other_app, tmp_path):
    with app.app_context():
        management.set_status(DEMO_ID, Status.CLOSED)
        retention.purge(DEMO_ID, reason="test")
        summary = assessment_summary(read_session().get(Assessment, DEMO_ID))
    document = _backup(app)
    assert document["assessment"]["summary_snapshot"] and document["assessment"]["purged_at"]
    assert document["withheld_profile"] == {}  # purged profiles are empty
    assert _import(other_app, _write(tmp_path, document)).exit_code == 0
    with other_app.app_context():
        assert assessment_summary(read_session().get(Assessment, 1)) == summary


def _version_1(document: dict) -> dict:
    """A version 2 backup written as version 1 (exact times, submitted flags) would have."""
    old = {key: value for key, value in document.items()
           if key not in ("summary", "withheld_profile", "withheld_languages",
                          "report_texts", "checksum")}
    old["format_version"] = 1
    old["respondents"] = [
        {"number": r["number"], "source": r["source"], "language": r["language"],
         "profile": r["profile"], "last_page": r["last_page"],
         "submitted": r["submitted_on"] is not None,
         "created_at": f"{r['started_on']}T09:14:03.123456Z",
         "updated_at": f"{r['started_on']}T09:31:00Z",
         "submitted_at": r["submitted_on"] and f"{r['submitted_on']}T09:31:00Z",
         "answers": [{**a, "updated_at": f"{r['started_on']}T09:20:00Z"}
                     for a in r["answers"]],
         "texts": [{**t, "updated_at": f"{r['started_on']}T09:21:00Z"} for t in r["texts"]]}
        for r in document["respondents"]]
    return old


def test_a_version_1_file_still_imports_with_times_cut_to_the_day(app, demo, other_app,
                                                                  tmp_path):
    document = _backup(app)
    result = _import(other_app, _write(tmp_path, _version_1(document)))
    assert result.exit_code == 0, result.output
    with other_app.app_context():
        respondents = read_session().scalars(select(Respondent)).all()
        assert len(respondents) == 28
        assert all(r.created_at.hour == 0 and r.submitted_at.minute == 0 for r in respondents)
        answers = read_session().scalars(select(Answer.updated_at)).all()
        assert answers and all(t.hour == 0 for t in answers)


def test_characters_xml_forbids_in_a_file_are_taken_out_on_import(app, demo, other_app,
                                                                  tmp_path):
    document = _backup(app)
    with_text = next(r for r in document["respondents"] if r["texts"])
    with_text["texts"][0]["text"] = "eerst\ud800\uffff\u0001 dan"
    document["lesson_notes"] = [{"lesson": "urgentie", "notes": "a\udfffb", "conclusion": "",
                                 "updated_at": "2027-01-01T00:00:00Z"}]
    # json.dumps writes the lone surrogate as the escape a hand-edited file could hold.
    result = _import(other_app, _write(tmp_path, _sealed(document)))
    assert result.exit_code == 0, result.output
    with other_app.app_context():
        texts = set(read_session().scalars(select(Comment.text)))
        assert "eerst dan" in texts
        assert read_session().scalar(select(LessonNote.notes)) == "ab"


def test_a_tampered_file_is_refused(app, demo, other_app, tmp_path):
    document = _backup(app)
    snapshot = document["content"]["snapshot"]
    assert "Regionaal leiderschap" in snapshot
    document["content"]["snapshot"] = snapshot.replace("Regionaal leiderschap",
                                                       "Regionaal leiderschap!")
    result = _import(other_app, _write(tmp_path, _sealed(document)))
    assert result.exit_code == 1
    assert "does not match its content_hash" in result.output
    assert "changed after the backup" in result.output
    assert _assessment_count(other_app) == 0


def _break_answer(document):
    document["respondents"][0]["answers"][0]["value"] = "7"


def _unknown_statement(document):
    document["respondents"][0]["answers"][0]["statement"] = "bestaat-niet"


def _identity(document):
    document["respondents"][0]["token_hash"] = "ab" * 32


def _exact_time(document):
    document["respondents"][0]["submitted_on"] = "2027-03-01T09:31:00Z"


def _unknown_lesson_note(document):
    document["lesson_notes"] = [{"lesson": "bestaat-niet", "notes": "", "conclusion": "",
                                 "updated_at": "2027-01-01T00:00:00Z"}]


def _renumbered(document):
    document["respondents"][1]["number"] = 1


def _bad_schema(document):
    # A snapshot that is consistent with its hash but is not a questionnaire.
    document["content"]["snapshot"] = '{"id": "tien-lessen"}'
    document["content"]["content_hash"] = hashlib.sha256(b'{"id": "tien-lessen"}').hexdigest()


def _unknown_withheld(document):
    document["withheld_profile"] = {"organisatietype": ["bestaat-niet"]}


@pytest.mark.parametrize(("change", "message"), [
    (_break_answer, "'7' is not on the scale of"),
    (_unknown_statement, "answer to unknown statement 'bestaat-niet'"),
    (_identity, "respondents.0.token_hash: Extra inputs are not permitted"),
    (_exact_time, "respondents.0.submitted_on"),
    (_unknown_lesson_note, "lesson note on unknown lesson 'bestaat-niet'"),
    (_renumbered, "numbered 1, 2, 3"),
    (_bad_schema, "does not pass the questionnaire schema"),
    (_unknown_withheld, "'bestaat-niet' is not an option of profile question"),
])
def test_files_that_do_not_fit_are_refused(app, demo, other_app, tmp_path, change, message):
    document = _backup(app)
    change(document)
    result = _import(other_app, _write(tmp_path, _sealed(document)))
    assert result.exit_code == 1
    assert message in result.output
    assert _assessment_count(other_app) == 0


@pytest.mark.parametrize(("text", "message"), [
    ("not json", "the file is not JSON"),
    ('{"format": "iets anders"}', "this is not a Regiospiegel backup"),
    ('{"format": "regiospiegel.aggregates", "format_version": 1, "tables": []}',
     "holds no answers and cannot be restored"),
    ('{"format": "regiospiegel.assessment", "format_version": 4}', "update Regiospiegel"),
    ('{"format": "regiospiegel.assessment", "format_version": 3}', "version 3 but no checksum"),
    ('{"format": "regiospiegel.assessment", "format_version": 2}',
     "the file does not match the backup format: exported_at: Field required"),
])
def test_files_that_are_no_backup_are_refused(other_app, tmp_path, text, message):
    result = _import(other_app, _write(tmp_path, text))
    assert result.exit_code == 1
    assert message in result.output


def test_import_needs_a_known_owner(app, demo, other_app, tmp_path):
    path = _write(tmp_path, _backup(app))
    missing = other_app.test_cli_runner().invoke(args=["import", str(path)])
    assert missing.exit_code == 2
    assert "Missing option '--owner'" in missing.output
    unknown = _import(other_app, path, owner="niemand@example.nl")
    assert unknown.exit_code == 1
    assert "no facilitator with e-mail niemand@example.nl" in unknown.output
    assert _assessment_count(other_app) == 0


@pytest.mark.parametrize(("values", "left_out"), [
    (["a"] * 5 + ["b"] * 5, set()),
    (["a"] * 6 + ["b"] * 4, {"a", "b"}),           # b alone would follow from the rest
    (["a"] * 9 + ["b"] * 3 + ["c"] * 2, {"b", "c"}),
    (["a"] * 9 + ["b"] * 2 + ["c"] * 1 + ["d"] * 6, {"b", "c", "d"}),
    (["a"] * 9 + [None] * 3, set()),
    ([], set()),
])
def test_withheld_options(values, left_out):
    assert backup.withheld_options(values) == left_out


def test_report_texts_and_the_final_version_round_trip(app, demo, other_app, tmp_path):
    with app.app_context():
        assessment = read_session().get(Assessment, DEMO_ID)
        report_texts.save_report_texts(assessment, {
            report_texts.FOREWORD: report_texts.ReportTextInput("Ons voorwoord."),
            "urgentie": report_texts.ReportTextInput("Eigen advies.", "replace")}, None)
        report_texts.mark_final(assessment, report_texts.texts_version(DEMO_ID), None)
    document = _backup(app)
    assert [(t["part"], t["text"], t["mode"]) for t in document["report_texts"]] == [
        ("_voorwoord", "Ons voorwoord.", "replace"), ("urgentie", "Eigen advies.", "replace")]
    assert document["assessment"]["report_version"] == 1
    assert _import(other_app, _write(tmp_path, document)).exit_code == 0
    with other_app.app_context():
        texts = report_texts.report_texts(1)
        assert texts.foreword == "Ons voorwoord."
        assert texts.advice["urgentie"].mode is report_texts.AdviceMode.REPLACE
        status = report_texts.report_status(read_session().get(Assessment, 1))
        assert (status.state, status.version) == (report_texts.ReportState.FINAL, 1)
    # A file from before report texts (version 2, without a checksum) still reads.
    del document["report_texts"], document["checksum"]
    document["format_version"] = 2
    for key in ("commissioner", "report_version", "report_final_at"):
        del document["assessment"][key]
    assert _import(other_app, _write(tmp_path, document)).exit_code == 0


# -- nothing forged slips in ---------------------------------------------------------------


def _submitted_answers(document) -> list[dict[str, str]]:
    """The answers of the first respondent who sent in (they count in the summary)."""
    return next(r for r in document["respondents"] if r["submitted_on"])["answers"]


def _change_answer(document):
    answer = next(a for a in _submitted_answers(document) if a["value"] in "12345")
    answer["value"] = "1" if answer["value"] != "1" else "5"


def _drop_answer(document):
    del _submitted_answers(document)[0]


def _forge_summary(document, key="summary", owner=None):
    """Urgentie scored 1.5 in the summary (its answers give far more)."""
    place = owner if owner is not None else document
    summary = json.loads(place[key])
    lesson = next(x for x in summary["summary"]["lessons"] if x["lesson_id"] == "urgentie")
    assert lesson["mean"] > 3
    lesson["mean"] = 1.5
    place[key] = json.dumps(summary)


def _forge_kept_summary(document):
    """The summary kept with a scan whose answers stay (as an earlier restore keeps it)."""
    document["assessment"]["summary_snapshot"] = document["summary"]
    _forge_summary(document, "summary_snapshot", document["assessment"])


FORGERIES = [
    pytest.param(_change_answer, "the summary in the file does not agree with the answers",
                 id="changed-answer"),
    pytest.param(_drop_answer, "the summary in the file does not agree with the answers",
                 id="dropped-answer"),
    pytest.param(_forge_summary, "lesson 'urgentie' has score 1.5 in the file and ",
                 id="forged-summary"),
    pytest.param(_forge_kept_summary, "the summary kept with the scan in the file does not "
                 "agree with the answers in it (lesson 'urgentie' has score 1.5", id="forged-kept"),
]


@pytest.mark.parametrize(("forge", "message"), FORGERIES)
def test_a_changed_file_fails_its_checksum(app, demo, other_app, tmp_path, forge, message):
    document = _backup(app)
    forge(document)
    result = _import(other_app, _write(tmp_path, document))
    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert "does not match its checksum, so it was changed or damaged" in result.output
    assert _assessment_count(other_app) == 0


@pytest.mark.parametrize(("forge", "message"), FORGERIES)
def test_a_forged_file_with_a_fitting_checksum_fails_its_summary(app, demo, other_app,
                                                                  tmp_path, forge, message):
    document = _backup(app)
    forge(document)
    result = _import(other_app, _write(tmp_path, _sealed(document)))
    assert result.exit_code == 1
    assert result.output.count("\n") == 1  # one line
    assert message in result.output
    assert "changed after the backup" in result.output
    assert _assessment_count(other_app) == 0


def test_a_summary_counting_more_than_the_file_holds_is_refused(app, demo, other_app,
                                                                tmp_path):
    document = _backup(app)
    document["respondents"].pop()  # a whole respondent dropped
    for number, respondent in enumerate(document["respondents"], start=1):
        respondent["number"] = number
    result = _import(other_app, _write(tmp_path, _sealed(document)))
    assert result.exit_code == 1
    assert "counts 28 respondents but the file holds 27 who sent in" in result.output


def test_an_old_file_without_a_checksum_imports_with_a_remark(app, demo, other_app, tmp_path):
    document = _backup(app)
    del document["checksum"]
    document["format_version"] = 2
    result = _import(other_app, _write(tmp_path, document))
    assert result.exit_code == 0, result.output
    assert "the file is of format version 2, from before backups had a checksum" in (
        result.output)
    [event] = _events(other_app, "imported")
    assert "from before backups had a checksum" in event.detail
    # Its summary is still checked against its answers.
    _forge_summary(document)
    refused = _import(other_app, _write(tmp_path, document))
    assert refused.exit_code == 1 and "has score 1.5 in the file" in refused.output


def _purged_backup(app) -> dict[str, object]:
    with app.app_context():
        management.set_status(DEMO_ID, Status.CLOSED)
        retention.purge(DEMO_ID, reason="test")
    return _backup(app)


def test_a_purged_file_imports_marked_as_imported_figures(app, demo, other_app, tmp_path):
    document = _purged_backup(app)
    result = _import(other_app, _write(tmp_path, document))
    assert result.exit_code == 0, result.output
    assert "the answers were purged before the backup: the figures are the file's summary, " \
           "imported as they are and not computed here" in result.output
    with other_app.app_context():
        assert read_session().get(Assessment, 1).figures_imported_at is not None
    [event] = _events(other_app, "imported")
    assert "not computed here" in event.detail
    # A scan restored with its answers computes its own figures.
    with app.app_context():
        assert read_session().get(Assessment, DEMO_ID).figures_imported_at is None


def _add_answer(document):
    document["respondents"][0]["answers"] = [{"statement": "urgentie-1", "value": "5"}]


def _differing_summaries(document):
    _forge_summary(document)


@pytest.mark.parametrize(("change", "message"), [
    (_add_answer, "says the scan's answers were purged but it holds answers"),
    (_differing_summaries, "the two summaries in the file of a purged scan differ"),
])
def test_a_purged_file_that_was_changed_is_refused(app, demo, other_app, tmp_path, change,
                                                   message):
    document = _purged_backup(app)
    change(document)
    result = _import(other_app, _write(tmp_path, _sealed(document)))
    assert result.exit_code == 1
    assert message in result.output
    assert _assessment_count(other_app) == 0


@pytest.mark.report_pdf
def test_the_report_of_imported_figures_says_so_in_its_colophon(app, demo, tmp_path):
    from reports.build import report_context, report_html, report_key

    document = _purged_backup(app)
    result = app.test_cli_runner().invoke(args=["import", str(_write(tmp_path, document)),
                                                "--owner", "demo@regiospiegel.nl"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        copy = read_session().scalar(select(Assessment).where(
            Assessment.id.not_in([DEMO_ID, TRYOUT_ID])))
        static = Path(app.static_folder).resolve().as_uri() + "/"
        texts = []
        for assessment in (copy, read_session().get(Assessment, DEMO_ID)):
            html = report_html(report_context(assessment), static)
            pdf = reports.jobs().render_now(report_key(html), html).read_bytes()
            texts.append(" ".join(pdf_text(pdf).split()))
    # Words the PDF hyphenated at a line end, joined again.
    imported, original = (text.replace("- ", "") for text in texts)
    day = date.today().day
    assert re.search(rf"De cijfers in dit rapport zijn op {day} \w+ \d{{4}} uit een back-up "
                     "overgenomen. De antwoorden waren toen al verwijderd. De cijfers zijn "
                     "dus niet hier berekend", imported)
    assert "uit een back-up overgenomen" not in original


# -- the same limits as the forms -----------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(other_app, tmp_path):
    path = tmp_path / "groot.json"
    # Valid JSON, just too large (a 50 MB file used to import).
    path.write_text('{"format": "regiospiegel.assessment", "opvulling": "'
                    + "x" * backup.MAX_IMPORT_BYTES + '"}', encoding="utf-8")
    result = _import(other_app, path)
    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert "the file is larger than 32 MiB, the most a backup may be" in result.output


def _organisations(document, length):
    document["assessment"]["organisations"] = "x" * length


def _note(document, length):
    document["lesson_notes"] = [{"lesson": "urgentie", "notes": "x" * length,
                                 "conclusion": "", "updated_at": "2027-01-01T00:00:00Z"}]


def _action(document, length):
    document["actions"][0]["action"] = "x" * length


def _report_text(document, length):
    document["report_texts"] = [{"part": "_voorwoord", "text": "x" * length,
                                 "mode": "replace", "updated_at": "2027-01-01T00:00:00Z"}]


def _respondent_text(document, length):
    with_text = next(r for r in document["respondents"] if r["texts"])
    with_text["texts"][0]["text"] = "x" * length


def _region(document, length):
    document["assessment"]["region"] = "x" * length


@pytest.mark.parametrize(("change", "limit", "message"), [
    (_organisations, management.MAX_ORGANISATIONS_LENGTH,
     "assessment.organisations: Value error, has 5001 characters, more than the 5000 its "
     "form allows"),
    (_note, discussion.MAX_NOTES_LENGTH, "lesson_notes.0.notes: Value error, has 5001"),
    (_action, discussion.MAX_ACTION_LENGTH, "actions.0.action: Value error, has 1001"),
    (_report_text, report_texts.MAX_TEXT_LENGTH, "report_texts.0.text: Value error, has 5001"),
    (_region, management.MAX_REGION_LENGTH, "assessment.region: Value error, has 201"),
    (_respondent_text, discussion.MAX_REDACTED_LENGTH,
     "has 5001 characters, more than the 5000 a form allows"),
])
def test_every_field_keeps_to_the_limit_of_its_form(app, discussed_demo, other_app, tmp_path,
                                                   change, limit, message):
    document = _backup(app)
    change(document, limit + 1)
    result = _import(other_app, _write(tmp_path, _sealed(document)))
    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert message in result.output
    assert _assessment_count(other_app) == 0
    change(document, limit)
    result = _import(other_app, _write(tmp_path, _sealed(document)))
    assert result.exit_code == 0, result.output


def test_the_preparation_form_uses_the_limits_the_import_checks(app):
    from assessment.facilitator.forms import PrepareForm

    with app.test_request_context():
        form = PrepareForm(meta={"csrf": False})
        limits = {name: next(v.max for v in getattr(form, name).validators
                             if hasattr(v, "max"))
                  for name in ("region", "title", "commissioner", "organisations",
                               "invited_count")}
    assert limits == {"region": management.MAX_REGION_LENGTH,
                      "title": management.MAX_TITLE_LENGTH,
                      "commissioner": management.MAX_COMMISSIONER_LENGTH,
                      "organisations": management.MAX_ORGANISATIONS_LENGTH,
                      "invited_count": management.MAX_INVITED}
