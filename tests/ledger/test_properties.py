"""Random sequences of actions by both partners never break the ledger's promises to them."""
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings, strategies as st

from couples.errors import DomainError
from ledger import service
from ledger.service import Terms

START = datetime(2026, 3, 1, 18, 0, tzinfo=timezone.utc)  # a Sunday evening, so weeks turn over
# Logging and confirming weigh more: they are what the invariants are about.
OPS = ("log", "log", "log", "confirm", "confirm", "confirm", "missed", "next_day", "next_day",
       "make_daily", "make_weekly", "make_once", "pause", "resume", "end")

actions = st.lists(
    st.tuples(st.sampled_from(("alice", "bob")), st.sampled_from(OPS), st.integers(0, 9), st.integers(0, 2)),
    max_size=30,
)


def perform(op, actor, couple, pick, back):
    """Carry out one action by `actor`; the service may refuse it."""
    promises = service.couple_promises(couple.id)
    deposits = [d for p in promises for d in p.deposits]
    # Even picks aim at what the action can succeed on, odd picks at anything at all.
    if pick % 2 == 0:
        promises = [p for p in promises if p.promiser_id == actor.id] or promises
        deposits = [d for d in deposits if d.status == "pending"] or deposits
    promise = promises[pick // 2 % len(promises)] if promises else None
    day = service.today_for(actor) - timedelta(days=back)
    if op.startswith("make"):
        kind = op.removeprefix("make_")
        service.make_promise(actor, couple, Terms(f"Promise {pick}", kind=kind, weekdays=frozenset({pick % 7})))
    elif op in ("log", "missed") and promise:
        (service.log_deposit if op == "log" else service.mark_missed)(actor, promise, on=day, note="note")
    elif op == "confirm" and deposits:
        service.confirm_deposit(actor, deposits[pick // 2 % len(deposits)], thanks="thanks")
    elif op in ("pause", "resume", "end") and promise:
        getattr(service, f"{op}_promise")(actor, promise)


def consistency_of(person, couple):
    """Each of this person's promises and its consistency figure."""
    return {p.id: service.tally(p).consistency for p in service.couple_promises(couple.id) if p.promiser_id == person.id}


@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=actions, zones=st.sampled_from([("UTC", "UTC"), ("Asia/Tokyo", "America/Los_Angeles")]))
def test_ledger_invariants_hold_for_any_sequence_of_actions(linked_couple, clock, steps, zones):
    clock.at = START
    couple, alice, bob = linked_couple()
    alice.time_zone, bob.time_zone = zones
    people = {"alice": alice, "bob": bob}
    for person in (alice, bob):
        service.make_promise(person, couple, Terms("Good-morning message"))
    first_confirmation = {}
    for name, op, pick, back in steps:
        if op == "next_day":
            clock.advance(days=1)
            continue
        actor = people[name]
        other = bob if actor is alice else alice
        before = consistency_of(other, couple)
        try:
            perform(op, actor, couple, pick, back)
        except DomainError:
            pass
        after = consistency_of(other, couple)
        if op == "confirm":
            # Confirming the other's deposit can only raise their figure.
            assert all(before[p] is None or (after[p] is not None and after[p] >= before[p]) for p in before)
        else:
            assert after == before, f"{name} {op} changed the other partner's consistency"

        for promise in service.couple_promises(couple.id):
            figure = service.tally(promise).consistency
            assert figure is None or 0 <= figure <= 1
            for deposit in promise.deposits:
                if deposit.status == "confirmed":
                    assert deposit.confirmed_by_id != promise.promiser_id
                    assert deposit.confirmed_by_id in (alice.id, bob.id)
                    seen = first_confirmation.setdefault(deposit.id, (deposit.confirmed_at, deposit.thanks))
                    assert seen == (deposit.confirmed_at, deposit.thanks), "a deposit was confirmed twice"
