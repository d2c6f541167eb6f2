"""TEMPORARY scaffold."""
from flask import Blueprint

bp = Blueprint("claims", __name__)


@bp.route("/queue")
def queue():
    return '<input type="hidden" name="csrf_token" value="x">'


@bp.route("/claims")
def index():
    return "claims"
