"""The reviewer pages in a real browser: Playwright driving Debian's Chromium against a server on 127.0.0.1.

Log in, work the queue with the keyboard, approve, reject, bulk actions, a claim conflict between two
browser contexts, log out; hostile comments (script tags, attribute breakouts, javascript: links, bidi
overrides) must show as text: any dialog, injected element, CSP violation or page error fails the test.
Screenshots go to test-output/browser/ for a person to look at. Skips where Playwright or Chromium is absent
(.ci/run installs Debian's chromium when it can).
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
from pathlib import Path

import pytest

SERVICE_TESTS = Path(__file__).resolve().parent.parent / "service"
sys.path.insert(0, str(SERVICE_TESTS))

from service_support import API_KEY, PASSWORD, KeywordModerator, make_reviewer  # noqa: E402

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)", allow_module_level=True)

OUTPUT = Path(__file__).resolve().parent.parent.parent / "test-output" / "browser"
RLO = "\u202e"

pytestmark = pytest.mark.slow  # real processes: a server, a browser

HOSTILE = {
    "x-script": "darn <script>alert(1)</script> end",
    "x-img": 'darn "><img src=x onerror=alert(1)> end',
    "x-link": "darn <a href=\"javascript:alert(1)\">click me</a> javascript:alert(1)",
    "x-rtl": f"darn this {RLO}gnp.exe{RLO} and more",
    "x-style": "darn <style>body{display:none}</style><svg onload=alert(1)><iframe src=javascript:alert(1)>",
    "x-span": "darn\"><img src=x onerror=alert(2)>darn",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app under werkzeug's threaded server on a free loopback port, with hostile comments queued."""
    from werkzeug.serving import make_server

    from webapp import create_app

    tmp = tmp_path_factory.mktemp("browser")
    with pytest.MonkeyPatch.context() as env:  # only the configuration given here, none from the shell
        for name in list(os.environ):
            if name.startswith("MODERATION_") or name == "DATABASE_URL":
                env.delenv(name)
        app = create_app({"TESTING": True, "SECRET_KEY": "browser-test-secret", "API_KEYS": API_KEY,
                          "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}", "WTF_CSRF_SSL_STRICT": False},
                         moderator=KeywordModerator(), instance_path=str(tmp / "instance"))
    make_reviewer(app, "alice")
    make_reviewer(app, "bob")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {API_KEY}"}
    article = {"title": f'Budget "><img src=x onerror=alert(3)> {RLO}txt.exe', "url": "javascript:alert(4)"}
    assert client.put("/v1/articles/art-1", json=article, headers=headers).status_code == 201
    for external_id, text in HOSTILE.items():
        author = f'"><img src=x onerror=alert(5)>{RLO}nimda' if external_id == "x-rtl" else f"user-{external_id}"
        body = {"id": external_id, "text": text, "author": author, "article": {"id": "art-1"}}
        assert client.post("/v1/score", json=body, headers=headers).get_json()["queued"] is True
    for n in range(6):
        body = {"id": f"plain-{n}", "text": f"darn plain comment number {n}", "author": f"reader{n}"}
        assert client.post("/v1/score", json=body, headers=headers).get_json()["queued"] is True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    app.extensions["moderation.engine"].dispose()


@pytest.fixture(scope="module")
def browser():
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                  "--no-first-run", "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


# Collects what must never happen: CSP violations (an injection the escaping missed) and page errors.
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


class Watched:
    """A browser context with a page whose dialogs, page errors and console errors are recorded."""

    def __init__(self, browser, base):
        self.context = browser.new_context(base_url=base, viewport={"width": 1100, "height": 1400})
        self.context.add_init_script(WATCH)
        self.page = self.context.new_page()
        self.dialogs, self.errors = [], []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", self._console)
        self.page.set_default_timeout(10_000)

    def _console(self, message):
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            self.errors.append(message.text)

    def login(self, name):
        page = self.page
        page.goto("/review/login")
        page.fill("input[name=name]", name)
        page.fill("input[name=password]", PASSWORD)
        page.click("form.login button[type=submit]")
        page.wait_for_url("**/review/")
        return page

    def assert_clean(self):
        page = self.page
        assert self.dialogs == [], f"a dialog fired: {self.dialogs}"
        injected = page.evaluate("""() => {
            const bad = [];
            document.querySelectorAll('img, svg, iframe, style:not([data-ok]), script:not([src])').forEach(
                el => bad.push(el.outerHTML.slice(0, 80)));
            document.querySelectorAll('*').forEach(el => { for (const a of el.attributes) {
                if (a.name.startsWith('on')) bad.push(el.tagName + ' ' + a.name);
                if (/^\\s*javascript:/i.test(a.value)) bad.push(el.tagName + ' ' + a.name + '=' + a.value);
            }});
            return bad.concat(window.__violations || []);
        }""")
        assert injected == [], f"injected elements, attributes or CSP violations: {injected}"
        assert self.errors == [], f"page errors: {self.errors}"

    def close(self):
        self.context.close()


def shot(page, name):
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)


def item(page, external_id):
    return page.locator("li.item", has_text=f"id {external_id}")


