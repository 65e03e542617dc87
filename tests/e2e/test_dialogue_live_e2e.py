"""Two partners in two browsers: the dialogue is fair (a break is its asker's), live on every page, in people's
own words, keeps the keyboard where the person works, and never loses a word offline or on reload."""
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
import pytest

from tests.e2e.conftest import DESKTOP, PHONE, screenshot

WIDTHS = [pytest.param((DESKTOP, PHONE), id="maya-1280-sam-360"), pytest.param((PHONE, DESKTOP), id="maya-360-sam-1280")]
MAYA, SAM = "Maya Okafor", "Sam Reyes"
DRAFTS = "Object.keys(sessionStorage).filter((key) => key.startsWith('dialogue-draft:')).length"


def width(page: Page) -> str:
    return "desktop" if page.viewport_size["width"] == DESKTOP["width"] else "phone"


def look(page: Page, name: str) -> None:
    """A screenshot of the page at its width, and axe-core finds no violation of any impact on it."""
    screenshot(page, f"{name}-{width(page)}")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def invite(maya: Page, topic: str = "How we spend our evenings") -> None:
    maya.goto("/dialogue/")
    maya.get_by_label("What would you like to talk about? One sentence is enough.").fill(topic)
    maya.get_by_role("button", name="Send the invitation").click()
    expect(maya.get_by_role("heading", name="Invitation")).to_be_visible()


def press(page: Page, button: str) -> None:
    page.get_by_role("button", name=button, exact=True).click()


def write(page: Page, box: str, text: str, button: str) -> None:
    page.get_by_label(box).fill(text)
    press(page, button)


def heading(page: Page, title: str):
    return page.locator("#step").get_by_role("heading", name=title, exact=True)


def to_mirroring(maya: Page, sam: Page) -> None:
    """Maya invites, Sam accepts from his home page, Maya shares: Sam's turn to mirror."""
    invite(maya)
    sam.goto("/")
    sam.get_by_role("link", name="Answer the invitation").click()
    press(sam, "Now is good")
    expect(heading(maya, "Sharing")).to_be_visible()
    write(maya, f"What you would like {SAM} to hear", "I miss our slow evenings.", "Send")
    expect(heading(sam, "Mirroring")).to_be_visible()


@pytest.mark.parametrize("widths", WIDTHS)
def test_only_the_partner_who_asked_for_a_break_can_end_it(linked_partners, widths):
    maya, sam = linked_partners(*widths, MAYA, SAM)
    to_mirroring(maya, sam)
    press(sam, "I need a break")
    for page in (maya, sam):
        expect(heading(page, "Paused")).to_be_visible()
    expect(maya.locator("#step")).to_contain_text(f"Only {SAM} can end the break")
    expect(maya.get_by_role("button", name="Resume")).to_have_count(0)
    look(maya, "dialogue-break-waiting")

    press(maya, "Ready when you are")
    expect(sam.locator("#step")).to_contain_text(f"{MAYA} is ready when you are. There is no hurry")
    expect(maya.locator("#step")).to_contain_text(f"You let {SAM} know you are ready")
    expect(maya.get_by_role("button", name="Ready when you are")).to_have_count(0)  # once is gentle
    look(sam, "dialogue-break-ready-when-you-are")

    press(sam, "Resume")
    expect(heading(maya, "Mirroring")).to_be_visible()
    expect(heading(sam, "Mirroring")).to_be_visible()


@pytest.mark.parametrize("widths", WIDTHS)
def test_the_dialogues_page_and_home_cards_follow_the_partner_live(linked_partners, widths):
    maya, sam = linked_partners(*widths, MAYA, SAM)
    sam.goto("/dialogue/")
    expect(sam.get_by_role("heading", name="Ask for a dialogue")).to_be_visible()
    maya.goto("/")
    invite(maya, "Sunday mornings")
    # Sam's Dialogues page, open all along, shows the invitation as it arrives.
    expect(sam.get_by_role("heading", name="An invitation for you")).to_be_visible()
    expect(sam.locator("#dlg-current")).to_contain_text(f"{MAYA} would like a dialogue about “Sunday mornings”")
    look(sam, "dialogue-list-invitation")

    # Maya's home page shows Sam's deposit waiting for her, without a reload.
    maya.goto("/")
    expect(maya.locator("#ledger-home")).to_contain_text("Nothing is waiting for you.")
    sam.goto("/ledger/")
    sam.get_by_label("What do you promise?").fill("A good-morning message")
    press(sam, "Make this promise")
    sam.locator("#ledger-mine .promise-card").first.get_by_role("button", name="I kept this").click()
    expect(maya.locator("#ledger-home")).to_contain_text("1 deposit waits for you to confirm.")
    look(maya, "home-cards-live")


