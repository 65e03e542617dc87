"""Through the service and the database: every state × action × partner, refusals change nothing stored."""
import pytest
from sqlalchemy import func, select

from couples.errors import DomainError
from dialogue import machine, service
from dialogue.models import Dialogue, Turn
from extensions import db
from tests.dialogue.play import take, walk
from tests.dialogue.transitions import ALLOWED, PATHS


def stored(dialogue):
    """What the database holds about a dialogue."""
    db.session.expire_all()
    return (db.session.get(Dialogue, dialogue.id).position,
            db.session.scalar(select(func.count(Turn.id)).where(Turn.dialogue_id == dialogue.id)))


@pytest.mark.parametrize("state", [s for s in machine.STATES if s != "new"])
def test_every_action_by_each_partner_through_the_service(state, linked_couple):
    couple, alice, bob = linked_couple()
    _, carol, _ = linked_couple("Carol Nguyen", "Dan Okafor")
    people = {"S": alice, "R": bob, "X": carol}
    dialogue = walk(couple, alice, bob, PATHS[state])
    for action in machine.ACTIONS:
        for who in "SRX":
            expected = ALLOWED.get((state, action, who))
            if expected is None:
                before = stored(dialogue)
                with pytest.raises(DomainError):
                    take(dialogue, people[who], action)
                db.session.rollback()
                assert stored(dialogue) == before, (state, action, who)
            else:
                db.session.delete(dialogue)
                db.session.commit()
                fresh = walk(couple, alice, bob, PATHS[state])
                take(fresh, people[who], action)
                assert stored(fresh)[0].state == expected
                assert fresh.turns[-1].user_id == people[who].id
                assert fresh.turns[-1].step == state and fresh.turns[-1].action == action
                db.session.delete(fresh)
                db.session.commit()
                dialogue = walk(couple, alice, bob, PATHS[state])


def test_only_one_open_dialogue_per_couple(linked_couple):
    couple, alice, bob = linked_couple()
    walk(couple, alice, bob, PATHS["invited"])
    with pytest.raises(DomainError, match="already a dialogue"):
        service.invite(bob, couple, "Something else")
    assert db.session.scalar(select(func.count(Dialogue.id))) == 1


def test_a_finished_dialogue_makes_room_for_the_next(linked_couple):
    couple, alice, bob = linked_couple()
    walk(couple, alice, bob, PATHS["done"])
    assert service.invite(bob, couple, "Something else").state == "invited"
