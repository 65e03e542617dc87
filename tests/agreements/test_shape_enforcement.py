"""The document's shape is the server's to enforce: a partner's crafted update cannot forge a signature.

Each attack comes from Bob's raw pycrdt client over the socket. Each is refused with `invalid_shape`,
the stored document stays byte for byte what it was, nothing reaches Alice, and every place that shows
states (the printable page, Markdown, `/states`, "my data") still tells the truth.
"""
from pycrdt import Array, Doc, Map, Text
import pytest

from agreements import export, signing, store, sync
from agreements.rooms import rooms
from agreements.shape import (MAX_ITEMS, MAX_TEXT, check_document, find_item, new_id, new_item, new_section, root_map,
                              sections)
from tests.agreements.conftest import stored_doc
from tests.agreements.writing import add_agreement

SIGNED_TEXT = "We never read each other's messages."
FORGED_TEXT = "Sam may check Maya's phone whenever he likes."


def refused(answer, code):
    """Whether a socket answer is a refusal with this code."""
    return answer == {"ok": False, "error": {"code": code, "message": answer["error"]["message"]}}


@pytest.fixture
def signed(agreement):
    """The `agreement` setup, its agreement holding SIGNED_TEXT signed by both, and a draft in section two."""
    a = agreement.a
    assert a.edit(lambda: a.text(agreement.item_id).insert(0, SIGNED_TEXT)) == [{"ok": True}]
    for person in (agreement.alice, agreement.bob):
        signing.sign(person, agreement.document.id, agreement.item_id, SIGNED_TEXT)
    add_agreement(agreement.document, section=1, text="We talk before we buy anything big.")
    for client in (agreement.a, agreement.b):
        client.pump()
    return agreement


def section(client, index: int) -> Map:
    return list(sections(client.doc))[index]


def draft_of(client) -> Map:
    return section(client, 1)["items"][0]


ATTACKS = {
    "a copy of the signed id in another section": lambda s, b: section(b, 1)["items"].append(
        Map({"id": s.item_id, "text": Text(FORGED_TEXT)})),
    "a copy of the signed id in the same section": lambda s, b: section(b, 0)["items"].insert(
        0, Map({"id": s.item_id, "text": Text(FORGED_TEXT)})),
    "the draft's id rewritten to the signed one": lambda s, b: draft_of(b).__setitem__("id", s.item_id),
    "the draft's id rewritten to a fresh one": lambda s, b: draft_of(b).__setitem__("id", new_id()),
    "the draft's id removed": lambda s, b: draft_of(b).pop("id"),
    "the draft's text removed": lambda s, b: draft_of(b).pop("text"),
    "an agreement without an id": lambda s, b: section(b, 1)["items"].append(Map({"text": Text(FORGED_TEXT)})),
    "an agreement without a text": lambda s, b: section(b, 1)["items"].append(Map({"id": new_id()})),
    "an id of another kind": lambda s, b: section(b, 1)["items"].append(new_item(FORGED_TEXT, "i1")),
    "a text as a plain string": lambda s, b: section(b, 1)["items"].append(
        Map({"id": new_id(), "text": FORGED_TEXT})),
    "a text as a nested map": lambda s, b: section(b, 1)["items"].append(
        Map({"id": new_id(), "text": Map({"text": Text(FORGED_TEXT)})})),
    "the draft's text replaced by a plain string": lambda s, b: draft_of(b).__setitem__("text", FORGED_TEXT),
    "a section smuggled inside an agreement": lambda s, b: draft_of(b).__setitem__(
        "section", new_section("Hidden", "")),
    "a section smuggled inside a new agreement": lambda s, b: section(b, 1)["items"].append(
        Map({"id": new_id(), "text": Text("x"), "items": Array([new_item(FORGED_TEXT)])})),
    "an agreement in the sections list": lambda s, b: root_map(b.doc)["sections"].append(new_item(FORGED_TEXT)),
    "10,000 agreements in one update": lambda s, b: section(b, 1)["items"].extend([Map() for _ in range(10_000)]),
    "3,000 well-formed agreements in one section": lambda s, b: section(b, 1)["items"].extend(
        [new_item() for _ in range(3_000)]),
    "a 100,000-character agreement": lambda s, b: section(b, 1)["items"].append(new_item("x" * 100_000)),
    "100,000 characters typed into an agreement": lambda s, b: b.text(s.item_id).insert(0, "x" * 100_000),
    "a 100,000-character section title": lambda s, b: section(b, 1)["title"].insert(0, "x" * 100_000),
    "an extra root type": lambda s, b: b.doc.get("notes", type=Map).__setitem__("x", "y"),
    "an extra key on the root": lambda s, b: root_map(b.doc).__setitem__("owner", "Sam"),
    "formatting in an agreement": lambda s, b: b.text(s.item_id).format(0, 5, {"bold": True}),
    "an embed in an agreement": lambda s, b: b.text(s.item_id).insert_embed(0, Map({"x": Text("y")})),
    "the sections replaced by a map": lambda s, b: root_map(b.doc).__setitem__("sections", Map()),
}


