"""One page, one Socket.IO connection: the namespaces a page follows (/couple, /dialogue) share one WebSocket,
and everything each of them carries still arrives live. The relay's document socket is separate, by design."""
from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot

SETTLE_MS = 1_500  # past the page's load event, when the quiet "being here" connection would open


def sockets_of(page: Page, path: str, ready) -> tuple[list[str], list[str]]:
    """Open `path` and wait until `ready(page)` holds and the page has settled: (the app's Socket.IO WebSockets,
    the relay's WebSockets) the page opened."""
    opened = []

    def note(socket):
        opened.append(socket.url)

    # The page before (a form's redirect, say) may still be opening its own socket: let it, before counting.
    page.wait_for_load_state("load")
    page.wait_for_timeout(SETTLE_MS)
    page.on("websocket", note)
    page.goto(path)
    ready(page)
    page.wait_for_timeout(SETTLE_MS)
    page.remove_listener("websocket", note)
    app = [url for url in opened if "/socket.io/" in url]
    return app, [url for url in opened if url not in app]


def test_the_home_page_of_a_linked_couple_opens_one_websocket(linked_partners):
    maya, sam = linked_partners()
    app, relay = sockets_of(maya, "/", lambda page: expect(page.get_by_text("Sam Reyes is here now")).to_be_visible())
    assert len(app) == 1 and relay == []

    # Over that one connection, /couple (the partner's presence, the shared passages) and /dialogue (the card).
    sam.goto("/dialogue/")
    sam.get_by_label("What would you like to talk about? One sentence is enough.").fill("Sunday mornings")
    sam.get_by_role("button", name="Send the invitation").click()
    expect(maya.locator(".dlg-home")).to_contain_text("Sam Reyes would like a dialogue about “Sunday mornings”")
    expect(maya.get_by_text("Sam Reyes is here now")).to_be_visible()
    screenshot(maya, f"one-socket-home-{maya.viewport_size['width']}")
    app, _relay = sockets_of(sam, "/", lambda page: expect(page.locator(".dlg-home")).to_contain_text("Sunday"))
    assert len(app) == 1
    screenshot(sam, f"one-socket-home-{sam.viewport_size['width']}")


def test_the_other_live_pages_open_one_websocket_each(linked_partners):
    maya, _sam = linked_partners()
    for path, ready in (
        ("/dialogue/", lambda page: expect(page.get_by_role("heading", name="Ask for a dialogue")).to_be_visible()),
        ("/ledger/", lambda page: expect(page.locator("#ledger[data-connected='true']")).to_be_attached()),
        ("/account", lambda page: expect(page.get_by_role("heading", level=1)).to_be_visible()),
    ):
        app, relay = sockets_of(maya, path, ready)
        assert (path, len(app), relay) == (path, 1, [])

    maya.goto("/agreements/")
    maya.get_by_role("link", name="Our agreements").click()
    app, relay = sockets_of(maya, maya.url,
                            lambda page: expect(page.locator("#sync-status")).to_have_text("All changes saved"))
    assert len(app) == 1 and len(relay) == 1  # presence on /couple; the document on the relay
