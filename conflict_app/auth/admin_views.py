"""The administration pages: users and their roles and jurisdictions, provinces, districts
and villages, and revoking someone's API tokens. An admin sees and manages only what lies
inside their own jurisdiction; anything outside answers "not found"."""

from __future__ import annotations

from collections import defaultdict

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from conflict_app.auth import operations
from conflict_app.auth.forms import (
    WHOLE_RANGE,
    AreaForm,
    TokenRevokeForm,
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
from conflict_app.core.web import attach_error, roles_required
from conflict_app.extensions import db
from conflict_app.geo.models import AdminArea, Country, Village
from conflict_app.i18n.collation import in_reader_order

admin_bp = Blueprint("admin", __name__, url_prefix="/admin")


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
    # In the reader's order of the names shown (area.label: the province, then the district).
    areas = in_reader_order(db.session.scalars(query), lambda a: a.display_name)

    rank = {a.id: i for i, a in enumerate(areas) if a.level == 1}

    def key(area: AdminArea) -> tuple:
        province = area if area.level == 1 else area.parent
        return (area.country_code, rank.get(province.id, 0) if province else 0,
                province.id if province else 0, area.level)

    return sorted(areas, key=key)


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
        districts = in_reader_order(db.session.scalars(
            select(AdminArea).where(AdminArea.parent_id == area.id)), lambda d: d.name)
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
                                             form.region.data or None,
                                             local_name=form.local_name.data)
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
                local_name=form.local_name.data,
            ))
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Village %(name)s added.", name=village.name), "success")
            return redirect(url_for("admin.area", area_id=village.admin2_id or village.admin1_id))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/village_form.html", form=form), status




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