def shown_states(signed, client) -> dict:
    """What each place that shows states says, read as Alice (signed in on client)."""
    document = signed.document
    readable = export.readable(document)
    data = export.export_for_user(signed.alice)
    return {
        "print": client.get(f"/agreements/{document.id}/print").get_data(as_text=True).count("Agreed: signed by"),
        "markdown": client.get(f"/agreements/{document.id}/export.md").get_data(as_text=True),
        "states": client.get(f"/agreements/{document.id}/states").get_json()["items"],
        "readable": [(a.id, a.text, a.state.status) for s in readable.sections for a in s.agreements],
        "my data": [(a["id"], a["text"], a["state"]) for d in data["agreement_documents"]
                    for s in d["sections"] for a in s["agreements"]],
    }


@pytest.mark.parametrize("attack", list(ATTACKS), ids=list(ATTACKS))
def test_an_update_that_breaks_the_shape_is_refused_and_changes_nothing(signed, attack, login, client, partner):
    log = store.read_log(signed.document.id)
    state = stored_doc(signed.document.id).get_update()
    login(client, signed.alice)
    shown = shown_states(signed, client)
    assert shown["print"] == 1 and FORGED_TEXT not in shown["markdown"]

    b = signed.b
    answers = b.edit(lambda: ATTACKS[attack](signed, b))
    assert len(answers) == 1 and refused(answers[0], "invalid_shape"), answers
    assert [e["code"] for e in b.pump()] == ["invalid_shape"]

    assert store.read_log(signed.document.id) == log
    assert stored_doc(signed.document.id).get_update() == state
    assert signed.a.received() == []
    assert shown_states(signed, client) == shown
    # Alice's next edit goes through, and Bob's page, reloaded, sees it.
    a = signed.a
    assert a.edit(lambda: a.text(signed.item_id).insert(0, "ok ")) == [{"ok": True}]
    reloaded = partner(signed.bob)
    assert reloaded.join(signed.document.id) == {"ok": True}
    reloaded.pump()
    assert str(reloaded.text(signed.item_id)) == "ok " + SIGNED_TEXT


def test_a_partner_who_was_refused_can_reload_and_go_on(signed, partner):
    b = signed.b
    assert refused(b.edit(lambda: ATTACKS["a copy of the signed id in another section"](signed, b))[0],
                   "invalid_shape")
    fresh = partner(signed.bob)  # the page reloaded: a new Doc, synced from what is saved
    assert fresh.join(signed.document.id) == {"ok": True}
    fresh.pump()
    assert fresh.edit(lambda: fresh.text(signed.item_id).insert(0, "Really: ")) == [{"ok": True}]


def test_ordinary_edits_all_keep_the_shape(signed):
    """Adding, typing, moving (a copy and a delete, same id) and deleting: everything the page does."""
    a, b = signed.a, signed.b
    from agreements.shape import new_section as section_of

    steps = [
        (a, lambda: root_map(a.doc)["sections"].append(section_of("Money", ""))),
        (b, lambda: section(b, 6)["items"].append(new_item("We split the rent evenly."))),
        (a, lambda: section(a, 6)["title"].insert(5, " and time")),
        (b, lambda: _move(section(b, 1)["items"], 0, section(b, 6)["items"])),
        (a, lambda: section(a, 6)["items"][0]["text"].insert(0, "Fair: ")),
        (b, lambda: section(b, 6)["items"].__delitem__(0)),
        (a, lambda: root_map(a.doc)["sections"].__delitem__(6)),
    ]
    for client, step in steps:
        assert client.edit(step) == [{"ok": True}]
        for other in (a, b):
            other.pump()
    check_document(stored_doc(signed.document.id))
    assert [e["code"] for e in a.pump() + b.pump()] == []


