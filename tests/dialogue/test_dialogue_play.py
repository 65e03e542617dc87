"""Random play by both partners through the service, checking the invariants after every step."""
from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import delete, func, select

from couples import clock
from couples.dialogue import machine, service
from couples.dialogue.models import Dialogue, Turn
from couples.errors import DomainError
from couples.models import Couple, User
from extensions import db

DETOURS = {"pause", "end", "withdraw", "decline", "later", "skip"}
TEXTS = st.sampled_from([None, "", "   ", "I felt alone last night.", "x" * 500, "x" * 501])


class DialoguePlay(RuleBasedStateMachine):
    """Alice and Bob act at random: in and out of turn, with stale indexes, pauses, resumes and reloads."""

    clock = couple_id = alice_id = bob_id = None

    def __init__(self):
        super().__init__()
        db.session.execute(delete(Turn))
        db.session.execute(delete(Dialogue))
        db.session.commit()
        self.dialogue_id = None

    @property
    def couple(self):
        return db.session.get(Couple, self.couple_id)

    def partner(self, name):
        return db.session.get(User, {"alice": self.alice_id, "bob": self.bob_id}[name])

    @property
    def dialogue(self):
        return db.session.get(Dialogue, self.dialogue_id) if self.dialogue_id else None

    def snapshot(self):
        """Everything a refused action must leave untouched."""
        d = self.dialogue
        count = db.session.scalar(select(func.count(Turn.id)))
        return (d.position, d.later_at, count) if d else (None, None, count)

    @rule(who=st.sampled_from(["alice", "bob"]), topic=st.sampled_from(["", "Our evenings", "x" * 201]))
    def invite(self, who, topic):
        before = self.snapshot()
        open_now = service.open_dialogue(self.couple)
        try:
            dialogue = service.invite(self.partner(who), self.couple, topic)
        except DomainError:
            assert self.snapshot() == before
            assert open_now is not None or topic.strip() == "" or len(topic) > machine.MAX_TOPIC
            return
        assert open_now is None
        self.dialogue_id = dialogue.id

    @rule(who=st.sampled_from(["alice", "bob"]), action=st.sampled_from(machine.ACTIONS),
          shift=st.sampled_from([0, 0, 0, -1, 1]), text=TEXTS)
    def anything(self, who, action, shift, text):
        """Any action by anyone, often out of turn or with a stale index: refused unless the design allows it."""
        self.try_act(who, action, shift, text)

    @rule(data=st.data(), steps=st.integers(1, 25))
    def sensible_steps(self, data, steps):
        """Mostly forward steps by whoever may take them, now and then a detour (so dialogues get somewhere)."""
        for _ in range(steps):
            d = self.dialogue
            if d is None or not d.is_open:
                return
            choices = [(who, action) for who in ("alice", "bob")
                       for action in machine.actions_for(d.position, self.partner(who).id)]
            forward = [(who, action) for who, action in choices if action not in DETOURS]
            who, action = data.draw(st.sampled_from(
                choices if data.draw(st.integers(0, 9)) == 0 or not forward else forward))
            move = machine.move(d.state, action)
            self.try_act(who, action, 0, "Something I would like to say." if move.text == machine.REQUIRED else None)

    @rule()
    def reload_elsewhere(self):
        """A dropped connection or another device: forget everything in memory and read it again."""
        db.session.remove()

    @rule(minutes=st.sampled_from([30, 60 * 25]))
    def time_passes(self, minutes):
        """Minutes or a whole day go by (a "later" invitation comes back; nothing else changes)."""
        self.clock.advance(minutes=minutes)

    def try_act(self, who, action, shift, text):
        d = self.dialogue
        if d is None:
            return
        user = self.partner(who)
        before = self.snapshot()
        allowed = machine.refusal(d.position, user.id, action, d.turn_index + shift, (text or "").strip() or None) is None
        try:
            if action in service.ANSWERS:
                later_at = clock.now() + timedelta(hours=1) if action == "later" else None
                service.answer_invitation(d, user, action, d.turn_index + shift, later_at, text)
            else:
                service.act(d, user, action, d.turn_index + shift, text)
        except DomainError:
            assert not allowed
            db.session.rollback()
            assert self.snapshot() == before
            return
        assert allowed
        assert self.snapshot()[2] == before[2] + 1

    @invariant()
    def exactly_one_partner_is_on_turn_while_live(self):
        d = self.dialogue
        if d is not None and machine.is_live(d.state):
            assert d.whose_turn() is not None
            assert d.whose_turn().id in (self.alice_id, self.bob_id)

    @invariant()
    def the_turn_log_replays_to_the_current_state(self):
        d = self.dialogue
        if d is None:
            return
        turns = d.turns
        assert [t.index for t in turns] == list(range(len(turns)))
        first = turns[0].user_id
        other = self.bob_id if first == self.alice_id else self.alice_id
        # replay() raises on any turn taken by someone who was not allowed to take it.
        assert machine.replay(first, other, [(t.user_id, t.action) for t in turns]) == d.position

    @invariant()
    def at_most_one_open_dialogue(self):
        assert db.session.scalar(select(func.count(Dialogue.id)).where(Dialogue.open_couple_id.is_not(None))) <= 1


def test_random_play_by_both_partners_keeps_every_invariant(app, linked_couple, clock):
    with app.app_context():
        couple, alice, bob = linked_couple()
        DialoguePlay.clock = clock
        DialoguePlay.couple_id, DialoguePlay.alice_id, DialoguePlay.bob_id = couple.id, alice.id, bob.id
        run_state_machine_as_test(DialoguePlay, settings=settings(
            max_examples=40, stateful_step_count=40, deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]))
