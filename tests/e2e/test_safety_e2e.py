"""The safety page names real helplines, dated, and stays honest about what the partner can see."""
from playwright.sync_api import expect
import pytest

from tests.e2e.conftest import DESKTOP, PHONE, screenshot

HELPLINES = {
    "1-800-799-7233": "tel:+18007997233",
    "0808 2000 247": "tel:+448082000247",
    "1800 341 900": "tel:+3531800341900",
    "1800 737 732": "tel:+611800737732",
    "0800 733 843": "tel:+64800733843",
    "116 016": "tel:116016",
}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_safety_page_names_helplines_to_call_and_a_directory_for_the_rest(partner_page, viewport):
    page = partner_page(viewport)
    page.goto("/")
    page.get_by_role("link", name="Safety", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Safety and help")
    expect(page.get_by_text("If you are in danger right now, call your local emergency number")).to_be_visible()
    helplines = page.get_by_role("list", name="National helplines")
    for number, href in HELPLINES.items():
        expect(helplines.get_by_role("link", name=number)).to_have_attribute("href", href)
    expect(helplines).to_contain_text("text START to 88788")
    expect(helplines.get_by_role("link", name="NO MORE Global Directory")).to_be_visible()
    expect(page.get_by_text("These numbers were listed in December 2026")).to_be_visible()
    expect(page.get_by_role("heading", name="What your partner can and cannot see")).to_be_visible()
    expect(page.get_by_text("Your private reflections. They are not in their pages")).to_be_visible()
    screenshot(page, f"safety-{'desktop' if viewport is DESKTOP else 'phone'}")
