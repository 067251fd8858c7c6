"""The report pipeline: assessment → summary → report context → HTML, and its cache key.

:func:`report_context` loads what the report needs (through the one summary function the
dashboard uses, so the two always agree); :func:`report_html` renders the template in the
assessment's language; :func:`report_key` names the PDF that HTML makes, so a second
download renders nothing. Turning the HTML into a PDF is the report jobs' work
(:mod:`reports.report_jobs`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from importlib.metadata import PackageNotFoundError, version

from flask import current_app, render_template
from flask_babel import force_locale

from assessment import content, discussion, management, priorities, programmes, report_texts
from assessment.models import Assessment, Status, as_utc
from assessment.programmes import Thresholds
from assessment.results import assessment_summary, included_comments, round_comparison
from assessment.safe_text import xml_safe
from reports.context import Action, ReportContext, ReportMeta, build_context
from reports.landscape_view import peers_view

#: Whitespace before these tags is never rendered: it lies between block-level boxes, between
#: the parts of a table, or between the shapes of a chart (the report's stylesheet makes
#: none of these inline). Inline tags (``a``, ``span``, ``strong``) are not in it, nor those
#: the report sets as inline blocks (``p``, ``dl``, ``dt``, ``dd``, ``div``): a space there
#: can show; nor ``blockquote``, whose comments keep their spaces (``white-space: pre-wrap``).
_UNRENDERED_SPACE = re.compile(
    r">\s+(?=</?(?:html|head|body|meta|title|link|section|nav|article|figure|figcaption"
    r"|h[1-6]|ul|ol|li|table|caption|colgroup|col|thead|tbody|tr|td|th"
    r"|svg|g|rect|line|circle|polygon|polyline|path|text|desc)[\s>/])")

#: Bump when the report's templates or pipeline change in a way the HTML hash would miss.
REPORT_FORMAT = "3"


def software_version() -> str:
    """The installed Regiospiegel version."""
    try:
        return version("regiospiegel")
    except PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        return "0+unknown"


def report_context(assessment: Assessment) -> ReportContext:
    """Everything the report shows for an assessment, with the advice chosen."""
    questionnaire = content.for_assessment(assessment)
    started, submitted = management.respondent_counts([assessment.id])[assessment.id]
    status = report_texts.report_status(assessment)
    texts = report_texts.report_texts(assessment.id)
    meta = ReportMeta(
        region=assessment.region, title=assessment.title, language=assessment.language,
        session_date=assessment.session_date or (assessment.closed_at or assessment.opened_at
                                                 or assessment.created_at).date(),
        started=started, invited=assessment.invited_count,
        content_hash=assessment.content_hash,
        software_version=software_version(), submitted=submitted,
        provisional=assessment.status != Status.CLOSED,
        entered_session_date=assessment.session_date,
        status=status.state.value, version=status.version, final_on=status.final_on,
        commissioner=xml_safe(assessment.commissioner),
        facilitator=xml_safe(assessment.owner.name),
        figures_imported_on=(None if assessment.figures_imported_at is None
                             else as_utc(assessment.figures_imported_at).date()),
    )
    lesson_titles = {lesson.id: lesson.title for lesson in questionnaire.lessons}
    actions = tuple(
        Action(item.action, item.owner, item.term, lesson_titles.get(item.lesson_id or "", ""))
        for item in discussion.actions(assessment.id))
    summary = assessment_summary(assessment)
    context = build_context(meta, questionnaire, summary,
                         included_comments(assessment.id),
                         comparison=round_comparison(assessment), actions=actions,
                         notes=discussion.lesson_notes(assessment.id),
                         vote=priorities.result(assessment), foreword=texts.foreword,
                         own_advice={lesson_id: (own.text, own.mode.value)
                                     for lesson_id, own in texts.advice.items()})
    comparison = programmes.peers_of(assessment, Thresholds.from_config(current_app.config),
                                     summary)
    if comparison is None:
        return context
    return replace(context, peers=peers_view(comparison, questionnaire, context.numbers))


def report_html(context: ReportContext, static_base: str) -> str:
    """The report as HTML in the assessment's language; ``static_base`` ends with '/'."""
    with force_locale(context.meta.language):
        html = render_template("report/report.html", report=context, static_base=static_base,
                               report_format=REPORT_FORMAT)
    # A character XML forbids, in a comment, must not reach the renderer (nor the cache key).
    return without_unrendered_space(xml_safe(html))


def without_unrendered_space(html: str) -> str:
    """``html`` without the whitespace between tags that a page never shows
    (:data:`_UNRENDERED_SPACE`): the template's indentation. WeasyPrint parses and boxes
    each such space before it drops it (about 1,400 in the demo report, some 3 % of its
    render); the PDF stays the same."""
    return _UNRENDERED_SPACE.sub(">", html)


#: What ``report_key`` gives: 64 lower-case hexadecimal digits.
REPORT_KEY = re.compile(r"[0-9a-f]{64}")


def report_key(html: str) -> str:
    """The cache key of a report: a hash of everything that shapes its PDF."""
    return hashlib.sha256(f"{REPORT_FORMAT}\n{html}".encode()).hexdigest()
