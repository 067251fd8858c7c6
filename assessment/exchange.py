"""Exports and imports of an assessment: the aggregates as CSV and XLSX, everything as JSON.

Aggregates (CSV and XLSX)
    Built only from :func:`assessment.results.assessment_summary`, the summary the dashboard
    and the report show, so no number can differ from theirs. The anonymity rules
    (:mod:`assessment.anonymity`) are applied there; here an organisation type's hidden cell
    is written as "verborgen" and a type nobody belongs to as an empty cell. A lesson without
    a score has no shares, consensus or statement figures (its information gap is a yes/no
    signal only), and a statement with fewer than 3 valid answers is written as "te weinig
    antwoorden" with empty cells. The details give both the number who sent in and the
    number the figures count (the most recent wait while answering is open). With fewer than
    ``MIN_RESPONDENTS`` counted respondents the file holds the scan's details and a note: no
    figures and no free texts. Of the free texts only those the facilitator included are
    written. The group's priorities are added when the vote closed with at least 3 voters.
    The same tables make both files: one CSV with a section per table (semicolons and
    decimal commas, as Dutch spreadsheet programs expect), one XLSX sheet per table.

Formula injection
    Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula,
    and some do so after a leading tab or carriage return. Every cell that starts with one of
    these gets a single quote in front (:func:`neutralise`), in CSV and in XLSX; XLSX text
    cells are also stored with the text type, never as formulas.

The full export (JSON)
    Format ``regiospiegel.assessment``, version 1 (:class:`AssessmentExport`): the frozen
    questionnaire with its hash, the assessment's details, every respondent with profile,
    source, timestamps, answers and free texts (with their moderation), the lesson notes,
    the actions and the vote on priorities (each vote's lessons, without voters). Nothing in
    it identifies a respondent or points outside the file: no token hashes, no voter hashes
    and no database ids (respondents are numbered 1..n in the order they started), no
    co-facilitators, no audit log, no link to a previous round.

Import
    :func:`import_assessment` restores such a file as a new assessment of a given facilitator.
    The snapshot must match its hash (a changed file is refused) and pass the questionnaire
    schema, and every answer, text, note and action must fit that questionnaire. The join
    code is kept unless this installation already uses it. Respondents get fresh random token
    hashes: their old personal links do not work in the new installation.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from assessment import content, priorities, results
from assessment.aggregation import PROFILE_GROUP_QUESTION, CellStatus, Summary
from assessment.anonymity import MIN_GROUP_SIZE, MIN_RESPONDENTS, STEP, Counting
from assessment.db import read_session, write_transaction
from assessment.exceptions import RegiospiegelError
from assessment.management import audit, new_join_code
from assessment.models import (
    ActionItem,
    Answer,
    Assessment,
    AssessmentTranslation,
    Comment,
    Facilitator,
    LessonNote,
    PriorityVote,
    Respondent,
    utcnow,
)
from assessment.participation import hash_token, new_token
from assessment.snapshots import summary_from_json
from questions.loader import from_snapshot
from questions.schema import Questionnaire
from questions.translations import structural_mismatches

FORMAT_ID = "regiospiegel.assessment"
FORMAT_VERSION = 1
#: Far above any real scan (a thousand respondents make a few megabytes).
MAX_IMPORT_BYTES = 64 * 1024 * 1024

#: A cell starting with one of these is read as a formula by some spreadsheet program.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: An organisation type's figure kept back by the anonymity rules.
HIDDEN = "verborgen"
#: A statement's figures kept back: fewer than three valid answers.
WITHHELD = "te weinig antwoorden"

_STATUS_LABELS = {"draft": "in voorbereiding", "open": "open", "paused": "gepauzeerd",
                  "closed": "gesloten"}


class ExchangeError(RegiospiegelError):
    """An export file cannot be imported; the message says what is wrong and what to do."""


class TamperedExport(ExchangeError):
    """The questionnaire in an export file does not match its hash: the file was changed."""


def neutralise(text: str) -> str:
    """The text with a single quote in front when a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# -- aggregates: the tables ----------------------------------------------------------------

#: One cell: text, a count, a figure, a yes/no flag, or empty.
Cell = str | int | float | bool | None


@dataclass(frozen=True)
class Column:
    """A column's header; ``share`` marks fractions (0–1), shown as percentages in XLSX."""

    header: str
    share: bool = False


