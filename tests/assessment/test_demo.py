"""The demo as `make run` seeds it: a finished session the report and projector can show."""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from sqlalchemy import select

from assessment import create_app, db, demo, discussion, priorities
from assessment.db import read_session
from assessment.models import ActionItem, Assessment, Comment, LessonNote, Moderation, Status
from questions.loader import CONTENT_DIR
from reports.build import report_context, report_html
from tests.helpers import DEMO_ID, TRYOUT_ID, login


def test_the_demo_shows_a_finished_session(app: Flask) -> None:
    with app.app_context():
        demo.seed()
        scan = read_session().get(Assessment, DEMO_ID)
        assert scan is not None and scan.status == Status.CLOSED
        overview = discussion.moderation_overview(scan)
        texts = [text for topic in overview.topics for text in topic.texts]
        states = Counter(text.moderation for text in texts)
        assert states[Moderation.INCLUDED] >= 10 and not states[Moderation.PENDING]
        # Nothing that may identify someone is included, as a careful facilitator decides.
        assert all(text.moderation is Moderation.EXCLUDED for text in texts if text.flagged)
        notes = {note.lesson_id: note for note in read_session().scalars(select(LessonNote))}
        assert set(notes) == set(demo.DEMO_NOTES)
        assert all(note.notes and note.conclusion for note in notes.values())
        actions = read_session().scalars(select(ActionItem).where(
            ActionItem.assessment_id == DEMO_ID)).all()
        assert [a.lesson_id for a in actions] == [a.lesson_id for a in demo.DEMO_ACTIONS]
        vote = priorities.result(scan)
        assert vote.final and vote.voters == demo.DEMO_VOTERS
        # The try-out scan is untouched by all this.
        assert read_session().scalars(select(Comment).where(
            Comment.assessment_id == TRYOUT_ID)).all() == []


def test_seeding_again_adds_nothing(app: Flask) -> None:
    with app.app_context():
        demo.seed()
        counts = [len(read_session().scalars(select(model)).all())
                  for model in (Comment, LessonNote, ActionItem)]
        assert demo.seed().created is False
        assert [len(read_session().scalars(select(model)).all())
                for model in (Comment, LessonNote, ActionItem)] == counts


#: The eleventh lesson's title in each language.
ELEVENTH = {"nl": "Samenhang", "en": "Coherence"}


def _with_an_eleventh_lesson(directory: Path) -> None:
    """The product's questionnaire in both languages, plus a lesson the demo has no level for."""
    for language, title in ELEVENTH.items():
        name = f"tien-lessen.{language}.yaml"
        data: dict[str, Any] = yaml.safe_load((CONTENT_DIR / name).read_text(encoding="utf-8"))
        lesson = copy.deepcopy(data["lessons"][0])
        lesson.update(id="samenhang", title=title, short_title=title)
        for number, statement in enumerate(lesson["statements"], start=1):
            statement["id"] = f"samenhang-{number}"
        data["lessons"].append(lesson)
        (directory / name).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                                      encoding="utf-8")


@pytest.fixture
def eleven_lessons(app_config: dict[str, object], tmp_path: Path) -> Any:
    """The app reading a questionnaire of eleven lessons from its QUESTIONS_DIR."""
    directory = tmp_path / "questions"
    directory.mkdir()
    _with_an_eleventh_lesson(directory)
    application = create_app({**app_config, "QUESTIONS_DIR": str(directory)})
    yield application
    application.extensions["regiospiegel.reports"].close()
    db.dispose(application)


def test_the_demo_seeds_a_questionnaire_with_an_eleventh_lesson(eleven_lessons: Flask) -> None:
    with eleven_lessons.app_context():
        assert demo.seed().respondents == 28
        scan = read_session().get(Assessment, DEMO_ID)
        assert scan is not None
        report = report_context(scan)
        added = report.summary.lesson("samenhang")
        # Scored like any lesson, at the level of a typical one.
        assert added.shown and added.mean is not None and 2.5 < added.mean < 4.0
        html = report_html(report, "/static/")
    assert len(report.lessons) == 11
    assert "Profiel van de 11 lessen" in html and "Samenhang" in html
    client = eleven_lessons.test_client()
    login(client, demo.DEMO_EMAIL, demo.DEMO_PASSWORD)
    page = client.get(f"/begeleider/scans/{DEMO_ID}")
    assert page.status_code == 200
    assert "Samenhang" in page.get_data(as_text=True)
