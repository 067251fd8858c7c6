"""Two ways a real room lost work or trust: a facilitator locked out by logging in, and a
demo whose figures moved whenever a visitor tried the participant link."""

from __future__ import annotations

import re
from typing import Any

import pytest
from limits import parse
from playwright.sync_api import expect
from sqlalchemy import func, select

from assessment.demo import DEMO_JOIN_CODE, TRYOUT_JOIN_CODE
from tests.browser.conftest import ContextFactory, LiveServer, log_in
from tests.browser.steps import join

pytestmark = pytest.mark.browser


def test_a_facilitator_who_logs_in_again_and_again_is_never_locked_out(
    new_context: ContextFactory, live_server: LiveServer,
) -> None:
    """A laptop passed round: two logins in a row more than the limit of failed logins
    allows, which counts failed ones only (the live server's limit is 3, so five logins)."""
    limit = parse(live_server.app.config["LOGIN_RATE_LIMIT"]).amount
    page = new_context().new_page()
    for _ in range(limit + 2):
        log_in(page)
        expect(page.get_by_role("heading", name="Mijn scans")).to_be_visible()
        page.get_by_role("button", name="Uitloggen").click()
        expect(page).to_have_url(re.compile(r"/begeleider/inloggen"))


def _respondents(live_server: LiveServer, code: str) -> int:
    from assessment.db import read_session
    from assessment.models import Assessment, Respondent

    with live_server.app.app_context():
        return int(read_session().scalar(
            select(func.count(Respondent.id)).join(Assessment)
            .where(Assessment.join_code == code)) or 0)


def test_the_printed_demo_link_leaves_the_demo_s_results_alone(
    phone: Any, live_server: LiveServer
) -> None:
    """A visitor answers through the link `make run` prints: only the try-out scan grows."""
    demo_before = _respondents(live_server, DEMO_JOIN_CODE)
    tryout_before = _respondents(live_server, TRYOUT_JOIN_CODE)
    join(phone, TRYOUT_JOIN_CODE)
    assert _respondents(live_server, TRYOUT_JOIN_CODE) == tryout_before + 1
    assert _respondents(live_server, DEMO_JOIN_CODE) == demo_before == 28

    phone.goto(f"/d/{DEMO_JOIN_CODE}")
    expect(phone.get_by_text("gesloten").first).to_be_visible()
    expect(phone.get_by_role("button", name="Beginnen")).to_have_count(0)
    assert _respondents(live_server, DEMO_JOIN_CODE) == 28
