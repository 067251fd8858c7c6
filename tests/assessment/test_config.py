"""Settings from the environment: each number and rate limit by its rule, a bad one named in
one line."""

from __future__ import annotations

import pytest

from assessment import create_app, db
from assessment.config import NUMBERS, InvalidSetting
from tests.assessment.test_cli import run_script


@pytest.mark.parametrize(("variable", "text", "expects"), [
    ("REGIOSPIEGEL_RETENTION_DAYS", "abc", "a whole number of days, 1 or more"),
    ("REGIOSPIEGEL_RETENTION_DAYS", "-5", "a whole number of days, 1 or more"),
    ("REGIOSPIEGEL_RETENTION_DAYS", "0", "a whole number of days, 1 or more"),
    ("REGIOSPIEGEL_RETENTION_DAYS", "30.5", "a whole number of days, 1 or more"),
    ("PROXY_HOPS", "one", "a whole number of proxies, 0 or more"),
    ("PROXY_HOPS", "-1", "a whole number of proxies, 0 or more"),
    ("DATABASE_POOL_SIZE", "0", "a whole number of connections, 1 or more"),
    ("DATABASE_MAX_OVERFLOW", "lots", "a whole number of connections, 0 or more"),
    ("DATABASE_POOL_TIMEOUT", "nan", "a number of seconds, 0 or more"),
    ("DATABASE_POOL_RECYCLE", "-2", "a whole number of seconds (-1: never), -1 or more"),
    ("REPORT_TIME_LIMIT", "inf", "a number of seconds, 1 or more"),
    ("REPORT_MEMORY_MB", "1.5G", "a whole number of megabytes, 1 or more"),
    ("JOIN_RATE_LIMIT", "twenty", "a rate limit such as '20 per 10 minutes'"),
    ("LOGIN_RATE_LIMIT", "10 per fortnight", "a rate limit such as '20 per 10 minutes'"),
    ("MAIL_PORT", "smtp", "a port number such as 25, 465 or 587"),
    ("MAIL_RATE_PER_MINUTE", "0", "a number of e-mails a minute, 0.1 or more"),
    ("INVITATION_ADDRESS_DAYS", "0", "a whole number of days, 1 or more"),
    ("REPORT_NICENESS", "-5", "a whole number from 0 (normal priority) to 19 (lowest)"),
    ("LIVE_POLL_SECONDS", "0.5", "a number of seconds, 1 or more"),
    ("MAIL_USE_TLS", "maybe", "one of true, false, 1, 0, yes, no"),
    ("MAIL_SENDER", "scan@regio.nl\nBcc: iemand@elders.nl",
     "one e-mail address, such as 'Regiospiegel <scan@regio.nl>'"),
    ("MAIL_SENDER", "Regiospiegel", "one e-mail address, such as 'Regiospiegel <scan@regio.nl>'"),
])
def test_a_bad_setting_is_named_with_what_it_expects(monkeypatch, db_url, variable, text,
                                                     expects):
    monkeypatch.setenv(variable, text)
    with pytest.raises(InvalidSetting) as caught:
        create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": db_url})
    assert str(caught.value) == f"{variable} must be {expects}, not {text!r}"


@pytest.mark.parametrize(("variable", "text", "key", "value"), [
    ("REGIOSPIEGEL_RETENTION_DAYS", "30", "RETENTION_DAYS", 30),
    ("PROXY_HOPS", "0", "PROXY_HOPS", 0),
    ("DATABASE_POOL_RECYCLE", "-1", "DATABASE_POOL_RECYCLE", -1),
    ("REPORT_TIME_LIMIT", "90.5", "REPORT_TIME_LIMIT", 90.5),
    ("JOIN_RATE_LIMIT", "5 per minute", "JOIN_RATE_LIMIT", "5 per minute"),
    ("MAIL_PORT", "587", "MAIL_PORT", 587),
    ("MAIL_USE_TLS", "Yes", "MAIL_USE_TLS", True),
    ("MAIL_USE_SSL", "0", "MAIL_USE_SSL", False),
    ("MAIL_SENDER", "Regiospiegel <scan@regio.nl>", "MAIL_SENDER",
     "Regiospiegel <scan@regio.nl>"),
    ("INVITATION_ADDRESS_DAYS", "14", "INVITATION_ADDRESS_DAYS", 14),
    ("REPORT_NICENESS", "19", "REPORT_NICENESS", 19),
    ("LIVE_POLL_SECONDS", "2.5", "LIVE_POLL_SECONDS", 2.5),
])
def test_a_good_setting_is_read(monkeypatch, db_url, variable, text, key, value):
    monkeypatch.setenv(variable, text)
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": db_url})
    assert app.config[key] == value
    db.dispose(app)


@pytest.mark.parametrize(("niceness", "limit"), [("0", 0), ("19", 19), ("40", 19)])
def test_the_report_niceness_setting_reaches_the_renderer(monkeypatch, db_url, niceness, limit):
    monkeypatch.setenv("REPORT_NICENESS", niceness)
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": db_url})
    local = app.extensions["regiospiegel.reports"]
    assert local.renderer.limits.niceness == limit
    db.dispose(app)


def test_every_number_has_a_default():
    from assessment.config import DEFAULTS
    from assessment.db import PoolSettings

    pool = {"DATABASE_POOL_SIZE", "DATABASE_MAX_OVERFLOW", "DATABASE_POOL_TIMEOUT",
            "DATABASE_POOL_RECYCLE"}  # their defaults are PoolSettings'
    assert {key for key, _rule in NUMBERS.values()} - pool <= set(DEFAULTS)
    assert PoolSettings.from_config({}) == PoolSettings()


def test_the_console_script_names_a_bad_setting_in_one_line(tmp_path):
    result = run_script(tmp_path, "list", REGIOSPIEGEL_RETENTION_DAYS="abc")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Error: cannot start: REGIOSPIEGEL_RETENTION_DAYS must be a whole number of days, "
        "1 or more, not 'abc'"]
    assert "Traceback" not in result.stdout


@pytest.mark.parametrize("days", ["-3", "0", "abc"])
def test_purge_refuses_days_the_setting_would_refuse(runner, days):
    result = runner.invoke(args=["purge", "--days", days])
    assert result.exit_code == 2
    assert (f"Invalid value for '--days': expects a whole number of days, 1 or more, "
            f"not '{days}'") in result.output
    assert "purged" not in result.output
