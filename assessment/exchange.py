"""The aggregates export of an assessment for the facilitator: as CSV, XLSX and JSON.

Aggregates (CSV, XLSX and JSON)
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
    written. A question type with a table of its own (its row's ``summary_table``, see
    :mod:`assessment.question_types`) adds that table, one row per item: an item's figures
    need 3 counted respondents who answered it, and after the raw answers were purged the
    row says its figures are no longer there (the summary kept then holds the product's own
    figures only). The group's priorities are added when the vote closed with at least 3 voters,
    and the facilitator's own report texts (foreword, own advice) whenever there are any;
    the details say the report's status (voorlopig, concept, definitief with its version).

Exact and shown figures
    Means, medians and shares are exact (CSV: up to four decimals; XLSX and JSON: the full
    number, the XLSX cell showing up to four decimals). Beside the exact mean, the lessons
    table gives each lesson's ``score`` as every page and the report show it
    (:func:`assessment.figures.shown_score`: one decimal, halves up, never across a band
    boundary), and, when the scan has a comparable previous round, that round's shown score
    and the ``verandering``: the difference of the two shown scores, as the pages show it.
    A shown figure is a :class:`~decimal.Decimal` cell, written with exactly its one decimal.
    The same tables make all three files: one CSV with a section per table (semicolons and
    decimal commas, as Dutch spreadsheet programs expect), one XLSX sheet per table, and one
    JSON document (format ``regiospiegel.aggregates``) with the tables in order. Each file
    format is a row of :data:`EXPORT_FORMATS` (media type, extension, writer); the download
    route serves every row, so a new format is a writer and a row. No file holds
    a respondent, an individual answer or a free text that was not included: a facilitator
    never gets more than the summary. The raw answers leave an installation only in a
    backup, which only an administrator can make (:mod:`assessment.backup`).

Formula injection
    Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula,
    and some do so after a leading tab or carriage return. Every cell that starts with one of
    these gets a single quote in front (:func:`neutralise`), in CSV and in XLSX; XLSX text
    cells are also stored with the text type, never as formulas.

Characters XML forbids
    Every text in every file passes :func:`assessment.safe_text.xml_safe` first, so a control
    character or U+FFFF in a comment cannot make the XLSX (or any other file) unreadable.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]

from assessment import content, priorities, report_texts, results
from assessment.aggregation import CellStatus, Summary
from assessment.anonymity import MIN_GROUP_SIZE, MIN_RESPONDENTS, STEP, Counting
from assessment.db import write_transaction
from assessment.exceptions import UnknownAssessment
from assessment.figures import boundaries_of, shown_score
from assessment.management import audit
from assessment.models import STATUS_LABELS, Assessment, Facilitator, as_utc, utcnow
from assessment.rounds import RoundComparison
from assessment.safe_text import xml_safe
from questions.schema import Questionnaire

AGGREGATES_FORMAT_ID = "regiospiegel.aggregates"
AGGREGATES_FORMAT_VERSION = 1
#: A cell starting with one of these is read as a formula by some spreadsheet program.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: An organisation type's figure kept back by the anonymity rules.
HIDDEN = "verborgen"
#: A statement's figures kept back: fewer than three valid answers.
WITHHELD = "te weinig antwoorden"
#: An item's figures that only the raw answers held, after they were purged.
PURGED = "niet meer beschikbaar: de ruwe antwoorden zijn opgeschoond"


def neutralise(text: str) -> str:
    """The text with a single quote in front when a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _spreadsheet_text(text: str) -> str:
    """A text as a spreadsheet cell: without characters XML forbids, never a formula."""
    return neutralise(xml_safe(text))


# -- aggregates: the tables ----------------------------------------------------------------

#: One cell: text, a count, an exact figure (float), a shown figure (Decimal: one decimal,
#: as the pages show it), a yes/no flag, or empty.
Cell = str | int | float | Decimal | bool | None


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
        priorities.result(assessment), counting, report_texts.report_texts(assessment.id),
        results.type_summaries(assessment), results.round_comparison(assessment))


