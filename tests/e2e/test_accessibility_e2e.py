"""Every page of the app, signed out, signed in alone, linked and after unlinking, at 1280 and 360 px: axe finds nothing."""
from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.e2e.axe import violations
from tests.e2e.conftest import DESKTOP, PHONE, join, on_server, sign_up, write_agreement

WIDTHS = (DESKTOP, PHONE)


class Audit:
    """Visits pages at both widths and gathers axe's findings, so one run names every page that needs work."""

    def __init__(self):
        self.found: list[str] = []
        self.visited: list[str] = []

    def visit(self, page: Page, path: str, ready=None) -> None:
        """Open `path` at each width (after `ready(page)` if given, e.g. waiting for a live editor) and run axe."""
        for size in WIDTHS:
            page.set_viewport_size(size)
            response = page.goto(path)
            assert response is not None and response.status < 500, f"{path} answered {response and response.status}"
            if ready:
                ready(page)
            for v in violations(page):
                self.found.append(f"{path} at {size['width']} px: [{v['impact']}] {v['id']}: {v['help']} "
                                  f"at {', '.join(v['targets'])}")
        self.visited.append(path)

    def check(self) -> None:
        """Fail with every finding at once."""
        assert not self.found, f"axe found {len(self.found)} violation(s):\n" + "\n".join(self.found)


def editor_live(page: Page) -> None:
    expect(page.locator("#agreements-editor.is-live")).to_be_visible()


def seed_linked(server) -> dict:
    """A version, a promise, a dialogue invitation and a shared passage, made through the services."""
    from agreements import history
    from agreements.models import AgreementDocument
    from couples.models import Couple, User
    from dialogue import service as dialogue
    from ledger import service as ledger
    from privacy import reflection

    write_agreement(server, "We take a break when voices rise, and come back within the hour.")
    with on_server(server) as db:
        maya = db.session.scalar(select(User).where(User.email == "maya@example.org"))
        couple = db.session.scalar(select(Couple))
        document = db.session.scalar(select(AgreementDocument).where(AgreementDocument.couple_id == couple.id))
        version = history.take_version(document, "signed", actor=maya)
        promise = ledger.make_promise(maya, couple, ledger.Terms("A good-morning message"))
        talk = dialogue.invite(maya, couple, "how we spend Sundays")
        entry = reflection.write(maya, "hurt_them", "I went quiet when you needed me.")
        reflection.share_passage(maya, entry.public_id, "I went quiet when you needed me.")
        db.session.commit()
        return {"couple": couple.id, "document": document.id, "version": version.id, "promise": promise.id,
                "dialogue": talk.id, "entry": entry.public_id}


def test_every_page_has_no_accessibility_violations_at_both_widths(partner_page, live_server):
    audit = Audit()
    maya, sam = partner_page(DESKTOP), partner_page(DESKTOP)

    for path in ("/login", "/signup", "/safety", "/join/not-a-real-invitation"):
        audit.visit(maya, path)

    sign_up(maya, "Maya Okafor", "maya@example.org")
    sign_up(sam, "Sam Reyes", "sam@example.org")
    for path in ("/", "/account", "/safety", "/agreements/", "/dialogue/", "/ledger/", "/reflection", "/passages",
                 "/sessions", "/my-data", "/settings/privacy", "/join"):
        audit.visit(maya, path)
    maya.goto("/")
    maya.get_by_role("button", name="Invite my partner").click()
    audit.visit(maya, "/")

    maya.goto("/")
    join(sam, maya.locator("#invite-code").inner_text())
    ids = seed_linked(live_server)
    doc = f"/agreements/{ids['document']}"
    for page in (maya, sam):
        for path in ("/", "/agreements/", "/dialogue/", f"/dialogue/{ids['dialogue']}", "/ledger/",
                     f"/ledger/promises/{ids['promise']}", "/passages", "/unlink", "/account", "/space",
                     "/apology/"):
            audit.visit(page, path)
    audit.visit(maya, f"/reflection/{ids['entry']}")
    audit.visit(sam, doc, ready=editor_live)
    for path in (f"{doc}/history", f"{doc}/history/{ids['version']}", f"{doc}/compare?old={ids['version']}&new=now",
                 f"{doc}/print"):
        audit.visit(sam, path)

    maya.goto("/unlink")
    maya.get_by_label("Yes, unlink us now.").check()
    maya.get_by_role("button", name="Unlink now").click()
    expect(maya.locator(".flash")).to_contain_text("You are unlinked")
    for page in (maya, sam):
        for path in ("/", f"/archive/{ids['couple']}", "/agreements/", doc, f"{doc}/history",
                     f"/ledger/{ids['couple']}", "/dialogue/", f"/dialogue/{ids['dialogue']}"):
            audit.visit(page, path)

    audit.check()
