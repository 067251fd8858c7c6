"""The facilitator's blueprint: log in, prepare assessments, open and close them."""

from flask import Blueprint

bp = Blueprint("facilitator", __name__)

from assessment.facilitator import routes  # noqa: E402, F401  (routes register on bp)
from assessment.facilitator import prepare_routes  # noqa: E402, F401
from assessment.facilitator import live_routes  # noqa: E402, F401
from assessment.facilitator import projector_routes  # noqa: E402, F401
from assessment.facilitator import export_routes  # noqa: E402, F401
from assessment.facilitator import paper_routes  # noqa: E402, F401
from assessment.facilitator import discussion_routes  # noqa: E402, F401
from assessment.facilitator import report_routes  # noqa: E402, F401
from assessment.facilitator import programme_routes  # noqa: E402, F401
from assessment.facilitator import invitation_routes  # noqa: E402, F401
