"""Exports of an assessment: its aggregates as CSV, XLSX and JSON (never raw answers)."""

from __future__ import annotations

from collections.abc import Callable

from flask import render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from assessment import aggregation, exchange, results
from assessment.facilitator import bp
from assessment.facilitator.routes import assessment_view
from assessment.models import Assessment


@bp.route("/scans/<int:assessment_id>/exporteren")
@assessment_view
def export_page(assessment: Assessment) -> str:
    """The download links, with what each file contains."""
    summary, counting = results.counted_summary(assessment)
    return render_template("facilitator/export.html", assessment=assessment, summary=summary,
                           rules=aggregation, counting=counting)


def _export_view(format_name: str) -> Callable[..., Response]:
    """The download view of one row of :data:`exchange.EXPORT_FORMATS`."""
    file_format = exchange.EXPORT_FORMATS[format_name]

    def export(assessment: Assessment) -> Response:
        """The aggregates as a file of this format (anonymity rules applied)."""
        body = file_format.write(exchange.assessment_tables(assessment))
        exchange.record_export(assessment.id, format_name, current_user)
        return _download(body, file_format.media_type,
                         exchange.file_name(assessment, "uitkomsten", file_format.extension))

    export.__name__ = f"export_{format_name}"
    return assessment_view(export)


# Every format of the table at its own address (export.csv, endpoint export_csv), all served
# by the one view above: a new row in the table is a new download, nothing more here.
for _name in exchange.EXPORT_FORMATS:
    bp.add_url_rule(f"/scans/<int:assessment_id>/export.{_name}", f"export_{_name}",
                    _export_view(_name))


def _download(body: bytes, mimetype: str, name: str) -> Response:
    # Exports hold a scan's results: never kept by a shared cache or the browser's.
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