@dataclass(frozen=True)
class Table:
    """One table of the aggregates export: a CSV section and an XLSX sheet."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]


def assessment_tables(assessment: Assessment, exported_at: datetime | None = None
                      ) -> tuple[Table, ...]:
    """The aggregates of an assessment as tables, from its one summary."""
    summary, counting = results.counted_summary(assessment)
    return aggregate_tables(
        assessment, content.for_assessment(assessment), summary,
        results.included_comments(assessment.id), exported_at or utcnow(),
        priorities.result(assessment), counting)


def aggregate_tables(
    assessment: Assessment,
    questionnaire: Questionnaire,
    summary: Summary,
    comments: Mapping[str, Sequence[str]],
    exported_at: datetime,
    vote: priorities.VoteResult | None = None,
    counting: Counting | None = None,
) -> tuple[Table, ...]:
    """The tables of the aggregates export (see the module docstring for the rules).

    Scan details always; below the anonymity threshold nothing else. Otherwise: per lesson,
    per statement, per context block, respondents per organisation type, lesson means per
    organisation type, and the included free texts. The group's priorities follow when the
    vote closed with at least 3 voters (its own threshold, so also below the other one).
    """
    details = _details_table(assessment, questionnaire, summary, exported_at, counting)
    extra = (_priorities_table(vote),) if vote is not None and vote.final else ()
    if not summary.shown:
        return (details, *extra)
    return (
        details,
        _lessons_table(questionnaire, summary),
        _statements_table(questionnaire, summary),
        _context_table(questionnaire, summary),
        _group_sizes_table(questionnaire, summary),
        _groups_table(questionnaire, summary),
        _comments_table(questionnaire, comments),
        *extra,
    )


def _priorities_table(vote: priorities.VoteResult) -> Table:
    """The lessons that got a vote, most first, with the share of voters who chose each."""
    top = {row.lesson_id for row in vote.top}
    columns = (Column("les-id"), Column("les"), Column("stemmen"), Column("stemmers"),
               Column("deel van de stemmers", share=True), Column("prioriteit"))
    rows = tuple((row.lesson_id, row.title, row.votes, vote.voters, row.share,
                  row.lesson_id in top) for row in vote.lessons if row.votes)
    return Table("Prioriteiten", columns, rows)


def _details_table(assessment: Assessment, questionnaire: Questionnaire, summary: Summary,
                   exported_at: datetime, counting: Counting | None = None) -> Table:
    rows: list[tuple[Cell, ...]] = [
        ("regio", assessment.region),
        ("titel", assessment.title),
        ("vragenlijst", questionnaire.title),
        ("versie vragenlijst", questionnaire.version),
        ("datum bijeenkomst",
         assessment.session_date.isoformat() if assessment.session_date else None),
        ("status", _STATUS_LABELS.get(assessment.status, assessment.status)),
        ("uitgenodigd", assessment.invited_count),
        ("deelnemers die hun antwoorden verzonden",
         counting.submitted if counting else summary.respondents),
        ("deelnemers in de uitkomsten", summary.respondents),
    ]
    if summary.shown:
        rows += [
            ("gemiddelde score van alle lessen", summary.overall_index),
            ("schaal", f"{questionnaire.scale().minimum} tot {questionnaire.scale().maximum}"),
            (HIDDEN, f"minder dan {MIN_GROUP_SIZE} deelnemers van dit soort organisatie, of "
                     "verborgen zodat een kleine groep niet uit de andere volgt"),
            ("leeg bij een soort organisatie", "niemand van dit soort organisatie deed mee"),
            (WITHHELD, f"minder dan {MIN_RESPONDENTS} geldige antwoorden: geen cijfers"),
        ]
    if counting is not None and counting.waiting:
        rows.append(("nog niet meegeteld",
                     f"{counting.waiting} van de laatst verzonden antwoorden; de uitkomsten "
                     f"lopen in stappen van {STEP} mee, zodat niemand af te leiden is"))
    else:
        rows.append(("let op", f"Minder dan {MIN_RESPONDENTS} deelnemers hebben hun antwoorden "
                               "verzonden. Zodat niemand herkenbaar is, staan er nog geen "
                               "uitkomsten en toelichtingen in deze export."))
    rows.append(("geëxporteerd op", _utc(exported_at).strftime("%Y-%m-%d %H:%M UTC")))
    return Table("Scan", (Column("onderdeel"), Column("waarde")), tuple(rows))


def _lessons_table(questionnaire: Questionnaire, summary: Summary) -> Table:
    bands: dict[str, str] = {band.id: band.label for band in questionnaire.bands}
    columns = (
        Column("les-id"), Column("les"), Column("n"), Column("gemiddelde"), Column("mediaan"),
        Column("standaardafwijking"), Column("eens", share=True),
        Column("neutraal", share=True), Column("oneens", share=True),
        Column("weet niet", share=True), Column("consensus"), Column("band"),
        Column("verdeeld"), Column("verdeeld: spreiding"), Column("verdeeld: eens en oneens"),
        Column("verdeeld: soorten organisaties"), Column("informatietekort"),
    )
    rows = []
    for lesson in summary.lessons:
        distribution = lesson.distribution
        # Shares only with a score (3 or more respondents); the gap stays a yes/no signal.
        valid = lesson.shown and distribution.valid > 0
        flags: tuple[Cell, ...] = (
            (lesson.divided, lesson.divided_by_sd, lesson.divided_by_polarisation,
             lesson.divided_by_groups) if lesson.shown else (None, None, None, None))
        rows.append((
            lesson.lesson_id, lesson.title, lesson.n, lesson.mean, lesson.median, lesson.sd,
            distribution.agree if valid else None, distribution.neutral if valid else None,
            distribution.disagree if valid else None,
            distribution.dont_know_share if valid else None,
            lesson.consensus, bands.get(lesson.band) if lesson.band else None,
            *flags, lesson.information_gap,
        ))
    return Table("Lessen", columns, tuple(rows))


def _statements_table(questionnaire: Questionnaire, summary: Summary) -> Table:
    scale = questionnaire.scale()
    texts = {s.id: s.text for s in questionnaire.statements()}
    non_valid = {option.code: option.label for option in scale.non_valid}
    columns = (
        Column("les-id"), Column("stelling-id"), Column("stelling"), Column("omgekeerd"),
        *(Column(f"{point.value} {point.label}") for point in scale.points),
        Column(f"weet niet ({non_valid.get('weet_niet', 'weet niet')})"),
        Column(f"n.v.t. ({non_valid.get('nvt', 'niet van toepassing')})"),
        Column("n op de schaal"), Column("gemiddelde (gescoord)"), Column("let op"),
    )
    rows: list[tuple[Cell, ...]] = []
    for lesson in questionnaire.lessons:
        found = {s.statement_id: s for s in summary.lesson(lesson.id).statements}
        for item in lesson.statements:
            statement = found.get(item.id)
            if statement is None or not statement.shown:
                # Fewer than three valid answers, or a lesson without a score: no figures.
                rows.append((lesson.id, item.id, item.text, item.reverse,
                             *(None,) * (len(scale.points) + 4), WITHHELD))
                continue
            distribution = statement.distribution
            rows.append((
                lesson.id, item.id, texts.get(item.id, ""),
                statement.reverse, *distribution.counts, distribution.dont_know,
                distribution.not_applicable, distribution.valid, statement.scored_mean, None,
            ))
    return Table("Stellingen", columns, tuple(rows))


def _context_table(questionnaire: Questionnaire, summary: Summary) -> Table:
    titles = {block.id: block.title for block in questionnaire.context_blocks}
    rows = tuple((block.block_id, titles.get(block.block_id, ""), block.n, block.mean)
                 for block in summary.context)
    return Table("Context", (Column("blok-id"), Column("blok"), Column("n"),
                             Column("gemiddelde")), rows)


def group_labels(questionnaire: Questionnaire) -> dict[str, str]:
    """The organisation types (id → label) the summary reports on, in questionnaire order."""
    for question in questionnaire.profile:
        if question.id == PROFILE_GROUP_QUESTION:
            return {option.id: option.label for option in question.options}
    return {}


def _group_cell(status: CellStatus, value: Cell) -> Cell:
    if status is CellStatus.HIDDEN:
        return HIDDEN
    return value if status is CellStatus.SHOWN else None


def _group_sizes_table(questionnaire: Questionnaire, summary: Summary) -> Table:
    labels = group_labels(questionnaire)
    rows = tuple((cell.group, labels.get(cell.group, cell.group),
                  _group_cell(cell.status, cell.n)) for cell in summary.group_sizes)
    return Table("Deelnemers per soort", (Column("soort-id"), Column("soort organisatie"),
                                          Column("aantal deelnemers")), rows)


def _groups_table(questionnaire: Questionnaire, summary: Summary) -> Table:
    labels = group_labels(questionnaire)
    columns = [Column("les-id"), Column("les")]
    for group, label in labels.items():
        columns += [Column(f"{label} ({group}): n"), Column(f"{label} ({group}): gemiddelde")]
    rows = []
    for lesson in summary.lessons:
        cells = {cell.group: cell for cell in lesson.groups}
        row: list[Cell] = [lesson.lesson_id, lesson.title]
        for group in labels:
            cell = cells.get(group)
            if cell is None:  # no figures for this lesson at all
                row += [None, None]
            else:
                row += [_group_cell(cell.status, cell.n), _group_cell(cell.status, cell.mean)]
        rows.append(tuple(row))
    return Table("Per soort organisatie", tuple(columns), tuple(rows))


def _comments_table(questionnaire: Questionnaire, comments: Mapping[str, Sequence[str]]
                    ) -> Table:
    topics = [(lesson.id, lesson.title) for lesson in questionnaire.lessons]
    topics += [(question.id, question.text) for question in questionnaire.open_questions]
    rows = tuple((topic_id, title, text)
                 for topic_id, title in topics for text in comments.get(topic_id, ()))
    return Table("Toelichtingen", (Column("les-of-vraag-id"), Column("les of open vraag"),
                                   Column("toelichting")), rows)


# -- aggregates: the files -----------------------------------------------------------------


def _decimal(value: float) -> str:
    """A figure with up to four decimals and a decimal comma, such as "3,4286"."""
    return f"{value:.4f}".rstrip("0").rstrip(".").replace(".", ",")


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float):
        return neutralise(_decimal(value))
    return neutralise(str(value))


def tables_csv(tables: Iterable[Table]) -> str:
    """The tables as one CSV text: per table its title, a header row and its rows.

    Semicolons between cells, a blank row between tables, and a byte-order mark so that
    spreadsheet programs read the file as UTF-8.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow([neutralise(table.title)])
        writer.writerow([neutralise(column.header) for column in table.columns])
        writer.writerows([_csv_cell(value) for value in row] for row in table.rows)
    return "\ufeff" + buffer.getvalue()