def aggregate_tables(
    assessment: Assessment,
    questionnaire: Questionnaire,
    summary: Summary,
    comments: Mapping[str, Sequence[str]],
    exported_at: datetime,
    vote: priorities.VoteResult | None = None,
    counting: Counting | None = None,
    texts: report_texts.ReportTexts | None = None,
    own: Sequence[results.TypeSummaries] = (),
    comparison: RoundComparison | None = None,
) -> tuple[Table, ...]:
    """The tables of the aggregates export (see the module docstring for the rules).

    Scan details always; below the anonymity threshold nothing else. Otherwise: per lesson,
    per statement, per context block, respondents per organisation type, lesson means per
    organisation type, the included free texts, and a table per question type with a
    ``summary_table`` of its own (``own``, from :func:`results.type_summaries`; an item's
    withheld figures are "te weinig antwoorden", purged ones "niet meer beschikbaar").
    The group's priorities follow when the
    vote closed with at least 3 voters (its own threshold, so also below the other one), and
    the facilitator's report texts when there are any (their own words, no participant's).
    With a ``comparison`` (the previous round's, see :func:`results.round_comparison`) the
    lessons table adds the previous shown score and the change.
    """
    details = _details_table(assessment, questionnaire, summary, exported_at, counting)
    extra: tuple[Table, ...] = (
        (_priorities_table(vote),) if vote is not None and vote.final else ())
    if texts is not None and (texts.foreword or texts.advice):
        extra += (_report_texts_table(questionnaire, texts),)
    if not summary.shown:
        return (details, *extra)
    return (
        details,
        _lessons_table(questionnaire, summary, comparison),
        _statements_table(questionnaire, summary),
        _context_table(questionnaire, summary),
        _group_sizes_table(questionnaire, summary),
        _groups_table(questionnaire, summary),
        _comments_table(questionnaire, comments),
        *(_type_table(summaries) for summaries in own),
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


#: How the export names what a lesson's own text does with the generated advice.
_ADVICE_MODES = {report_texts.AdviceMode.REPLACE: "vervangt het advies",
                 report_texts.AdviceMode.EXTEND: "vult het advies aan"}


def _report_texts_table(questionnaire: Questionnaire, texts: report_texts.ReportTexts
                        ) -> Table:
    """The foreword, then per lesson (in questionnaire order) its own text on the advice."""
    rows: list[tuple[Cell, ...]] = []
    if texts.foreword:
        rows.append(("voorwoord", None, None, None, texts.foreword))
    for lesson in questionnaire.lessons:
        own = texts.advice.get(lesson.id)
        if own is not None:
            rows.append(("advies", lesson.id, lesson.title, _ADVICE_MODES[own.mode], own.text))
    return Table("Rapportteksten", (Column("onderdeel"), Column("les-id"), Column("les"),
                                    Column("wijze"), Column("tekst")), tuple(rows))


def _report_status(assessment: Assessment) -> str:
    """The report's status in words: voorlopig, concept, or definitief with version and day."""
    status = report_texts.report_status(assessment)
    if status.final_on is None:
        return status.state.value
    return f"{status.state.value}, versie {status.version}, {status.final_on.isoformat()}"


def _details_table(assessment: Assessment, questionnaire: Questionnaire, summary: Summary,
                   exported_at: datetime, counting: Counting | None = None) -> Table:
    rows: list[tuple[Cell, ...]] = [
        ("regio", assessment.region),
        ("titel", assessment.title),
        ("vragenlijst", questionnaire.title),
        ("versie vragenlijst", questionnaire.version),
        ("datum bijeenkomst",
         assessment.session_date.isoformat() if assessment.session_date else None),
        ("opdrachtgever", assessment.commissioner or None),
        ("status", STATUS_LABELS.get(assessment.status, assessment.status)),
        ("rapport", _report_status(assessment)),
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
    elif not summary.shown:
        rows.append(("let op", f"Minder dan {MIN_RESPONDENTS} deelnemers hebben hun antwoorden "
                               "verzonden. Zodat niemand herkenbaar is, staan er nog geen "
                               "uitkomsten en toelichtingen in deze export."))
    rows.append(("geëxporteerd op", as_utc(exported_at).strftime("%Y-%m-%d %H:%M UTC")))
    return Table("Scan", (Column("onderdeel"), Column("waarde")), tuple(rows))


def _lessons_table(questionnaire: Questionnaire, summary: Summary,
                   comparison: RoundComparison | None = None) -> Table:
    bands = questionnaire.band_labels()
    boundaries = boundaries_of(questionnaire)
    columns: tuple[Column, ...] = (
        Column("les-id"), Column("les"), Column("n"), Column("gemiddelde"), Column("mediaan"),
        Column("standaardafwijking"), Column("eens", share=True),
        Column("neutraal", share=True), Column("oneens", share=True),
        Column("weet niet", share=True), Column("consensus"), Column("band"),
        Column("verdeeld"), Column("verdeeld: spreiding"), Column("verdeeld: eens en oneens"),
        Column("verdeeld: soorten organisaties"), Column("informatietekort"),
        Column("score (zoals getoond)"),
    )
    if comparison is not None:
        columns += (Column("score vorige ronde (zoals getoond)"),
                    Column("verandering sinds vorige ronde"))
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
            shown_score(lesson.mean, boundaries) if lesson.mean is not None else None,
            *(_change_cells(comparison, lesson.lesson_id, boundaries)
              if comparison is not None else ()),
        ))
    return Table("Lessen", columns, tuple(rows))


