"""TEMPORARY scaffold."""
from flask import Blueprint

bp = Blueprint("verification", __name__, url_prefix="/verification")


@bp.route("/visits")
def visits():
    return "visits"
