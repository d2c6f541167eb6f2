"""Sign-in, sign-out, the own account page, and the administration of users and places."""

from __future__ import annotations

from collections import defaultdict
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
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from conflict_app.auth import operations, sessions, two_factor
from conflict_app.auth.forms import (
    WHOLE_RANGE,
    AreaForm,
    CodeForm,
    LanguageForm,
    LoginForm,
    PasswordChangeForm,
    ReauthForm,
    TokenForm,
    TokenRevokeForm,
    TwoFactorForm,
    UserForm,
    VillageForm,
    parse_place,
    place_value,
)
from conflict_app.auth.models import User, UserRole
from conflict_app.core import clock
from conflict_app.core.errors import DomainError
from conflict_app.core.forms import coerce_int_or_none
from conflict_app.core.permissions import Role, scope
from conflict_app.core.transaction import unit_of_work
from conflict_app.core.web import attach_error, public, roles_required
from conflict_app.extensions import db
from conflict_app.geo.models import AdminArea, Country, Village

auth_bp = Blueprint("auth", __name__)
admin_bp = Blueprint("admin", __name__, url_prefix="/admin")


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


# ---------------------------------------------------------------------------------------
# Places, as the admin pages offer them
# ---------------------------------------------------------------------------------------


def _countries() -> list[Country]:
    query = operations.scope_countries(select(Country), current_user).order_by(Country.name)
    return list(db.session.scalars(query))


def _areas() -> list[AdminArea]:
    """Provinces and districts in scope, districts right after their province."""
    query = operations.scope_areas(select(AdminArea), current_user).options(
        joinedload(AdminArea.parent), joinedload(AdminArea.country)
    )
    areas = list(db.session.scalars(query))

    def key(area: AdminArea) -> tuple:
        province = area if area.level == 1 else area.parent
        return (area.country_code, province.name.lower() if province else "",
                province.id if province else 0, area.level, area.name.lower())

    areas.sort(key=key)
    return areas


def _place_choices(include_range: bool, include_districts: bool) -> list[tuple[str, str]]:
    """Options for the one select that names a whole country or a place in it."""
    result: list[tuple[str, str]] = []
    by_country: dict[str, list[AdminArea]] = defaultdict(list)
    for area in _areas():
        if area.level == 2 and not include_districts:
            continue
        by_country[area.country_code].append(area)
    for country in _countries():
        own_area = current_user.jurisdiction_area_id
        if own_area is None:
            result.append((country.code, country.name))
        for area in by_country.get(country.code, []):
            result.append((place_value(country.code, area.id),
                           f"{country.name} / {area.label}"))
    if include_range and current_user.jurisdiction_country is None:
        result.append((WHOLE_RANGE, _("Whole range (all countries)")))
    return result


# ---------------------------------------------------------------------------------------
# User administration
# ---------------------------------------------------------------------------------------


def _load_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    # Outside the admin's jurisdiction looks exactly like "not there".
    if user is None or not operations.manages(current_user, user):
        abort(404)
    return user


def _user_input(form: UserForm) -> operations.UserInput:
    country, area_id = form.place
    return operations.UserInput(
        name=form.name.data or "",
        email=form.email.data or "",
        roles={Role(r) for r in form.roles.data or []},
        country_code=country,
        area_id=area_id,
        locale=form.locale.data,
        active=bool(form.active.data),
        password=form.new_password.data or None,
    )


@admin_bp.route("/users")
@roles_required(Role.ADMIN)
def users():
    q = (request.args.get("q") or "").strip()[:100]
    role = request.args.get("role") or ""
    if role not in {r.value for r in Role}:
        role = ""
    after = coerce_int_or_none(request.args.get("after"))
    query = operations.scope_users(select(User), current_user).options(
        joinedload(User.jurisdiction_area).joinedload(AdminArea.parent)
    )
    if q:
        like = f"%{q}%"
        query = query.where(or_(User.name.ilike(like), User.email.ilike(like)))
    if role:
        query = query.where(
            User.id.in_(select(UserRole.user_id).where(UserRole.role == Role(role)))
        )
    if after:
        query = query.where(User.id > after)
    size = current_app.config["PAGE_SIZE"]
    rows = list(db.session.scalars(query.order_by(User.id).limit(size + 1)).unique())
    more = len(rows) > size
    rows = rows[:size]
    return render_template(
        "admin/users.html", users=rows, q=q, role=role, roles=list(Role),
        next_after=rows[-1].id if more else None,
    )


