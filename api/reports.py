"""Programme reports for people (/reports, with charts) and as data (/reports/{name}.csv, .json).
Thin over registry.views.reports."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template

from registry.rdf.text import csv_for_people

from .current import registry
from .documents import _not_found

bp = Blueprint("reports", __name__)


@bp.get("/reports")
def reports_page():
    from registry.views.reports import all_reports, bar_chart

    store, model = registry().store, registry().model
    items = [{"report": r, "chart": bar_chart(r)} for r in all_reports(store, model)]
    return render_template("reports.html", reports=items)


@bp.get("/reports/<name>")
def report_data(name: str):
    from registry.views.reports import REPORTS

    store, model = registry().store, registry().model
    stem, _, suffix = name.rpartition(".")
    if stem not in REPORTS or suffix not in ("csv", "json"):
        return _not_found(
            "No such report",
            f"There is no report {name!r}. The reports are "
            + ", ".join(f"/reports/{n}.csv" for n in REPORTS)
            + " (and .json).",
        )
    report = REPORTS[stem](store, model)
    if suffix == "json":
        return jsonify(
            {
                "name": report.name,
                "title": report.title,
                "description": report.description,
                "columns": report.columns,
                "rows": report.rows,
            }
        )
    return Response(csv_for_people([report.columns, *report.rows]), mimetype="text/csv")
