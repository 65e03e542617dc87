"""Two partners in two browsers go through a whole mirroring dialogue, live, with a pause in the middle."""
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DESKTOP, PHONE, link, screenshot, sign_up


def take(page: Page, action: str, text: str | None = None) -> None:
    """Write (when the step takes words) and press the button of one step."""
    if text is not None:
        page.locator(f"#text-{action}").fill(text)
    page.locator(f"#step button[value='{action}']").click()


NAMES = {}  # page -> the name of the person using it


def expect_step(actor: Page, waiting: Page, title: str, waiting_for: str) -> None:
    """Both pages show the same step; only the actor is on turn, the other sees what they wait for."""
    waiting_for = waiting_for.replace("Your partner", NAMES[actor])
    for page in (actor, waiting):
        expect(page.locator("#step-title")).to_have_text(title)
    expect(actor.locator(".dlg-turn-badge")).to_have_text("Your turn")
    expect(waiting.locator(".dlg-turn-badge")).to_have_count(0)
    expect(waiting.locator(".dlg-waiting")).to_have_text(waiting_for)
    expect(waiting.locator("#step form.dlg-form")).to_have_count(0)


def one_round(sender: Page, receiver: Page, loops: bool) -> None:
    """A round: share, mirror (with a "not quite" and an "is there more" when `loops`), sum up, validate, empathize."""
    expect_step(sender, receiver, "Sharing", "Your partner is writing what they would like you to hear.")
    take(sender, "send", "When plans change at the last minute, I feel I don't count.")
    expect_step(receiver, sender, "Mirroring", "Your partner is mirroring back what they heard.")
    receiver.locator("#text-mirror").press_sequentially("What I heard")
    expect(sender.locator(".dlg-writing")).to_be_visible()  # the partner's "writing..." shows live
    screenshot(sender, "dialogue-waiting-desktop")
    screenshot(receiver, "dialogue-your-turn-phone")
    take(receiver, "mirror", "What I heard you say is that plans change. Did I get that?")
    expect_step(sender, receiver, "Did I get that?", "Your partner is checking whether you got it.")
    if loops:
        take(sender, "not_quite", "Not quite. It's that I am told last, not that plans change.")
        expect_step(receiver, sender, "Mirroring", "Your partner is mirroring back what they heard.")
        take(receiver, "mirror", "You feel you are told last. Did I get that?")
        expect_step(sender, receiver, "Did I get that?", "Your partner is checking whether you got it.")
    take(sender, "got_it")
    expect_step(receiver, sender, "Is there more?", "Your partner may ask you whether there is more.")
    take(receiver, "ask_more")
    expect_step(sender, receiver, "Is there more?", f"You asked: is there more? {NAMES[sender]} is answering.")
    if loops:
        take(sender, "add_more", "Yes, there is more: I would like a message when it happens.")
        expect_step(receiver, sender, "Mirroring", "Your partner is mirroring back what they heard.")
        take(receiver, "mirror", "You would like a message when plans change. Did I get that?")
        take(sender, "got_it")
        take(receiver, "ask_more")
    take(sender, "thats_all")
    expect_step(receiver, sender, "Summing up", "Your partner is summing up everything they heard.")
    take(receiver, "summarize", "You feel told last, and you'd like a message. Did I get it all?")
    expect_step(sender, receiver, "Did I get it all?", "Your partner is reading your summary.")
    take(sender, "confirm_summary")
    expect_step(receiver, sender, "Validating", "Your partner is writing how what you said makes sense.")
    take(receiver, "validate", "You make sense to me because being told last feels like not counting.")
    expect_step(receiver, sender, "Empathizing", "Your partner is imagining how you might be feeling.")
    take(receiver, "empathize", "I imagine you might be feeling hurt and lonely. Is that how you feel?")
    expect_step(sender, receiver, "Is that how you feel?", "Your partner is reading what you imagined.")
    take(sender, "confirm_feeling")
    expect_step(receiver, sender, "Switch or finish", "Your partner is choosing whether to switch roles or finish.")