def _move(source: Array, index: int, target: Array) -> None:
    entry = source[index]
    copy = Map({"id": entry["id"], "text": Text(str(entry["text"]))})
    del source[index]
    target.append(copy)


def test_an_agreement_can_be_typed_up_to_the_editors_limit_and_no_further(signed):
    a = signed.a
    text = a.text(signed.item_id)
    assert a.edit(lambda: text.insert(len(text), "é" * (MAX_TEXT - len(SIGNED_TEXT)))) == [{"ok": True}]
    assert refused(a.edit(lambda: text.insert(0, "x"))[0], "invalid_shape")


def test_a_section_takes_agreements_up_to_its_bound(signed):
    from agreements import rooms

    document = signed.document
    rooms.edit(document.id, document.couple_id,
               lambda doc: list(sections(doc))[2]["items"].extend([new_item() for _ in range(MAX_ITEMS)]), None)
    with pytest.raises(sync.InvalidShape):
        add_agreement(document, section=2, text="One too many.")


def test_a_document_stored_over_a_bound_still_takes_deletions_and_edits_that_do_not_grow_it(signed):
    """Stored before the bounds existed: written straight into the log, as it would have been."""
    too_long = stored_doc(signed.document.id)
    changes = []
    too_long.observe(lambda event: changes.append(event.update))
    with too_long.transaction():
        list(sections(too_long))[1]["items"].append(new_item("y" * 5_000, "L" * 22))
    store.append(signed.document.id, changes[0], None)
    rooms().open(signed.document.id).reload()
    b = signed.b
    b.send(sync.step1_message(b.doc))
    b.pump()
    text = b.text("L" * 22)
    assert b.edit(lambda: text.__delitem__(slice(0, 10))) == [{"ok": True}]  # shorter: fine
    assert b.edit(lambda: (text.__delitem__(slice(0, 3)), text.insert(0, "ab"))) == [{"ok": True}]
    assert refused(b.edit(lambda: text.insert(0, "more"))[0], "invalid_shape")


def test_server_side_edits_are_held_to_the_same_shape(signed):
    from agreements import rooms

    document = signed.document
    log = store.read_log(document.id)
    with pytest.raises(sync.InvalidShape):
        rooms.edit(document.id, document.couple_id,
                   lambda doc: list(sections(doc))[1]["items"].append(new_item(FORGED_TEXT, signed.item_id)), None)
    assert store.read_log(document.id) == log
    assert find_item(stored_doc(document.id), signed.item_id) is not None


def test_the_check_is_bounded_by_the_update_not_the_document(signed, monkeypatch):
    """A keystroke reads no ids; adding or moving an agreement counts the ids of its own section only."""
    from agreements import shape

    counted = []
    real = shape._ids_in
    monkeypatch.setattr(shape, "_ids_in", lambda array: counted.append(1) or real(array))
    a = signed.a

    def arrays_counted(change) -> int:
        counted.clear()
        assert a.edit(change) == [{"ok": True}]
        return len(counted)

    assert arrays_counted(lambda: a.text(signed.item_id).insert(0, "x")) == 0
    assert arrays_counted(lambda: section(a, 3)["items"].append(new_item("Another one."))) == 1
    assert arrays_counted(lambda: section(a, 3)["items"].append(new_item("And another."))) == 1
    assert arrays_counted(lambda: _move(section(a, 3)["items"], 0, section(a, 4)["items"])) == 2
    assert arrays_counted(lambda: root_map(a.doc)["sections"].__delitem__(5)) == 1
    check_document(stored_doc(signed.document.id))