def tables_xlsx(tables: Iterable[Table]) -> bytes:
    """The tables as an XLSX workbook, one sheet per table, text never stored as a formula."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(table.title[:31])
        widths = [len(column.header) for column in table.columns]
        for col, column in enumerate(table.columns, start=1):
            _xlsx_write(sheet.cell(row=1, column=col), column.header).font = bold
        for row_number, row in enumerate(table.rows, start=2):
            for col, (column, value) in enumerate(zip(table.columns, row, strict=True),
                                                  start=1):
                cell = _xlsx_write(sheet.cell(row=row_number, column=col), value)
                if isinstance(value, float):
                    cell.number_format = "0.0%" if column.share else "0.00"
                if isinstance(value, str) and len(value) > 60:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                widths[col - 1] = max(widths[col - 1], len(str(value or "")))
        for col, width in enumerate(widths, start=1):
            sheet.column_dimensions[sheet.cell(row=1, column=col).column_letter].width = (
                min(max(width, 6), 60) + 2)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_write(cell: Any, value: Cell) -> Any:
    """Put a value in a cell: figures as numbers, flags as ja/nee, everything else as text."""
    if value is None:
        return cell
    if isinstance(value, bool):
        value = "ja" if value else "nee"
    if isinstance(value, str):
        # Characters XML cannot hold would make the whole file unreadable.
        cell.value = neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def file_name(assessment: Assessment, kind: str, extension: str) -> str:
    """A download name such as ``regiospiegel-uitkomsten-regio-zwolle-casus-dalfsen.csv``."""
    name = assessment.title
    if assessment.region.lower() not in name.lower():
        name = f"{assessment.region} {name}"
    plain = unicodedata.normalize("NFKD", name)
    plain = plain.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:60].strip("-")
    return f"regiospiegel-{kind}-{slug or assessment.id}.{extension}"


def record_export(assessment_id: int, export_format: str, actor: Facilitator | None) -> None:
    """Note in the audit log that an assessment was exported, and in which format."""
    with write_transaction() as session:
        assessment = session.get(Assessment, assessment_id)
        if assessment is None:
            raise RegiospiegelError(f"no assessment {assessment_id}")
        audit(session, "exported", actor, assessment, export_format)


# -- the full export: its format -----------------------------------------------------------

_ShortText = Annotated[str, StringConstraints(max_length=200)]
_ItemId = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExportedTranslation(_Model):
    """The questionnaire in another language, frozen with the assessment, and its SHA-256."""

    language: Literal["nl", "en"]
    content_hash: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    snapshot: str


class ExportedContent(_Model):
    """The questionnaire frozen with the assessment, exactly as stored, and its SHA-256.

    ``translations`` came later in version 1, so files without it still import.
    """

    questionnaire_id: _ItemId
    questionnaire_version: Annotated[str, StringConstraints(max_length=20)]
    content_hash: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    snapshot: str
    translations: tuple[ExportedTranslation, ...] = ()


class ExportedDetails(_Model):
    """The assessment's own fields (its owner, co-facilitators and previous round stay home)."""

    region: _ShortText
    title: _ShortText
    language: Literal["nl", "en"]
    status: Literal["draft", "open", "paused", "closed"]
    join_code: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{4,12}$")]
    created_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None
    session_date: date | None
    invited_count: int | None = Field(ge=1)
    organisations: str
    reveal_step: int = Field(ge=0)
    purged_at: datetime | None
    summary_snapshot: str | None


