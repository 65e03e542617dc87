"""In two browsers: a partner on any page of the app is here, and going from page to page never shows as leaving."""
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, screenshot

GRACE_MS = 10_000  # the server's default PRESENCE_GRACE_SECONDS

# Notes on the page whenever it says the partner is not here (a flicker would otherwise be missed).
WATCH_FOR_AWAY = """(words) => {
  window.sawAway = document.body.innerText.includes(words);
  new MutationObserver(() => {
    if (document.body.innerText.includes(words)) window.sawAway = true;
  }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
}"""


def test_a_partner_moving_between_pages_is_here_all_along(linked_partners):
    alice, bob = linked_partners(PHONE, DESKTOP, "Alice Moreau", "Bob Lindqvist")
    expect(alice.get_by_text("Bob Lindqvist is here now")).to_be_visible()
    alice.evaluate(WATCH_FOR_AWAY, "Bob Lindqvist is not here")

    menu = bob.get_by_role("navigation", name="Main")
    for name in ("Dialogue", "Agreements", "Ledger", "Reflection", "Account", "Home", "Dialogue"):
        menu.get_by_role("link", name=name, exact=True).click()
        bob.wait_for_load_state("load")
    alice.wait_for_timeout(GRACE_MS + 2_000)  # longer than the grace, with Bob in a dialogue

    assert alice.evaluate("window.sawAway") is False
    alice.reload()
    expect(alice.get_by_text("Bob Lindqvist is here now")).to_be_visible()
    screenshot(alice, f"presence-home-here-{alice.viewport_size['width']}")

    # Bob closes the app: once the grace has passed, Alice's page says so, calmly and without a time.
    bob.close()
    expect(alice.get_by_text("Bob Lindqvist is not here right now")).to_be_visible(timeout=GRACE_MS + 15_000)
