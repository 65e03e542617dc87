"""A change the server refuses for the document's shape: a calm message instead of "Saving…", nothing reaches the partner."""
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_agreements_e2e import open_document


def test_an_agreement_past_the_editors_limit_is_refused_with_a_calm_message(linked_partners):
    alice, bob = linked_partners(DESKTOP, PHONE, "Alice Moreau", "Bob Lindqvist")
    open_document(alice)
    open_document(bob)
    status = alice.locator("#sync-status")
    alice.get_by_role("button", name="Add an agreement").first.click()
    expect(bob.locator(".item-text")).to_have_count(1)
    expect(status).to_have_text("All changes saved")

    # A browser that ignores the field's limit (or a page someone changed) sends 2,100 characters.
    alice.locator(".item-text").first.evaluate(
        "el => { el.value = 'We write it all down. '.repeat(100).slice(0, 2100);"
        " el.dispatchEvent(new InputEvent('input', {bubbles: true})); }")
    expect(status).to_contain_text("This change could not be saved. An agreement may be at most 2,000 characters long.")
    expect(status).to_contain_text("Reload the page to see what is saved.")
    expect(status).to_have_attribute("data-saved", "false")
    expect(bob.locator(".item-text").first).to_have_value("")  # nothing of it reached Bob
    screenshot(alice, "agreements-invalid-shape-desktop")
    alice.set_viewport_size(PHONE)
    status.scroll_into_view_if_needed()
    screenshot(alice, "agreements-invalid-shape-phone")

    alice.reload()  # as the message says: the page now shows what is saved, and works again
    expect(alice.locator("#sync-status")).to_have_text("All changes saved")
    alice.locator(".item-text").first.fill("We write it all down.")
    expect(bob.locator(".item-text").first).to_have_value("We write it all down.")