class ExportedAnswer(_Model):
    """One answer: the statement and the stored code."""

    statement: _ItemId
    value: Annotated[str, StringConstraints(max_length=10)]
    updated_at: datetime


class ExportedText(_Model):
    """One free text: its lesson or open question, the text, and the facilitator's decision."""

    topic: _ItemId
    text: str
    moderation: Literal["pending", "included", "excluded"]
    updated_at: datetime


class ExportedRespondent(_Model):
    """One respondent, numbered within the file; no token, no id."""

    number: int = Field(ge=1)
    source: Literal["link", "personal", "paper"]
    language: Literal["nl", "en"] | None = None
    profile: dict[str, str]
    last_page: Annotated[str, StringConstraints(max_length=40)]
    submitted: bool
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    answers: tuple[ExportedAnswer, ...]
    texts: tuple[ExportedText, ...]


class ExportedNote(_Model):
    """What the group said about a lesson, and concluded."""

    lesson: _ItemId
    notes: str
    conclusion: str
    updated_at: datetime


class ExportedAction(_Model):
    """An agreed action."""

    lesson: _ItemId | None
    action: str
    owner: _ShortText
    term: Annotated[str, StringConstraints(max_length=100)]
    created_at: datetime


class ExportedVote(_Model):
    """The vote on priorities: its state, the most lessons per voter, each vote's lessons.

    No voter hashes: a vote is only its lessons, sorted so their order says nothing about who
    voted when. ``priority_vote`` came later in version 1, so files without it still import.
    """

    status: Literal["none", "open", "closed"]
    max_choices: int = Field(ge=1)
    ballots: tuple[tuple[_ItemId, ...], ...]


