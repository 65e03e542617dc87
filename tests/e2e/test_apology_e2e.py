"""Two partners in two browsers: a guided apology written in private (a "but" gently noted), kept across a
reload, sent, its change made a promise, and answered with "Can we talk about it?", which starts a dialogue."""
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
import pytest

from tests.e2e.conftest import DESKTOP, PHONE, screenshot

BUT_NOTE = "“But” can quietly cancel what came before it"


def assert_accessible(page: Page) -> None:
    """axe-core finds no accessibility violation on the page as it is now."""
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("writer_view, reader_view", [(DESKTOP, PHONE), (PHONE, DESKTOP)],
                         ids=["writer-1280", "writer-360"])
def test_an_apology_becomes_a_promise_and_a_dialogue(linked_partners, writer_view, reader_view):
    maya, sam = linked_partners(writer_view, reader_view, "Maya Lind", "Sam Okoro")
    wide, narrow = writer_view["width"], reader_view["width"]

    # Maya begins from her home page, in private; Sam's home page stays open meanwhile.
    sam.goto("/")
    maya.goto("/")
    maya.locator(".apology-home").get_by_role("link", name="Write an apology").click()
    maya.get_by_role("button", name="Write an apology").click()
    expect(maya.get_by_role("heading", name="Your apology to Sam Okoro")).to_be_visible()
    expect(maya.locator("form[data-apology-form]")).to_have_attribute("data-ready", "true")

    did = maya.get_by_label("What I did")
    did.fill("I missed your birthday dinner, but work was busy.")
    notes = maya.locator("#what_i_did-notes")
    expect(notes).to_contain_text(BUT_NOTE)  # a suggestion, live, from the same list the server uses
    expect(maya.locator("[data-autosave-status]")).to_have_text("Kept. Only you can see it.")
    screenshot(maya, f"apology-write-{wide}")
    assert_accessible(maya)

    maya.reload()  # the draft is kept on the server
    expect(maya.locator("form[data-apology-form]")).to_have_attribute("data-ready", "true")
    expect(maya.get_by_label("What I did")).to_have_value("I missed your birthday dinner, but work was busy.")
    expect(notes).to_contain_text(BUT_NOTE)  # the server-rendered page shows the same note
    maya.get_by_label("What I did").fill("I missed your birthday dinner and didn't call.")
    expect(notes).to_be_empty()
    maya.get_by_label("How it may have affected you").fill("You may have felt forgotten, on a day meant for you.")
    maya.get_by_label("That I take responsibility").fill("That was my doing, and I'm sorry.")
    maya.get_by_label("What I will do differently").fill("Put our plans in my calendar the day we make them")
    maya.get_by_role("button", name="Send to Sam Okoro").click()
    expect(maya.locator(".flash")).to_contain_text("Sent. Sam Okoro can read it now")
    letter_url = maya.url
    expect(sam.locator(".apology-home")).to_contain_text("Maya Lind wrote you a letter")  # live, no reload

    # One step to a promise: pre-filled, made recurring.
    promise = maya.get_by_label("What do you promise?")
    expect(promise).to_have_value("Put our plans in my calendar the day we make them")
    maya.get_by_label("Every day").check()
    expect(maya.get_by_label("Due by (optional, for once)")).to_be_hidden()
    screenshot(maya, f"apology-sent-{wide}")
    assert_accessible(maya)
    maya.get_by_role("button", name="Make this promise").click()
    expect(maya.locator(".flash")).to_contain_text("Your promise is in the ledger now")
    expect(maya.locator("#ledger-mine")).to_contain_text("Put our plans in my calendar the day we make them")
    expect(maya.locator("#ledger-mine .comes-from")).to_contain_text("Comes from your apology of")
    screenshot(maya, f"apology-promise-in-ledger-{wide}")
    assert_accessible(maya)

    # Sam receives a letter; nothing in it asks for forgiveness.
    sam.goto("/")
    card = sam.locator(".apology-home")
    expect(card).to_contain_text("Maya Lind wrote you a letter")
    screenshot(sam, f"apology-home-{narrow}")
    assert_accessible(sam)
    card.get_by_role("link", name="Read Maya Lind's letter").click()
    expect(sam.get_by_role("heading", name="A letter from Maya Lind")).to_be_visible()
    expect(sam.locator(".letter")).to_contain_text("You don't have to answer this, or forgive me.")
    expect(sam.get_by_role("button", name="Thank you")).to_be_visible()
    expect(sam.get_by_role("button", name="I need some time")).to_be_visible()
    expect(sam.get_by_role("button", name="forgive")).to_have_count(0)
    screenshot(sam, f"apology-letter-{narrow}")
    assert_accessible(sam)
    maya.goto(letter_url)
    expect(maya.locator("#letter-answer")).to_contain_text("may answer, or not")
    sam.get_by_role("button", name="Can we talk about it?").click()
    expect(maya.locator("#letter-answer")).to_contain_text("answered: Can we talk about it?")  # live
    expect(sam.locator(".dlg-waiting")).to_have_text("You asked Maya Lind whether now is a good time. Waiting for their answer.")
    expect(sam.locator("main")).to_contain_text("The apology of")

    # Maya is invited to a dialogue whose topic is the apology, and it starts.
    maya.goto("/")
    expect(maya.locator(".dlg-home")).to_contain_text("Sam Okoro would like a dialogue about “The apology of")
    maya.locator(".dlg-home").get_by_role("link", name="Answer the invitation").click()
    maya.locator("#step button[value='accept']").click()
    expect(maya.locator("#step-title")).to_have_text("Sharing")
    expect(sam.locator("#step-title")).to_have_text("Sharing")
    expect(maya.locator("main")).to_contain_text("The apology of")
    screenshot(sam, f"apology-dialogue-{narrow}")
