"""Regiospiegel: a self-scan for regional cooperation. The application factory.

The factory imports the web stack when it runs, not when the package loads: the domain
modules (``assessment.scoring``, ``assessment.aggregation`` …) import without Flask,
SQLAlchemy or the report builder, so scripts and tests that only compute stay quick.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: configuration, each resource's init_app, the blueprints."""
    from flask import Flask

    import reports
    from assessment import (
        cli,
        config,
        db,
        errors,
        extensions,
        mail_jobs,
        participation,
        questionnaire_files,
        security,
        sessions,
        static_files,
        templating,
    )
    from assessment.admin import bp as admin_bp
    from assessment.facilitator import bp as facilitator_bp
    from assessment.participant import bp as participant_bp
    from assessment.programme import bp as programme_bp

    app = Flask(
        __name__,
        instance_path=str(config.PROJECT_ROOT / "instance"),
        template_folder=str(config.PROJECT_ROOT / "templates"),
    )
    app.config.from_mapping(config.DEFAULTS)
    app.config.from_mapping(config.from_environment(Path(app.instance_path)))
    app.config.from_mapping(overrides or {})
    security.check_production(app)
    config.ensure_secret_key(app)

    db.init_app(app)
    participation.init_app(app)
    questionnaire_files.init_app(app)
    extensions.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    sessions.init_app(app)
    static_files.init_app(app)
    templating.init_app(app)
    reports.init_app(app)
    mail_jobs.init_app(app)

    app.register_blueprint(participant_bp)
    app.register_blueprint(facilitator_bp, url_prefix="/begeleider")
    app.register_blueprint(admin_bp, url_prefix="/beheer")
    app.register_blueprint(programme_bp, url_prefix="/programma")
    cli.init_app(app)
    return app
