"""Screenshots of the main pages in Persian, Georgian and English, for a human to look at.

    .venv/bin/python scripts/screenshots.py OUTDIR

Renders each page through the app (signed in where needed), stores the HTML with the
stylesheet next to it, and asks headless Chromium (scripts/install-browser.sh) for a PNG.
The images are for review and are not kept in git.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LOCALES = ("en", "fa", "ka")


def main(outdir: Path) -> None:
    import flask_migrate

    from config import TestConfig
    from conflict_app import create_app
    from conflict_app.extensions import db
    from conflict_app.i18n import catalogues
    from tests import helpers
    from tests.conftest import Browser, RequestClient, World

    catalogues.compile_all(quiet=True)
    work = Path(tempfile.mkdtemp())

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{work / 'shots.sqlite'}"
        EVIDENCE_DIR = str(work / "evidence")

    app = create_app(Config)
    app.test_client_class = RequestClient
    outdir.mkdir(parents=True, exist_ok=True)
    css_dir = ROOT / "conflict_app" / "static"
    with app.app_context():
        flask_migrate.upgrade()
        world = World()
        db.session.commit()
        from datetime import date
        from decimal import Decimal

        from conflict_app.schemes import operations as scheme_ops
        from conflict_app.schemes import params

        scheme = scheme_ops.create_scheme(world.manager, scheme_ops.SchemeInput(
            "AM-COMP", "Syunik compensation", params.SchemeKind.COMPENSATION, "AM", None,
            "AMD", "Example fund", Decimal(5_000_000), "queue", date(2025, 1, 1), None,
            Decimal(0), None))
        version = scheme_ops.add_version(world.manager, scheme.id, date(2025, 1, 1),
                                         params.defaults(params.SchemeKind.COMPENSATION)
                                         | {"cap_incident_heads": "2"})
        scheme_ops.publish_version(world.manager, version.id)
        scheme_id = scheme.id
        claim = helpers.assessed(world, photos=[helpers.photo_bytes()])
        clerk, verifier, manager = (
            SimpleNamespace(id=u.id, email=u.email, totp_secret=u.totp_secret)
            for u in (world.clerk, world.verifier, world.manager))
        claim_id = claim.id
        # Requests use their own connections: end this one's read transaction (SQLite).
        db.session.remove()
        pages = {
            "start": (None, "/"), "status": (None, "/status"),
            "report": (None, "/report?country=AM"),
            "queue": (clerk, "/queue"), "claim": (clerk, f"/claims/{claim_id}"),
            "verification": (verifier, "/verification/visits"),
            "scheme": (manager, f"/schemes/{scheme_id}"),
        }
        browsers = {}
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if not chromium:
            sys.exit("chromium not found: run scripts/install-browser.sh first")
        for locale in LOCALES:
            for name, (user, url) in pages.items():
                if user is None:
                    client = app.test_client()
                else:
                    if user.id not in browsers:
                        browsers[user.id] = Browser(app.test_client())
                        browsers[user.id].login(user)
                    client = browsers[user.id].client
                sep = "&" if "?" in url else "?"
                html = client.get(f"{url}{sep}lang={locale}").get_data(as_text=True)
                html = re.sub(r'href="/static/([a-z.]+)"',
                              lambda m: f'href="file://{css_dir / m.group(1)}"', html)
                page = work / f"{name}-{locale}.html"
                page.write_text(html, encoding="utf-8")
                png = outdir / f"{name}-{locale}.png"
                subprocess.run(  # noqa: S603 - our own files
                    [chromium, "--headless", "--no-sandbox", "--disable-gpu",
                     "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run", "--hide-scrollbars",
                     f"--user-data-dir={work / 'profile'}", "--window-size=1100,1400",
                     f"--screenshot={png}", f"file://{page}"],
                    check=True, capture_output=True, timeout=60)
                print(png)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots"))