def test_10000_well_formed_agreements_in_one_update_are_refused():
    from agreements.shape import doc_from_update, new_document

    server = doc_from_update(new_document("Ours"))
    client = Doc()
    client.apply_update(server.get_update())
    before = client.get_state()
    list(sections(client))[0]["items"].extend([new_item() for _ in range(10_000)])
    state = server.get_update()
    with pytest.raises(sync.InvalidShape) as refused_update:
        sync.apply_update(server, client.get_update(before))
    assert refused_update.value.spoils_document
    assert doc_from_update(state).get_update() == state


# --- any sequence of valid edits keeps the shape; any invalid one is refused --------------------

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from agreements.shape import items as items_of  # noqa: E402
from agreements.shape import read_document  # noqa: E402


def _valid_edit(doc: Doc, kind: str, pick: int, words: str):
    """A change the page itself could make to doc (within every bound), or None when there is none of that kind."""
    all_sections = list(sections(doc))
    section_map = all_sections[pick % len(all_sections)] if all_sections else None
    entries = list(items_of(section_map)) if section_map is not None else []
    entry = entries[pick % len(entries)] if entries else None
    if kind == "add section" and len(all_sections) < 12:
        return lambda: root_map(doc)["sections"].append(new_section(words[:MAX_ITEMS]))
    if kind == "add agreement" and section_map is not None and len(entries) < 12:
        return lambda: section_map["items"].append(new_item(words))
    if kind == "type" and entry is not None and len(str(entry["text"])) + len(words) <= MAX_TEXT:
        text = entry["text"]
        return lambda: text.insert(len(text) * (pick % 2), words)
    if kind == "erase" and entry is not None and len(entry["text"]):
        return lambda: entry["text"].__delitem__(slice(0, min(len(entry["text"]), 1 + pick % 4)))
    if kind == "rename" and section_map is not None:
        title = section_map["title"]
        return lambda: title.insert(0, words) if len(str(title)) + len(words) <= 200 else title.clear()
    if kind == "move" and len(entries) > 1:
        return lambda: _move(section_map["items"], pick % len(entries), section_map["items"])
    if kind == "delete agreement" and entry is not None:
        index = entries.index(entry)
        return lambda: section_map["items"].__delitem__(index)
    if kind == "delete section" and section_map is not None and len(all_sections) > 1:
        index = all_sections.index(section_map)
        return lambda: root_map(doc)["sections"].__delitem__(index)
    return None


EDITS = ["add section", "add agreement", "type", "erase", "rename", "move", "delete agreement", "delete section"]
QUICK_ATTACKS = [name for name in ATTACKS if "000" not in name]


@pytest.mark.timeout(1200)  # 25 sequences of socket round trips: minutes on a loaded machine
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(
    st.tuples(st.booleans(), st.sampled_from(EDITS + ["attack"]), st.integers(0, 1000),
              st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)),
    min_size=1, max_size=10))
def test_valid_edits_by_both_keep_the_shape_and_invalid_ones_are_refused(signed, partner, steps):
    people = {True: signed.alice, False: signed.bob}

    def opened(by_alice: bool):
        client = partner(people[by_alice])
        assert client.join(signed.document.id) == {"ok": True}
        client.pump()
        return client

    clients = {by_alice: opened(by_alice) for by_alice in people}
    for by_alice, kind, pick, words in steps:
        client = clients[by_alice]
        client.pump()
        if kind == "attack":
            attack = QUICK_ATTACKS[pick % len(QUICK_ATTACKS)]
            if (find_item(client.doc, signed.item_id) is None or len(list(sections(client.doc))) < 2
                    or not list(items_of(section(client, 1)))):
                continue  # these attacks aim at the signed agreement and the second section's first agreement
            log = store.read_log(signed.document.id)
            answers = client.edit(lambda: ATTACKS[attack](signed, client))
            assert refused(answers[0], "invalid_shape"), (attack, answers)
            assert store.read_log(signed.document.id) == log
            clients[by_alice] = opened(by_alice)  # the page reloads
            continue
        edit = _valid_edit(client.doc, kind, pick, words)
        if edit is not None:
            assert client.edit(edit) == [{"ok": True}], kind
    stored = stored_doc(signed.document.id)
    check_document(stored)
    for client in clients.values():
        client.pump()
        assert read_document(client.doc) == read_document(stored)
