"""The load benchmark's baseline: the smallest Flask app that stores one row per request.

Served by the same gunicorn settings and on the same database stack as the real app (the
app's own engine, pool and write transactions from :mod:`assessment.db`), so the difference
between the two is what the app itself costs: sessions, CSRF, forms, templates, checks.

A client posts ``/rij`` (one INSERT, then a redirect, as a participant's page does) and
follows the redirect to a page that reads nothing.
"""

from __future__ import annotations

import os

from flask import Flask, redirect, request
from sqlalchemy import Column, Integer, MetaData, String, Table, insert
from werkzeug.wrappers import Response

from assessment import config, db

metadata = MetaData()
#: One row per acknowledged request; ``batch`` tells the scenarios apart.
bench_row = Table(
    "bench_row", metadata,
    Column("id", Integer, primary_key=True),
    Column("batch", String(40), nullable=False),
    Column("n", Integer, nullable=False),
)


def create_app() -> Flask:
    """The baseline app on ``DATABASE_URL``, with the pool settings from the environment."""
    app = Flask(__name__)
    app.config.from_mapping(config.DEFAULTS)
    app.config.from_mapping(config.from_environment(db.MIGRATIONS_DIR.parent / "instance"))
    db.init_app(app)

    @app.get("/")
    def ready() -> str:
        """Answers once the worker is up."""
        return "ok"

    @app.post("/rij")
    def store() -> Response:
        """Insert one row, then redirect like a saved page."""
        batch, number = request.form["batch"], int(request.form["n"])
        with db.write_transaction() as session:
            session.execute(insert(bench_row).values(batch=batch, n=number))
        return redirect(f"/rij/{number}")

    @app.get("/rij/<int:number>")
    def stored(number: int) -> str:
        """The page after the redirect."""
        return f"<p>rij {number} opgeslagen</p>"

    return app


if __name__ == "__main__":  # pragma: no cover
    create_app().run(port=int(os.environ.get("PORT", "5001")))
