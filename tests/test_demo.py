"""The demo as `make run` seeds it: a finished session the report and projector can show."""

from __future__ import annotations

from collections import Counter

from flask import Flask
from sqlalchemy import select

from assessment import demo, discussion, priorities
from assessment.db import read_session
from assessment.models import ActionItem, Assessment, Comment, LessonNote, Moderation, Status
from tests.helpers import DEMO_ID, TRYOUT_ID


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
