"""TEMPORARY scaffold: replaced by the payments task."""
from flask import Blueprint

bp = Blueprint("payments", __name__, url_prefix="/payments")


@bp.route("/")
def index():
    return "payments"
