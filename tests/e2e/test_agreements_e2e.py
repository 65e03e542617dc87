"""Two partners in two browsers write one agreement at the same time, see each other, and both sign it."""
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DESKTOP, PHONE, screenshot

FIRST = "We listen before we answer."


def open_document(page: Page) -> None:
    """Go to the couple's first document and wait until the live editor has synced."""
    page.goto("/agreements/")
    page.get_by_role("link", name="Our agreements").click()
    expect(page.locator("#agreements-editor.is-live")).to_be_visible()
    expect(page.locator("#sync-status")).to_have_text("All changes saved")


def agreement(page: Page):
    """The first agreement's text field."""
    return page.locator(".item-text").first


def put_caret(page: Page, index: int) -> None:
    """Focus the first agreement and put the caret at a character index."""
    field = agreement(page)
    field.focus()
    field.evaluate("(el, i) => { el.setSelectionRange(i, i); el.dispatchEvent(new Event('select')) }", index)


def type_together(alice: Page, bob: Page, alice_text: str, bob_text: str) -> None:
    """Interleave the two people's keystrokes, one key each in turn, without waiting for sync."""
    for i in range(max(len(alice_text), len(bob_text))):
        if i < len(alice_text):
            alice.keyboard.type(alice_text[i])
        if i < len(bob_text):
            bob.keyboard.type(bob_text[i])


