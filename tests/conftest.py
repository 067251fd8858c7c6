"""Fixtures: an app on a fresh SQLite file per test, its client and CLI runner."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from assessment import create_app, db
from assessment.extensions import limiter
from tests.helpers import Participant, login

SECRET = "test-secret-key-not-for-production"


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file migrated once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    db.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def db_url(migrated_db: Path, tmp_path: Path) -> str:
    """A fresh, migrated SQLite file for this test."""
    target = tmp_path / "regiospiegel.sqlite3"
    shutil.copy(migrated_db, target)
    return f"sqlite:///{target}"


@pytest.fixture
def app_config(db_url: str, tmp_path: Path) -> dict[str, object]:
    """The test app's settings; tests may change them before asking for ``app``."""
    return {"TESTING": True, "SECRET_KEY": SECRET, "DATABASE_URL": db_url,
            "BASE_URL": "http://regiospiegel.test",
            "REPORT_CACHE_DIR": str(tmp_path / "reports")}


@pytest.fixture
def app(app_config: dict[str, object]) -> Iterator[Flask]:
    """The app, with rate-limit counters reset."""
    application = create_app(app_config)
    with application.app_context():
        limiter.reset()
    yield application
    application.extensions["regiospiegel.reports"].close()
    db.dispose(application)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser without cookies."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """The app's CLI."""
    return app.test_cli_runner()


@pytest.fixture
def demo(app: Flask) -> None:
    """The demo facilitator and assessment."""
    from assessment import demo as demo_module

    with app.app_context():
        demo_module.seed()


@pytest.fixture
def facilitator_client(app: Flask, demo: None) -> FlaskClient:
    """A browser logged in as the demo facilitator."""
    browser = app.test_client()
    login(browser, "demo@regiospiegel.nl", "demo-regiospiegel")
    return browser


@pytest.fixture
def open_assessment(app: Flask) -> dict[str, object]:
    """A facilitator and an open assessment on the product's questionnaire; no answers."""
    from assessment import content, management
    from assessment.models import Assessment, Status

    with app.app_context():
        owner = management.create_facilitator("begeleider@example.nl", "lang-genoeg-wachtwoord")
        questionnaire = content.available()[("tien-lessen", "nl")]
        assessment_id = management.create_assessment(owner, "Regio Test", "Testscan",
                                                     questionnaire)
        management.set_status(assessment_id, Status.OPEN)
        code = db.read_session().get(Assessment, assessment_id).join_code
    return {"id": assessment_id, "code": code, "owner_id": owner}


@pytest.fixture
def participant(app: Flask, open_assessment: dict[str, object]) -> Participant:
    """A participant who has started the open assessment."""
    person = Participant(app.test_client())
    person.join(str(open_assessment["code"]))
    return person