class AssessmentExport(_Model):
    """A whole assessment as one JSON document (format ``regiospiegel.assessment``)."""

    format: Literal["regiospiegel.assessment"]
    format_version: Literal[1]
    exported_at: datetime
    content: ExportedContent
    assessment: ExportedDetails
    respondents: tuple[ExportedRespondent, ...]
    lesson_notes: tuple[ExportedNote, ...]
    actions: tuple[ExportedAction, ...]
    priority_vote: ExportedVote | None = None


# -- the full export: writing --------------------------------------------------------------


def _utc(value: datetime) -> datetime:
    """An aware UTC time; SQLite gives back the stored UTC times without a zone."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _utc_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else _utc(value)


def export_document(assessment: Assessment, exported_at: datetime | None = None
                    ) -> AssessmentExport:
    """The full export of an assessment, read in a handful of queries."""
    session = read_session()
    respondents = session.scalars(
        select(Respondent).where(Respondent.assessment_id == assessment.id)
        .order_by(Respondent.id)).all()
    in_assessment = select(Respondent.id).where(Respondent.assessment_id == assessment.id)
    answers: dict[int, list[ExportedAnswer]] = defaultdict(list)
    for respondent_id, statement_id, value, updated_at in session.execute(
            select(Answer.respondent_id, Answer.statement_id, Answer.value, Answer.updated_at)
            .where(Answer.respondent_id.in_(in_assessment))
            .order_by(Answer.respondent_id, Answer.statement_id)):
        answers[respondent_id].append(
            ExportedAnswer(statement=statement_id, value=value, updated_at=_utc(updated_at)))
    texts: dict[int, list[ExportedText]] = defaultdict(list)
    for comment in session.scalars(
            select(Comment).where(Comment.respondent_id.in_(in_assessment))
            .order_by(Comment.respondent_id, Comment.topic_id)):
        texts[comment.respondent_id].append(ExportedText(
            topic=comment.topic_id, text=comment.shown_text, moderation=comment.moderation,
            updated_at=_utc(comment.updated_at)))
    notes = session.scalars(select(LessonNote).where(LessonNote.assessment_id == assessment.id)
                            .order_by(LessonNote.lesson_id)).all()
    actions = session.scalars(select(ActionItem).where(ActionItem.assessment_id == assessment.id)
                              .order_by(ActionItem.id)).all()
    return AssessmentExport(
        format=FORMAT_ID,
        format_version=FORMAT_VERSION,
        exported_at=_utc(exported_at or utcnow()),
        content=ExportedContent(
            questionnaire_id=assessment.questionnaire_id,
            questionnaire_version=assessment.questionnaire_version,
            content_hash=assessment.content_hash, snapshot=assessment.content_snapshot,
            translations=tuple(
                ExportedTranslation(language=t.language, content_hash=t.content_hash,
                                    snapshot=t.content_snapshot)
                for t in assessment.translations)),
        assessment=ExportedDetails(
            region=assessment.region, title=assessment.title, language=assessment.language,
            status=assessment.status, join_code=assessment.join_code,
            created_at=_utc(assessment.created_at),
            opened_at=_utc_or_none(assessment.opened_at),
            closed_at=_utc_or_none(assessment.closed_at),
            session_date=assessment.session_date, invited_count=assessment.invited_count,
            organisations=assessment.organisations, reveal_step=assessment.reveal_step,
            purged_at=_utc_or_none(assessment.purged_at),
            summary_snapshot=assessment.summary_snapshot),
        respondents=tuple(
            ExportedRespondent(
                number=number, source=respondent.source, language=respondent.language,
                profile=dict(respondent.profile),
                last_page=respondent.last_page, submitted=respondent.submitted,
                created_at=_utc(respondent.created_at), updated_at=_utc(respondent.updated_at),
                submitted_at=_utc_or_none(respondent.submitted_at),
                answers=tuple(answers[respondent.id]), texts=tuple(texts[respondent.id]))
            for number, respondent in enumerate(respondents, start=1)),
        lesson_notes=tuple(
            ExportedNote(lesson=note.lesson_id, notes=note.notes, conclusion=note.conclusion,
                         updated_at=_utc(note.updated_at)) for note in notes),
        actions=tuple(
            ExportedAction(lesson=action.lesson_id, action=action.action, owner=action.owner,
                           term=action.term, created_at=_utc(action.created_at))
            for action in actions),
        priority_vote=ExportedVote(
            status=assessment.vote_status, max_choices=assessment.vote_max_choices,
            ballots=tuple(sorted(tuple(ballot) for ballot in priorities.ballots(assessment.id)))),
    )


def document_json(document: AssessmentExport) -> str:
    """The export as indented JSON text (UTF-8, not ASCII-escaped)."""
    return document.model_dump_json(indent=2) + "\n"


# -- the full export: reading and checking -------------------------------------------------


def parse_document(data: bytes) -> AssessmentExport:
    """Read an export file; :class:`ExchangeError` says what is wrong with it."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ExchangeError(f"the file is larger than {MAX_IMPORT_BYTES // 1024 // 1024} MiB; "
                            "this is not an assessment export")
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExchangeError(f"the file is not JSON ({exc}); give the .json file that "
                            "Regiospiegel's export made") from exc
    if not isinstance(raw, dict) or raw.get("format") != FORMAT_ID:
        raise ExchangeError(f"this is not a Regiospiegel assessment export (its 'format' "
                            f"is not '{FORMAT_ID}')")
    if raw.get("format_version") != FORMAT_VERSION:
        raise ExchangeError(f"the file has format version {raw.get('format_version')!r}; this "
                            f"installation reads version {FORMAT_VERSION}; update Regiospiegel")
    try:
        return AssessmentExport.model_validate(raw)
    except ValidationError as exc:
        raise ExchangeError("the file does not match the export format: "
                            + _first_errors(exc)) from exc


