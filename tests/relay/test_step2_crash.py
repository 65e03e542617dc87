"""kill -9 of the relay while a large step 2 (1.8 MB of offline work) is on its way: all of it or nothing is
saved, and the provider's retry after the restart saves everything."""
from __future__ import annotations

import time

import pytest
from pycrdt import Doc

from tests.agreements.conftest import stored_doc
from tests.relay.conftest import APP_URL
from tests.relay.test_limits import add_agreements, words
from tests.relay.test_refusals import settled
from tests.servers import Relay

pytestmark = pytest.mark.server
OFFLINE_WORDS = 1_800_000  # 900 agreements of the editor's full length


@pytest.mark.parametrize("after", [0.0, 0.15], ids=["as-it-leaves", "a-moment-later"])
def test_a_kill_9_during_a_large_step_2_leaves_all_or_nothing_and_the_retry_saves_it(
        couple_document, connect, cookie_of, relay, tmp_path, database_url, after):
    _, alice, bob, document, _ = couple_document
    sending = connect(document.id, cookie_of(alice))
    assert settled(sending)
    offline = Doc()
    offline.apply_update(sending.doc.get_update())
    for _ in range(9):
        add_agreements(100, "w")(offline)
    sending.absorb(offline.get_update())
    sending.sync()  # the relay's step 1 comes back, and our answer carries the offline work
    assert sending.wait(lambda: sending.server_step1 >= 3 and sending.sent >= 3)
    time.sleep(after)
    relay.kill()
    assert words(stored_doc(document.id)) in (0, OFFLINE_WORDS)  # never part of it
    restarted = Relay(tmp_path, database_url, APP_URL, port=relay.port)
    restarted.env = relay.env
    restarted.start()
    try:
        retry = connect(document.id, cookie_of(alice))  # the page reconnects with what it holds
        retry.absorb(offline.get_update())
        retry.sync()
        assert retry.wait(lambda: retry.server_step1 >= 3)
        assert retry.wait(lambda: retry.committed >= retry.sent, timeout=120)
        assert retry.refusals == []
        assert words(stored_doc(document.id)) == OFFLINE_WORDS
        partner = connect(document.id, cookie_of(bob))
        assert partner.wait(lambda: words(partner.doc) == OFFLINE_WORDS, timeout=120)
    finally:
        restarted.stop()
