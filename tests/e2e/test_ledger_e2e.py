"""Two partners in two browsers: a recurring promise, a deposit, a confirmation with thanks, all live."""
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, screenshot, write_agreement

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def test_promise_deposit_and_thanks_reach_the_partner_live(linked_partners, live_server):
    alice, bob = linked_partners(PHONE, DESKTOP, "Alice Moreau", "Bob Lindqvist")
    write_agreement(live_server, "We say good morning, even after an argument")
    alice.goto("/ledger/")
    bob.goto("/ledger/")
    expect(bob.locator("#ledger")).to_have_attribute("data-connected", "true")
    expect(bob.locator("#ledger-theirs")).to_contain_text("No promises from Alice Moreau yet")

    # Alice promises something on today's weekday and the next, "today" as her browser (and so her account) sees it.
    today = (alice.evaluate("new Date().getDay()") + 6) % 7  # Sunday 0 in JavaScript, Monday 0 here
    alice.get_by_label("What do you promise?").fill("Good-morning message")
    alice.get_by_label("On chosen weekdays").check()
    for day in (today, (today + 1) % 7):
        alice.locator("fieldset.weekdays").get_by_label(WEEKDAYS[day], exact=True).check()
    expect(alice.get_by_label("Due by (optional, for once)")).to_be_hidden()
    alice.get_by_label("Comes from one of our agreements (optional)").select_option(
        label="We say good morning, even after an argument")
    screenshot(alice, "ledger-new-promise-phone")
    alice.get_by_role("button", name="Make this promise").click()
    expect(alice.locator(".flash")).to_contain_text("Your promise is made")

    # Bob's open page shows it without a reload.
    expect(bob.locator("#ledger-theirs")).to_contain_text("Good-morning message")
    expect(bob.locator("#ledger-theirs .comes-from")).to_have_text(
        "Comes from How we handle arguments: “We say good morning, even after an argument”")
    expect(bob.locator("#ledger-live")).to_have_text("Alice Moreau made a new promise.")
    expect(bob.locator("#ledger-theirs")).not_to_contain_text("I kept this")

    card = alice.locator("#ledger-mine .promise-card").first
    screenshot(alice, "ledger-promise-made-phone")
    card.get_by_label("A note (optional)").fill("Sent at 7:30")
    card.get_by_role("button", name="I kept this").click()
    expect(alice.locator(".flash")).to_contain_text("It waits for your partner")
    expect(alice.locator("#ledger-mine")).to_contain_text("waiting for your partner")
    expect(alice.locator("#ledger")).to_have_attribute("data-connected", "true")

    waiting = bob.locator("#ledger-waiting")
    expect(waiting).to_contain_text("Alice Moreau kept “Good-morning message”")
    expect(waiting).to_contain_text("Sent at 7:30")
    expect(bob.locator("#ledger-this-week")).to_have_text("0")
    screenshot(bob, "ledger-waiting-desktop")
    waiting.get_by_label("A word of thanks (optional)").fill("It made my morning")
    waiting.get_by_role("button", name="Confirm").click()
    expect(bob.locator(".flash")).to_contain_text("Confirmed")
    expect(bob.locator("#ledger-this-week")).to_have_text("1")
    expect(bob.locator("#ledger-theirs")).to_contain_text("Kept and noticed1 time")

    # Alice's page follows: figures, chart and the thanks.
    expect(alice.locator("#ledger-this-week")).to_have_text("1")
    expect(alice.locator("#ledger-live")).to_have_text("Bob Lindqvist confirmed your deposit.")
    expect(alice.locator("#ledger-recent")).to_contain_text("It made my morning")
    expect(alice.locator("#ledger-mine")).to_contain_text("1 of 1")
    expect(alice.locator("#ledger-mine")).to_contain_text("1 in a row")
    expect(alice.locator(".ledger-chart text.count").last).to_have_text("1")
    expect(bob.locator(".ledger-chart text.count").last).to_have_text("1")

    screenshot(alice, "ledger-phone")
    screenshot(bob, "ledger-desktop")

    alice.get_by_role("link", name="History and changes").click()
    expect(alice.locator("h1")).to_have_text("Good-morning message")
    expect(alice.locator(".history")).to_contain_text(WEEKDAYS[today])
    screenshot(alice, "ledger-promise-phone")
    bob.goto("/")
    expect(bob.locator(".ledger-home")).to_contain_text("1 confirmed deposit this week")
    expect(bob.locator(".ledger-home")).to_contain_text("Nothing is waiting for you")
    screenshot(bob, "ledger-home-desktop")
