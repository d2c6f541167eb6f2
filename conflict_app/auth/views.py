"""Sign-in, sign-out, two-factor codes, the own account page and personal API tokens."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from conflict_app.auth import operations, sessions, two_factor
from conflict_app.auth.forms import (
    CodeForm,
    LanguageForm,
    LoginForm,
    PasswordChangeForm,
    ReauthForm,
    TokenForm,
    TokenRevokeForm,
    TwoFactorForm,
)
from conflict_app.auth.models import User
from conflict_app.core import clock
from conflict_app.core.errors import DomainError
from conflict_app.core.transaction import unit_of_work
from conflict_app.core.web import attach_error, public
from conflict_app.extensions import db

auth_bp = Blueprint("auth", __name__)


# ---------------------------------------------------------------------------------------
# Signing in and out
# ---------------------------------------------------------------------------------------


def safe_next(target: str | None) -> str | None:
    """A path on this site to go to after signing in, or None for anything else."""
    if not target or len(target) > 2000:
        return None
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


_dummy_hashes: dict[str, str] = {}


def _spend_hash_time(password: str) -> None:
    """Check against a throwaway hash so an unknown address takes as long as a known one."""
    method = current_app.config.get("PASSWORD_HASH_METHOD") or "scrypt"
    if method not in _dummy_hashes:
        _dummy_hashes[method] = generate_password_hash("not-a-password", method=method)
    check_password_hash(_dummy_hashes[method], password)


def _minutes_until(until) -> int:  # noqa: ANN001
    seconds = (until - clock.now()).total_seconds()
    return max(1, int(seconds + 59) // 60)


def _locked_message(until) -> str:  # noqa: ANN001
    minutes = _minutes_until(until)
    return ngettext(
        "Too many failed attempts for this account. Please wait %(num)d minute and try "
        "again.",
        "Too many failed attempts for this account. Please wait %(num)d minutes and try "
        "again.",
        minutes,
    )


@auth_bp.route("/login", methods=["GET", "POST"])
@public
def login():
    target = safe_next(request.args.get("next"))
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(target or url_for("claims.queue"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        email = form.email.data.strip()
        throttle = operations.login_throttle
        until = throttle.locked_until(email)
        user = None
        if until is None:
            user = db.session.scalar(
                select(User).where(func.lower(User.email) == email.lower()).limit(1)
            )
            if user is None:
                _spend_hash_time(form.password.data)
            elif not user.check_password(form.password.data):
                user = None
            if user is None:
                until = throttle.failed(email)
        if until is not None:
            form.form_errors.append(_locked_message(until))
            status = 429
        elif user is None:
            form.form_errors.append(_("Email or password is wrong."))
            status = 400
        elif not user.active:
            # Said only to someone who knows the password: it reveals nothing to others.
            form.form_errors.append(_("This account is switched off. Ask an administrator "
                                      "if you need it again."))
            status = 403
        else:
            throttle.succeeded(email)
            # A fresh session on sign-in, so a session id planted before it is worthless;
            # the chosen language survives.
            lang = session.get("lang")
            session.clear()
            if lang:
                session["lang"] = lang
            if user.has_two_factor:
                # Half signed in: the code from the authenticator app completes it.
                session["two_factor_user"] = user.id
                session["two_factor_next"] = target
                return redirect(url_for("auth.login_code"))
            complete_login(user)
            return redirect(target or url_for("claims.queue"))
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form, next=target), status


def complete_login(user: User) -> None:
    with unit_of_work():
        operations.record_login(user)
        sessions.start(user.id)
    login_user(user)
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME
    two_factor.mark_authenticated()


@auth_bp.route("/login/code", methods=["GET", "POST"])
@public
def login_code():
    """Second step of signing in: the 6-digit code of the authenticator app."""
    user_id = session.get("two_factor_user")
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.active or not user.has_two_factor:
        session.pop("two_factor_user", None)
        return redirect(url_for("auth.login"))
    form = CodeForm()
    status = 200
    throttle = operations.login_throttle
    until = throttle.locked_until(user.email)
    if until is not None:
        form.form_errors.append(_locked_message(until))
        status = 429
    elif form.validate_on_submit():
        if two_factor.use_code(user, form.code.data):
            throttle.succeeded(user.email)
            target = session.pop("two_factor_next", None)
            session.pop("two_factor_user", None)
            complete_login(user)
            return redirect(target or url_for("claims.queue"))
        until = throttle.failed(user.email)
        if until:
            form.form_errors.append(_locked_message(until))
        elif two_factor.code_is_valid(user.totp_secret, form.code.data):
            form.form_errors.append(_("This code was used already. Wait until your "
                                      "authenticator app shows the next one and enter it."))
        else:
            form.form_errors.append(_("The code is not right. Enter the 6 digits your "
                                      "authenticator app shows now."))
        status = 429 if until else 400
    elif form.is_submitted():
        status = 400
    return render_template("auth/code.html", form=form), status


@auth_bp.route("/account/two-factor", methods=["GET", "POST"])
def two_factor_setup():
    """Set up the authenticator app: scan the code, then confirm with one code."""
    import segno

    form = TwoFactorForm()
    secret = session.get("pending_totp_secret")
    if request.method == "GET" or not secret:
        secret = two_factor.new_secret()
        session["pending_totp_secret"] = secret
    status = 200
    throttle = operations.login_throttle
    if form.validate_on_submit():
        until = throttle.locked_until(current_user.email)
        if until is not None:
            form.form_errors.append(_locked_message(until))
            status = 429
        elif not two_factor.owner_confirmed(current_user, form.password.data,
                                            form.current_code.data):
            until = throttle.failed(current_user.email)
            form.form_errors.append(_locked_message(until) if until else
                                    _("The password or the current code is not right."))
            status = 429 if until else 400
        else:
            try:
                two_factor.confirm(current_user, secret, form.code.data)
            except DomainError as err:
                attach_error(form, err)
                status = 400
            else:
                throttle.succeeded(current_user.email)
                session.pop("pending_totp_secret", None)
                # The new key ended every session of the account; this browser goes on
                # under a new one.
                with unit_of_work():
                    sessions.start(current_user.id)
                # Not a sign-in: a sensitive step still asks for the password and code.
                flash(_("Two-factor sign-in is on."), "success")
                return redirect(url_for("claims.queue"))
    elif form.is_submitted():
        status = 400
    uri = two_factor.provisioning_uri(current_user, secret)
    qr_svg = segno.make(uri, error="m").svg_inline(scale=4)
    return render_template("auth/two_factor.html", form=form, secret=secret, qr_svg=qr_svg,
                           required=current_user.needs_two_factor), status


@auth_bp.route("/reauthenticate", methods=["GET", "POST"])
def reauthenticate():
    """Confirm it is still you before a sensitive step (password, and code if set up)."""
    form = ReauthForm()
    target = safe_next(request.args.get("next")) or url_for("claims.queue")
    status = 200
    throttle = operations.login_throttle
    if form.validate_on_submit():
        until = throttle.locked_until(current_user.email)
        ok = until is None and current_user.check_password(form.password.data) and (
            not current_user.has_two_factor
            or two_factor.use_code(current_user, form.code.data))
        if ok:
            throttle.succeeded(current_user.email)
            two_factor.mark_authenticated()
            return redirect(target)
        until = until or throttle.failed(current_user.email)
        form.form_errors.append(_locked_message(until) if until else
                                _("The password or the code is not right."))
        status = 429 if until else 400
    elif form.is_submitted():
        status = 400
    return render_template("auth/reauth.html", form=form, next=target), status


@auth_bp.route("/logout", methods=["POST"])
def logout():
    lang = session.get("lang")
    with unit_of_work():  # the session ends on the server, not only in this browser
        sessions.end_current()
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You have signed out."), "success")
    return redirect(url_for("auth.login"))


# ---------------------------------------------------------------------------------------
# Own account
# ---------------------------------------------------------------------------------------


@auth_bp.route("/account", methods=["GET", "POST"])
def account():
    which = request.form.get("form_name") if request.method == "POST" else None
    language_form = LanguageForm(formdata=None if which != "language" else request.form,
                                 data={"locale": current_user.locale})
    password_form = PasswordChangeForm(formdata=None if which != "password" else request.form)
    status = 200
    if which == "language":
        if language_form.validate():
            try:
                operations.change_locale(current_user, language_form.locale.data)
            except DomainError as err:
                attach_error(language_form, err)
            else:
                # The header's language chooser is remembered in the session and would
                # otherwise keep the old language on screen.
                session["lang"] = current_user.locale
                flash(_("Your language is saved."), "success")
                return redirect(url_for("auth.account"))
        status = 400
    elif which == "password":
        # Wrong current passwords count against the same lock as failed sign-ins, so an
        # unattended session cannot be used to guess the password.
        throttle = operations.login_throttle
        until = throttle.locked_until(current_user.email)
        if until is not None:
            password_form.form_errors.append(_locked_message(until))
        elif password_form.validate():
            try:
                operations.change_password(
                    current_user, password_form.current_password.data,
                    password_form.new_password.data,
                    current_app.config.get("PASSWORD_HASH_METHOD"),
                )
            except DomainError as err:
                if err.field == "current_password":
                    throttle.failed(current_user.email)
                attach_error(password_form, err)
            else:
                # Every other session ended with the old password; this one goes on
                # under a new token.
                with unit_of_work():
                    sessions.start(current_user.id)
                flash(_("Your password is changed. You were signed out everywhere else."),
                      "success")
                return redirect(url_for("auth.account"))
        status = 400
    elif request.method == "POST":
        abort(400)
    return render_template("auth/account.html", language_form=language_form,
                           password_form=password_form,
                           session_count=sessions.count(current_user.id)), status


@auth_bp.route("/account/sign-out-everywhere", methods=["POST"])
def sign_out_everywhere():
    """End every session of this account, on every device, this one included."""
    if not TokenRevokeForm().validate_on_submit():  # a form with only the CSRF token
        abort(400)
    lang = session.get("lang")
    operations.end_sessions(current_user)
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You were signed out on every device."), "success")
    return redirect(url_for("auth.login"))



@auth_bp.route("/account/tokens", methods=["GET", "POST"])
def api_tokens():
    """Personal API tokens: the secret is shown once, only its hash is kept. A token with
    the payments scope is made only after confirming it is you, as the payment pages ask."""
    from conflict_app.api import tokens
    from conflict_app.api.models import ApiToken

    form = TokenForm([(s, _(tokens.SCOPES[s])) for s in tokens.allowed_scopes(current_user)])
    secret = None
    status = 200
    if form.validate_on_submit():
        if "payments" in form.scopes.data and not two_factor.recently_authenticated():
            return redirect(url_for("auth.reauthenticate", next=url_for("auth.api_tokens")))
        try:
            _token, secret = tokens.issue(current_user, form.name.data, form.scopes.data,
                                          int(form.days.data))
        except DomainError as err:
            attach_error(form, err)
            status = 400
    elif form.is_submitted():
        status = 400
    rows = db.session.scalars(select(ApiToken).where(ApiToken.user_id == current_user.id)
                              .order_by(ApiToken.id.desc())).all()
    return render_template("auth/tokens.html", form=form, secret=secret, tokens=rows,
                           scope_labels=tokens.SCOPES, now=clock.now()), status


@auth_bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_api_token(token_id: int):
    from conflict_app.api import tokens

    form = TokenRevokeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        tokens.revoke(current_user, token_id)
    except DomainError:
        abort(404)
    flash(_("The token was revoked."), "success")
    return redirect(url_for("auth.api_tokens"))
