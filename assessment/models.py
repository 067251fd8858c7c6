"""The stored data: facilitators, assessments, respondents, answers and comments.

Nothing here identifies a participant: a respondent is an opaque row reached through a
secret resume token, of which only a hash is stored.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

#: Every code an answer may store: a point on the scale, "weet niet" or "niet van toepassing".
#: The questionnaire's scale decides which of these a statement accepts.
ANSWER_CODES = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "weet_niet", "nvt")


def utcnow() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A stored time as an aware UTC time: SQLite gives back the stored UTC times without a
    zone, PostgreSQL with one."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


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
    """An assessment's life: prepared, open for answers, paused for a moment, closed."""

    DRAFT = "draft"
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


def N_(text: str) -> str:
    """Mark a Dutch word for extraction; it is translated where it is shown."""
    return text


#: How every page, slide and export names a status, in Dutch (the interface's source
#: language): translate it where it is shown, into the reader's language.
STATUS_LABELS: dict[str, str] = {
    Status.DRAFT: N_("Voorbereiding"), Status.OPEN: N_("Open"),
    Status.PAUSED: N_("Gepauzeerd"), Status.CLOSED: N_("Gesloten"),
}


class Source(enum.StrEnum):
    """How a respondent came in: the shared link or code, a personal link, or on paper."""

    LINK = "link"
    PERSONAL = "personal"
    PAPER = "paper"


