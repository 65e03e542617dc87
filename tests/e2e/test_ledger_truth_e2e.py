"""The ledger shows only the time the couple has been a couple: no weeks of zeros from before they linked."""
from playwright.sync_api import expect
import pytest
from sqlalchemy import select

from tests.e2e.conftest import DESKTOP, PHONE, on_server, screenshot


def kept_and_confirmed(server) -> None:
    """Maya promises a good-morning message, keeps it today, and Sam confirms it (through the services)."""
    from couples.models import Couple, User
    from ledger import service as ledger

    with on_server(server) as db:
        maya = db.session.scalar(select(User).where(User.email == "maya@example.org"))
        sam = db.session.scalar(select(User).where(User.email == "sam@example.org"))
        promise = ledger.make_promise(maya, db.session.scalar(select(Couple)), ledger.Terms("A good-morning message"))
        ledger.confirm_deposit(sam, ledger.log_deposit(maya, promise), "Thank you")
        db.session.commit()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_a_new_couples_chart_shows_no_weeks_before_they_began(linked_partners, live_server, viewport):
    maya, sam = linked_partners(viewport, DESKTOP)
    kept_and_confirmed(live_server)
    for page in (maya, sam):
        page.goto("/ledger/")
        chart = page.get_by_role("img", name="Confirmed deposits per week")
        expect(chart).to_be_visible()
        expect(chart.locator("desc")).to_have_text("1 confirmed deposit in this week; this week 1.")
        expect(chart.get_by_text("0", exact=True)).to_have_count(0)  # no empty weeks from before they began
        expect(chart.get_by_text("1", exact=True)).to_have_count(1)
    screenshot(maya, f"ledger-new-couple-{'desktop' if viewport is DESKTOP else 'phone'}")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_the_partner_sees_kept_and_noticed_and_only_the_promiser_sees_rates(linked_partners, live_server, viewport):
    maya, sam = linked_partners(DESKTOP, viewport)
    kept_and_confirmed(live_server)
    sam.goto("/ledger/")
    theirs = sam.get_by_role("article").filter(has_text="A good-morning message")
    expect(theirs).to_contain_text("Kept and noticed")
    expect(theirs).to_contain_text("1 time")
    for counted in ("1 of 1", "%", "in a row"):
        expect(theirs).not_to_contain_text(counted)
    expect(theirs.get_by_role("meter")).to_have_count(0)
    expect(sam.get_by_text("shown to you alone")).to_be_visible()
    screenshot(sam, f"ledger-partner-{'desktop' if viewport is DESKTOP else 'phone'}")
    maya.goto("/ledger/")
    expect(maya.get_by_role("article").filter(has_text="A good-morning message")).to_contain_text("1 of 1")
