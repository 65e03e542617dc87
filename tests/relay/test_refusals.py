"""What the relay does with what it will not take: an answer for each, and no cost to anyone else."""
from __future__ import annotations

import json
import os
import subprocess

import pytest
from pycrdt import create_update_message, write_message

from agreements.shape import agreement_text, find_item
from tests.agreements.conftest import stored_text
from tests.relay.conftest import APP_URL
from tests.relay.test_relay import synced, type_into
from tests.servers import ROOT

pytestmark = pytest.mark.server
MESSAGE_TOO_BIG = 1009


def append(item_id: str, text: str):
    """A change typing text at the end of an agreement."""
    def change(doc) -> None:
        field = find_item(doc, item_id)["text"]
        field.insert(len(field), text)
    return change


def settled(client) -> bool:
    """Whether the client has synced and answered both of the relay's step 1s (a later change is its own)."""
    return synced(client) and client.wait(lambda: client.server_step1 >= 2 and client.sent >= 2)


def reads_of(relay, document_id: int) -> int:
    """How many times the relay has built this document from its log (it says so in its log)."""
    return relay.log_path.read_text().count(f"reading document {document_id} from its log")


def test_updates_built_on_a_refused_one_are_refused_without_rebuilding_the_room(couple_document, connect,
                                                                                cookie_of, relay):
    _, alice, bob, document, item_id = couple_document
    maya, sam = connect(document.id, cookie_of(alice)), connect(document.id, cookie_of(bob))
    assert settled(maya) and settled(sam)
    reads = reads_of(relay, document.id)
    lost = maya.change(type_into(item_id, "Lost "))
    refused = maya.send(create_update_message(lost) + b"\x00")  # a byte too many: the relay cannot read it
    assert maya.wait(lambda: maya.refusals)
    assert maya.refusals[0][:2] == (refused, "malformed")
    for n in range(100):  # each builds on the refused one
        maya.edit(append(item_id, "m"))
        if n % 10 == 0:  # meanwhile the partner types, as usual
            index = sam.edit(type_into(item_id, "s"))
            assert sam.wait(lambda: sam.committed >= index)
    assert maya.wait(lambda: len(maya.refusals) >= 101)
    assert [code for _, code, _ in maya.refusals[1:]] == ["unknown_base"] * 100
    assert reads_of(relay, document.id) == reads  # the room kept its document
    assert sam.refusals == [] and sam.closed is None and maya.closed is None
    assert stored_text(document.id, item_id) == "s" * 10
    # A sync round then carries everything the relay lacks, once.
    maya.sync()
    assert maya.wait(lambda: maya.server_step1 >= 3)
    assert maya.wait(lambda: maya.committed >= maya.sent)
    assert len(maya.refusals) == 101
    saved = stored_text(document.id, item_id)
    assert saved == agreement_text(maya.doc, item_id)
    assert sorted(saved) == sorted("Lost " + "m" * 100 + "s" * 10)
    assert sam.wait(lambda: agreement_text(sam.doc, item_id) == saved)


@pytest.mark.parametrize("relay_env", [{"AGREEMENTS_MAX_DOCUMENT_BYTES": str(64 * 1024)}])
def test_a_message_larger_than_the_relay_reads_is_answered_before_the_connection_closes(couple_document, connect,
                                                                                        cookie_of):
    _, alice, bob, document, item_id = couple_document
    maya, sam = connect(document.id, cookie_of(alice)), connect(document.id, cookie_of(bob))
    assert synced(maya) and synced(sam)
    first = maya.edit(type_into(item_id, "Saved first."))
    assert maya.wait(lambda: maya.committed >= first)
    # Past the document's limit and its framing: more than the relay reads into memory for one message.
    huge = maya.send(b"\x00\x02" + write_message(os.urandom(200 * 1024)))
    closed = maya.wait_closed()
    assert closed.rcvd.code == MESSAGE_TOO_BIG
    assert [refusal[:2] for refusal in maya.refusals] == [(huge, "document_full")]
    assert stored_text(document.id, item_id) == "Saved first."
    index = sam.edit(type_into(item_id, "Still here. "))
    assert sam.wait(lambda: sam.committed >= index)
    assert sam.refusals == [] and sam.closed is None


def offline_client(relay, cookie: str, document_id: int, item_id: str, chars: int, seconds: float) -> dict:
    """Run tests/relay/offline_client.mjs: our provider reconnecting with `chars` characters typed offline."""
    run = subprocess.run(
        ["node", str(ROOT / "tests/relay/offline_client.mjs"), relay.url, APP_URL, cookie, str(document_id), item_id,
         str(chars), str(seconds)], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("relay_env", [{"AGREEMENTS_MAX_DOCUMENT_BYTES": str(64 * 1024)}])
def test_our_provider_with_more_offline_work_than_a_document_holds_is_told_so_and_does_not_loop(
        couple_document, relay, cookie_of):
    _, alice, _, document, item_id = couple_document
    result = offline_client(relay, cookie_of(alice), document.id, item_id, 200_000, 4)
    # Once sent, answered document_full and closed 1009; from then on it knows the limit and sends nothing as large.
    assert result["connections"] == 2
    assert result["largest"] > 128 * 1024
    assert result["errors"] and set(result["errors"]) == {"document_full"}
    assert result["saved"] is False
    assert stored_text(document.id, item_id) == ""