@pytest.mark.parametrize("widths", WIDTHS)
def test_each_person_reads_about_themselves_as_you_and_does_their_own_step(linked_partners, widths):
    maya, sam = linked_partners(*widths, MAYA, SAM)
    maya.goto("/dialogue/")
    maya.get_by_label("What would you like to talk about? One sentence is enough.").fill(
        "I'd like a dialogue about how we spend our evenings. Is now a good time?")
    press(maya, "Send the invitation")
    expect(maya.locator("#step")).to_contain_text(f"You asked {SAM} whether now is a good time")
    expect(maya.locator("#step")).not_to_contain_text("Your partner asks")
    maya.goto("/")
    expect(maya.locator(".dlg-home")).to_contain_text(f"You asked {SAM} for a dialogue about “How we spend our evenings”")
    sam.goto("/")
    expect(sam.locator(".dlg-home")).to_contain_text(f"{MAYA} would like a dialogue about “How we spend our evenings”")
    sam.get_by_role("link", name="Answer the invitation").click()
    press(sam, "Now is good")

    maya.goto(sam.url)
    expect(maya.locator(".dlg-roles")).to_contain_text(f"You are sharing; {SAM} is listening.")
    expect(sam.locator(".dlg-roles")).to_contain_text(f"{MAYA} is sharing; you are listening.")
    write(maya, f"What you would like {SAM} to hear", "I miss our slow evenings.", "Send")
    write(sam, f"What you heard {MAYA} say", "You miss our slow evenings. Did I get that?", "Mirror back")
    press(maya, "You got it")
    # Sam asks "is there more?" himself; until he does, nobody claims he asked.
    expect(sam.get_by_role("button", name="Is there more?")).to_be_visible()
    expect(sam.locator("#step")).not_to_contain_text("You asked: is there more?")
    expect(maya.get_by_role("button", name="Yes, there is more")).to_have_count(0)
    look(sam, "dialogue-ask-more")
    press(sam, "Is there more?")
    expect(sam.locator("#step")).to_contain_text(f"You asked: is there more? {MAYA} is answering.")
    expect(maya.locator("#step")).to_contain_text(f"{SAM} asks: is there more about that?")
    for page in (maya, sam):
        expect(page.locator("#step")).not_to_contain_text("sender")
        expect(page.locator("#step")).not_to_contain_text("receiver")
    look(maya, "dialogue-is-there-more")


@pytest.mark.parametrize("widths", WIDTHS)
def test_focus_stays_where_the_person_works_and_the_turn_is_announced(linked_partners, widths):
    maya, sam = linked_partners(*widths, MAYA, SAM)
    to_mirroring(maya, sam)
    sam.get_by_role("link", name="Dialogues", exact=True).focus()  # Sam reads elsewhere on the page meanwhile
    box = sam.get_by_label(f"What you heard {MAYA} say")
    box.fill("You miss our slow evenings. Did I get that?")
    box.focus()
    sam.keyboard.press("Tab")
    sam.keyboard.press("Enter")  # "Mirror back", by keyboard
    # Sam's focus lands on the new step, not the top of the page.
    expect(heading(sam, "Did I get that?")).to_be_focused()
    # Maya's turn arrives while her focus is on the page's header: it stays there, and the turn is announced.
    maya.get_by_role("link", name="Dialogues", exact=True).focus()
    expect(heading(maya, "Did I get that?")).to_be_visible()
    expect(maya.get_by_role("link", name="Dialogues", exact=True)).to_be_focused()
    expect(maya.get_by_role("status").filter(has_text="Your turn: Did I get that?")).to_have_count(1)


