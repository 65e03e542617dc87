"""After unlinking: the partner's open pages become the archive at once, and the archive offers only what works."""
import re

from playwright.sync_api import Page, expect
import pytest

from tests.e2e.conftest import DESKTOP, PHONE, screenshot, write_agreement

NAMES = {id(DESKTOP): "desktop", id(PHONE): "phone"}


def unlink(page: Page) -> None:
    page.goto("/unlink")
    page.get_by_label("Yes, unlink us now.").check()
    page.get_by_role("button", name="Unlink now").click()
    expect(page.locator(".flash")).to_contain_text("You are unlinked")


def expect_only_what_works(page: Page) -> None:
    """An archive invites nothing that needs a linked partner."""
    for words in ("Ask for a dialogue", "Write down together", "and sign it", "Unlink from", "Linked since",
                  "waits for your signature", "Make this promise", "I kept this"):
        expect(page.get_by_text(words)).to_have_count(0)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_the_partners_open_page_becomes_the_archive_when_the_other_unlinks(linked_partners, live_server, viewport):
    maya, sam = linked_partners(DESKTOP, viewport)
    write_agreement(live_server, "We keep Sunday mornings for the two of us.")
    sam.goto("/")
    expect(sam.get_by_role("heading", level=1)).to_have_text("You and Maya Okafor")
    sam_ledger = sam.context.new_page()
    sam_ledger.goto("/ledger/")
    expect(sam_ledger.locator("#ledger")).to_have_attribute("data-connected", "true")
    expect(sam_ledger.get_by_role("button", name="Make this promise")).to_be_visible()

    unlink(maya)

    # Sam's open home page is now the archive, in gentle words, with the way to the safety page.
    expect(sam).to_have_url(re.compile(r"/archive/\d+$"))
    expect(sam.get_by_role("heading", level=1)).to_have_text("Archive: with Maya Okafor")
    expect(sam.get_by_text("You and Maya Okafor are no longer linked")).to_be_visible()
    expect(sam.get_by_role("main").get_by_role("link", name="the safety page")).to_be_visible()
    expect(sam.get_by_role("link", name="Our agreements")).to_be_visible()
    expect_only_what_works(sam)
    screenshot(sam, f"archive-{NAMES[id(viewport)]}")

    # So is the ledger open in his other tab.
    expect(sam_ledger.get_by_role("button", name="Make this promise")).to_have_count(0)
    expect_only_what_works(sam_ledger)

    # Maya's own archive says the same, and offers the same.
    maya.goto("/")
    maya.get_by_role("link", name="With Sam Reyes").click()
    expect(maya.get_by_text("You and Sam Reyes are no longer linked")).to_be_visible()
    expect_only_what_works(maya)