def _first_errors(exc: ValidationError, limit: int = 5) -> str:
    errors = exc.errors(include_url=False)
    described = ["{}: {}".format(".".join(str(part) for part in error["loc"]) or "the file",
                                 error["msg"]) for error in errors[:limit]]
    more = len(errors) - limit
    return "; ".join(described) + (f" (and {more} more)" if more > 0 else "")


def verified_questionnaire(document: AssessmentExport) -> Questionnaire:
    """The export's questionnaire, after checking it against its hash and the schema."""
    snapshot = document.content.snapshot
    actual = hashlib.sha256(snapshot.encode("utf-8")).hexdigest()
    if not hmac.compare_digest(actual, document.content.content_hash):
        raise TamperedExport(
            "the questionnaire in the file does not match its content_hash, so the file was "
            "changed after the export; import the file exactly as Regiospiegel exported it")
    try:
        questionnaire = from_snapshot(snapshot)
    except ValidationError as exc:
        raise ExchangeError("the questionnaire in the file does not pass the questionnaire "
                            "schema: " + _first_errors(exc)) from exc
    expected = (document.content.questionnaire_id, document.content.questionnaire_version,
                document.assessment.language)
    if (questionnaire.id, questionnaire.version, questionnaire.language) != expected:
        raise ExchangeError(
            f"the file says questionnaire {expected[0]} {expected[1]} ({expected[2]}) but its "
            f"snapshot is {questionnaire.id} {questionnaire.version} ({questionnaire.language})")
    _verify_translations(document, questionnaire)
    if document.assessment.summary_snapshot is not None:
        try:
            summary_from_json(document.assessment.summary_snapshot)
        except (ValueError, KeyError, TypeError) as exc:
            raise ExchangeError(f"the stored summary in the file cannot be read: {exc}") from exc
    return questionnaire


