"""Data bundles uploaded on the web: the upload is stored and imported by a background job
(never inside the request); its page shows a progress bar and then every problem or what was
created. The page reloads itself while the job runs, so it needs no JavaScript."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from sqlalchemy import select

from conflict_app.bundles.models import BundleImport
from conflict_app.bundles.schema import Problem
from conflict_app.core.permissions import Role
from conflict_app.core.transaction import unit_of_work
from conflict_app.core.web import roles_required
from conflict_app.extensions import db
from conflict_app.jobs import enqueue, percent_done
from conflict_app.jobs.records import QUEUED

bp = Blueprint("imports", __name__, url_prefix="/imports")

KINDS = {
    "household": _l("Households"), "herd": _l("Herd census rows"),
    "herd_updated": _l("Herd census rows updated"), "measure": _l("Mitigation measures"),
    "incident": _l("Incidents"), "village": _l("Villages"),
}
STATES = {"queued": _l("Waiting for its turn"), "running": _l("Importing"),
          "done": _l("Imported"), "failed": _l("Nothing was imported")}


class UploadForm(FlaskForm):
    bundle = FileField(_l("Data bundle (.zip of CSV files)"), validators=[
        FileRequired(_l("Choose a .zip file.")),
        FileAllowed(["zip"], _l("Upload the bundle as a .zip of its CSV files."))])


def job_id(record: BundleImport) -> str:
    return f"bundle-import-{record.id}"


@bp.route("/", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def index():
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.bundle.data
        folder = Path(current_app.instance_path) / "imports"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{secrets.token_hex(16)}.zip"
        upload.save(target)
        target.chmod(0o600)
        name = Path(upload.filename or "bundle.zip").name[:200]
        with unit_of_work():
            record = BundleImport(user_id=current_user.id, file_name=name, path=str(target),
                                  state=QUEUED, total_bytes=target.stat().st_size)
            db.session.add(record)
            db.session.flush()
            enqueue("bundles.import", record, queue="bulk", job_id=job_id(record))
        return redirect(url_for("imports.detail", import_id=record.id))
    records = db.session.scalars(select(BundleImport).where(
        BundleImport.user_id == current_user.id).order_by(BundleImport.id.desc()).limit(20))
    return render_template("imports/index.html", form=form, records=list(records),
                           states=STATES)


@bp.route("/<int:import_id>")
@roles_required(Role.ADMIN)
def detail(import_id: int):
    record = db.session.get(BundleImport, import_id)
    if record is None or record.user_id != current_user.id:
        abort(404)
    percent = (record.percent if record.finished
               else percent_done(job_id(record), record.percent))
    problems = [Problem.from_dict(p) for p in record.problems or []]
    created = [(KINDS.get(k, k), n) for k, n in sorted((record.created or {}).items())]
    unchanged = [(KINDS.get(k, k), n) for k, n in sorted((record.unchanged or {}).items())]
    return render_template("imports/detail.html", record=record, percent=percent,
                           problems=problems, created=created, unchanged=unchanged,
                           state=STATES[record.state])
