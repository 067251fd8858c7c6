"""The PDF advice report: content equals the summary, a proper document, cache, fetcher, limits."""

from __future__ import annotations

import gc
import io
import os
import re
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

import reports
import reports.render
from assessment import discussion, management
from assessment.config import PROJECT_ROOT
from assessment.db import read_session, write_transaction
from assessment.exceptions import RenderTimeout
from assessment.models import Assessment, Comment, Moderation, Status
from assessment.results import assessment_summary
from reports.build import report_context, report_html, report_key, without_unrendered_space
from reports.render import (
    Renderer,
    RenderLimits,
    html_to_pdf,
    make_fetcher,
)
from tests.conftest import app_of_its_own
from tests.helpers import (
    DEMO_JOIN_CODE,
    Participant,
    login,
    moderate,
    pdf_pages,
    pdf_text,
    report_numbers,
)

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)> url(file:///etc/passwd)'


def _static(app) -> Path:
    return Path(app.static_folder)


def _pdf_for(app, assessment_id: int = 1) -> tuple[bytes, Assessment]:
    """Render an assessment's report through the app's jobs, synchronously."""
    with app.app_context():
        assessment = read_session().get(Assessment, assessment_id)
        html = report_html(report_context(assessment), _static(app).resolve().as_uri() + "/")
        path = reports.jobs().render_now(report_key(html), html)
        return path.read_bytes(), assessment


def _text(pdf: bytes) -> str:
    return pdf_text(pdf)


@pytest.fixture(scope="module")
def demo_pdf(new_db_url, tmp_path_factory, warm_renderer) -> Iterator[tuple[bytes, object]]:
    """The demo's report, with one included comment carrying an HTML/CSS payload.

    Rendered once for the module's tests, which only read it.
    """
    with app_of_its_own(new_db_url(with_demo=True), tmp_path_factory.mktemp("reports"),
                        warm_renderer) as app:
        with app.app_context():
            comment = read_session().scalar(
                select(Comment).where(Comment.topic_id == "leiderschap"))
            assert comment is not None
            moderate(1, comment.id, Moderation.INCLUDED)
            with write_transaction() as session:
                session.get(Comment, comment.id).text = PAYLOAD
        pdf, _assessment = _pdf_for(app)
        with app.app_context():
            summary = assessment_summary(read_session().get(Assessment, 1))
        yield pdf, summary


@pytest.mark.report_pdf
def test_every_lesson_score_and_band_in_the_pdf_equals_the_summary(app, demo_pdf):
    pdf, summary = demo_pdf
    text = re.sub(r"\s+", " ", _text(pdf))
    numbers = report_numbers("nl")
    bands = {"sterk": "Sterk", "aandacht": "Aandacht", "zorg": "Zorg"}
    for number, lesson in enumerate(summary.lessons, start=1):
        expected = (rf"{number}\. {re.escape(lesson.title)} "
                    rf"{re.escape(numbers.score(lesson.mean))}\s*· {bands[lesson.band]}\b")
        assert re.search(expected, text), expected
    assert re.search(rf"{re.escape(numbers.score(summary.overall_index))}\s*gemiddelde score",
                     text)


@pytest.mark.report_pdf
def test_the_pdf_is_a_proper_document(demo_pdf):
    pdf, _summary = demo_pdf
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 12
    assert reader.metadata.title == "Adviesrapport Regiospiegel: Regio Zwolle – casus Dalfsen"
    assert reader.metadata.author.startswith("Regiospiegel")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nl"
    assert "/StructTreeRoot" in root  # tagged for screen readers
    assert root["/MarkInfo"]["/Marked"]
    outline = [item.title for item in _flatten(reader.outline)]
    assert "Samenvatting voor bestuurders" in outline
    assert "1. Urgentie" in outline
    assert "Colofon" in outline
    assert root["/PageMode"] == "/UseOutlines"  # opens with the bookmarks pane
    assert all(page.mediabox.width == pytest.approx(595.28, abs=1) for page in reader.pages)
    text = _text(pdf)
    assert "Inhoud" in text and "Methode en anonimiteit" in text
    assert re.search(r"\b\d+ / \d+\b", text)  # page numbers
    fonts = {str(font) for page in reader.pages[:3]
             for font in (page["/Resources"].get("/Font") or {}).values()}
    assert fonts  # text is set in embedded fonts
    used = {str(f.get_object().get("/BaseFont")).split("+")[-1] for page in reader.pages
            for f in (page["/Resources"].get("/Font") or {}).values()}
    assert used and all(name.startswith("Open-Sans") for name in used), used


def _flatten(outline):
    for item in outline:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield item


@pytest.mark.report_pdf
def test_a_payload_in_a_comment_arrives_as_plain_text(demo_pdf):
    pdf, _summary = demo_pdf
    text = re.sub(r"\s+", " ", _text(pdf))
    assert '<script>alert("x")</script>' in text
    assert "onerror=alert(1)>" in text


def test_only_included_comments_appear(app, demo):
    with app.app_context():
        assessment = read_session().get(Assessment, 1)
        texts = {c.text for c in read_session().scalars(select(Comment))}
        html = report_html(report_context(assessment), "/static/")
    assert texts
    assert not any(text in html for text in texts)


@pytest.mark.report_pdf
def test_second_download_is_served_from_the_cache(app, facilitator_client):
    first = facilitator_client.get("/begeleider/scans/1/rapport.pdf")
    assert first.status_code == 202
    assert "Rapport wordt opgesteld" in first.get_data(as_text=True)
    jobs = app.extensions["regiospiegel.reports"]
    deadline = time.monotonic() + 60
    response = first
    while response.status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.3)
        response = facilitator_client.get("/begeleider/scans/1/rapport.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    renders = jobs.renders
    again = facilitator_client.get("/begeleider/scans/1/rapport.pdf")
    assert again.status_code == 200
    assert again.data == response.data
    assert jobs.renders == renders == 1
    status = facilitator_client.get("/begeleider/scans/1/rapport/status").get_json()
    assert status["state"] == "done"


@pytest.mark.report_pdf
def test_the_waiting_page_polls_the_version_it_waits_for(app, facilitator_client):
    """The script asks for the state of the render it waits for, by its key, so a poll does
    not build the report again; a scan that changes meanwhile does not lose that render."""
    waiting = facilitator_client.get("/begeleider/scans/1/rapport.pdf")
    assert waiting.status_code == 202
    status_url = unescape(re.search(
        r'data-status-url="([^"]+)"', waiting.get_data(as_text=True)).group(1))
    version = status_url.split("versie=", 1)[1]
    with app.app_context():
        assert version == report_key(report_html(
            report_context(read_session().get(Assessment, 1)),
            _static(app).resolve().as_uri() + "/"))
    deadline = time.monotonic() + 60
    state = ""
    while state != "done" and time.monotonic() < deadline:
        time.sleep(0.3)
        state = facilitator_client.get(status_url).get_json()["state"]
    assert state == "done"
    # Anything but a key asks for the report as it is now (done), never for a file by name.
    now = "/begeleider/scans/1/rapport/status"
    for not_a_version in ("../../../etc/passwd", version.upper(), version[:-1], "1" * 65):
        answer = facilitator_client.get(now, query_string={"versie": not_a_version})
        assert answer.status_code == 200 and answer.get_json()["state"] == "done"

    with app.app_context():  # the report as it would be now differs from the one rendered
        discussion.add_action(read_session().get(Assessment, 1), discussion.ActionInput(
            "Een werkbezoek bij het waterschap", "De griffier", "Voor de zomer", "urgentie"),
            None)
    assert facilitator_client.get(status_url).get_json()["state"] == "done"
    assert facilitator_client.get(now).get_json()["state"] == "none"
    assert facilitator_client.get(now, query_string={"versie": "../" + version}) \
        .get_json()["state"] == "none"


def test_html_preview_shows_the_same_numbers_as_the_dashboard(app, facilitator_client):
    preview = facilitator_client.get("/begeleider/scans/1/rapport").get_data(as_text=True)
    dashboard = facilitator_client.get("/begeleider/scans/1").get_data(as_text=True)
    with app.app_context():
        summary = assessment_summary(read_session().get(Assessment, 1))
    for lesson in summary.lessons:
        shown = report_numbers("nl").score(lesson.mean)
        assert shown in preview and shown in dashboard
    assert 'href="/static/report.css"' in preview


@pytest.mark.report_pdf
def test_a_closed_scan_s_report_is_not_provisional(app, demo, demo_pdf):
    pdf, _assessment = demo_pdf
    text = _text(pdf)
    assert "Voorlopig" not in text
    assert "Let op: een kleine groep." not in text  # 28 took part
    # Closed but not marked final: a concept, on the cover and in every page header.
    pages = [re.sub(r"\s+", " ", page) for page in pdf_pages(pdf)]
    assert "Concept" in pages[0] and "Definitief" not in text
    assert all("Concept · Regiospiegel" in page for page in pages[2:])
    # The technical identifiers are in the appendix, not on the cover nor in the colophon.
    with app.app_context():
        content_hash = read_session().get(Assessment, 1).content_hash
    assert content_hash not in pages[0] and "Inhoudshash" not in pages[0]
    appendix = next(i for i, page in enumerate(pages) if "Technische gegevens" in page)
    assert content_hash[:16] in " ".join(pages[appendix:appendix + 2])
    assert "Inhoudshash" not in pages[-1]


@pytest.mark.report_pdf
def test_a_small_group_is_cautioned_on_the_summary(app, open_assessment):
    for _ in range(3):
        person = Participant(app.test_client())
        person.join(str(open_assessment["code"]))
        person.post_page("urgentie", {"a_urgentie-1": "4", "a_urgentie-2": "5"})
        person.submit()
    with app.app_context():
        management.set_status(int(open_assessment["id"]), Status.CLOSED)
    pdf, _assessment = _pdf_for(app, int(open_assessment["id"]))
    text = re.sub(r"\s+", " ", _text(pdf)).replace("- ", "")
    assert "Let op: een kleine groep. Deze uitkomsten rusten op 3 deelnemers." in text


def test_report_pages_are_only_for_the_owner(app, client, demo):
    with app.app_context():
        management.create_facilitator("ander@example.nl", "een-ander-wachtwoord")
    login(client, "ander@example.nl", "een-ander-wachtwoord")
    for url in ("/begeleider/scans/1/rapport.pdf", "/begeleider/scans/1/rapport",
                "/begeleider/scans/1/rapport/status"):
        assert client.get(url).status_code == 404


@pytest.mark.report_pdf
def test_too_few_respondents_says_so_instead_of_numbers(app, open_assessment):
    for _ in range(2):
        person = Participant(app.test_client())
        person.join(str(open_assessment["code"]))
        person.post_page("urgentie", {"a_urgentie-1": "4", "a_urgentie-2": "5"})
        person.submit()
    pdf, _assessment = _pdf_for(app, int(open_assessment["id"]))
    text = re.sub(r"\s+", " ", _text(pdf))
    assert "Nog geen uitkomsten" in text
    assert "Er hebben 2 deelnemers" in text
    assert "Profiel van de 10 lessen" not in text


@pytest.mark.report_pdf
def test_waiting_results_say_why_not_that_too_few_took_part(app, open_assessment):
    """Four sent in while answering is open: the results wait for the step, and say so."""
    for _ in range(4):
        person = Participant(app.test_client())
        person.join(str(open_assessment["code"]))
        person.post_page("urgentie", {"a_urgentie-1": "4", "a_urgentie-2": "5"})
        person.submit()
    pdf, _assessment = _pdf_for(app, int(open_assessment["id"]))
    # One line of text, words split at the end of a line joined again.
    text = re.sub(r"\s+", " ", _text(pdf)).replace("- ", "")
    assert "Nog geen uitkomsten" in text
    assert "Er hebben 4 deelnemers hun antwoorden verzonden." in text
    # Four did: "pas vanaf 3 deelnemers" would contradict itself.
    assert "Uitkomsten verschijnen pas vanaf 3 deelnemers, zodat" not in text
    assert "lopen de uitkomsten in stappen van 3 deelnemers mee" in text
    # Still open: "Voorlopig" on the cover and in every page's header.
    pages = pdf_pages(pdf)
    assert len(pages) > 2 and all("Voorlopig" in page for page in pages)
    # The notes page, where the session's scores stand beside each lesson, says the same.
    client = app.test_client()
    login(client, "begeleider@example.nl", "lang-genoeg-wachtwoord")
    html = client.get(f"/begeleider/scans/{open_assessment['id']}/bespreking").get_data(
        as_text=True)
    assert "die verschijnen vanaf 3 verzonden antwoorden" not in html
    assert "tellen nu 0 van de 4 verzonden antwoorden" in html


def test_a_lesson_without_valid_answers_shows_insufficient_data(app, open_assessment):
    for _ in range(3):
        person = Participant(app.test_client())
        person.join(str(open_assessment["code"]))
        person.post_page("urgentie", {f"a_urgentie-{i}": "weet_niet" for i in range(1, 5)})
        person.post_page("visie", {f"a_visie-{i}": "4" for i in range(1, 5)})
        person.submit()
    with app.app_context():
        # Closed, so the three count (open, they would wait for three more).
        management.set_status(int(open_assessment["id"]), Status.CLOSED)
        assessment = read_session().get(Assessment, int(open_assessment["id"]))
        html = report_html(report_context(assessment), "/static/")
    section = html[html.index('id="les-urgentie"'):html.index('id="les-visie"')]
    assert "Onvoldoende gegevens" in section
    # The signal, never a share of a lesson without a score.
    assert "Informatietekort: veel antwoorden zijn ‘weet ik niet’." in section
    assert "%" not in section


@pytest.mark.report_pdf
def test_very_long_region_and_title_render(app, open_assessment):
    with app.app_context(), write_transaction() as session:
        assessment = session.get(Assessment, int(open_assessment["id"]))
        assessment.region = "Samenwerkingsverband" * 10
        assessment.title = "Ondergrondsebodemdalingsbestrijdingsprogramma " * 4
    pdf, _assessment = _pdf_for(app, int(open_assessment["id"]))
    assert "Samenwerkingsverband" in _text(pdf)


def test_the_fetcher_serves_only_static_files(app, tmp_path):
    fetcher = make_fetcher(_static(app))
    css = (_static(app) / "report.css").resolve().as_uri()
    assert b"@page" in fetcher.fetch(css).read()
    for url in ("file:///etc/passwd", "http://example.com/x.css", "https://example.com/f.ttf",
                (_static(app) / ".." / "config.py").resolve().as_uri(), "data:text/css,body{}"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert "file:///etc/passwd" in fetcher.refused


def test_a_report_referring_to_files_and_urls_fetches_nothing(app):
    fetcher = make_fetcher(_static(app))
    html = ('<html lang="nl"><head><title>t</title>'
            '<link rel="stylesheet" href="http://example.com/evil.css">'
            '<style>body { background: url(file:///etc/passwd) }</style></head>'
            '<body><img src="file:///etc/passwd" alt="x"><p>Hallo</p></body></html>')
    pdf = html_to_pdf(html, _static(app), fetcher=fetcher)
    assert pdf.startswith(b"%PDF")
    assert "file:///etc/passwd" in fetcher.refused
    assert "http://example.com/evil.css" in fetcher.refused
    assert b"root:" not in pdf


def test_the_worker_renders_with_the_garbage_collector_paused_and_on_again_after(app, monkeypatch):
    collector_on = []

    def render(html: str, static_dir: Path) -> bytes:
        collector_on.append(gc.isenabled())
        if html == "fails":
            raise RuntimeError("the render failed")
        return b"%PDF"

    monkeypatch.setattr(reports.render, "html_to_pdf", render)
    assert reports.render._render_collected("<p>Hallo</p>", _static(app)) == b"%PDF"
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        reports.render._render_collected("fails", _static(app))
    assert gc.isenabled()
    assert collector_on == [False, False]


@pytest.mark.parametrize(("html", "expected"), [
    ("<table>\n  <tr>\n    <th>a</th>\n    <td>1</td>\n  </tr>\n</table>",
     "<table><tr><th>a</th><td>1</td></tr></table>"),
    ("<section>\n  <h3>Kop</h3>\n  <ul>\n    <li>een</li>\n  </ul>\n</section>",
     "<section><h3>Kop</h3><ul><li>een</li></ul></section>"),
    # Spaces between inline elements and inline blocks, and in comments, show: they stay.
    ("<p>een <strong>twee</strong> <span>drie</span>\n<a href='#x'>vier</a></p>", None),
    ('<p class="lesson-score">3,4</p> <dl class="key-figures">\n <dt>n</dt> <dd>5</dd></dl>',
     None),
    ('<blockquote class="comment"><span>(2×)</span>\n</blockquote>', None),
])
def test_the_report_html_loses_only_whitespace_no_page_shows(html, expected):
    assert without_unrendered_space(html) == (html if expected is None else expected)


def test_the_report_renders_with_weasyprints_user_agent_sheet_less_the_unused_rules():
    from weasyprint.html import UA

    trimmed = reports.render.report_ua_text(UA)
    assert trimmed is not None, "WeasyPrint's user-agent stylesheet changed: review the trim"
    removed = set(UA.splitlines()) - set(trimmed.splitlines())
    assert removed and all(line.startswith(("::footnote-", "::note-", "::marker {"))
                           for line in removed)
    assert "li::marker {" in trimmed
    assert reports.render.report_ua_text("li { display: list-item }\n") is None


def test_the_lighter_user_agent_sheet_renders_the_same_pdf_as_weasyprints_own(app):
    from weasyprint import HTML

    html = ('<html lang="nl"><head><title>t</title><link rel="stylesheet" href="report.css">'
            '</head><body><h2>Kop</h2><ol><li>een</li><li>twee<ul><li>drie</li></ul></li></ol>'
            '<p>Een <q>citaat</q><br>en <strong>vet</strong>.</p>'
            '<table><tr><th>a</th><td>1</td></tr></table></body></html>')
    lighter = html_to_pdf(html, _static(app))  # first: it sets the compression for both
    own = HTML(string=html, base_url=_static(app).resolve().as_uri() + "/",
               url_fetcher=make_fetcher(_static(app))).write_pdf(
        pdf_variant=reports.render.PDF_VARIANT, finisher=reports.render._open_with_bookmarks)
    assert lighter == own


def test_the_pdf_is_compressed_at_zlibs_default_level_not_pydyfs_nine(app):
    import pydyf

    assert reports.render._compress_at_default_level(), "pydyf changed: review the compression"
    stream = pydyf.Stream([b"BT /F1 12 Tf (Hallo) Tj ET"] * 200, compress=True)
    data = stream.data
    packed = data[data.index(b"stream\n") + 7:data.rindex(b"\nendstream")]
    assert packed == zlib.compress(b"\n".join([b"BT /F1 12 Tf (Hallo) Tj ET"] * 200),
                                   reports.render.COMPRESSION_LEVEL)
    assert pdf_text(html_to_pdf("<p>Hallo</p>", _static(app))) == "Hallo"


#: Run in a process of its own, where WeasyPrint is not loaded yet: which programs loading
#: it starts (the audit events of starting one), and whether its libraries are there after.
_LOADING_THE_PDF_ENGINE = """
import ctypes.util, sys
started = []
sys.addaudithook(lambda event, args: started.append(args[0]) if event in (
    "subprocess.Popen", "os.posix_spawn", "os.exec", "os.system") else None)
from reports.render import load_weasyprint
load_weasyprint()
from weasyprint.text import ffi
programs = list(started)
print(programs, [ffi.gobject is not None, ffi.pango is not None, ffi.harfbuzz is not None,
                ffi.fontconfig is not None, ffi.pangoft2 is not None],
      ctypes.util.find_library("c") is not None)
"""


def test_a_report_process_loads_the_pdf_engine_without_running_a_program():
    """WeasyPrint's search for its libraries under other systems' names ran ldconfig, gcc
    and ld 54 times for every report process; its libraries load by their own names."""
    loaded = subprocess.run([sys.executable, "-c", _LOADING_THE_PDF_ENGINE], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=60, check=True)
    assert loaded.stdout.split("\n")[0] == "[] [True, True, True, True, True] True"


@pytest.mark.report_pdf
def test_a_render_over_its_time_limit_is_stopped_and_the_next_one_works(app):
    renderer = Renderer(_static(app), RenderLimits(seconds=0.05))
    slow = "<html><body>" + "<table>" + "<tr><td>x</td></tr>" * 20000 + "</table></body></html>"
    try:
        with pytest.raises(RenderTimeout):
            renderer.render(slow)
        renderer.limits = RenderLimits(seconds=60)
        assert renderer.render("<html><body><p>Hallo</p></body></html>").startswith(b"%PDF")
    finally:
        renderer.close()


def _scheduling(pid: int) -> tuple[int, int, str]:
    """A process's session id, niceness and autogroup line ("" without autogroup)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    autogroup = Path(f"/proc/{pid}/autogroup")
    return int(fields[3]), int(fields[16]), (autogroup.read_text().strip()
                                             if autogroup.exists() else "")


@pytest.mark.report_pdf
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
def test_a_niced_renderer_steps_aside_in_a_session_of_its_own(app):
    """Under autogroup a niceness counts only within a session: the renderer makes its own
    session and lowers that session's priority too, and gives way at once to any process
    that wakes (the idle policy); at niceness 0 it stays in ours, at the normal policy."""
    for niceness in (7, 0):
        renderer = Renderer(_static(app), RenderLimits(niceness=niceness))
        try:
            assert renderer.render("<html><body><p>Hallo</p></body></html>").startswith(b"%PDF")
            pid = renderer._process.pid
            session, nice, autogroup = _scheduling(pid)
            ours = _scheduling(os.getpid())
            assert nice == ours[1] + niceness
            policy = os.sched_getscheduler(pid)
            if niceness:
                assert policy == os.SCHED_IDLE
                assert session == pid
                if autogroup:
                    assert autogroup.endswith(f"nice {niceness}"), autogroup
                    assert autogroup != ours[2]
            else:
                assert policy == os.sched_getscheduler(0)
                assert (session, autogroup) == (ours[0], ours[2])
        finally:
            renderer.close()


@pytest.mark.report_pdf
def test_a_failed_render_shows_a_clear_message_and_the_app_keeps_serving(app, facilitator_client):
    jobs = app.extensions["regiospiegel.reports"]
    jobs.renderer.limits = RenderLimits(seconds=0.01)
    facilitator_client.get("/begeleider/scans/1/rapport.pdf")
    deadline = time.monotonic() + 30
    state = None
    while time.monotonic() < deadline:
        state = facilitator_client.get("/begeleider/scans/1/rapport/status").get_json()["state"]
        if state == "failed":
            break
        time.sleep(0.2)
    assert state == "failed"
    page = facilitator_client.get("/begeleider/scans/1/rapport.pdf")
    assert "kon niet worden opgesteld" in page.get_data(as_text=True)
    assert facilitator_client.get("/begeleider/scans/1").status_code == 200


@pytest.mark.report_pdf
def test_cli_writes_the_report_by_join_code(app, runner, demo, tmp_path):
    target = tmp_path / "rapport.pdf"
    result = runner.invoke(args=["report", DEMO_JOIN_CODE, "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"%PDF")
    assert runner.invoke(args=["report", "NOPE99"]).exit_code == 1


@pytest.mark.report_pdf
def test_identical_comments_are_shown_once_with_their_count(app, demo):
    from tests.assessment.test_discussion import _add_text

    said = "Wij weten elkaar te vinden als het erop aankomt."
    ids = [_add_text(app, "urgentie", said), _add_text(app, "urgentie", said + "  "),
           _add_text(app, "sterkste-punt", said)]
    with app.app_context():
        for comment_id in ids:
            moderate(1, comment_id, Moderation.INCLUDED)
    pdf, _assessment = _pdf_for(app)
    text = re.sub(r"\s+", " ", _text(pdf)).replace("- ", "")
    # Twice under the lesson, once under the open question: counted where they stand.
    assert text.count(said) == 2
    assert f"{said} (2×)" in text