@pytest.mark.parametrize("widths", WIDTHS)
def test_a_mirror_written_offline_is_sent_once_and_a_draft_survives_reload_until_quick_exit(linked_partners, widths):
    maya, sam = linked_partners(*widths, MAYA, SAM)
    to_mirroring(maya, sam)
    box = f"What you heard {MAYA} say"
    sam.get_by_label(box).press_sequentially("You miss our")
    sam.reload()  # a reload mid-turn keeps the half-written mirror
    expect(sam.get_by_label(box)).to_have_value("You miss our")

    sam.context.set_offline(True)
    sam.get_by_label(box).press("ControlOrMeta+End")
    sam.get_by_label(box).press_sequentially(" slow evenings.")
    press(sam, "Mirror back")
    expect(sam.locator("#step")).to_contain_text("You are offline right now. What you wrote is kept on this device")
    expect(heading(sam, "Mirroring")).to_be_visible()  # no browser error page
    look(sam, "dialogue-offline")
    expect(heading(maya, "Mirroring")).to_be_visible()

    sam.context.set_offline(False)
    expect(heading(maya, "Did I get that?")).to_be_visible(timeout=30_000)
    expect(heading(sam, "Did I get that?")).to_be_visible(timeout=30_000)
    for page in (maya, sam):
        expect(page.get_by_role("list", name="Conversation").get_by_text("You miss our slow evenings.", exact=True)
               ).to_have_count(1)
    assert sam.evaluate(DRAFTS) == 0  # sent, so nothing is kept any more

    maya.get_by_label("What you meant").fill("It's the walks I miss most.")
    assert maya.evaluate(DRAFTS) == 1
    maya.context.route("**/drafts-check", lambda route: route.fulfill(body="<!doctype html><title>check</title>",
                                                                      content_type="text/html"))
    maya.get_by_role("link", name="Quick exit").click()
    maya.wait_for_url("about:blank")
    maya.goto("/drafts-check")  # same tab, same origin, no script of ours: what was kept is gone
    assert maya.evaluate(DRAFTS) == 0


def test_typing_while_the_page_catches_up_loses_no_keystroke(linked_partners):
    """The page catches up once its connection opens (a read of the step that may be slow); a person who starts
    typing meanwhile keeps every keystroke and the place where they type."""
    maya, sam = linked_partners(DESKTOP, PHONE, MAYA, SAM)
    to_mirroring(maya, sam)
    held = []
    sam.route("**/dialogue/*/live", lambda route: held.append(route))  # the catch-up's read waits until the test lets it go
    sam.reload()
    box = sam.get_by_label(f"What you heard {MAYA} say")
    expect(box).to_be_visible()
    while not held:  # the connection is open and the catch-up has asked
        sam.wait_for_timeout(50)
    box.press_sequentially("You miss our")
    held.pop().continue_()
    sam.wait_for_timeout(500)  # the answer arrives and the step is drawn again, mid-sentence
    sam.keyboard.type(" slow evenings.")  # the keys go wherever the focus is, as a person's do
    expect(box).to_have_value("You miss our slow evenings.")
    expect(box).to_be_focused()


@pytest.mark.parametrize("widths", WIDTHS)
def test_signing_out_erases_the_drafts_kept_in_this_tab(linked_partners, widths):
    maya, sam = linked_partners(*widths, MAYA, SAM)
    to_mirroring(maya, sam)
    sam.get_by_label(f"What you heard {MAYA} say").press_sequentially("You miss")
    assert sam.evaluate(DRAFTS) == 1
    sam.context.route("**/drafts-check", lambda route: route.fulfill(body="<!doctype html><title>check</title>",
                                                                     content_type="text/html"))
    sam.get_by_role("button", name="Sign out").click()
    sam.wait_for_url("**/login**")
    sam.goto("/drafts-check")
    assert sam.evaluate(DRAFTS) == 0


def test_an_older_answer_arriving_late_never_takes_back_the_partners_turn(linked_partners):
    """Answers can overtake each other: the page's catch-up read on connecting, answered late with the dialogue as
    it was, must not replace the partner's newer turn the page has shown meanwhile."""
    maya, sam = linked_partners(DESKTOP, DESKTOP, MAYA, SAM)
    invite(maya)
    sam.goto("/")
    sam.get_by_role("link", name="Answer the invitation").click()
    press(sam, "Now is good")
    expect(heading(maya, "Sharing")).to_be_visible()

    held = []

    def hold_the_first(route):
        """Read the answer now (the dialogue as it is: Maya sharing), hand it over only later."""
        if held:
            route.continue_()
            return
        held.append((route, route.fetch()))

    sam.route("**/dialogue/*/live", hold_the_first)
    sam.reload()
    expect(heading(sam, "Sharing")).to_be_visible()
    for _ in range(100):  # wait for the page's connection to open and ask
        if held:
            break
        sam.wait_for_timeout(50)
    assert held, "the page read the dialogue when its connection opened"

    write(maya, f"What you would like {SAM} to hear", "I miss our slow evenings.", "Send")
    expect(heading(sam, "Mirroring")).to_be_visible()
    route, stale = held[0]
    route.fulfill(response=stale)
    sam.wait_for_timeout(500)
    expect(heading(sam, "Mirroring")).to_be_visible()
    expect(sam.get_by_label(f"What you heard {MAYA} say")).to_be_editable()
