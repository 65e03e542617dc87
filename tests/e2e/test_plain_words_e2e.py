"""Plain words and the page's own ways: the invitation, its copy button, its time; downloading; removing a section."""
from datetime import datetime, timedelta
import re
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
import pytest

from tests.e2e.conftest import DESKTOP, PHONE, screenshot, sign_up
from tests.e2e.test_agreements_e2e import open_document

ZONE = "Pacific/Auckland"


def label(viewport) -> str:
    return "desktop" if viewport is DESKTOP else "phone"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_own_invitation_shows_its_time_in_my_zone_a_copy_button_and_no_code_box(browser, live_server, viewport):
    context = browser.new_context(viewport=viewport, base_url=live_server.url, timezone_id=ZONE)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    try:
        page = context.new_page()
        sign_up(page, "Maya Okafor", "maya@example.org")
        expect(page.get_by_role("heading", name="Did your partner give you a code?")).to_be_visible()
        page.get_by_role("button", name="Invite my partner").click()
        expect(page.get_by_label("Invitation link")).to_be_visible()
        expect(page.get_by_role("heading", name="Did your partner give you a code?")).to_have_count(0)

        until = re.search(r"until ([^)]+)\)", page.get_by_text("It works once").inner_text()).group(1)
        now = datetime.now(ZoneInfo(ZONE)) + timedelta(hours=72)
        assert until in {f"{moment:%-d %B %Y, %H:%M}" for moment in (now - timedelta(minutes=1), now)}

        page.get_by_role("button", name="Copy the link").click()
        expect(page.get_by_role("status").filter(has_text="Copied")).to_be_visible()
        assert page.evaluate("navigator.clipboard.readText()") == page.get_by_label("Invitation link").input_value()
        screenshot(page, f"home-invitation-{label(viewport)}")
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_removing_a_section_asks_in_the_pages_own_dialog(linked_partners, viewport):
    maya, sam = linked_partners(viewport, DESKTOP)
    browser_boxes = []
    maya.on("dialog", lambda box: (browser_boxes.append(box.message), box.dismiss()))
    open_document(maya)
    open_document(sam)
    expect(maya.get_by_role("link", name="Download as a text file")).to_be_visible()
    expect(maya.get_by_text("Markdown")).to_have_count(0)

    sections = sam.get_by_label("Section title")
    count = sections.count()
    maya.get_by_role("button", name="Remove this section").first.click()
    ask = maya.get_by_role("dialog", name="Remove this section and every agreement in it?")
    expect(ask).to_be_visible()
    expect(ask).to_contain_text("bring it back from the history")
    screenshot(maya, f"agreements-remove-dialog-{label(viewport)}", full_page=False)
    ask.get_by_role("button", name="Keep it").click()
    expect(ask).to_be_hidden()
    expect(sections).to_have_count(count)

    maya.get_by_role("button", name="Remove this section").first.click()
    ask.get_by_role("button", name="Yes, remove it").click()
    expect(sections).to_have_count(count - 1)
    assert browser_boxes == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_time_zone_is_a_short_choice_of_places(partner_page, viewport):
    page = partner_page(viewport)
    sign_up(page, "Maya Okafor", "maya@example.org")
    page.goto("/account")
    zone = page.get_by_label("Your time zone")
    expect(zone.locator("optgroup").first).to_have_attribute("label", "Common")
    expect(zone.locator("option[value='Factory'], option[value='Etc/GMT+5'], option[value='localtime']")).to_have_count(0)
    zone.select_option(label="Auckland, New Zealand")
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    expect(page.get_by_label("Your time zone")).to_have_value("Pacific/Auckland")
    screenshot(page, f"account-time-zone-{label(viewport)}")
