"""TEMPORARY scaffold: replaced by the auth/admin task."""
from flask import Blueprint, redirect, request, url_for
from flask_login import login_user, logout_user
from sqlalchemy import select

from conflict_app.auth.models import User
from conflict_app.core.web import public
from conflict_app.extensions import db

auth_bp = Blueprint("auth", __name__)
admin_bp = Blueprint("admin", __name__, url_prefix="/admin")


@auth_bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if request.method == "POST":
        user = db.session.scalar(select(User).where(User.email == request.form.get("email")))
        if user and user.check_password(request.form.get("password", "")):
            login_user(user)
            return redirect(url_for("claims.queue"))
    return '<form method="post"><input type="hidden" name="csrf_token" value="x"></form>'


@auth_bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    return redirect(url_for("auth.login"))


@admin_bp.route("/users")
def users():
    return "users"


@admin_bp.route("/areas")
def areas():
    return "areas"