@admin_bp.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_user():
    form = UserForm(_place_choices(include_range=True, include_districts=True), new=True,
                    data={"locale": current_app.config["BABEL_DEFAULT_LOCALE"]})
    if form.validate_on_submit():
        try:
            user = operations.create_user(current_user, _user_input(form),
                                          current_app.config.get("PASSWORD_HASH_METHOD"))
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("User %(name)s created.", name=user.name), "success")
            return redirect(url_for("admin.users"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/user_form.html", form=form, user=None), status


@admin_bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_user(user_id: int):
    user = _load_user(user_id)
    form = UserForm(
        _place_choices(include_range=True, include_districts=True),
        data={
            "name": user.name,
            "email": user.email,
            "roles": sorted(r.value for r in user.roles),
            "jurisdiction": place_value(user.jurisdiction_country, user.jurisdiction_area_id),
            "locale": user.locale,
            "active": user.active,
        },
    )
    if form.validate_on_submit():
        try:
            operations.update_user(current_user, user, _user_input(form),
                                   current_app.config.get("PASSWORD_HASH_METHOD"))
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("User %(name)s saved.", name=user.name), "success")
            return redirect(url_for("admin.users"))
    status = 400 if form.is_submitted() else 200
    from conflict_app.api import tokens
    from conflict_app.api.models import ApiToken

    user_tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                     .order_by(ApiToken.id.desc())).all()
    return render_template("admin/user_form.html", form=form, user=user, tokens=user_tokens,
                           scope_labels=tokens.SCOPES, now=clock.now(),
                           revoke_form=TokenRevokeForm()), status


# ---------------------------------------------------------------------------------------
# Provinces, districts and villages
# ---------------------------------------------------------------------------------------


def _village_counts(column) -> dict[object, int]:  # noqa: ANN001
    """Villages per country, province or district in one aggregate query."""
    query = scope(select(column, func.count(Village.id)), Village, current_user)
    rows = db.session.execute(query.where(column.is_not(None)).group_by(column))
    return {key: count for key, count in rows}


@admin_bp.route("/areas")
@roles_required(Role.ADMIN)
def areas():
    countries = _countries()
    by_country: dict[str, list[AdminArea]] = defaultdict(list)
    for area in _areas():
        by_country[area.country_code].append(area)
    per_country = _village_counts(Village.country_code)
    per_province = _village_counts(Village.admin1_id)
    per_district = _village_counts(Village.admin2_id)
    return render_template(
        "admin/areas.html", countries=countries, by_country=by_country,
        per_country=per_country, per_province=per_province, per_district=per_district,
    )


def _load_area(area_id: int) -> AdminArea:
    area = db.session.get(AdminArea, area_id)
    if area is None or not operations.covers_place(current_user, area.country_code, area):
        abort(404)
    return area


@admin_bp.route("/areas/<int:area_id>")
@roles_required(Role.ADMIN)
def area(area_id: int):
    area = _load_area(area_id)
    after = coerce_int_or_none(request.args.get("after"))
    column = Village.admin2_id if area.level == 2 else Village.admin1_id
    query = select(Village).where(column == area.id).options(
        joinedload(Village.admin1), joinedload(Village.admin2)
    )
    if after:
        query = query.where(Village.id > after)
    size = current_app.config["PAGE_SIZE"]
    villages = list(db.session.scalars(query.order_by(Village.id).limit(size + 1)))
    more = len(villages) > size
    villages = villages[:size]
    districts = []
    if area.level == 1:
        districts = list(db.session.scalars(
            select(AdminArea).where(AdminArea.parent_id == area.id).order_by(AdminArea.name)
        ))
    return render_template("admin/area.html", area=area, villages=villages,
                           districts=districts, next_after=villages[-1].id if more else None)


@admin_bp.route("/areas/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_area():
    places = _place_choices(include_range=False, include_districts=False)
    form = AreaForm(places)
    if request.method == "GET":
        parent = coerce_int_or_none(request.args.get("parent"))
        if parent is not None:
            chosen = next((v for v, _t in places if v.endswith(f":{parent}")), None)
            if chosen:
                form.place.data = chosen
    if form.validate_on_submit():
        country, parent_id = parse_place(form.place.data) or (None, None)
        try:
            created = operations.create_area(current_user, country, parent_id, form.name.data,
                                             form.region.data or None)
        except DomainError as err:
            attach_error(form, err)
        else:
            if created.level == 1:
                flash(_("Province %(name)s added.", name=created.name), "success")
            else:
                flash(_("District %(name)s added.", name=created.name), "success")
            return redirect(url_for("admin.areas"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/area_form.html", form=form), status


@admin_bp.route("/villages/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_village():
    options = []
    for area in _areas():
        country = area.country.name if area.country else area.country_code
        options.append((area.id, f"{country} / {area.label}"))
    form = VillageForm(options)
    if request.method == "GET":
        form.area_id.data = coerce_int_or_none(request.args.get("area"))
    if form.validate_on_submit():
        try:
            village = operations.create_village(current_user, operations.VillageInput(
                name=form.name.data or "",
                area_id=form.area_id.data,
                latitude=form.latitude.data,
                longitude=form.longitude.data,
                protected_area=form.protected_area.data,
            ))
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Village %(name)s added.", name=village.name), "success")
            return redirect(url_for("admin.area", area_id=village.admin2_id or village.admin1_id))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/village_form.html", form=form), status



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


@admin_bp.route("/users/<int:user_id>/tokens/<int:token_id>/revoke", methods=["POST"])
@roles_required(Role.ADMIN)
def revoke_user_token(user_id: int, token_id: int):
    from conflict_app.api import tokens

    user = _load_user(user_id)
    form = TokenRevokeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        tokens.revoke(current_user, token_id, owner_id=user.id)
    except DomainError:
        abort(404)
    flash(_("The token was revoked."), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))
