"""The admin's blueprint: manage facilitator accounts."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from assessment.admin import routes  # noqa: E402, F401  (routes register on bp)
