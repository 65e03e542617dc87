"""Writing far down the agreements page on a phone: the offline notice is in sight where the person types."""
from playwright.sync_api import expect
import pytest

from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_agreements_e2e import open_document


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_offline_notice_stays_in_sight_while_writing_far_down_the_page(linked_partners, viewport):
    maya, sam = linked_partners(DESKTOP, viewport)
    open_document(sam)
    sam.get_by_role("button", name="Add an agreement").last.click()
    field = sam.locator(".item-text").last
    expect(field).to_be_focused()
    sam.keyboard.type("We check in on Fridays.")
    expect(sam.locator("#sync-status")).to_have_text("All changes saved")
    assert sam.evaluate("window.scrollY") > 0  # the last section is below the first screen

    sam.context.set_offline(True)
    sam.keyboard.type(" Even busy ones.")
    status = sam.get_by_role("status").filter(has_text="Offline")
    expect(status).to_contain_text("will sync when you are back online")
    expect(status).to_be_in_viewport()
    expect(field).to_be_in_viewport()
    screenshot(sam, f"agreements-offline-writing-{'desktop' if viewport is DESKTOP else 'phone'}", full_page=False)
    sam.context.set_offline(False)
    expect(sam.locator("#sync-status")).to_have_text("All changes saved", timeout=20_000)
