"""Private reflection: only its author reads it; a shared passage is a separate copy."""
import pytest
from sqlalchemy import select

from couples import linking
from couples.errors import Invalid, NotFound
from extensions import db
from privacy import reflection
from privacy.models import Reflection, SharedPassage


def test_author_writes_reads_edits_and_deletes_an_entry(linked_couple, clock):
    _, alice, _ = linked_couple()
    entry = reflection.write(alice, "hurt_them", "  I went quiet for two days.  ")
    assert entry.body == "I went quiet for two days."
    clock.advance(hours=1)
    reflection.edit(alice, entry.public_id, "pattern", "We both go quiet after an argument.")
    again = reflection.entry_of(alice, entry.public_id)
    assert (again.prompt, again.body) == ("pattern", "We both go quiet after an argument.")
    assert again.updated_at > again.created_at
    reflection.remove(alice, entry.public_id)
    assert reflection.entries_of(alice) == []


def test_partner_cannot_reach_an_entry_by_its_id(linked_couple):
    _, alice, bob = linked_couple()
    entry = reflection.write(alice, "hurt_me", "It hurt when plans changed.")
    for attempt in (
        lambda: reflection.entry_of(bob, entry.public_id),
        lambda: reflection.edit(bob, entry.public_id, "open", "overwritten"),
        lambda: reflection.remove(bob, entry.public_id),
        lambda: reflection.share_passage(bob, entry.public_id, "stolen words"),
    ):
        with pytest.raises(NotFound):
            attempt()
    assert reflection.entries_of(bob) == []
    assert db.session.get(Reflection, entry.id).body == "It hurt when plans changed."


@pytest.mark.parametrize("prompt, body", [("nope", "text"), ("open", ""), ("open", "   "),
                                          ("open", "x" * (reflection.BODY_LIMIT + 1))])
def test_entry_needs_a_known_prompt_and_some_words(linked_couple, prompt, body):
    _, alice, _ = linked_couple()
    with pytest.raises(Invalid):
        reflection.write(alice, prompt, body)
    assert reflection.entries_of(alice) == []


def test_prompts_cover_the_reflection_the_domain_asks_for():
    questions = " ".join(p.question for p in reflection.PROMPTS).lower()
    for words in ("may have hurt them", "hurt me", "pattern", "differently", "fear of being alone"):
        assert words in questions


def test_a_shared_passage_is_a_separate_copy(linked_couple):
    couple, alice, bob = linked_couple()
    entry = reflection.write(alice, "differently", "I want to ask before assuming. Also a private detail.")
    passage = reflection.share_passage(alice, entry.public_id, "I want to ask before assuming.")
    reflection.edit(alice, entry.public_id, "differently", "Changed later.")
    reflection.remove(alice, entry.public_id)
    shared = reflection.passages_in(couple)
    assert [p.body for p in shared] == ["I want to ask before assuming."]
    assert not hasattr(passage, "reflection_id")
    view = reflection.passage_view(shared[0])
    assert view["author"] == "Alice Moreau" and "private detail" not in str(view)


def test_sharing_needs_a_linked_partner(linked_couple):
    couple, alice, bob = linked_couple()
    entry = reflection.write(alice, "open", "Something.")
    linking.unlink(couple, bob)
    with pytest.raises(Invalid):
        reflection.share_passage(alice, entry.public_id, "Something.")
    assert db.session.scalars(select(SharedPassage)).all() == []


@pytest.mark.parametrize("passage", ["", "  ", "y" * (reflection.PASSAGE_LIMIT + 1)])
def test_a_passage_must_be_chosen_and_short(linked_couple, passage):
    _, alice, _ = linked_couple()
    entry = reflection.write(alice, "open", "Something.")
    with pytest.raises(Invalid):
        reflection.share_passage(alice, entry.public_id, passage)


def test_reflection_pages_show_the_author_their_entry_and_the_partner_nothing(linked_couple, client, login, app):
    _, alice, bob = linked_couple()
    entry = reflection.write(alice, "why_here", "Mostly love, some fear.")
    browser = login(client, alice)
    assert "Mostly love, some fear." in browser.get(f"/reflection/{entry.public_id}").get_data(as_text=True)
    assert "Mostly love, some fear." in browser.get("/reflection").get_data(as_text=True)
    other = login(app.test_client(), bob)
    assert other.get(f"/reflection/{entry.public_id}").status_code == 404
    assert "Mostly love" not in other.get("/reflection").get_data(as_text=True)


def test_writing_and_sharing_through_the_pages(linked_couple, client, login, app):
    couple, alice, bob = linked_couple()
    browser = login(client, alice)
    response = browser.post("/reflection", {"prompt": "hurt_them", "body": "I cancelled twice."}, page="/reflection")
    assert response.status_code == 302
    entry = reflection.entries_of(alice)[0]
    page = f"/reflection/{entry.public_id}"
    assert browser.post(f"{page}/share", {"passage": "I am sorry I cancelled."}, page=page).status_code == 302
    home = login(app.test_client(), bob).get("/").get_data(as_text=True)
    assert "I am sorry I cancelled." in home and "I cancelled twice." not in home


def test_a_page_that_failed_to_share_keeps_the_entry_text(linked_couple, client, login):
    _, alice, _ = linked_couple()
    entry = reflection.write(alice, "open", "Keep me on the page.")
    browser = login(client, alice)
    page = f"/reflection/{entry.public_id}"
    response = browser.post(f"{page}/share", {"passage": ""}, page=page)
    assert response.status_code == 400
    assert "Keep me on the page." in response.get_data(as_text=True)


def test_deleting_an_entry_from_its_page_erases_it(linked_couple, client, login):
    _, alice, _ = linked_couple()
    entry = reflection.write(alice, "open", "Gone soon.")
    browser = login(client, alice)
    page = f"/reflection/{entry.public_id}"
    assert "Delete it for good" in browser.get(page).get_data(as_text=True)
    assert browser.post(f"{page}/delete", page=page).status_code == 302
    assert db.session.scalar(select(Reflection.id).where(Reflection.id == entry.id)) is None
    assert browser.get(page).status_code == 404
