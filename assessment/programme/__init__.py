"""The programme owner's blueprint: a programme's landscape of regions (landschap)."""

from flask import Blueprint

bp = Blueprint("programme", __name__)

from assessment.programme import routes  # noqa: E402, F401  (routes register on bp)
