"""Exports of an assessment: its aggregates as CSV, XLSX and JSON (never raw answers)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from assessment import aggregation, exchange, results
from assessment.facilitator import bp
from assessment.facilitator.routes import assessment_view
from assessment.models import Assessment

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/scans/<int:assessment_id>/exporteren")
@assessment_view
def export_page(assessment: Assessment) -> str:
    """The download links, with what each file contains."""
    summary, counting = results.counted_summary(assessment)
    return render_template("facilitator/export.html", assessment=assessment, summary=summary,
                           rules=aggregation, counting=counting)


@bp.route("/scans/<int:assessment_id>/export.csv")
@assessment_view
def export_csv(assessment: Assessment) -> Response:
    """The aggregates as CSV (anonymity rules applied)."""
    text = exchange.tables_csv(exchange.assessment_tables(assessment))
    exchange.record_export(assessment.id, "csv", current_user)
    return _download(text.encode("utf-8"), "text/csv; charset=utf-8",
                     exchange.file_name(assessment, "uitkomsten", "csv"))


@bp.route("/scans/<int:assessment_id>/export.xlsx")
@assessment_view
def export_xlsx(assessment: Assessment) -> Response:
    """The aggregates as an Excel workbook (anonymity rules applied)."""
    workbook = exchange.tables_xlsx(exchange.assessment_tables(assessment))
    exchange.record_export(assessment.id, "xlsx", current_user)
    return _download(workbook, XLSX_MIMETYPE,
                     exchange.file_name(assessment, "uitkomsten", "xlsx"))


@bp.route("/scans/<int:assessment_id>/export.json")
@assessment_view
def export_json(assessment: Assessment) -> Response:
    """The aggregates as JSON: the same tables as CSV and XLSX (anonymity rules applied)."""
    text = exchange.tables_json(exchange.assessment_tables(assessment))
    exchange.record_export(assessment.id, "json", current_user)
    return _download(text.encode("utf-8"), "application/json",
                     exchange.file_name(assessment, "uitkomsten", "json"))


def _download(body: bytes, mimetype: str, name: str) -> Response:
    # Exports hold a scan's results: never kept by a shared cache or the browser's.
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