class Facilitator(Base):
    """A person who prepares and runs scans; logs in with e-mail and password."""

    __tablename__ = "facilitator"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(300))
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Part of every login session's id; raising it ends all the account's sessions (logging
    #: out, a new password), also copies of the session cookie.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    assessments: Mapped[list[Assessment]] = relationship(back_populates="owner")

    # Flask-Login's user protocol.
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session: the account's id and session version."""
        return f"{self.id}:{self.session_version}"


class Assessment(Base):
    """One scan of one region, with the questionnaire content frozen at creation."""

    __tablename__ = "assessment"
    __table_args__ = (
        CheckConstraint("status in ('draft', 'open', 'paused', 'closed')", name="status"),
        CheckConstraint("language in ('nl', 'en')", name="language"),
        CheckConstraint("vote_status in ('none', 'open', 'closed')", name="vote_status"),
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
    session_date: Mapped[date | None]
    #: The earlier round this one is compared with (same questionnaire).
    previous_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment.id", ondelete="SET NULL"))
    invited_count: Mapped[int | None]
    #: The participating organisations, one per line (also used to warn about names).
    organisations: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: The projector: the index of the slide it shows in :func:`assessment.projector.slide_deck`
    #: (0 is the join slide), and whether the facilitator blanked the screen.
    reveal_step: Mapped[int] = mapped_column(default=0, server_default="0")
    projector_blank: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Set when the raw answers were purged; the summary then lives in ``summary_snapshot``.
    purged_at: Mapped[datetime | None]
    summary_snapshot: Mapped[str | None] = mapped_column(Text)
    #: Set when the scan was restored from a backup without its answers (purged before the
    #: backup): its figures are the file's summary, not computed in this installation.
    figures_imported_at: Mapped[datetime | None]
    #: The group's vote on priorities: none held yet, open, or closed (see priorities.py).
    vote_status: Mapped[str] = mapped_column(String(10), default="none", server_default="none")
    #: How many lessons each participant may choose in the vote.
    vote_max_choices: Mapped[int] = mapped_column(default=3, server_default="3")
    #: How many submitted respondents (in submission order) the results published at the
    #: last close or reopen; the results count from it in steps of three (anonymity.py).
    published_respondents: Mapped[int] = mapped_column(default=0, server_default="0")
    #: The ballots (lessons only, no voters) whose tally the last close of the vote showed;
    #: a later close shows a new tally only when 3 or more ballots are new (anonymity.py).
    vote_published: Mapped[list[list[str]] | None] = mapped_column(JSON)
    #: The last day to answer, as the invitation e-mails say it; optional.
    answer_by: Mapped[date | None]
    #: Who asked for the scan (on the report's cover); optional.
    commissioner: Mapped[str] = mapped_column(String(200), default="", server_default="")
    #: How often the report was marked "definitief" (its last version number; 0: never).
    report_version: Mapped[int] = mapped_column(default=0, server_default="0")
    #: When the report was last marked "definitief"; None while it is a concept again
    #: (see :mod:`assessment.report_texts`).
    report_final_at: Mapped[datetime | None]

    #: The programme this scan takes part in (None: it takes part in none; the default).
    #: Its facilitator chooses; withdrawing sets it back, and the scan leaves every
    #: landscape and every peer comparison at once (:mod:`assessment.programmes`).
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme.id", ondelete="SET NULL"), index=True)
    #: Whether the programme's landscape and other regions' peer quadrants may name the
    #: region; anonymous (False) unless its facilitator chose otherwise.
    named_in_programme: Mapped[bool] = mapped_column(default=False, server_default=false())

    owner: Mapped[Facilitator] = relationship(back_populates="assessments")
    respondents: Mapped[list[Respondent]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", passive_deletes=True
    )
    translations: Mapped[list[AssessmentTranslation]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True,
        order_by="AssessmentTranslation.language",
    )

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages participants may answer in: the assessment's own first."""
        return (self.language, *(t.language for t in self.translations
                                  if t.language != self.language))

    @property
    def is_open(self) -> bool:
        """Whether participants may answer now."""
        return self.status == Status.OPEN


class Programme(Base):
    """A programme (programma) that runs the same questionnaire in many regions.

    Scans whose facilitators chose to take part form its landscape (landschap); its
    owners (programma-eigenaren) see that landscape and nothing of any scan's own pages.
    ``lesson_ids`` are the lessons a scan's questionnaire must have, in this order, for
    the scan to take part (any version of ``questionnaire_id`` with these lessons).
    """

    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    questionnaire_id: Mapped[str] = mapped_column(String(40))
    lesson_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProgrammeOwner(Base):
    """A programme owner (programma-eigenaar): an account that sees a programme's landscape."""

    __tablename__ = "programme_owner"

    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(
        ForeignKey("facilitator.id", ondelete="CASCADE"), primary_key=True)


class AssessmentTranslation(Base):
    """The assessment's questionnaire in another language, frozen with it (same ids).

    Participants may answer in any of these; scores, the dashboard and the report use the
    assessment's own language.
    """

    __tablename__ = "assessment_translation"
    __table_args__ = (CheckConstraint("language in ('nl', 'en')", name="language"),)

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(5), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    content_snapshot: Mapped[str] = mapped_column(Text)


class Respondent(Base):
    """One anonymous participant in one assessment, reached by a secret resume token."""

    __tablename__ = "respondent"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: For a personal link made in advance: the hash of that link's token. Until the
    #: participant presses "Beginnen" it equals ``token_hash``; then the participant gets a
    #: token of their own and the link from the facilitator's file opens nothing any more.
    invitation_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_page: Mapped[str] = mapped_column(String(40), default="intro")
    source: Mapped[str] = mapped_column(String(10), default=Source.LINK.value,
                                        server_default=Source.LINK.value)
    #: The language this respondent chose; None means the assessment's language.
    language: Mapped[str | None] = mapped_column(String(5))

    __table_args__ = (
        CheckConstraint("source in ('link', 'personal', 'paper')", name="source"),
    )
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

    @property
    def invitation_pending(self) -> bool:
        """Whether this is a personal link made in advance that nobody has begun with yet."""
        return self.invitation_hash is not None and self.invitation_hash == self.token_hash


class Delivery(enum.StrEnum):
    """Where an invitation's latest e-mail stands: waiting, being handed to the mail server
    (stored before it is), taken by the server, or refused (with the server's reason)."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class MailKind(enum.StrEnum):
    """Which e-mail an invitation's delivery is about: the invitation or a reminder."""

    INVITATION = "invitation"
    REMINDER = "reminder"


class Invitation(Base):
    """One e-mail address invited to an assessment, and how its e-mails fared.

    Deliberately not linked to a respondent: no respondent row refers to an invitation, and
    nothing here refers to a respondent. The personal link in the e-mail is derived from the
    app's secret and ``nonce`` (:mod:`assessment.invitation_links`), never stored; only its
    keyed hash is (``link_hash``). While someone answers with it, their respondent's
    ``invitation_hash`` holds that hash, so the mailed link resumes their answers on any
    device; the transaction that sends the answers in sets ``sent_in`` and empties the
    respondent's ``invitation_hash``, after which no stored data link the two. ``sent_in``
    has no time, and the rows have no order but their id (the order of the address list).
    The address (and the nonce) are emptied when the scan closes, after
    ``INVITATION_ADDRESS_DAYS`` days, or on a purge (:func:`assessment.invitations.forget`).
    """

    __tablename__ = "invitation"
    __table_args__ = (
        UniqueConstraint("assessment_id", "address", name="uq_invitation_assessment_address"),
        CheckConstraint("delivery in ('queued', 'sending', 'sent', 'failed')",
                        name="delivery"),
        CheckConstraint("message in ('invitation', 'reminder')", name="message"),
        CheckConstraint("language in ('nl', 'en')", name="language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    #: None once the addresses were deleted.
    address: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5), default="nl")
    #: Random; with the app's secret it makes the link again for a reminder. None once the
    #: address is deleted: the link can then not be made again.
    nonce: Mapped[str | None] = mapped_column(String(64))
    link_hash: Mapped[str] = mapped_column(String(64), unique=True)
    delivery: Mapped[str] = mapped_column(String(10), default=Delivery.QUEUED.value)
    message: Mapped[str] = mapped_column(String(10), default=MailKind.INVITATION.value)
    #: The mail server's reply when the latest e-mail failed (or is being tried again).
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: Tries of the latest e-mail that met a temporary failure.
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    reminders: Mapped[int] = mapped_column(default=0, server_default="0")
    sent_in: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: When the e-mail was marked as being handed over; only while ``delivery`` is
    #: "sending", so an interrupted send can be told from one in progress.
    claimed_at: Mapped[datetime | None]
    #: When the address was added (its deletion after INVITATION_ADDRESS_DAYS counts from it).
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MailText(Base):
    """A facilitator's own text for the invitation or the reminder in one language.

    Without one, the default text of :mod:`assessment.mail_texts` is used.
    """

    __tablename__ = "mail_text"
    __table_args__ = (
        UniqueConstraint("assessment_id", "language", "kind",
                         name="uq_mail_text_assessment_language_kind"),
        CheckConstraint("kind in ('invitation', 'reminder')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(5))
    kind: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)


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
    #: What the participant wrote. Never shown once redacted; purged with the raw answers.
    text: Mapped[str] = mapped_column(Text)
    #: The facilitator's version with names and details taken out; None when not redacted.
    redacted_text: Mapped[str | None] = mapped_column(Text)
    moderation: Mapped[str] = mapped_column(String(10), default=Moderation.PENDING.value,
                                            server_default=Moderation.PENDING.value)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    respondent: Mapped[Respondent] = relationship(back_populates="comments")

    @hybrid_property
    def shown_text(self) -> str:
        """The text any page, projector, report or export shows: the redacted version if any.

        The one way to a comment's text for display; in a query it is the same rule in SQL.
        """
        return self.redacted_text if self.redacted_text is not None else self.text

    @shown_text.inplace.expression
    @classmethod
    def _shown_text_expression(cls) -> ColumnElement[str]:
        return func.coalesce(cls.redacted_text, cls.text)


class AssessmentShare(Base):
    """A co-facilitator: another facilitator who may see and change an assessment."""

    __tablename__ = "assessment_share"

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(
        ForeignKey("facilitator.id", ondelete="CASCADE"), primary_key=True)


class LessonNote(Base):
    """What the group said about a lesson in the session, and what it concluded."""

    __tablename__ = "lesson_note"
    __table_args__ = (UniqueConstraint("assessment_id", "lesson_id",
                                       name="uq_lesson_note_assessment_lesson"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    lesson_id: Mapped[str] = mapped_column(String(40))
    notes: Mapped[str] = mapped_column(Text, default="")
    conclusion: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ActionItem(Base):
    """An agreed action: what, who, by when, and for which lesson."""

    __tablename__ = "action_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200), default="")
    term: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportText(Base):
    """The facilitator's own text in the report: the foreword, or a lesson's advice.

    ``part`` is :data:`assessment.report_texts.FOREWORD` or a lesson id; a lesson's ``mode``
    says whether the text replaces or extends the generated advice.
    """

    __tablename__ = "report_text"
    __table_args__ = (
        UniqueConstraint("assessment_id", "part", name="uq_report_text_assessment_part"),
        CheckConstraint("mode in ('replace', 'extend')", name="mode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    part: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text, default="")
    mode: Mapped[str] = mapped_column(String(10), default="extend", server_default="extend")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEvent(Base):
    """An action worth keeping: who did what to which assessment (if any), and when.

    Kept after the assessment is deleted, so ids and names are copied, not referenced (no
    foreign key: a cascade would delete the log with the scan). Who did it is a logged-in
    facilitator, or on the command line the ``operator``; neither for what the app did by
    itself (and for a failed login, whose maker is not known).
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    facilitator_id: Mapped[int | None]
    facilitator_email: Mapped[str] = mapped_column(String(254), default="")
    #: Who ran the command, for an action on the command line: the operating-system user,
    #: or the name given with ``--actor`` followed by that user in brackets.
    operator: Mapped[str] = mapped_column(String(200), default="", server_default="")
    assessment_id: Mapped[int | None] = mapped_column(index=True)
    assessment_title: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")


#: How the audit log names each action, in Dutch (the interface's source language):
#: translate it where it is shown. An action missing here shows as its code.
AUDIT_ACTIONS: dict[str, str] = {
    "created": N_("aangemaakt"), "prepared": N_("voorbereiding gewijzigd"),
    "opened": N_("geopend"), "paused": N_("gepauzeerd"), "resumed": N_("hervat"),
    "closed": N_("gesloten"), "drafted": N_("terug naar voorbereiding"),
    "shared": N_("collega toegevoegd"), "unshared": N_("collega verwijderd"),
    "personal_links": N_("persoonlijke links gemaakt"), "exported": N_("geëxporteerd"),
    "deleted": N_("verwijderd"), "purged": N_("ruwe antwoorden opgeschoond"),
    "password_reset": N_("wachtwoord opnieuw ingesteld"), "imported": N_("geïmporteerd"),
    "backed_up": N_("back-up met ruwe antwoorden gemaakt"),
    "notes_saved": N_("notities opgeslagen"), "action_added": N_("actie toegevoegd"),
    "action_changed": N_("actie gewijzigd"), "action_deleted": N_("actie verwijderd"),
    "text_included": N_("toelichting opgenomen"), "text_excluded": N_("toelichting uitgesloten"),
    "text_pending": N_("toelichting teruggezet"),
    "text_redacted": N_("toelichting aangepast"),
    "paper_entered": N_("papieren vragenlijst ingevoerd"),
    "empty_starts_cleared": N_("lege starts gewist"),
    "report_texts_saved": N_("rapportteksten opgeslagen"),
    "report_final": N_("rapport definitief gemaakt"),
    "report_downloaded": N_("rapport gedownload (PDF)"),
    "report_previewed": N_("rapport bekeken"),
    "report_written": N_("rapport als PDF geschreven"),
    "account_created": N_("account aangemaakt"),
    "logged_in": N_("ingelogd"),
    "login_failed": N_("inloggen mislukt"),
    "login_failed_unknown": N_("inloggen mislukt met een onbekend account"),
    "vote_opened": N_("stemming geopend"), "vote_closed": N_("stemming gesloten"),
    "priorities_adopted": N_("prioriteiten overgenomen als acties"),
    "programme_created": N_("programma aangemaakt"),
    "programme_owner_added": N_("programma-eigenaar toegevoegd"),
    "programme_owner_removed": N_("programma-eigenaar verwijderd"),
    "programme_joined": N_("doet mee aan een programma"),
    "programme_withdrawn": N_("teruggetrokken uit een programma"),
    "invitations_added": N_("e-mailadressen uitgenodigd"),
    "invitations_sent": N_("uitnodigingen per e-mail verstuurd"),
    "reminders_sent": N_("herinneringen per e-mail verstuurd"),
    "mail_texts_saved": N_("tekst van de uitnodiging opgeslagen"),
    "invitation_addresses_deleted": N_("e-mailadressen verwijderd"),
}


class PriorityVote(Base):
    """One participant's choice in the vote on priorities: the lessons to work on first.

    Deliberately not linked to a respondent: ``voter_hash`` is a keyed hash (the app's secret
    is the key, and it is not stored in the database) that only recognises the same voter
    again, so a changed vote replaces the earlier one. It is emptied when the raw data are
    purged; the lessons stay, so the tally outlives the purge.
    """

    __tablename__ = "priority_vote"
    __table_args__ = (UniqueConstraint("assessment_id", "voter_hash",
                                       name="uq_priority_vote_assessment_voter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    voter_hash: Mapped[str | None] = mapped_column(String(64))
    #: The lesson ids chosen, in questionnaire order.
    lessons: Mapped[list[str]] = mapped_column(JSON, default=list)


class ReportPdf(Base):
    """A rendered PDF report, kept by its report key so every app server can send it.

    Only used with a report queue (``REDIS_URL``): the worker writes it, any server reads it.
    A cache: rows may be deleted at any time; a missing report is rendered again.
    """

    __tablename__ = "report_pdf"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Deleting an assessment deletes its reports with it (the database cascades).
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class RateLimitCounter(Base):
    """One rate-limit counter (:mod:`assessment.rate_limits`), shared by every server process.

    ``key`` is a keyed hash of the limiter's key, so neither client addresses nor e-mail
    addresses are stored. A counter whose ``expires_at`` (seconds since the epoch) has
    passed counts as zero and is removed now and then.
    """

    __tablename__ = "rate_limit_counter"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[float] = mapped_column(Float, index=True)
