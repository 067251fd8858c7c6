"""The stored data: facilitators, assessments, respondents, answers and comments.

Nothing here identifies a participant: a respondent is an opaque row reached through a
secret resume token, of which only a hash is stored.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

#: Every code an answer may store: a point on the scale, "weet niet" or "niet van toepassing".
#: The questionnaire's scale decides which of these a statement accepts.
ANSWER_CODES = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "weet_niet", "nvt")


def utcnow() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base with named constraints, so migrations can refer to them."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
    }


class Status(enum.StrEnum):
    """An assessment's life: prepared, open for answers, closed."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Facilitator(Base):
    """A person who prepares and runs scans; logs in with e-mail and password."""

    __tablename__ = "facilitator"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(300))
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    assessments: Mapped[list[Assessment]] = relationship(back_populates="owner")

    # Flask-Login's user protocol.
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session."""
        return str(self.id)


class Assessment(Base):
    """One scan of one region, with the questionnaire content frozen at creation."""

    __tablename__ = "assessment"
    __table_args__ = (
        CheckConstraint("status in ('draft', 'open', 'closed')", name="status"),
        CheckConstraint("language in ('nl', 'en')", name="language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("facilitator.id", ondelete="RESTRICT"))
    region: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(5), default="nl")
    questionnaire_id: Mapped[str] = mapped_column(String(40))
    questionnaire_version: Mapped[str] = mapped_column(String(20))
    content_hash: Mapped[str] = mapped_column(String(64))
    content_snapshot: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=Status.DRAFT.value)
    join_code: Mapped[str] = mapped_column(String(12), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    owner: Mapped[Facilitator] = relationship(back_populates="assessments")
    respondents: Mapped[list[Respondent]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_open(self) -> bool:
        """Whether participants may answer now."""
        return self.status == Status.OPEN


class Respondent(Base):
    """One anonymous participant in one assessment, reached by a secret resume token."""

    __tablename__ = "respondent"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_page: Mapped[str] = mapped_column(String(40), default="intro")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]

    assessment: Mapped[Assessment] = relationship(back_populates="respondents")
    answers: Mapped[list[Answer]] = relationship(
        back_populates="respondent", cascade="all, delete-orphan", passive_deletes=True
    )
    comments: Mapped[list[Comment]] = relationship(
        back_populates="respondent", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def submitted(self) -> bool:
        """Whether the respondent has sent in their answers (they are then final)."""
        return self.submitted_at is not None


class Answer(Base):
    """A respondent's answer to one statement; one row per respondent and statement."""

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("respondent_id", "statement_id", name="uq_answer_respondent_statement"),
        CheckConstraint(
            "value in (" + ", ".join(f"'{code}'" for code in ANSWER_CODES) + ")", name="value"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondent.id", ondelete="CASCADE"))
    statement_id: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    respondent: Mapped[Respondent] = relationship(back_populates="answers")


class Moderation(enum.StrEnum):
    """Whether a free text may appear on the projector and in the report.

    Every text starts as pending: nothing a participant writes is shown before the
    facilitator has included it.
    """

    PENDING = "pending"
    INCLUDED = "included"
    EXCLUDED = "excluded"


class Comment(Base):
    """Free text: a comment on a lesson or an answer to an open question."""

    __tablename__ = "comment"
    __table_args__ = (
        UniqueConstraint("respondent_id", "topic_id", name="uq_comment_respondent_topic"),
        Index("ix_comment_assessment", "assessment_id"),
        CheckConstraint("moderation in ('pending', 'included', 'excluded')", name="moderation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondent.id", ondelete="CASCADE"))
    #: A lesson id, or an open question's id.
    topic_id: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    moderation: Mapped[str] = mapped_column(String(10), default=Moderation.PENDING.value,
                                            server_default=Moderation.PENDING.value)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    respondent: Mapped[Respondent] = relationship(back_populates="comments")
