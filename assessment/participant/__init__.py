"""The participant's blueprint: join, answer page by page, review, submit."""

from flask import Blueprint

bp = Blueprint("participant", __name__)

from assessment.participant import routes  # noqa: E402, F401  (routes register on bp)
