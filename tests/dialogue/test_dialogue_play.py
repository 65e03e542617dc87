"""Random play by both partners, through the service and over their sockets, checking the invariants after every step."""
from datetime import timedelta

from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import delete, func, select

from couples import clock
from couples.errors import DomainError
from couples.models import Couple, User
from dialogue import machine, service
from dialogue.models import Dialogue, Turn
from extensions import db
from tests.dialogue.play import replay

NS = "/dialogue"
PARTNERS = st.sampled_from(["alice", "bob"])
DETOURS = {"pause", "end", "withdraw", "decline", "later", "skip"}
TEXTS = st.sampled_from([None, "", "   ", "I felt alone last night.", "x" * 500, "x" * 501])


class DialoguePlay(RuleBasedStateMachine):
    """Alice and Bob act at random: in and out of turn, with stale indexes, pauses, resumes and reloads."""

    couple_id = alice_id = bob_id = sockets = None

    def __init__(self):
        super().__init__()
        db.session.execute(delete(Turn))
        db.session.execute(delete(Dialogue))
        db.session.commit()
        self.dialogue_id = None
        for socket in self.sockets.values():  # every example starts with both pages connected
            if not socket.is_connected(NS):
                socket.connect(namespace=NS)
            socket.get_received(NS)

    @property
    def couple(self):
        return db.session.get(Couple, self.couple_id)

    def partner(self, name):
        return db.session.get(User, {"alice": self.alice_id, "bob": self.bob_id}[name])

    @property
    def dialogue(self):
        db.session.expire_all()  # socket events change the database through their own sessions
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

    @rule(who=PARTNERS, action=st.sampled_from(machine.ACTIONS), shift=st.sampled_from([0, 0, 0, -1, 1]),
          text=TEXTS, live=st.booleans())
    def anything(self, who, action, shift, text, live):
        """Any action by anyone, often out of turn or with a stale index: refused unless the design allows it."""
        self.try_act(who, action, shift, text, live)

    @rule(data=st.data(), steps=st.integers(1, 30))
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
            self.try_act(who, action, 0, "Something I would like to say." if move.text == machine.REQUIRED else None,
                         live=data.draw(st.booleans()))

    @rule(who=PARTNERS)
    def connection_drops(self, who):
        if self.sockets[who].is_connected(NS):
            self.sockets[who].disconnect(namespace=NS)

    @rule(who=PARTNERS)
    def connection_comes_back(self, who):
        if not self.sockets[who].is_connected(NS):
            self.sockets[who].connect(namespace=NS)
            assert self.sockets[who].is_connected(NS)

    @rule()
    def reload_elsewhere(self):
        """Another device: forget everything held in memory and read it again."""
        db.session.remove()

    def try_act(self, who, action, shift, text, live):
        """Act from the live page (socket) when it is connected and `live`, else through a plain form (service)."""
        d = self.dialogue
        if d is None:
            return
        before = self.snapshot()
        allowed = machine.refusal(d.position, self.partner(who).id, action, d.turn_index + shift,
                                  (text or "").strip() or None) is None
        if live and self.sockets[who].is_connected(NS) and action != "later":
            accepted = self.act_over_socket(d, who, action, d.turn_index + shift, text)
        else:
            accepted = self.act_through_service(d, who, action, d.turn_index + shift, text)
        assert accepted is allowed
        assert self.snapshot()[2] == before[2] + accepted
        if not accepted:
            assert self.snapshot() == before

    def act_through_service(self, d, who, action, index, text):
        try:
            if action in service.ANSWERS:
                later_at = clock.now() + timedelta(hours=1) if action == "later" else None
                service.answer_invitation(d, self.partner(who), action, index, later_at, text)
            else:
                service.act(d, self.partner(who), action, index, text)
        except DomainError:
            db.session.rollback()
            return False
        return True

    def act_over_socket(self, d, who, action, index, text):
        """The ack says whether it was accepted; once it is committed, the partner's connected page hears of it."""
        other = self.sockets["bob" if who == "alice" else "alice"]
        for socket in self.sockets.values():
            if socket.is_connected(NS):
                socket.get_received(NS)
        answer = self.sockets[who].emit("act", {"dialogue_id": d.id, "action": action, "index": index, "text": text},
                                        namespace=NS, callback=True)
        if answer["ok"] and other.is_connected(NS):
            now = self.dialogue.position
            heard = [e["args"][0] for e in other.get_received(NS) if e["name"] == "changed"]
            assert heard == [{"dialogue_id": d.id, "index": now.index, "state": now.state}]
        return answer["ok"]

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
        assert replay(first, other, [(t.user_id, t.action) for t in turns]) == d.position

    @invariant()
    def at_most_one_open_dialogue(self):
        assert db.session.scalar(select(func.count(Dialogue.id)).where(Dialogue.open_couple_id.is_not(None))) <= 1


def test_random_play_by_both_partners_keeps_every_invariant(app, linked_couple, login, socket_client):
    couple, alice, bob = linked_couple()
    DialoguePlay.sockets = {name: socket_client(NS, login(app.test_client(), user).client)
                            for name, user in (("alice", alice), ("bob", bob))}
    DialoguePlay.couple_id, DialoguePlay.alice_id, DialoguePlay.bob_id = couple.id, alice.id, bob.id
    run_state_machine_as_test(DialoguePlay, settings=settings(
        max_examples=20, stateful_step_count=50, deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]))