def _change_cells(comparison: RoundComparison, lesson_id: str,
                  boundaries: tuple[Decimal, ...]) -> tuple[Cell, Cell]:
    """The previous round's shown score and the shown change; empty where there is none."""
    change = comparison.lesson(lesson_id)
    if change.shown_change is None or change.previous is None:
        return (None, None)
    return (shown_score(change.previous, boundaries), change.shown_change)


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


def _group_cell(status: CellStatus, value: Cell) -> Cell:
    if status is CellStatus.HIDDEN:
        return HIDDEN
    return value if status is CellStatus.SHOWN else None


def _group_sizes_table(questionnaire: Questionnaire, summary: Summary) -> Table:
    labels = questionnaire.group_labels()
    rows = tuple((cell.group, labels.get(cell.group, cell.group),
                  _group_cell(cell.status, cell.n)) for cell in summary.group_sizes)
    return Table("Deelnemers per soort", (Column("soort-id"), Column("soort organisatie"),
                                          Column("aantal deelnemers")), rows)


def _groups_table(questionnaire: Questionnaire, summary: Summary) -> Table:
    labels = questionnaire.group_labels()
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


def _type_table(summaries: results.TypeSummaries) -> Table:
    """A question type's own table: per item its id, the type's cells, and a note."""
    table = summaries.table
    note = PURGED if summaries.purged else WITHHELD
    rows = tuple((str(item.id), *table.row(item, figures), None if figures is not None else note)
                 for item, figures in summaries.items)
    return Table(table.title, (Column("vraag-id"), *(Column(header) for header in table.columns),
                               Column("let op")), rows)


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
    if isinstance(value, Decimal):
        # A figure of ours, such as a change of -0,3: a number, so never given a quote.
        return format(value, "f").replace(".", ",")
    return _spreadsheet_text(str(value))


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
        writer.writerow([_spreadsheet_text(table.title)])
        writer.writerow([_spreadsheet_text(column.header) for column in table.columns])
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
                if isinstance(value, Decimal):
                    cell.number_format = "0.0"  # a shown figure: its one decimal
                elif isinstance(value, float):
                    # Exact figures to four decimals, as in the CSV: two would show a mean
                    # of 2.9986 ("zorg") as 3.00, on the other side of the band's boundary.
                    cell.number_format = "0.0%" if column.share else "0.0###"
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
        cell.value = _spreadsheet_text(value)
        cell.data_type = "s"
    elif isinstance(value, Decimal):
        cell.value = float(value)
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
            raise UnknownAssessment(f"no assessment {assessment_id}")
        audit(session, "exported", actor, assessment, export_format)


def tables_json(tables: Iterable[Table], exported_at: datetime | None = None) -> str:
    """The tables as JSON (format ``regiospiegel.aggregates``): the same cells as CSV and XLSX.

    Figures stay numbers (shares as fractions 0–1, as ``share`` says), flags stay booleans and
    empty cells are ``null``. Text is not neutralised (JSON is no spreadsheet), only made safe
    with :func:`~assessment.safe_text.xml_safe`.
    """
    document = {
        "format": AGGREGATES_FORMAT_ID,
        "format_version": AGGREGATES_FORMAT_VERSION,
        "exported_at": as_utc(exported_at or utcnow()).isoformat(),
        "tables": [
            {"title": xml_safe(table.title),
             "columns": [{"header": xml_safe(column.header), "share": column.share}
                         for column in table.columns],
             "rows": [[_json_cell(value) for value in row] for row in table.rows]}
            for table in tables
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _json_cell(value: Cell) -> Cell:
    if isinstance(value, str):
        return xml_safe(value)
    return float(value) if isinstance(value, Decimal) else value



# -- aggregates: the formats ---------------------------------------------------------------


@dataclass(frozen=True)
class ExportFormat:
    """One file format of the aggregates export: how it is sent, named and written."""

    #: Without parameters: a text type gets "; charset=utf-8" when it is sent.
    media_type: str
    extension: str
    write: Callable[[Sequence[Table]], bytes]


#: The formats a facilitator can download, by name (the name is also the audit log's detail).
EXPORT_FORMATS: dict[str, ExportFormat] = {
    "csv": ExportFormat("text/csv", "csv",
                        lambda tables: tables_csv(tables).encode("utf-8")),
    "xlsx": ExportFormat("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         "xlsx", tables_xlsx),
    "json": ExportFormat("application/json", "json",
                         lambda tables: tables_json(tables).encode("utf-8")),
}
