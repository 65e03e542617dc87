"""A full document in the browser: a calm message instead of "Saving…" forever, and shortening it works."""
from pathlib import Path
import re

from playwright.sync_api import expect
import pytest

from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_agreements_e2e import open_document

FULL_AT = 6000  # bytes of encoded state: the suggested sections and two agreements of 1,800 characters fit
SENTENCE = "We keep Sunday evenings for the two of us, phones in the drawer. "


@pytest.fixture
def relay_env() -> dict:
    """A relay whose documents are full at FULL_AT bytes."""
    return {"AGREEMENTS_MAX_DOCUMENT_BYTES": str(FULL_AT)}


def test_a_full_document_says_so_and_can_be_shortened(linked_partners):
    alice, bob = linked_partners(DESKTOP, PHONE, "Alice Moreau", "Bob Lindqvist")
    open_document(alice)
    open_document(bob)
    status = alice.locator("#sync-status")
    fields = alice.locator(".item-text")
    long_text = (SENTENCE * 30)[:1800]  # an agreement holds at most 2,000 characters
    for n in range(1, 6):  # agreements of 1,800 characters until the document is full
        alice.get_by_role("button", name="Add an agreement").first.click()
        expect(fields).to_have_count(n)
        expect(status).to_have_text("All changes saved")
        fields.nth(n - 1).fill(long_text)
        expect(status).to_have_text(re.compile("All changes saved|This document is full"))
        if status.text_content() != "All changes saved":
            break
    assert n > 1, "the limit is so low that not even one agreement fits"
    expect(status).to_contain_text("This document is full")
    expect(status).to_have_attribute("data-saved", "false")
    expect(bob.locator(".item-text")).to_have_count(n)
    expect(bob.locator(".item-text").nth(n - 1)).to_have_value("")  # nothing of the refused text reached Bob
    # What was not saved stays on Alice's device, and she can keep a copy.
    expect(alice.get_by_role("alert").filter(has_text="This document is full")).to_be_visible()
    with alice.expect_download() as download:
        alice.get_by_role("link", name="Keep a copy of what you wrote").click()
    assert long_text in Path(download.value.path()).read_text()
    screenshot(alice, "agreements-full-desktop")
    alice.set_viewport_size(PHONE)
    status.scroll_into_view_if_needed()
    screenshot(alice, "agreements-full-phone")
    alice.set_viewport_size(DESKTOP)

    # Shortening always goes through; the page then sends its refused text again on its own, and now it fits.
    short = long_text[: len(SENTENCE)]
    fields.first.fill(short)
    expect(bob.locator(".item-text").first).to_have_value(short)
    expect(status).to_have_text("All changes saved", timeout=30_000)
    expect(alice.get_by_role("alert").filter(has_text="This document is full")).to_be_hidden()
    expect(bob.locator(".item-text").nth(n - 1)).to_have_value(long_text)
