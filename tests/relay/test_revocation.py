"""Ending access in the app closes the relay's connections concerned (the relay reads again every 0.5 s)."""
from __future__ import annotations

import pytest

from relay import gate
from tests.conftest import PASSWORD
from tests.relay.test_relay import synced

pytestmark = pytest.mark.server
CLOSES_WITHIN = 15  # seconds: generous for a loaded machine; the relay itself checks every 0.5 s


def test_signing_out_closes_that_persons_connections(couple_document, connect, signed_in, cookie_of):
    _, alice, bob, document, _ = couple_document
    browser, cookie = signed_in(alice)
    maya, sam = connect(document.id, cookie), connect(document.id, cookie_of(bob))
    assert synced(maya) and synced(sam)
    assert browser.post("/logout", {}).status_code == 302
    assert maya.wait_closed(CLOSES_WITHIN).rcvd.code == gate.SIGNED_OUT
    assert sam.closed is None


def test_changing_the_password_closes_the_other_browsers_connections(couple_document, connect, signed_in):
    _, alice, _, document, _ = couple_document
    here, here_cookie = signed_in(alice)
    _, elsewhere_cookie = signed_in(alice)
    on_this_device, on_another = connect(document.id, here_cookie), connect(document.id, elsewhere_cookie)
    assert synced(on_this_device) and synced(on_another)
    answer = here.post("/account/password", {"pw-current": PASSWORD, "pw-password": "a new one, long enough",
                                              "pw-confirm": "a new one, long enough"}, page="/account")
    assert answer.status_code == 302
    assert on_another.wait_closed(CLOSES_WITHIN).rcvd.code == gate.SIGNED_OUT
    assert on_this_device.closed is None


def test_unlinking_closes_both_partners_connections_and_a_new_one_reads_the_archive(couple_document, connect,
                                                                                   signed_in):
    _, alice, bob, document, _ = couple_document
    sam_browser, sam_cookie = signed_in(bob)
    maya_cookie = signed_in(alice)[1]
    maya, sam = connect(document.id, maya_cookie), connect(document.id, sam_cookie)
    assert synced(maya) and synced(sam)
    assert sam_browser.post("/unlink", {"confirm": "y"}, page="/unlink").status_code == 302
    for client in (maya, sam):
        closed = client.wait_closed(CLOSES_WITHIN)
        assert (closed.rcvd.code, closed.rcvd.reason) == (gate.ARCHIVED, "This space is now a read-only archive.")
    again = connect(document.id, maya_cookie)
    assert synced(again) and again.server_step1 == 0


def test_deleting_the_account_closes_its_connections_and_the_partners(couple_document, connect, signed_in):
    _, alice, bob, document, _ = couple_document
    browser, cookie = signed_in(alice)
    maya, sam = connect(document.id, cookie), connect(document.id, signed_in(bob)[1])
    assert synced(maya) and synced(sam)
    answer = browser.post("/account/delete", {"del-password": PASSWORD, "del-confirm": "y"}, page="/account")
    assert answer.status_code == 302
    assert maya.wait_closed(CLOSES_WITHIN).rcvd.code == gate.SIGNED_OUT
    assert sam.wait_closed(CLOSES_WITHIN).rcvd.code == gate.ARCHIVED
