"""TEMPORARY scaffold."""
from flask import Blueprint

bp = Blueprint("herders", __name__, url_prefix="/herders")


@bp.route("/")
def index():
    return "households"
