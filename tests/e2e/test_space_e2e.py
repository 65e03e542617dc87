"""In two browsers: one partner asks for space; the other sees one calm card, and their invitation waits."""
import re

from playwright.sync_api import expect
import pytest

from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_apology_e2e import assert_accessible

NOTE = "I'm okay. I need a few days to think."
TOPIC = "What would you like to talk about? One sentence is enough."


def shot(page, name):
    page.wait_for_load_state("load")
    screenshot(page, f"space-{name}-{page.viewport_size['width']}")


def invite(page):
    page.goto("/dialogue/")
    page.get_by_label(TOPIC).fill("Our evenings")
    page.get_by_role("button", name="Send the invitation").click()


@pytest.mark.parametrize("asker_size, partner_size", [(DESKTOP, PHONE), (PHONE, DESKTOP)],
                         ids=["asker-desktop", "asker-phone"])
def test_asking_for_space_and_the_partners_view(linked_partners, asker_size, partner_size):
    alice, bob = linked_partners(asker_size, partner_size, "Alice Moreau", "Bob Lindqvist")
    expect(bob.get_by_text("Alice Moreau is here now")).to_be_visible()

    alice.get_by_role("link", name="ask for some space").click()
    shot(alice, "ask")
    alice.get_by_label("Three days").check()
    alice.get_by_label("A note for your partner (optional)").fill(NOTE)
    alice.get_by_role("button", name="Ask for space").click()
    expect(alice.get_by_text("Your space is set")).to_be_visible()
    expect(alice.get_by_role("button", name="End my space now")).to_be_visible()
    shot(alice, "asked")

    # Bob's open page forgets Alice's presence at once; on opening a page he sees one calm card.
    expect(bob.get_by_text("Alice Moreau is not here right now")).to_be_visible()
    bob.reload()
    card = bob.get_by_role("region", name="Alice Moreau is taking some space")
    expect(card).to_contain_text(re.compile(r"Alice Moreau asked for some space until \w+ \w+\."))
    expect(card).to_contain_text(NOTE)
    expect(card.get_by_role("link", name="write in your own reflection")).to_be_visible()
    expect(bob.get_by_text("is here now")).to_have_count(0)
    shot(bob, "partner-home")

    # His invitation waits, kept on the server, and he is told so kindly; Alice sees nothing of it.
    invite(bob)
    expect(bob).to_have_url(re.compile(r"/dialogue/\d+$"))
    expect(bob.get_by_text(re.compile(r"Alice Moreau asked for some space until .*\. Your invitation can wait\."))
           ).to_be_visible()
    expect(bob.get_by_role("button", name="Withdraw the invitation")).to_be_visible()
    shot(bob, "invitation-waits")
    assert_accessible(bob)

    alice.goto("/")
    expect(alice.get_by_role("region", name="You are taking some space")).to_be_visible()
    expect(alice.get_by_text("Our evenings")).to_have_count(0)
    shot(alice, "own-home")
    alice.goto("/safety")
    expect(alice.get_by_role("heading", name="Asking for space, or unlinking")).to_be_visible()
    shot(alice, "safety")

    # Only Alice ends it; then Bob's invitation is delivered: his open page learns it, and Alice sees it.
    alice.goto("/space")
    alice.get_by_role("button", name="End my space now").click()
    expect(alice.get_by_text("Your space has ended")).to_be_visible()
    expect(bob.get_by_text("Your invitation can wait.")).to_have_count(0)
    expect(bob.get_by_text("Waiting for their answer")).to_be_visible()
    alice.goto("/")
    card = alice.get_by_role("region", name="Dialogue", exact=True)
    expect(card).to_contain_text("Bob Lindqvist would like a dialogue about “Our evenings”.")
    shot(alice, "invitation-delivered")
    assert_accessible(alice)
    card.get_by_role("link", name="Answer the invitation").click()
    alice.get_by_role("button", name="Now is good").click()
    expect(bob.get_by_role("heading", name="Sharing", exact=True)).to_be_visible()
