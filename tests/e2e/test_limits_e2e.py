"""A full document in the browser: a calm message instead of "Saving…" forever, and shortening it works."""
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, link, screenshot, sign_up
from tests.e2e.test_agreements_e2e import agreement, open_document
from tests.servers import Server, sqlite_copy

FULL_AT = 6000  # bytes of encoded state: the suggested sections and one agreement of 3,000 characters fit
SENTENCE = "We keep Sunday evenings for the two of us, phones in the drawer. "


@pytest.fixture
def live_server(migrated_db, tmp_path):
    """A gunicorn + gevent server whose documents are full at FULL_AT bytes."""
    server = Server(tmp_path, sqlite_copy(migrated_db, tmp_path),
                    env={"AGREEMENTS_MAX_DOCUMENT_BYTES": str(FULL_AT)}).start()
    yield server
    server.stop()


def test_a_full_document_says_so_and_can_be_shortened(partner_page):
    alice, bob = partner_page(DESKTOP), partner_page(PHONE)
    sign_up(alice, "Alice Moreau", "alice@example.org")
    sign_up(bob, "Bob Lindqvist", "bob@example.org")
    link(alice, bob)
    open_document(alice)
    open_document(bob)
    alice.get_by_role("button", name="Add an agreement").first.click()
    saved = (SENTENCE * 50)[:3000]
    agreement(alice).fill(saved)
    expect(alice.locator("#sync-status")).to_have_text("All changes saved")
    expect(agreement(bob)).to_have_value(saved)

    agreement(alice).fill(saved + SENTENCE * 50)  # about 3,000 characters more: past the limit
    status = alice.locator("#sync-status")
    expect(status).to_contain_text("This document is full")
    expect(status).to_have_attribute("data-saved", "false")
    expect(agreement(bob)).to_have_value(saved)  # nothing of the refused text reached Bob
    screenshot(alice, "agreements-full-desktop")
    alice.set_viewport_size(PHONE)
    alice.locator("#sync-status").scroll_into_view_if_needed()
    screenshot(alice, "agreements-full-phone")
    alice.set_viewport_size(DESKTOP)

    # Shortening always goes through; the page then sends what is left of its refused text again on its own.
    short = saved[: len(SENTENCE) * 2]
    agreement(alice).fill(short)
    expect(agreement(bob)).to_have_value(short)
    expect(status).to_have_text("All changes saved", timeout=30_000)
    bob.reload()
    open_document(bob)
    expect(agreement(bob)).to_have_value(short)