def test_partners_write_one_agreement_together_and_both_sign_it(linked_partners):
    alice, bob = linked_partners(DESKTOP, PHONE, "Alice Moreau", "Bob Lindqvist")
    open_document(alice)
    open_document(bob)
    expect(alice.locator(".section-prompt").first).to_contain_text("disagreement heats up")

    alice.get_by_role("button", name="Add an agreement").first.click()
    expect(agreement(alice)).to_be_focused()
    alice.keyboard.type(FIRST)
    expect(agreement(bob)).to_have_value(FIRST)

    # Both type at once: Alice at the start, Bob in the middle.
    put_caret(alice, 0)
    put_caret(bob, FIRST.index("before"))
    expect(alice.locator(".partner-here").first).to_have_text("Bob Lindqvist is here")
    expect(alice.locator(".remote-caret-name")).to_have_text("Bob Lindqvist")
    type_together(alice, bob, "Calmly, ", "fully ")
    # Then both at the very same place: the start.
    put_caret(alice, 0)
    put_caret(bob, 0)
    type_together(alice, bob, "Always: ", "Truly: ")

    expect(alice.locator("#sync-status")).to_have_text("All changes saved")
    expect(bob.locator("#sync-status")).to_have_text("All changes saved")
    final = agreement(alice).input_value()
    expect(agreement(bob)).to_have_value(final)
    # Every keystroke of both arrived, and each person's words stayed together (no caret jumped).
    middle = "Calmly, We listen fully before we answer."
    assert final in ("Always: Truly: " + middle, "Truly: Always: " + middle)
    screenshot(alice, "agreements-typing-desktop")
    screenshot(bob, "agreements-typing-phone")

    bob.reload()
    expect(bob.locator("#agreements-editor.is-live")).to_be_visible()
    expect(agreement(bob)).to_have_value(final)

    # Alice signs; both pages show it without a reload; then Bob signs and both show agreed.
    alice.locator(".item").first.get_by_role("button", name="Sign").click()
    dialog = alice.locator("#sign-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".sign-text")).to_have_text(final)
    screenshot(alice, "agreements-sign-dialog-desktop")
    dialog.get_by_role("button", name="Yes, I sign this text").click()
    expect(alice.locator(".item .state-badge").first).to_have_text("Signed by you")
    expect(bob.locator(".item .state-badge").first).to_have_text("Signed by Alice Moreau")

    bob.locator(".item").first.get_by_role("button", name="Sign").click()
    bob.locator("#sign-dialog").get_by_role("button", name="Yes, I sign this text").click()
    expect(bob.locator(".item .state-badge").first).to_have_text("Agreed")
    expect(alice.locator(".item .state-badge").first).to_have_text("Agreed")
    screenshot(alice, "agreements-agreed-desktop")
    screenshot(bob, "agreements-agreed-phone")

    # A change after signing shows in both as changed since signed.
    put_caret(bob, len(final))
    bob.keyboard.type(" Mostly.")
    expect(alice.locator(".item .state-badge").first).to_have_text("Changed since signed")
    expect(bob.locator(".item .state-badge").first).to_have_text("Changed since signed")

    document_url = alice.url
    alice.goto(document_url + "/history")
    expect(alice.locator(".version")).to_have_count(2)
    screenshot(alice, "agreements-history-desktop")
    alice.get_by_label("Compare the version of").select_option(index=0)
    alice.get_by_role("button", name="Compare").click()
    expect(alice.locator(".compare ins")).to_have_text(" Mostly.")
    screenshot(alice, "agreements-compare-desktop")
    bob.goto(alice.url)
    screenshot(bob, "agreements-compare-phone")
    bob.goto(document_url + "/print")
    expect(bob.locator(".print-state")).to_contain_text("Changed since signed")
    screenshot(bob, "agreements-print-phone")

    # After unlinking, the document stays readable for both, and nobody can change it.
    bob.goto(document_url)
    expect(bob.locator("#agreements-editor.is-live")).to_be_visible()
    alice.goto("/unlink")
    alice.get_by_label("Yes, unlink us now.").check()
    alice.get_by_role("button", name="Unlink now").click()
    expect(bob.locator(".archived-note")).to_contain_text("read-only archive")  # Bob's open page followed
    expect(bob.locator(".item-text-static").first).to_have_text(final + " Mostly.")
    expect(bob.locator("textarea")).to_have_count(0)
    screenshot(bob, "agreements-archive-phone")
    alice.goto(document_url)
    expect(alice.get_by_role("button", name="Sign", exact=True)).to_have_count(0)
    screenshot(alice, "agreements-archive-desktop")


def test_typing_offline_says_so_and_merges_on_return(linked_partners):
    alice, bob = linked_partners(DESKTOP, PHONE, "Carol Nguyen", "Dan Okafor")
    alice.goto("/")
    screenshot(alice, "agreements-home-card-desktop")
    open_document(alice)
    open_document(bob)
    alice.get_by_role("button", name="Add an agreement").first.click()
    expect(agreement(alice)).to_be_focused()
    alice.keyboard.type("We text when we land.")
    expect(agreement(bob)).to_have_value("We text when we land.")

    bob.context.set_offline(True)
    expect(bob.locator("#sync-status")).to_contain_text("Offline")
    put_caret(bob, len("We text when we land."))
    bob.keyboard.type(" Even late.")
    expect(bob.locator("#sync-status")).to_contain_text("will sync when you are back online")
    screenshot(bob, "agreements-offline-phone")
    put_caret(alice, 0)
    alice.keyboard.type("Always: ")

    bob.context.set_offline(False)
    expect(bob.locator("#sync-status")).to_have_text("All changes saved", timeout=20_000)
    expect(agreement(alice)).to_have_value("Always: We text when we land. Even late.")
    expect(agreement(bob)).to_have_value("Always: We text when we land. Even late.")

    # Rename, add, reorder and remove: each is a CRDT change the partner sees at once.
    title = alice.get_by_label("Section title").first
    title.focus()
    title.press("End")
    alice.keyboard.type(" kindly")
    expect(bob.get_by_label("Section title").first).to_have_value("How we handle arguments kindly")
    alice.get_by_role("button", name="Add an agreement").first.click()
    expect(alice.locator(".section").first.locator(".item-text").nth(1)).to_be_focused()
    alice.keyboard.type("We never go to bed angry.")
    texts = bob.locator(".section").first.locator(".item-text")
    expect(texts).to_have_count(2)
    alice.get_by_role("button", name="Move this agreement up").nth(1).click()
    expect(texts.first).to_have_value("We never go to bed angry.")
    expect(texts.nth(1)).to_have_value("Always: We text when we land. Even late.")
    alice.get_by_role("button", name="Remove this agreement").first.click()
    alice.get_by_role("dialog", name="Remove this agreement?").get_by_role("button", name="Yes, remove it").click()
    expect(texts).to_have_count(1)
    expect(texts.first).to_have_value("Always: We text when we land. Even late.")

    bob.goto("/agreements/")
    expect(bob.get_by_role("link", name="Our agreements")).to_be_visible()
    screenshot(bob, "agreements-index-phone")

