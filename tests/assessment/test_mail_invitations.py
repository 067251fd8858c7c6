"""Invitations and reminders by e-mail, sent to a real SMTP server on loopback.

The server (tests/mail_server.py, aiosmtpd) keeps what it receives, so each test reads the
messages as a participant would get them: headers, both languages, the link that works; it
can refuse chosen addresses with a 4xx or 5xx reply, or hold a message to stop a sender
halfway.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from assessment import address_lists, db, mail, mail_texts, mailing, management
from assessment.config import PROJECT_ROOT
from assessment.exceptions import InvalidMailText, UnsafeHeader
from assessment.models import (
    AuditEvent,
    Delivery,
    Invitation,
    MailText,
    Respondent,
    Status,
    utcnow,
)
from tests.helpers import TRYOUT_ID, csrf_token
from tests.mail_server import MailServer
from tests.mail_steps import answer_lesson, begin, link_in, mail_settings, send_in


@pytest.fixture
def app_config(app_config, mail_server):
    return {**app_config, **mail_settings(mail_server)}


def _addresses(count: int, domain: str = "gemeente.nl") -> list[str]:
    return [f"deelnemer{number:02d}@{domain}" for number in range(1, count + 1)]


def _invite_and_send(app: Flask, addresses: list[str], language: str = "nl") -> None:
    with app.app_context():
        mailing.invite(TRYOUT_ID, addresses, language)
        mailing.send_queued(TRYOUT_ID, pause=lambda _seconds: None)


# -- the address list ---------------------------------------------------------------------


@pytest.mark.parametrize(("text", "taken", "problems"), [
    ("jan@dalfsen.nl\nPiet@Zwolle.nl\n\n", ["jan@dalfsen.nl", "piet@zwolle.nl"], []),
    ("jan@dalfsen.nl\njan@dalfsen.nl\nJAN@dalfsen.nl", ["jan@dalfsen.nl"],
     [(2, "duplicate"), (3, "duplicate")]),
    ("jan@\ngeen adres\na b@c.nl\nx@y\n<kees@regio.nl>", ["kees@regio.nl"],
     [(1, "malformed"), (2, "malformed"), (3, "malformed"), (4, "malformed")]),
    ("naam;E-mailadres;organisatie\nJan;jan@dalfsen.nl;Dalfsen\nPiet;;Zwolle\n"
     "Kees;kees@regio.nl;Regio", ["jan@dalfsen.nl", "kees@regio.nl"], [(3, "malformed")]),
    ("email,name\nbekend@regio.nl,Bekend\nnieuw@regio.nl,Nieuw", ["nieuw@regio.nl"],
     [(2, "already_invited")]),
    ("Jan Jansen <jan@dalfsen.nl>; piet@zwolle.nl, <kees@regio.nl>\nx@y.nl extra",
     ["jan@dalfsen.nl", "piet@zwolle.nl", "kees@regio.nl"], [(2, "malformed")]),
    ("Naam\tE-mail\nJan\tjan@dalfsen.nl\nPiet\tpiet@zwolle.nl", ["jan@dalfsen.nl",
                                                                "piet@zwolle.nl"], []),
    ("jan@dalfsen.nl\r\nBcc: iemand@elders.nl", ["jan@dalfsen.nl"], [(2, "malformed")]),
])
def test_every_line_not_taken_is_reported_with_its_number(text, taken, problems):
    found = address_lists.parse_addresses(text, invited=["bekend@regio.nl"])
    assert list(found.addresses) == taken
    assert [(problem.line, problem.reason) for problem in found.problems] == problems


# -- sending ------------------------------------------------------------------------------


def test_sixty_invitations_arrive_in_both_languages_with_their_own_link(
        app, demo, mail_server: MailServer):
    dutch, english = _addresses(40), _addresses(20, "provincie.nl")
    with app.app_context():
        management.prepare(TRYOUT_ID, management.Preparation(
            "Regio Zwolle", "Proefscan <b>&</b> co"), None)
        assert mailing.invite(TRYOUT_ID, dutch, "nl") == 40
        assert mailing.invite(TRYOUT_ID, english, "en") == 20
        result = mailing.send_queued(TRYOUT_ID, pause=lambda _seconds: None)
    assert (result.invitations, result.failed) == (60, 0)
    received = mail_server.received
    assert len(received) == 60
    assert sorted(address for r in received for address in r.recipients) == sorted(
        dutch + english)
    links = {link_in(r) for r in received}
    assert len(links) == 60  # a link of one's own
    first = mail_server.to(dutch[0])[0].message
    assert first["From"] == "Regiospiegel <scan@regiospiegel.test>"
    assert first["To"] == dutch[0]
    assert first["Subject"] == "Uitnodiging: Proefscan <b>&</b> co"
    assert first["Content-Language"] == "nl"
    assert first["Message-ID"]
    assert first.get_content_type() == "multipart/alternative"
    plain = mail_server.to(dutch[0])[0].part("plain")
    html = mail_server.to(dutch[0])[0].part("html")
    assert "U bent uitgenodigd" in plain and "Proefscan <b>&</b> co" in plain
    # The title is escaped in the HTML part; the link is a link.
    assert "Proefscan &lt;b&gt;&amp;&lt;/b&gt; co" in html and "<b>&" not in html
    link = link_in(mail_server.to(dutch[0])[0])
    assert f'<a href="http://regiospiegel.test{link}">' in html
    other = mail_server.to(english[0])[0]
    assert other.message["Subject"] == "Invitation: Proefscan <b>&</b> co"
    assert other.message["Content-Language"] == "en"
    assert "You are invited" in other.part("plain")
    with app.app_context():
        events = db.read_session().scalars(select(AuditEvent).where(
            AuditEvent.assessment_id == TRYOUT_ID,
            AuditEvent.action.in_(("invitations_added", "invitations_sent")))).all()
        assert sorted((e.action, e.detail) for e in events) == [
            ("invitations_added", "20"), ("invitations_added", "40"),
            ("invitations_sent", "60")]
        # Counts only: no address in the log.
        log = " ".join(e.detail for e in db.read_session().scalars(select(AuditEvent)))
        assert "@gemeente.nl" not in log and "@provincie.nl" not in log


def test_the_mailed_link_begins_resumes_elsewhere_and_unlinks_at_sending_in(
        app, demo, mail_server: MailServer):
    _invite_and_send(app, ["anna@dalfsen.nl", "bert@zwolle.nl"])
    link = link_in(mail_server.to("anna@dalfsen.nl")[0])
    laptop, phone = app.test_client(), app.test_client()
    landing = laptop.get(link)
    assert "Deze link uit uw e-mail is alleen voor u" in landing.get_data(as_text=True)
    own = begin(laptop, link)
    answer_lesson(laptop, own)
    # The same mailed link on another device: the same answers, not a new start.
    resumed = phone.get(link)
    assert resumed.status_code == 302
    assert resumed.location.startswith(link + "/")
    assert phone.get(f"{link}/urgentie").status_code == 200
    with app.app_context():
        respondents = db.read_session().scalars(select(Respondent).where(
            Respondent.assessment_id == TRYOUT_ID)).all()
        assert len(respondents) == 1
        invitation = db.read_session().scalar(select(Invitation).where(
            Invitation.address == "anna@dalfsen.nl"))
        # While answering, the mailed link resumes: the one link there is.
        assert respondents[0].invitation_hash == invitation.link_hash
        assert not invitation.sent_in
    send_in(phone, link)
    with app.app_context():
        session = db.read_session()
        invitation = session.scalar(select(Invitation).where(
            Invitation.address == "anna@dalfsen.nl"))
        respondent = session.scalar(select(Respondent).where(
            Respondent.assessment_id == TRYOUT_ID))
        assert invitation.sent_in
        assert respondent.submitted_at is not None
        assert respondent.invitation_hash is None
        assert not session.scalar(select(Respondent).where(
            Respondent.invitation_hash == invitation.link_hash))
    # Afterwards the mailed link says so, and opens no answers.
    again = app.test_client().get(link)
    assert again.status_code == 200
    page = again.get_data(as_text=True)
    assert "Uw antwoorden zijn al verzonden" in page
    assert app.test_client().get(f"{link}/samenvatting").status_code == 200
    assert "Uw antwoorden zijn al verzonden" in app.test_client().get(
        f"{link}/samenvatting").get_data(as_text=True)
    # The participant's own link still shows the thank-you page.
    assert laptop.get(f"{own}/bedankt").status_code == 200


def test_a_double_click_on_beginnen_starts_one_respondent(app, demo, mail_server):
    _invite_and_send(app, ["anna@dalfsen.nl"])
    link = link_in(mail_server.received[0])
    browser = app.test_client()
    landing = browser.get(link)
    html = landing.get_data(as_text=True)
    key = re.search(r'name="start_key" type="hidden" value="([^"]+)"', html).group(1)
    data = {"csrf_token": csrf_token(landing), "start_key": key}
    first, second = browser.post(link, data=data), browser.post(link, data=data)
    assert first.location == second.location
    with app.app_context():
        assert db.read_session().scalar(select(func.count()).select_from(Respondent).where(
            Respondent.assessment_id == TRYOUT_ID)) == 1


def test_a_reminder_goes_only_to_whoever_has_not_sent_in(app, demo, mail_server):
    mail_server.answer("weg@nergens.nl", "550 5.1.1 Mailbox unavailable")
    _invite_and_send(app, ["klaar@dalfsen.nl", "bezig@zwolle.nl", "nog@heerde.nl",
                           "weg@nergens.nl"])
    done = link_in(mail_server.to("klaar@dalfsen.nl")[0])
    busy = link_in(mail_server.to("bezig@zwolle.nl")[0])
    browser = app.test_client()
    own = begin(browser, done)
    answer_lesson(browser, own)
    send_in(browser, own)
    answer_lesson(app.test_client(), begin(app.test_client(), busy))
    with app.app_context():
        assert mailing.remind(TRYOUT_ID, mailing.reminder_round(TRYOUT_ID)) == 2
        result = mailing.send_queued(TRYOUT_ID, pause=lambda _seconds: None)
        assert result.reminders == 2
        progress = mailing.progress(TRYOUT_ID)
    assert len(mail_server.to("klaar@dalfsen.nl")) == 1
    assert len(mail_server.to("weg@nergens.nl")) == 0
    for address in ("bezig@zwolle.nl", "nog@heerde.nl"):
        invitation, reminder = mail_server.to(address)
        assert reminder.message["Subject"].startswith("Herinnering:")
        assert link_in(reminder) == link_in(invitation)  # the same link
    # The one who began continues where they were with the reminder's link.
    assert app.test_client().get(busy).location.startswith(busy + "/")
    rows = {row.address: row for row in progress.rows}
    assert rows["bezig@zwolle.nl"].reminders == 1 and rows["klaar@dalfsen.nl"].reminders == 0
    assert rows["klaar@dalfsen.nl"].sent_in and progress.sent_in == 1
    assert rows["weg@nergens.nl"].delivery == Delivery.FAILED
    assert "550" in rows["weg@nergens.nl"].reason
    assert "Mailbox unavailable" in rows["weg@nergens.nl"].reason
    # The same page cannot send the same reminder twice.
    with app.app_context(), pytest.raises(mailing.MailError):
        mailing.remind(TRYOUT_ID, 0)


def test_a_temporary_failure_is_tried_again_and_then_given_up(app, demo, mail_server):
    mail_server.answer("later@dalfsen.nl", "451 4.7.1 Try again later", "250 OK")
    mail_server.answer("nooit@dalfsen.nl", "452 4.2.2 Mailbox full")
    waited: list[float] = []
    with app.app_context():
        mailing.invite(TRYOUT_ID, ["later@dalfsen.nl", "nooit@dalfsen.nl"], "nl")
        result = mailing.send_queued(TRYOUT_ID, pause=waited.append)
        rows = {row.address: row for row in mailing.progress(TRYOUT_ID).rows}
    assert (result.invitations, result.failed) == (1, 1)
    assert len(mail_server.to("later@dalfsen.nl")) == 1
    assert rows["later@dalfsen.nl"].delivery == Delivery.SENT
    assert rows["nooit@dalfsen.nl"].delivery == Delivery.FAILED
    assert rows["nooit@dalfsen.nl"].reason == "452 4.2.2 Mailbox full"
    # Tried three times in all, with a longer pause each time (MAIL_RETRY_SECONDS is 0 here).
    assert waited.count(0.0) >= 3


def test_a_mail_server_that_cannot_be_reached_fails_what_waits(app, demo):
    app.config.update(MAIL_PORT=1, MAIL_ATTEMPTS=2)
    with app.app_context():
        mailing.invite(TRYOUT_ID, _addresses(5), "nl")
        result = mailing.send_queued(TRYOUT_ID, pause=lambda _seconds: None)
        progress = mailing.progress(TRYOUT_ID)
    assert result.failed == 5 and progress.failed == 5
    assert all("niet bereikbaar" in row.reason for row in progress.rows)
    with app.app_context():
        assert mailing.retry_failed(TRYOUT_ID) == 5


def test_a_failure_s_reason_reads_in_the_interface_language(app, demo, facilitator_client):
    app.config.update(MAIL_PORT=1, MAIL_ATTEMPTS=1)
    with app.app_context():
        mailing.invite(TRYOUT_ID, ["weg@dalfsen.nl"], "nl")
        mailing.send_queued(TRYOUT_ID, pause=lambda _seconds: None)
    url = f"/begeleider/scans/{TRYOUT_ID}/uitnodigingen"
    dutch = facilitator_client.get(url).get_data(as_text=True)
    assert ">mailserver niet bereikbaar: " in dutch
    with facilitator_client.session_transaction() as session:
        session["language"] = "en"
    english = facilitator_client.get(url).get_data(as_text=True)
    assert ">mail server not reachable: " in english and "niet bereikbaar" not in english
    rows = facilitator_client.get(url + ".json").get_json()["rows"]
    assert rows[0]["reason"].startswith("mail server not reachable: ")


def test_a_server_failure_shows_on_the_page(app, facilitator_client, mail_server):
    mail_server.answer("weg@nergens.nl", "550 5.1.1 <weg@nergens.nl>: Recipient unknown")
    page = facilitator_client.get(f"/begeleider/scans/{TRYOUT_ID}/uitnodigingen")
    assert page.status_code == 200
    added = facilitator_client.post(
        f"/begeleider/scans/{TRYOUT_ID}/uitnodigingen/adressen",
        data={"csrf_token": csrf_token(page), "addresses": "weg@nergens.nl\nhier@dalfsen.nl",
              "language": "nl"})
    assert added.status_code == 302
    page = facilitator_client.get(f"/begeleider/scans/{TRYOUT_ID}/uitnodigingen")
    sent = facilitator_client.post(f"/begeleider/scans/{TRYOUT_ID}/uitnodigingen/versturen",
                                   data={"csrf_token": csrf_token(page)})
    assert sent.status_code == 302
    app.extensions["regiospiegel.mail"].wait(timeout=60)
    html = facilitator_client.get(f"/begeleider/scans/{TRYOUT_ID}/uitnodigingen").get_data(
        as_text=True)
    assert "Recipient unknown" in html and "mislukt" in html
    assert "&lt;weg@nergens.nl&gt;: Recipient unknown" in html
    assert len(mail_server.to("hier@dalfsen.nl")) == 1


# -- a crash halfway ----------------------------------------------------------------------

_SENDER = """
import json, sys
from assessment import create_app, mailing
app = create_app(json.loads(sys.argv[1]))
with app.app_context():
    mailing.send_queued(int(sys.argv[2]), pause=lambda _seconds: None)