def test_a_couple_goes_through_a_whole_dialogue_live(linked_partners):
    alice, bob = linked_partners(DESKTOP, PHONE, "Alice Moreau", "Bob Lindqvist")
    NAMES.update({alice: "Alice Moreau", bob: "Bob Lindqvist"})
    expect(bob.locator(".dlg-home")).to_contain_text("Ask for a dialogue")

    alice.goto("/dialogue/")
    screenshot(alice, "dialogue-start-desktop")
    alice.get_by_label("What would you like to talk about? One sentence is enough.").fill("When plans change")
    alice.get_by_role("button", name="Send the invitation").click()
    expect(alice.locator(".dlg-waiting")).to_have_text("You asked Bob Lindqvist whether now is a good time. "
                                                       "Waiting for their answer.")
    # Bob's home page, open all along, shows the invitation as it arrives.
    expect(bob.locator(".dlg-home")).to_contain_text("Alice Moreau would like a dialogue about “When plans change”")
    screenshot(bob, "dialogue-home-invitation-phone")
    bob.get_by_role("link", name="Answer the invitation").click()
    screenshot(bob, "dialogue-invitation-phone")
    take(bob, "accept")
    expect(alice.locator("#step-title")).to_have_text("Sharing")  # Alice's page followed without a reload

    one_round(alice, bob, loops=True)
    screenshot(alice, "dialogue-round-desktop")
    screenshot(bob, "dialogue-round-phone")

    take(bob, "switch")
    expect(bob.locator(".dlg-roles")).to_contain_text("Round 2 · You are sharing; Alice Moreau is listening.")
    expect(alice.locator(".dlg-roles")).to_contain_text("Bob Lindqvist is sharing; you are listening.")

    # A pause in the middle of the second round: both see it; only Alice, who asked, resumes it, where it was.
    take(bob, "send", "I need quiet evenings after work sometimes.")
    expect_step(alice, bob, "Mirroring", "Your partner is mirroring back what they heard.")
    alice.locator("#step button[value='pause']").click()
    for page in (alice, bob):
        expect(page.locator("#step-title")).to_have_text("Paused")
        expect(page.locator("#step")).to_contain_text("at least 20 minutes")
        expect(page.locator("#text-mirror")).to_have_count(0)
    screenshot(bob, "dialogue-paused-phone")
    bob.reload()  # leaving and coming back shows the same step
    expect(bob.locator("#step-title")).to_have_text("Paused")
    expect(bob.locator("#step button[value='resume']")).to_have_count(0)
    alice.locator("#step button[value='resume']").click()
    expect_step(alice, bob, "Mirroring", "Your partner is mirroring back what they heard.")

    take(alice, "mirror", "You need quiet evenings sometimes. Did I get that?")
    take(bob, "got_it")
    take(alice, "ask_more")
    take(bob, "thats_all")
    take(alice, "summarize", "Quiet evenings after work, sometimes. Did I get it all?")
    take(bob, "confirm_summary")
    take(alice, "validate", "You make sense to me because your days are loud.")
    take(alice, "empathize", "I imagine you might be feeling tired. Is that how you feel?")
    take(bob, "correct_feeling", "Tired, and a little guilty for asking.")
    expect_step(alice, bob, "Switch or finish", "Your partner is choosing whether to switch roles or finish.")
    take(alice, "finish")

    expect_step(bob, alice, "Appreciation", "Your partner may write an appreciation for you.")
    take(bob, "appreciate", "Thank you for listening without arguing.")
    expect_step(alice, bob, "Appreciation", "Your partner may write an appreciation for you.")
    take(alice, "appreciate", "Thank you for telling me.")
    for page in (alice, bob):
        expect(page.locator("#step-title")).to_have_text("Finished")
        expect(page.locator(".dlg-turns")).to_contain_text("Thank you for telling me.")
    screenshot(alice, "dialogue-finished-desktop")
    screenshot(bob, "dialogue-finished-phone")

    bob.goto("/dialogue/")
    expect(bob.locator(".dlg-history")).to_contain_text("When plans change")
    expect(bob.locator(".dlg-history")).to_contain_text("2 rounds")
    screenshot(bob, "dialogue-history-phone")


def test_every_step_works_with_javascript_turned_off(browser, live_server):
    contexts = [browser.new_context(viewport=DESKTOP, base_url=live_server.url, java_script_enabled=False)
                for _ in range(2)]
    try:
        alice, bob = (context.new_page() for context in contexts)
        sign_up(alice, "Carol Nguyen", "carol@example.org")
        sign_up(bob, "Dan Okafor", "dan@example.org")
        link(alice, bob)
        alice.goto("/dialogue/")
        alice.get_by_label("What would you like to talk about? One sentence is enough.").fill("Sunday mornings")
        alice.get_by_role("button", name="Send the invitation").click()
        bob.goto("/")
        bob.get_by_role("link", name="Answer the invitation").click()
        take(bob, "accept")
        alice.reload()  # without JavaScript nothing updates by itself; a reload shows the current step
        take(alice, "send", "I'd like one slow breakfast a week.")
        expect(alice.locator(".dlg-waiting")).to_have_text("Dan Okafor is mirroring back what they heard.")
        bob.reload()
        expect(bob.locator(".dlg-turn-badge")).to_have_text("Your turn")
        take(bob, "mirror", "One slow breakfast a week. Did I get that?")
        alice.reload()
        take(alice, "pause")
        expect(alice.locator("#step-title")).to_have_text("Paused")
        take(alice, "resume")
        expect(alice.locator("#step-title")).to_have_text("Did I get that?")
        take(alice, "got_it")
        bob.reload()
        take(bob, "ask_more")
        alice.reload()
        expect(alice.locator("#step-title")).to_have_text("Is there more?")
        expect(alice.locator("#step")).to_contain_text("Dan Okafor asks: is there more about that?")
    finally:
        for context in contexts:
            context.close()