def _verify_translations(document: AssessmentExport, questionnaire: Questionnaire) -> None:
    """Each translation in the file: unchanged, readable, and the same questionnaire."""
    for translation in document.content.translations:
        actual = hashlib.sha256(translation.snapshot.encode("utf-8")).hexdigest()
        if not hmac.compare_digest(actual, translation.content_hash):
            raise TamperedExport(
                f"the questionnaire in language {translation.language} does not match its "
                "content_hash, so the file was changed after the export; import the file "
                "exactly as Regiospiegel exported it")
        try:
            translated = from_snapshot(translation.snapshot)
        except ValidationError as exc:
            raise ExchangeError(f"the questionnaire in language {translation.language} does "
                                "not pass the questionnaire schema: " + _first_errors(exc)
                                ) from exc
        mismatches = structural_mismatches(questionnaire, translated)
        if translated.language != translation.language or mismatches:
            reasons = "; ".join(m.message for m in mismatches[:3]) or "its language differs"
            raise ExchangeError(f"the questionnaire in language {translation.language} is not "
                                f"a translation of the assessment's questionnaire: {reasons}")


def fit_problems(document: AssessmentExport, questionnaire: Questionnaire) -> list[str]:
    """Everything in the export that its questionnaire does not have (empty when it fits)."""
    return list(_fit_problems(document, questionnaire))


def _fit_problems(document: AssessmentExport, questionnaire: Questionnaire) -> Iterator[str]:
    statements = {s.id: questionnaire.statement_scale(s).answer_codes()
                  for s in questionnaire.statements()}
    lessons = {lesson.id for lesson in questionnaire.lessons}
    topics = lessons | {question.id for question in questionnaire.open_questions}
    options = {q.id: {o.id for o in q.options} for q in questionnaire.profile}
    numbers = [respondent.number for respondent in document.respondents]
    if numbers != list(range(1, len(numbers) + 1)):
        yield "respondents must be numbered 1, 2, 3, ... in order"
    for respondent in document.respondents:
        where = f"respondent {respondent.number}"
        for question_id, option_id in respondent.profile.items():
            if option_id not in options.get(question_id, ()):
                yield (f"{where}: '{option_id}' is not an option of profile question "
                       f"'{question_id}'")
        seen: set[str] = set()
        for answer in respondent.answers:
            if answer.statement not in statements:
                yield f"{where}: answer to unknown statement '{answer.statement}'"
            elif answer.value not in statements[answer.statement]:
                yield f"{where}: '{answer.value}' is not on the scale of '{answer.statement}'"
            if answer.statement in seen:
                yield f"{where}: two answers to '{answer.statement}'"
            seen.add(answer.statement)
        seen_topics: set[str] = set()
        for text in respondent.texts:
            if text.topic not in topics:
                yield f"{where}: text on unknown lesson or question '{text.topic}'"
            if text.topic in seen_topics:
                yield f"{where}: two texts on '{text.topic}'"
            seen_topics.add(text.topic)
        if respondent.submitted != (respondent.submitted_at is not None):
            yield f"{where}: 'submitted' and 'submitted_at' disagree"
    noted = [note.lesson for note in document.lesson_notes]
    for lesson_id in noted:
        if lesson_id not in lessons:
            yield f"lesson note on unknown lesson '{lesson_id}'"
    if len(set(noted)) != len(noted):
        yield "two lesson notes on the same lesson"
    for number, action in enumerate(document.actions, start=1):
        if action.lesson is not None and action.lesson not in lessons:
            yield f"action {number}: unknown lesson '{action.lesson}'"
    yield from _vote_problems(document.priority_vote, questionnaire)


def _vote_problems(vote: ExportedVote | None, questionnaire: Questionnaire) -> Iterator[str]:
    if vote is None:
        return
    for number, ballot in enumerate(vote.ballots, start=1):
        if len(set(ballot)) != len(ballot):
            yield f"vote {number} on priorities: a lesson chosen twice"
        try:
            priorities.checked_choice(questionnaire.lessons, ballot, vote.max_choices)
        except priorities.VoteError as exc:
            yield f"vote {number} on priorities: {exc}"


# -- import --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    """What an import made."""

    assessment_id: int
    title: str
    owner_email: str
    join_code: str
    original_join_code: str
    respondents: int
    notes: int
    actions: int

    @property
    def join_code_changed(self) -> bool:
        """Whether the original join code was taken here, so the assessment got a new one."""
        return self.join_code != self.original_join_code

    def describe(self) -> str:
        """Lines for the terminal."""
        code = (f"  join code {self.original_join_code} is already used here; the new join "
                f"code is {self.join_code}" if self.join_code_changed
                else f"  join code: {self.join_code}")
        return (f"imported '{self.title}' as assessment {self.assessment_id}, owned by "
                f"{self.owner_email}: {self.respondents} respondents, {self.notes} lesson "
                f"notes, {self.actions} actions\n{code}\n"
                "  personal links of the old installation do not work here: every respondent "
                "got a new random token")