def test_hostile_comments_are_shown_as_text(server, browser):
    alice = Watched(browser, server)
    page = alice.login("alice")
    shot(page, "queue-hostile")
    for external_id, text in HOSTILE.items():
        shown = item(page, external_id).locator("blockquote.text").inner_text()
        assert shown == text.replace(RLO, "⟨RLO⟩"), (external_id, shown)  # the override named, not applied
    # Bidi overrides stay inside the comment's own text: each user-supplied string is isolated.
    isolated = page.evaluate("""() => Array.from(document.querySelectorAll('li.item')).flatMap(li =>
        Array.from(li.querySelectorAll('blockquote.text, .meta bdi')).map(el => getComputedStyle(el).unicodeBidi))""")
    assert isolated and all(value in ("isolate", "plaintext", "isolate-override") for value in isolated), isolated
    rtl = item(page, "x-rtl")
    assert rtl.locator(".meta bdi.author-name").inner_text().endswith("⟨RLO⟩nimda")
    meta = rtl.locator(".meta").inner_text()
    assert RLO not in meta and meta.count("⟨RLO⟩") == 2  # author and article title: named, and isolated
    links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert not [href for href in links if "javascript" in href.lower()], links
    alice.assert_clean()
    page.click("li.item:has-text('id x-script') a.author")  # the author's page shows the same card
    assert page.locator("blockquote.text").first.inner_text() == HOSTILE["x-script"]
    alice.assert_clean()
    page.goto("/review/audit")
    alice.assert_clean()
    alice.close()


def test_keyboard_approve_reject_and_help(server, browser):
    alice = Watched(browser, server)
    page = alice.login("alice")
    page.keyboard.press("?")
    assert page.locator("#help").is_visible()
    page.keyboard.press("Escape")
    assert not page.locator("#help").is_visible()
    first = page.locator("li.item").first
    assert "current" in first.get_attribute("class")
    page.keyboard.press("j")
    second = page.locator("li.item").nth(1)
    assert "current" in second.get_attribute("class") and "current" not in first.get_attribute("class")
    page.keyboard.press("k")
    approved_id = first.locator(".meta").inner_text().split("id ")[1].split()[0]
    with page.expect_navigation():
        page.keyboard.press("a")
    assert f"Comment {approved_id} approved" in page.locator(".flash").first.inner_text()
    assert item(page, approved_id).count() == 0
    rejected_id = page.locator("li.item").first.locator(".meta").inner_text().split("id ")[1].split()[0]
    page.keyboard.press("r")  # no reason yet: the reason select gets the focus
    assert page.evaluate("document.activeElement.name") == "reason"
    page.locator("li.item").first.locator("select.reject-reason").select_option("spam")
    page.locator("li.item").first.locator("select.reject-reason").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"Comment {rejected_id} rejected (spam)" in page.locator(".flash").first.inner_text()
    shot(page, "queue-after-keyboard")
    alice.assert_clean()
    alice.close()


def test_bulk_actions(server, browser):
    alice = Watched(browser, server)
    page = alice.login("alice")
    before = page.locator("li.item").count()
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    assert page.locator("input[name=ids]:checked").count() == 2
    page.select_option("#bulk select[name=reason]", "off_topic")
    with page.expect_navigation():
        page.click("#bulk button[value=reject]")
    assert "2 comment(s) rejected" in page.locator(".flash").first.inner_text()
    assert page.locator("li.item").count() == before - 2
    page.locator("input[name=ids]").first.check()
    with page.expect_navigation():
        page.click("#bulk button[value=approve]")
    assert "1 comment(s) approved" in page.locator(".flash").first.inner_text()
    shot(page, "queue-after-bulk")
    alice.assert_clean()
    alice.close()


def test_claim_conflict_between_two_reviewers(server, browser):
    alice, bob = Watched(browser, server), Watched(browser, server)
    alice.login("alice")
    bob.login("bob")
    target = bob.page.locator("li.item a.open").first.get_attribute("href")
    bob.page.goto(target)
    assert "Claimed by you" in bob.page.inner_text("main")
    alice.page.goto(target)
    assert "claimed by bob" in alice.page.locator(".flash-error").inner_text()
    assert alice.page.locator("form.approve-form").count() == 0
    shot(alice.page, "claim-conflict")
    alice.page.goto("/review/")
    comment_id = target.split("/comments/")[1].split("?")[0]
    held = alice.page.locator(f"li#c{comment_id}")
    assert "held" in held.get_attribute("class") and "Claimed by bob" in held.inner_text()
    with bob.page.expect_navigation():
        bob.page.keyboard.press("a")  # bob decides the comment he holds
    alice.page.goto(alice.page.url)
    assert alice.page.locator(f"li#c{comment_id}").count() == 0
    alice.assert_clean()
    bob.assert_clean()
    alice.close()
    bob.close()


def test_logout(server, browser):
    alice = Watched(browser, server)
    page = alice.login("alice")
    with page.expect_navigation():
        page.click("header button:has-text('Log out')")
    assert page.url.endswith("/review/login") and "logged out" in page.inner_text("main")
    page.goto("/review/")
    assert "/review/login" in page.url
    cookies = alice.context.cookies()
    assert all(cookie["httpOnly"] and cookie["sameSite"] == "Lax" for cookie in cookies), cookies
    alice.assert_clean()
    alice.close()