"""


def test_a_sender_stopped_halfway_sends_nobody_twice(app, demo, app_config, mail_server):
    addresses = _addresses(10)
    with app.app_context():
        mailing.invite(TRYOUT_ID, addresses, "nl")
    held = mail_server.hold(addresses[4])
    settings = {key: value for key, value in app_config.items()
                if isinstance(value, str | int | float | bool)}
    process = subprocess.Popen(
        [sys.executable, "-c", _SENDER, json.dumps(settings), str(TRYOUT_ID)],
        cwd=PROJECT_ROOT, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    try:
        # The fifth message is being handed over when the process is killed.
        mail_server.wait_for(lambda received: any(addresses[4] in r.recipients
                                                  for r in received), timeout=120)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        held.set()
    with app.app_context():
        states = [row.delivery for row in mailing.progress(TRYOUT_ID).rows]
        assert states == ["sent"] * 4 + ["sending"] + ["queued"] * 5
        # Started again (later than a hand-over can take): the rest go, the fifth does not.
        later = utcnow() + mailing.stale_after(app.config) + timedelta(seconds=1)
        result = mailing.send_queued(TRYOUT_ID, now=later, pause=lambda _seconds: None)
        rows = mailing.progress(TRYOUT_ID).rows
    assert result.invitations == 5
    for address in addresses:
        assert len(mail_server.to(address)) == 1, address
    assert rows[4].delivery == Delivery.FAILED and rows[4].reason == mailing.INTERRUPTED
    with app.app_context():
        assert mailing.retry_failed(TRYOUT_ID) == 0  # it may have arrived: never again


# -- headers and texts --------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value"), [
    ("subject", "Uitnodiging\r\nBcc: iemand@elders.nl"),
    ("subject", "Uitnodiging\nX-Extra: ja"),
    ("to", "jan@dalfsen.nl\r\nBcc: iemand@elders.nl"),
    ("to", "jan@dalfsen.nl\nCc: iemand@elders.nl"),
    ("sender", "scan@regio.nl\r\nBcc: iemand@elders.nl"),
])
def test_a_line_break_in_a_header_is_refused(field, value):
    arguments = {"sender": "scan@regio.nl", "to": "jan@dalfsen.nl", "subject": "Onderwerp"}
    arguments[field] = value
    with pytest.raises(UnsafeHeader):
        mail.compose(**arguments, body="Tekst {link}", link="http://x/r/y", language="nl")


def test_a_title_with_a_line_break_stays_on_the_subject_line(app, demo, mail_server):
    with app.app_context():
        management.prepare(TRYOUT_ID, management.Preparation(
            "Regio", "Scan\r\nBcc: iemand@elders.nl"), None)
    _invite_and_send(app, ["jan@dalfsen.nl"])
    (received,) = mail_server.received
    assert received.recipients == ["jan@dalfsen.nl"]
    assert received.message["Bcc"] is None
    assert received.message["Subject"] == "Uitnodiging: Scan Bcc: iemand@elders.nl"


@pytest.mark.parametrize(("subject", "body", "problem", "names"), [
    ("Uitnodiging {titel}", "Hallo {naam}, {link}", "unknown", ("naam",)),
    ("Uitnodiging {titel.__class__}", "{link}", "unknown", ("titel.__class__",)),
    ("Uitnodiging", "{link!r}", "unknown", ("link!r",)),
    ("Uitnodiging", "Geen link", "no_link", ()),
    ("Uitnodiging", "{link} {", "loose_brace", ()),
    ("Uit\nnodiging", "{link}", "subject_lines", ()),
])
def test_an_invalid_text_is_refused_with_what_is_wrong(subject, body, problem, names):
    with pytest.raises(InvalidMailText) as refused:
        mail_texts.check(mail_texts.MailText(subject, body))
    assert (refused.value.problem, refused.value.names) == (problem, names)


def test_every_default_text_passes_its_own_check():
    for text in mail_texts.DEFAULTS.values():
        mail_texts.check(text)


def test_an_unknown_placeholder_is_named_on_the_page(app, facilitator_client):
    page = facilitator_client.get(f"/begeleider/scans/{TRYOUT_ID}/uitnodigingen")
    data = {"csrf_token": csrf_token(page)}
    for language in ("nl", "en"):
        for kind in mail_texts.KINDS:
            text = mail_texts.default(language, kind)
            data[f"{language}-{kind}-subject"] = text.subject
            data[f"{language}-{kind}-body"] = text.body
    data["nl-invitation-body"] = "Beste {naam},\n\n{link}"
    refused = facilitator_client.post(f"/begeleider/scans/{TRYOUT_ID}/uitnodigingen/tekst",
                                      data=data)
    assert refused.status_code == 400
    assert "Onbekend: {naam}" in refused.get_data(as_text=True)
    data["nl-invitation-body"] = "Beste collega,\n\nDoe mee: {link}\nTot {sluitdatum}."
    data["answer_by"] = "2027-03-12"
    saved = facilitator_client.post(f"/begeleider/scans/{TRYOUT_ID}/uitnodigingen/tekst",
                                    data=data)
    assert saved.status_code == 302
    preview = facilitator_client.get(f"/begeleider/scans/{TRYOUT_ID}/uitnodigingen/voorbeeld")
    assert "Doe mee: http://regiospiegel.test/r/voorbeeld-persoonlijke-link" in \
        preview.get_data(as_text=True)
    assert "Tot 12 maart 2027." in preview.get_data(as_text=True)


# -- addresses deleted --------------------------------------------------------------------


def test_closing_deletes_the_addresses_and_unlinks_whoever_still_answers(
        app, demo, mail_server):
    _invite_and_send(app, ["anna@dalfsen.nl", "bert@zwolle.nl"])
    link = link_in(mail_server.to("anna@dalfsen.nl")[0])
    answer_lesson(app.test_client(), begin(app.test_client(), link))
    with app.app_context():
        management.set_status(TRYOUT_ID, Status.CLOSED)
        session = db.read_session()
        assert session.scalars(select(Invitation.address)).all() == [None, None]
        assert session.scalars(select(Invitation.nonce)).all() == [None, None]
        assert not session.scalars(select(Respondent.invitation_hash).where(
            Respondent.invitation_hash.is_not(None),
            Respondent.assessment_id == TRYOUT_ID)).all()
        event = session.scalar(select(AuditEvent).where(
            AuditEvent.action == "invitation_addresses_deleted"))
        assert event.detail == "2"
    expired = app.test_client().get(link)
    assert expired.status_code == 410
    assert "Deze link werkt niet meer" in expired.get_data(as_text=True)


def test_addresses_go_after_the_days_set(app, demo, mail_server):
    _invite_and_send(app, ["anna@dalfsen.nl"])
    with app.app_context():
        days = app.config["INVITATION_ADDRESS_DAYS"]
        assert mailing.forget_expired_addresses(days, utcnow() + timedelta(days=days - 1)) == 0
        assert mailing.forget_expired_addresses(days, utcnow() + timedelta(days=days + 1)) == 1
        assert db.read_session().scalar(select(Invitation.address)) is None


def test_the_purge_command_deletes_addresses_after_the_days_set(app, demo, mail_server, runner):
    app.config["INVITATION_ADDRESS_DAYS"] = 1
    _invite_and_send(app, ["anna@dalfsen.nl"])
    with app.app_context(), db.write_transaction() as session:
        session.execute(Invitation.__table__.update().values(
            created_at=utcnow() - timedelta(days=2)))
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "1 e-mail address(es) of invitations deleted" in result.output
    with app.app_context():
        assert db.read_session().scalar(select(Invitation.address)) is None


def test_without_mail_settings_the_page_says_so_and_sends_nothing(app, facilitator_client):
    app.config.update(MAIL_SERVER=None)
    page = facilitator_client.get(f"/begeleider/scans/{TRYOUT_ID}/uitnodigingen")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "E-mail is niet ingesteld" in html
    assert "persoonlijke links" in html
    prepare = facilitator_client.get(f"/begeleider/scans/{TRYOUT_ID}/voorbereiden")
    assert "e-mail is niet ingesteld op deze installatie" in prepare.get_data(as_text=True)


def test_sending_runs_in_the_background_from_the_page(app, facilitator_client, mail_server):
    page = facilitator_client.get(f"/begeleider/scans/{TRYOUT_ID}/uitnodigingen")
    facilitator_client.post(f"/begeleider/scans/{TRYOUT_ID}/uitnodigingen/adressen", data={
        "csrf_token": csrf_token(page), "addresses": "\n".join(_addresses(60)),
        "language": "nl"})
    page = facilitator_client.get(f"/begeleider/scans/{TRYOUT_ID}/uitnodigingen")
    assert "60 e-mails versturen" in page.get_data(as_text=True)
    facilitator_client.post(f"/begeleider/scans/{TRYOUT_ID}/uitnodigingen/versturen",
                            data={"csrf_token": csrf_token(page)})
    app.extensions["regiospiegel.mail"].wait(timeout=120)
    assert len(mail_server.received) == 60
    state = facilitator_client.get(f"/begeleider/scans/{TRYOUT_ID}/uitnodigingen.json").json
    assert state["totals"]["sent"] == 60 and not state["busy"]
    assert "@" not in json.dumps(state)  # the script's data hold no address
    page = facilitator_client.get(f"/begeleider/scans/{TRYOUT_ID}/uitnodigingen")
    assert "Herinnering sturen aan 60 personen" in page.get_data(as_text=True)
    reminded = facilitator_client.post(
        f"/begeleider/scans/{TRYOUT_ID}/uitnodigingen/herinneren",
        data={"csrf_token": csrf_token(page), "round": "0"})
    assert reminded.status_code == 302
    app.extensions["regiospiegel.mail"].wait(timeout=120)
    assert len(mail_server.received) == 120
    # A second click on the same page sends no second reminder.
    facilitator_client.post(f"/begeleider/scans/{TRYOUT_ID}/uitnodigingen/herinneren",
                            data={"csrf_token": csrf_token(page), "round": "0"})
    app.extensions["regiospiegel.mail"].wait(timeout=120)
    assert len(mail_server.received) == 120


def test_deleting_the_scan_deletes_its_invitations_and_texts(app, demo, mail_server):
    _invite_and_send(app, ["anna@dalfsen.nl"])
    with app.app_context():
        mailing.save_texts(TRYOUT_ID, {("nl", "invitation"): mail_texts.MailText(
            "Eigen onderwerp {titel}", "Eigen tekst {link}")})
        management.delete_assessment(TRYOUT_ID, None)
        session = db.read_session()
        assert session.scalar(select(func.count()).select_from(Invitation)) == 0
        assert session.scalar(select(func.count()).select_from(MailText)) == 0


def test_a_purge_deletes_the_addresses_too(app, demo, mail_server):
    from assessment import retention

    _invite_and_send(app, ["anna@dalfsen.nl"])
    with app.app_context():
        retention.purge(TRYOUT_ID)
        assert db.read_session().scalar(select(Invitation.address)) is None


def test_the_facilitators_own_text_is_escaped_in_the_html_part(app, demo, mail_server):
    with app.app_context():
        mailing.save_texts(TRYOUT_ID, {("nl", "invitation"): mail_texts.MailText(
            "Doe mee aan {titel}", "Hallo <script>alert(1)</script> & welkom.\n\n{link}")})
    _invite_and_send(app, ["anna@dalfsen.nl"])
    (received,) = mail_server.received
    assert "Hallo <script>alert(1)</script> & welkom." in received.part("plain")
    html = received.part("html")
    assert "<script>" not in html
    assert "Hallo &lt;script&gt;alert(1)&lt;/script&gt; &amp; welkom." in html
    assert received.message["Subject"] == "Doe mee aan Proefscan – probeer het zelf"


def test_two_senders_at_once_send_each_message_once(app, demo, mail_server):
    import threading

    addresses = _addresses(30)
    with app.app_context():
        mailing.invite(TRYOUT_ID, addresses, "nl")
    results: list[mailing.SendResult] = []

    def sender() -> None:
        with app.app_context():
            results.append(mailing.send_queued(TRYOUT_ID, pause=lambda _seconds: None))

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(result.invitations for result in results) == 30
    for address in addresses:
        assert len(mail_server.to(address)) == 1, address
