"""TEMPORARY scaffold: replaced by the prices task."""
from flask import Blueprint

bp = Blueprint("schemes", __name__, url_prefix="/prices")


@bp.route("/")
def prices():
    return "prices"
