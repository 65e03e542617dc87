"""End-to-end fixtures: a real server, and headless Chromium (Debian's) driven by Playwright."""
from __future__ import annotations

from contextlib import contextmanager
import os
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright
import pytest
from sqlalchemy import select

from tests.conftest import TEST_SETTINGS
from tests.people import PASSWORD, new_couple
from tests.servers import Relay, Server, free_port, sqlite_copy

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


def screenshot(page: Page, name: str, full_page: bool = True) -> None:
    """Save a screenshot (the whole page, or what is on screen) when SCREENSHOTS names a folder; otherwise nothing."""
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full_page)


def pytest_collection_modifyitems(items):
    """Everything under tests/e2e is an end-to-end test."""
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def relay_env() -> dict:
    """Settings of the relay process (a test parametrizes this to change them)."""
    return {}


@pytest.fixture
def live_server(migrated_db, tmp_path, relay_env):
    """A gunicorn + gevent server on a fresh copy of the migrated database, and the relay its pages use."""
    database = sqlite_copy(migrated_db, tmp_path)
    relay_port = free_port()
    server = Server(tmp_path, database, env={"RELAY_PORT": str(relay_port)})
    relay = Relay(tmp_path, database, server.url, port=relay_port, env=relay_env).start()
    try:
        yield server.start()
    finally:
        server.stop()
        relay.stop()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def partner_page(browser, live_server):
    """Factory: partner_page(viewport=DESKTOP) -> a Page in its own browser context (its own cookies)."""
    contexts = []

    def make(viewport=DESKTOP) -> Page:
        context = browser.new_context(viewport=viewport, base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def sign_up(page: Page, name: str, email: str, password: str = PASSWORD) -> None:
    """Create an account through the sign-up form."""
    page.goto("/signup")
    page.get_by_label("Email").fill(email)
    page.get_by_label("What should your partner see as your name?").fill(name)
    page.get_by_label("Password (8 to 128 characters)").fill(password)
    page.get_by_label("Password again").fill(password)
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url("**/")


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login form; the home page opens."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


@pytest.fixture
def linked_partners(partner_page, live_server):
    """Factory: linked_partners(first_view=DESKTOP, second_view=PHONE, first="Maya Okafor", second="Sam Reyes")
    -> their two pages, each in its own browser, signed in through the login form, on the home page.

    The couple is made and linked through the services (tests.people.new_couple, the first invited the second),
    with emails of the first names (maya@example.org). The pages of signing up and linking have their own tests
    (test_linking_e2e, test_accessibility_e2e); every other browser test starts here.
    """

    def make(first_view=DESKTOP, second_view=PHONE, first: str = "Maya Okafor", second: str = "Sam Reyes"):
        with on_server(live_server):
            _, a, b = new_couple(first, second, tag="")
            emails = a.email, b.email
        pages = []
        for email, view in zip(emails, (first_view, second_view)):
            pages.append(partner_page(view))
            sign_in(pages[-1], email)
        expect(pages[0].get_by_role("heading", level=1)).to_have_text(f"You and {second}")
        return tuple(pages)

    return make


def link(inviter: Page, joiner: Page) -> str:
    """The inviter makes an invitation; the joiner types its code and confirms. Returns the code."""
    inviter.get_by_role("button", name="Invite my partner").click()
    code = inviter.locator("#invite-code").inner_text()
    join(joiner, code)
    return code


def join(joiner: Page, code: str) -> None:
    """The joiner types an invitation code on their home page and confirms."""
    joiner.goto("/")
    joiner.get_by_label("Invitation code").fill(code.lower().replace("-", " "))
    joiner.get_by_role("button", name="Continue").click()
    joiner.get_by_role("button", name="Yes, link us").click()
    joiner.wait_for_url("**/")


@contextmanager
def on_server(server):
    """An app context on the running server's database, to set the scene through the services themselves.

    The server reads the database before answering, so it sees what was committed here on its next request.
    """
    from app import create_app
    from extensions import db

    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": server.env["DATABASE_URL"]})
    with app.app_context():
        try:
            yield db
        finally:
            db.session.remove()
            db.engine.dispose()


def write_agreement(server, text: str) -> None:
    """Write an agreement into the (only) couple's first document, through the server's own edit path."""
    from agreements import rooms
    from agreements.models import AgreementDocument
    from agreements.shape import new_item, sections

    with on_server(server) as db:
        document = db.session.scalar(select(AgreementDocument).order_by(AgreementDocument.id))
        rooms.edit(document.id, document.couple_id, lambda doc: next(sections(doc))["items"].append(new_item(text)),
                   None)
