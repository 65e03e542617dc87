"""Quick exit: the keyboard reaches it first, and an Esc that closes something is not half of it."""
from playwright.sync_api import expect
import pytest

from tests.e2e.conftest import DESKTOP, PHONE, screenshot, sign_up, write_agreement


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_esc_that_closes_the_sign_dialog_is_not_half_of_a_quick_exit(linked_partners, live_server, viewport):
    maya, _sam = linked_partners(viewport, viewport)
    write_agreement(live_server, "We keep Sunday mornings for the two of us.")
    maya.goto("/agreements/")
    maya.get_by_role("link", name="Our agreements").click()
    expect(maya.locator("#agreements-editor.is-live")).to_be_visible()

    maya.get_by_role("button", name="Sign", exact=True).first.click()
    dialog = maya.get_by_role("dialog", name="Sign this agreement?")
    expect(dialog).to_be_visible()
    maya.keyboard.press("Escape")  # closes the dialog
    maya.keyboard.press("Escape")  # at once: a first Esc, not the second of two
    expect(dialog).to_be_hidden()
    assert maya.evaluate("location.pathname").startswith("/agreements/")
    expect(maya.get_by_role("button", name="Sign", exact=True).first).to_be_visible()

    # With nothing open, Esc twice still leaves at once.
    maya.keyboard.press("Escape")
    maya.keyboard.press("Escape")
    maya.wait_for_url("about:blank")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_the_keyboard_reaches_safety_and_quick_exit_before_the_menu(partner_page, viewport):
    page = partner_page(viewport)
    sign_up(page, "Maya Okafor", "maya@example.org")
    page.goto("/account")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Safety", exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Quick exit")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Common Ground")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Home")).to_be_focused()
    screenshot(page, f"account-{'desktop' if viewport is DESKTOP else 'phone'}")
