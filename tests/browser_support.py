"""A real headless Chromium driving the app over HTTP, and the checks every page of a
browser journey passes: no horizontal overflow at phone width, axe-core without violations
of impact moderate or above, and the W3C Nu HTML checker without errors.

Chromium comes from the distribution (``scripts/install-browser.sh``); axe-core and the Nu
checker (``vnu.jar``) from npm into ``.browser-tools/`` (same script). Without them the
browser tests skip and say why; CI installs them, so there they run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import totp_code

ROOT = Path(__file__).resolve().parent.parent
TOOLS = Path(os.environ.get("BROWSER_TOOLS", ROOT / ".browser-tools")) / "node_modules"
AXE = TOOLS / "axe-core" / "axe.min.js"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 900}
SERIOUS = {"moderate", "serious", "critical"}


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which(
        "chromium-browser")


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if not chromium_path():
        return "chromium is not installed (scripts/install-browser.sh)"
    if not AXE.exists() or not VNU.exists():
        return f"axe-core/vnu-jar are not in {TOOLS.parent} (scripts/install-browser.sh)"
    if not shutil.which("java"):
        return "java is not installed (scripts/install-browser.sh)"
    return None


class LiveServer:
    """The app served by a real HTTP server in a thread, as a browser reaches it."""

    def __init__(self, app) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)


@dataclass
class Visit:
    """Pages seen in a journey: their HTML goes to the Nu checker in one run at the end."""

    outdir: Path
    pages: list[tuple[str, Path]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class Session:
    """One signed-in (or anonymous) person in one browser context."""

    def __init__(self, browser, server: LiveServer, visit: Visit, locale: str,
                 viewport=PHONE) -> None:
        self.context = browser.new_context(viewport=viewport, locale=locale,
                                           accept_downloads=True,
                                           # axe-core is injected by the test, not the app
                                           bypass_csp=True)
        self.page = self.context.new_page()
        self.server = server
        self.visit = visit
        self.locale = locale
        self.page.set_default_timeout(15_000)
        self.document = None  # the last page as the server sent it, for the Nu checker
        self.page.on("response", self._keep_document)

    def _keep_document(self, response) -> None:
        request = response.request
        if request.resource_type == "document" and request.frame == self.page.main_frame:
            self.document = response

    def goto(self, path: str, check: bool = True):
        sep = "&" if "?" in path else "?"
        response = self.page.goto(f"{self.server.url}{path}{sep}lang={self.locale}")
        assert response is not None and response.status < 400, (path, response and
                                                                 response.status)
        if check:
            self.check(path)
        return response

    def login(self, user) -> None:
        self.goto("/login", check=False)
        self.page.fill("input[name=email]", user.email)
        self.page.fill("input[name=password]", "correct horse battery staple")
        self.submit("form[action$='/login'] button[type=submit], main form button")
        if self.page.url.endswith("/login/code") or "/login/code" in self.page.url:
            self.page.fill("input[name=code]", totp_code(user, own_connection=True))
            self.submit("main form button")
        assert "/login" not in self.page.url.split("?")[0], self.page.url

    def submit(self, selector: str) -> None:
        with self.page.expect_navigation():
            self.page.locator(selector).first.click()

    def check(self, label: str) -> None:
        """Overflow at this width, axe-core, and the HTML kept for the Nu checker."""
        problems = self.visit.problems
        for line in overflow(self.page):
            problems.append(f"{self.locale} {label}: overflow {line}")
        for line in axe(self.page):
            problems.append(f"{self.locale} {label}: axe {line}")
        name = f"{len(self.visit.pages):03d}-{self.locale}.html"
        path = self.visit.outdir / name
        html = self.document.text() if self.document is not None else self.page.content()
        path.write_text(html, encoding="utf-8")
        self.visit.pages.append((f"{self.locale} {label}", path))

    def close(self) -> None:
        self.context.close()


# Elements wider than the viewport, or sticking out of its left/right edge, are what a user
# on a phone scrolls sideways for. Elements inside a scroll container that the page itself
# offers (overflow-x: auto) are meant to scroll, so they do not count.
_OVERFLOW_JS = """
() => {
  const doc = document.documentElement;
  const width = doc.clientWidth;
  const out = [];
  if (doc.scrollWidth > width) out.push(`document scrollWidth ${doc.scrollWidth} > ${width}`);
  const scrolls = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p).overflowX;
      if (s === 'auto' || s === 'scroll' || s === 'hidden') return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    const st = getComputedStyle(el);
    if (st.visibility === 'hidden' || st.display === 'none') continue;
    if (el.closest('.visually-hidden, .sr-only, [hidden]')) continue;
    // Moved wholly off-screen on purpose (a skip link until it has focus).
    if ((st.position === 'absolute' || st.position === 'fixed') &&
        (r.right <= 0 || r.left >= width)) continue;
    if ((r.right > width + 1 || r.left < -1) && !scrolls(el)) {
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.className && typeof el.className === 'string' ? '.' +
         el.className.trim().split(/\\s+/).join('.') : '');
      out.push(`${name} [${Math.round(r.left)}..${Math.round(r.right)}] of ${width}`);
      if (out.length > 12) break;
    }
  }
  return out;
}
"""


def overflow(page) -> list[str]:
    return page.evaluate(_OVERFLOW_JS)


def axe(page) -> list[str]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})")
    lines = []
    for v in result["violations"]:
        if v.get("impact") in SERIOUS:
            targets = "; ".join(" ".join(n["target"]) for n in v["nodes"][:3])
            lines.append(f"{v['id']} ({v['impact']}): {v['help']} at {targets}")
    return lines


def nu_check(visit: Visit) -> list[str]:
    """Every page of the journey through the Nu checker, in one Java run."""
    if not visit.pages:
        return []
    files = [str(p) for _, p in visit.pages]
    labels = {str(p): label for label, p in visit.pages}
    result = subprocess.run(  # noqa: S603 - our own tool on our own files
        [shutil.which("java") or "java", "-Xss4m", "-jar", str(VNU), "--errors-only",
         "--format", "json", *files],
        capture_output=True, text=True, timeout=300, check=False)
    report = json.loads(result.stderr or '{"messages": []}')
    lines = []
    for m in report.get("messages", []):
        if m.get("type") == "error" or m.get("subType") == "fatal":
            where = m.get("url", "").removeprefix("file:")
            lines.append(f"{labels.get(where, where)}: nu {m.get('message')} "
                         f"[{m.get('extract', '').strip()[:80]}]")
    return lines


def chromium(playwright):
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


def require_tools() -> None:
    reason = missing()
    if reason and os.environ.get("BROWSER_TESTS_REQUIRED"):
        pytest.fail(f"browser tests required (CI) but {reason}")
    if reason:
        pytest.skip(reason)


def assert_clean(visit: Visit) -> None:
    """The journey's pages: no overflow, no axe violation, and no Nu checker error."""
    problems = visit.problems + nu_check(visit)
    assert not problems, "\n".join(problems)


_PEOPLE = ("clerk", "supervisor", "verifier", "approver", "approver2", "finance", "manager",
           "analyst", "admin")


def snapshot(world):
    """What the browser journeys need of the test world, as plain values: the test's own
    session is closed afterwards so that it holds no SQLite lock while the server writes."""
    from types import SimpleNamespace

    people = {name: SimpleNamespace(id=getattr(world, name).id,
                                    email=getattr(world, name).email,
                                    totp_secret=getattr(world, name).totp_secret)
              for name in _PEOPLE}
    return SimpleNamespace(world=world, shvanidzor_id=world.shvanidzor.id,
                           shikahogh_id=world.shikahogh.id, syunik_id=world.syunik.id,
                           **people)


def shot(session, name: str) -> None:
    """A full-page screenshot for a person to look at, when SCREENSHOT_DIR is set."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        session.page.screenshot(path=str(Path(folder) / f"{name}-{session.locale}.png"),
                                full_page=True)
