"""An unmodified y-websocket client (npm `y-websocket`) and our provider edit one document through the relay."""
from __future__ import annotations

import json
import subprocess

import pytest

from tests.agreements.conftest import stored_text
from tests.relay.conftest import APP_URL
from tests.servers import ROOT

pytestmark = pytest.mark.server
KEYS = 150


def test_a_standard_yjs_websocket_provider_and_ours_converge(couple_document, relay, cookie_of):
    _, alice, bob, document, item_id = couple_document
    run = subprocess.run(
        ["node", str(ROOT / "tests/relay/standard_client.mjs"), relay.url, APP_URL, cookie_of(alice), cookie_of(bob),
         str(document.id), item_id, str(KEYS)],
        capture_output=True, text=True, timeout=180, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["ours"] == result["theirs"]
    assert sorted(result["ours"]) == sorted("o" * KEYS + "t" * KEYS)
    assert result["saved"] is True
    assert stored_text(document.id, item_id) == result["ours"]


BURST = 5_000


@pytest.mark.parametrize("relay_env", [{"SOCKET_EVENTS_PER_SECOND": "100", "SOCKET_EVENTS_BURST": "400"}])
def test_a_burst_of_keystrokes_at_full_speed_is_saved_exactly_in_few_messages(couple_document, relay, cookie_of):
    _, alice, _, document, item_id = couple_document
    run = subprocess.run(
        ["node", str(ROOT / "tests/relay/burst_client.mjs"), relay.url, APP_URL, cookie_of(alice), str(document.id),
         item_id, str(BURST)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    typed = ""
    for i in range(BURST):  # as the client types: every third keystroke a backspace
        typed = typed[:-1] if i % 3 == 2 else typed + "abcdefghij"[i % 10]
    assert result["text"] == typed
    assert result["refusals"] == []
    assert result["sent"] < BURST / 4  # what was typed while the window was full went as one merged update
    assert stored_text(document.id, item_id) == typed
