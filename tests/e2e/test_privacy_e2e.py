"""In two browsers: a private reflection stays private, one shared passage arrives; presence can be hidden;
quick exit and idle logout leave nothing behind the back button."""
import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, screenshot, sign_up

MARKER = "e2e-private-marker-3b8f"
PASSAGE = "I am sorry I stopped listening when you were worried."


def shot(page, name):
    """A screenshot named after the feature, the page and its width (when SCREENSHOTS is set)."""
    page.wait_for_load_state("load")
    screenshot(page, f"privacy-{name}-{page.viewport_size['width']}")


def write_entry(page, text):
    page.goto("/reflection")
    page.get_by_label("What I did that may have hurt them").check()
    page.get_by_label("Your words").fill(text)
    page.get_by_role("button", name="Save privately").click()
    expect(page.locator(".flash")).to_contain_text("Only you can read this")


def test_partner_sees_only_the_shared_passage(linked_partners):
    alice, bob = linked_partners(DESKTOP, PHONE, "Alice Moreau", "Bob Lindqvist")
    expect(bob.locator("#shared-passages")).to_contain_text("Nothing shared yet")

    write_entry(alice, f"{PASSAGE} The rest is only for me: {MARKER}.")
    entry_url = alice.url
    alice.get_by_label("Words to share").fill(PASSAGE)
    alice.get_by_role("button", name="Send this passage").click()
    expect(alice.locator(".flash")).to_contain_text("Sent to your partner")
    shot(alice, "entry")

    # Bob's open home page receives the passage live, and only the passage.
    expect(bob.locator("#shared-passages")).to_contain_text(PASSAGE)
    expect(bob.locator("#shared-passages")).to_contain_text("Alice Moreau shared")
    assert MARKER not in bob.content()
    shot(bob, "home")
    bob.reload()
    expect(bob.locator("#shared-passages")).to_contain_text(PASSAGE)
    assert MARKER not in bob.content()

    # Nothing of the entry is reachable for Bob, even with its address.
    assert bob.goto(urlsplit(entry_url).path).status == 404
    assert MARKER not in bob.content()
    bob.goto("/reflection")
    assert MARKER not in bob.content()

    alice.goto("/")
    expect(alice.locator("#shared-passages")).to_contain_text("You shared")
    shot(alice, "home")
    alice.goto("/reflection")
    expect(alice.locator(".entries")).to_contain_text(MARKER[:10])
    shot(alice, "journal")
    for page, name in ((alice, "sessions"), (bob, "sessions"), (alice, "settings"), (bob, "settings"),
                       (alice, "my-data"), (bob, "my-data"), (alice, "safety"), (bob, "safety")):
        page.goto("/" + {"sessions": "sessions", "settings": "settings/privacy", "my-data": "my-data",
                         "safety": "safety"}[name])
        shot(page, name)
    bob.goto("/reflection")
    shot(bob, "journal")


def test_turning_presence_off_hides_it_from_the_partner(linked_partners):
    alice, bob = linked_partners(DESKTOP, DESKTOP, "Alice Moreau", "Bob Lindqvist")
    expect(alice.locator("#presence")).to_have_attribute("data-here", "true")

    # Bob keeps his home page open and turns sharing off in another tab.
    settings = bob.context.new_page()
    settings.goto("/settings/privacy")
    settings.get_by_label("Show my partner when I am here and typing").uncheck()
    settings.get_by_role("button", name="Save").click()
    expect(settings.locator(".flash")).to_contain_text("Saved")
    expect(alice.locator("#presence")).to_have_attribute("data-here", "false")

    # Bob is in the app, on the home page, and Alice still does not see him.
    bob.reload()
    alice.reload()
    expect(alice.locator("#presence")).to_contain_text("Bob Lindqvist is not here right now")
    expect(alice.locator("#presence")).to_have_attribute("data-here", "false")


def wait_until_signed_out(page):
    """Wait (as a person reaching for the back button would) until the server has ended the session."""
    for _ in range(100):
        if page.context.request.get("/sessions/still-here", max_redirects=0).status == 302:
            return
        page.wait_for_timeout(50)
    raise AssertionError("the quick exit did not end the session")


def test_quick_exit_leaves_no_way_back(partner_page):
    page = partner_page(DESKTOP)
    sign_up(page, "Carol Nguyen", "carol@example.org")
    write_entry(page, f"Carol's private words {MARKER}")
    page.goto("/reflection")
    page.get_by_role("link", name="Quick exit").click()
    page.wait_for_url("about:blank")
    wait_until_signed_out(page)
    page.go_back()
    page.wait_for_load_state()
    assert MARKER not in page.content()
    expect(page).to_have_url(re.compile(r"/login"))


def test_idle_page_warns_then_goes_to_login_without_content(partner_page):
    page = partner_page(DESKTOP)
    page.clock.install()
    sign_up(page, "Dan Okafor", "dan@example.org")
    write_entry(page, f"Dan's private words {MARKER}")
    page.goto("/reflection")
    timeout_ms = int(page.locator("body").get_attribute("data-idle-timeout")) * 1000
    # The page counts 30 s of slack for the server's coarse activity stamp, and warns a minute before.
    page.clock.run_for(timeout_ms - 30_000 - 60_000 + 2_000)
    expect(page.get_by_role("dialog")).to_contain_text("logged out in about a minute")
    page.clock.run_for(60_000)
    page.wait_for_url(re.compile(r"/login"))
    assert MARKER not in page.content()
    page.go_back()
    page.wait_for_load_state()
    assert MARKER not in page.content()
    page.goto("/reflection")
    expect(page).to_have_url(re.compile(r"/login"))


def test_staying_active_keeps_the_page(partner_page):
    page = partner_page(DESKTOP)
    page.clock.install()
    sign_up(page, "Erin Castillo", "erin@example.org")
    page.goto("/reflection")
    timeout_ms = int(page.locator("body").get_attribute("data-idle-timeout")) * 1000
    page.clock.run_for(timeout_ms - 30_000 - 60_000 + 2_000)
    page.get_by_role("button", name="Stay logged in").click()
    expect(page.get_by_role("dialog")).to_be_hidden()
    page.clock.run_for(60_000)
    expect(page).to_have_url(re.compile(r"/reflection$"))
    expect(page.locator("h1")).to_have_text("Private reflection")