def import_assessment(data: bytes, owner_email: str) -> ImportResult:
    """Restore an exported assessment as a new one owned by ``owner_email``, in one transaction."""
    document = parse_document(data)
    questionnaire = verified_questionnaire(document)
    problems = fit_problems(document, questionnaire)
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise ExchangeError("the answers in the file do not fit its questionnaire: "
                            + "; ".join(problems[:5]) + more)
    email = owner_email.strip().lower()
    with write_transaction() as session:
        owner = session.scalar(select(Facilitator).where(Facilitator.email == email))
        if owner is None:
            raise ExchangeError(f"no facilitator with e-mail {email}; create one first with "
                                "`regiospiegel create-facilitator`")
        assessment = _restore(session, document, owner.id)
        audit(session, "imported", None, assessment,
              f"from an export of {document.exported_at.isoformat()}, owner {owner.email}")
        return ImportResult(
            assessment_id=assessment.id, title=assessment.title, owner_email=owner.email,
            join_code=assessment.join_code, original_join_code=document.assessment.join_code,
            respondents=len(document.respondents), notes=len(document.lesson_notes),
            actions=len(document.actions))


def _restore(session: Session, document: AssessmentExport, owner_id: int) -> Assessment:
    details = document.assessment
    assessment = Assessment(
        owner_id=owner_id, region=details.region, title=details.title,
        language=details.language, questionnaire_id=document.content.questionnaire_id,
        questionnaire_version=document.content.questionnaire_version,
        content_hash=document.content.content_hash, content_snapshot=document.content.snapshot,
        status=details.status, join_code=_free_join_code(session, details.join_code),
        created_at=details.created_at, opened_at=details.opened_at,
        closed_at=details.closed_at, session_date=details.session_date,
        invited_count=details.invited_count, organisations=details.organisations,
        reveal_step=details.reveal_step, purged_at=details.purged_at,
        summary_snapshot=details.summary_snapshot,
        translations=[AssessmentTranslation(language=t.language, content_hash=t.content_hash,
                                            content_snapshot=t.snapshot)
                      for t in document.content.translations if t.language != details.language],
    )
    session.add(assessment)
    session.flush()
    offered = set(assessment.languages)
    respondents = [
        Respondent(assessment_id=assessment.id, token_hash=hash_token(new_token()),
                   profile=dict(r.profile), last_page=r.last_page, source=r.source,
                   language=r.language if r.language in offered else None,
                   created_at=r.created_at, updated_at=r.updated_at,
                   submitted_at=r.submitted_at)
        for r in document.respondents
    ]
    session.add_all(respondents)  # inserted in this order, so they keep their numbering
    session.flush()
    # The results go on from what the exported scan showed (anonymity.py: steps of three).
    assessment.published_respondents = sum(1 for r in respondents if r.submitted_at)
    answers = [{"respondent_id": row.id, "statement_id": a.statement, "value": a.value,
                "updated_at": a.updated_at}
               for row, r in zip(respondents, document.respondents, strict=True)
               for a in r.answers]
    if answers:
        session.execute(insert(Answer), answers)
    texts = [{"assessment_id": assessment.id, "respondent_id": row.id, "topic_id": t.topic,
              "text": t.text, "moderation": t.moderation, "updated_at": t.updated_at}
             for row, r in zip(respondents, document.respondents, strict=True)
             for t in r.texts]
    if texts:
        session.execute(insert(Comment), texts)
    session.add_all(LessonNote(assessment_id=assessment.id, lesson_id=note.lesson,
                               notes=note.notes, conclusion=note.conclusion,
                               updated_at=note.updated_at) for note in document.lesson_notes)
    session.add_all(ActionItem(assessment_id=assessment.id, lesson_id=action.lesson,
                               action=action.action, owner=action.owner, term=action.term,
                               created_at=action.created_at) for action in document.actions)
    if document.priority_vote is not None:
        assessment.vote_status = document.priority_vote.status
        assessment.vote_max_choices = document.priority_vote.max_choices
        # Without a voter hash: nobody can change these votes here (the tally stays).
        session.add_all(PriorityVote(assessment_id=assessment.id, lessons=list(ballot))
                        for ballot in document.priority_vote.ballots)
    session.flush()
    return assessment


def _free_join_code(session: Session, wanted: str) -> str:
    """``wanted`` if no assessment here uses it, else a new random join code."""
    code = wanted
    # The transaction holds the write lock, so a code found free stays free until commit.
    while session.scalar(select(Assessment.id).where(Assessment.join_code == code)) is not None:
        code = new_join_code()
    return code
