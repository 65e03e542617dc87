"""'Changed since signed' leads straight to what changed, who changed it and when; history versions are told apart."""
from playwright.sync_api import Page, expect
import pytest

from tests.e2e.conftest import DESKTOP, PHONE, screenshot, write_agreement
from tests.e2e.test_agreements_e2e import open_document, put_caret

TEXT = "We keep Sunday mornings for the two of us."


def sign_first(page: Page) -> None:
    page.locator(".item").first.get_by_role("button", name="Sign").click()
    page.get_by_role("dialog", name="Sign this agreement?").get_by_role("button", name="Yes, I sign this text").click()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_changed_since_signed_shows_what_changed_who_changed_it_and_when(linked_partners, live_server, viewport):
    maya, sam = linked_partners(viewport, DESKTOP)
    write_agreement(live_server, TEXT)
    open_document(maya)
    open_document(sam)
    sign_first(maya)
    expect(sam.locator(".item .state-badge").first).to_have_text("Signed by Maya Okafor")
    sign_first(sam)
    expect(maya.locator(".item .state-badge").first).to_have_text("Agreed")
    expect(maya.get_by_role("link", name="See what changed")).to_be_hidden()

    put_caret(sam, len(TEXT))
    sam.keyboard.type(" Most weeks.")
    expect(maya.locator(".item .state-badge").first).to_have_text("Changed since signed")
    maya.get_by_role("link", name="See what changed").click()

    expect(maya.get_by_role("heading", level=1)).to_have_text("What changed since it was signed")
    expect(maya.get_by_text("Signed by you on")).to_contain_text("and Sam Reyes on")
    expect(maya.get_by_text("Since then, Sam Reyes changed the document; the last change was on")).to_be_visible()
    table = maya.get_by_role("table", name="The agreement as signed and as it is now")
    expect(table.locator("ins")).to_have_text(" Most weeks.")
    expect(table).to_contain_text(TEXT)
    screenshot(maya, f"agreements-what-changed-{'desktop' if viewport is DESKTOP else 'phone'}")

    # The history tells its versions apart, and says what happened in each.
    maya.get_by_role("link", name="History").click()
    options = maya.get_by_label("Compare the version of").locator("option")
    labels = options.all_inner_texts()
    assert len(labels) == len(set(labels)) == 2
    assert labels[0].endswith("signed by Sam Reyes") and labels[1].endswith("signed by you")
    screenshot(maya, f"agreements-history-{'desktop' if viewport is DESKTOP else 'phone'}")
