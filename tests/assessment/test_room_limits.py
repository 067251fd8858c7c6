"""No client can lock a room out, and starts without answers count for nothing.

The join code is on the projector, so anyone may press "Beginnen" as often as they like.
Limits count per client address only (no limit shared by everyone that one client could use
up), sized so a room behind one Wi-Fi address gets in; a start that never saves a page does
not count as started anywhere, expires after 12 hours, and the facilitator can clear it.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select, update

from assessment import management
from assessment.db import read_session, write_transaction
from assessment.models import AuditEvent, Respondent, utcnow
from assessment.participation import EMPTY_START_LIFETIME
from tests.helpers import TRYOUT_ID, TRYOUT_JOIN_CODE, Participant, csrf_token

BOT = {"REMOTE_ADDR": "203.0.113.66"}
PROFILE = {"p_organisatietype": "gemeente", "p_rol": "ambtenaar"}
ROOM = {"REMOTE_ADDR": "198.51.100.7"}


def _limit(app: Flask, name: str) -> int:
    return int(str(app.config[name]).split()[0])


def _started(app: Flask) -> tuple[int, int]:
    with app.app_context():
        return management.respondent_counts([TRYOUT_ID])[TRYOUT_ID]


def _respondents(app: Flask) -> int:
    with app.app_context():
        return int(read_session().scalar(
            select(func.count()).select_from(Respondent)
            .where(Respondent.assessment_id == TRYOUT_ID)) or 0)


def test_a_flood_of_starts_limits_that_client_only_and_counts_for_nothing(
        app: Flask, demo: None, facilitator_client) -> None:
    bot = app.test_client()
    welcome = bot.get(f"/d/{TRYOUT_JOIN_CODE}", environ_base=BOT)
    token = csrf_token(welcome)
    statuses = [bot.post(f"/d/{TRYOUT_JOIN_CODE}", environ_base=BOT, data={
        "csrf_token": token, "start_key": secrets.token_urlsafe(32)}).status_code
        for _ in range(300)]
    allowed = _limit(app, "START_RATE_LIMIT")
    assert statuses == [302] * allowed + [429] * (300 - allowed)

    # A participant on another address gets in as always, and saves a page.
    person = Participant(app.test_client())
    person.join(TRYOUT_JOIN_CODE)
    assert person.post_page("profiel", PROFILE).status_code == 302

    # Only who saved a page counts as started: the dashboard, its JSON, the projector.
    assert _started(app) == (1, 0)
    live = facilitator_client.get(f"/begeleider/scans/{TRYOUT_ID}/live.json").get_json()
    assert (live["started"], live["empty_starts"]) == (1, allowed)
    projector = facilitator_client.get(
        f"/begeleider/scans/{TRYOUT_ID}/projector.json").get_json()
    assert projector["started"] == 1

    # The facilitator clears the empty starts; the participant who saved a page stays.
    page = facilitator_client.get(f"/begeleider/scans/{TRYOUT_ID}/live")
    assert "Lege starts wissen" in page.get_data(as_text=True)
    cleared = facilitator_client.post(f"/begeleider/scans/{TRYOUT_ID}/live/lege-starts",
                                      data={"csrf_token": csrf_token(page)},
                                      follow_redirects=True)
    assert f"{allowed} lege starts gewist." in cleared.get_data(as_text=True)
    assert _respondents(app) == 1
    assert person.client.get(person.url("profiel")).status_code == 200
    with app.app_context():
        event = read_session().scalar(select(AuditEvent).where(
            AuditEvent.action == "empty_starts_cleared"))
        assert event is not None and event.detail == str(allowed)


def test_a_room_behind_one_address_gets_in_even_after_someone_there_guessed_codes(
        app: Flask, demo: None) -> None:
    guesser = app.test_client()
    guesses = [guesser.get(f"/d/GOK{n:03d}", environ_base=ROOM).status_code
               for n in range(_limit(app, "JOIN_RATE_LIMIT") + 1)]
    assert guesses[-1] == 429  # guessing stays limited for that address

    statuses = []
    for _ in range(60):  # sixty people on the council chamber's Wi-Fi, one address
        browser = app.test_client()
        welcome = browser.get(f"/d/{TRYOUT_JOIN_CODE}", environ_base=ROOM)
        statuses.append(welcome.status_code)
        html = welcome.get_data(as_text=True)
        key = html.split('name="start_key" type="hidden" value="')[1].split('"')[0]
        statuses.append(browser.post(f"/d/{TRYOUT_JOIN_CODE}", environ_base=ROOM, data={
            "csrf_token": csrf_token(welcome), "start_key": key}).status_code)
    assert statuses == [200, 302] * 60
    # The code typed on the start page is let through too.
    start = guesser.get("/", environ_base=ROOM)
    typed = guesser.post("/", environ_base=ROOM, data={
        "csrf_token": csrf_token(start), "code": TRYOUT_JOIN_CODE})
    assert typed.status_code == 302


def test_an_empty_start_expires_and_nothing_with_answers_or_a_personal_link_does(
        app: Flask, demo: None) -> None:
    walked_away, answered = Participant(app.test_client()), Participant(app.test_client())
    walked_away.join(TRYOUT_JOIN_CODE)
    answered.join(TRYOUT_JOIN_CODE)
    answered.post_page("profiel", PROFILE)
    with app.app_context():
        management.create_personal_links(TRYOUT_ID, 1, None)
        long_ago = utcnow() - EMPTY_START_LIFETIME - timedelta(minutes=1)
        with write_transaction() as session:
            session.execute(update(Respondent).where(Respondent.assessment_id == TRYOUT_ID)
                            .values(created_at=long_ago))
    assert _respondents(app) == 3

    Participant(app.test_client()).join(TRYOUT_JOIN_CODE)  # the next start tidies up

    assert _respondents(app) == 3  # the empty start went, the new one came
    assert walked_away.client.get(walked_away.url("profiel")).status_code == 404
    assert answered.client.get(answered.url("profiel")).status_code == 200


def test_the_daily_purge_removes_expired_empty_starts_of_any_scan(
        app: Flask, demo: None, runner) -> None:
    Participant(app.test_client()).join(TRYOUT_JOIN_CODE)
    answered = Participant(app.test_client())
    answered.join(TRYOUT_JOIN_CODE)
    answered.post_page("profiel", PROFILE)
    with app.app_context(), write_transaction() as session:
        session.execute(update(Respondent).where(Respondent.assessment_id == TRYOUT_ID)
                        .values(created_at=utcnow() - EMPTY_START_LIFETIME - timedelta(hours=1)))

    result = runner.invoke(args=["purge"])

    assert "removed 1 start(s) that never saved a page" in result.output
    assert _respondents(app) == 1
