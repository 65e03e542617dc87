"""The ledger's rules, through its service functions (no HTTP)."""
from datetime import date, datetime, timezone
import json

import pytest
from sqlalchemy.exc import IntegrityError

from couples import linking
from couples.errors import Conflict, Forbidden, Invalid, NotFound, ReadOnly
from extensions import db
from ledger import service
from ledger.models import Deposit
from ledger.service import Terms

MON = date(2026, 3, 2)  # the clock fixture starts on Monday 2 March 2026, 09:00 UTC


@pytest.fixture
def pair(linked_couple):
    return linked_couple()


def daily(user, couple, text="Good-morning message"):
    return service.make_promise(user, couple, Terms(text))


def test_promiser_makes_a_daily_promise_and_partner_sees_it(pair):
    couple, alice, bob = pair
    promise = daily(alice, couple)
    seen = service.ledger_summary(bob, couple)
    assert [line.promise.id for line in seen.theirs] == [promise.id]
    assert seen.mine == []
    assert promise.current.how_often == "every day"


@pytest.mark.parametrize("terms, code", [
    (Terms("   "), "text_required"),
    (Terms("x" * 201), "text_too_long"),
    (Terms("Walk together", kind="weekly"), "no_weekdays"),
    (Terms("Walk together", kind="monthly"), "bad_kind"),
    (Terms("Walk together", starts_on=date(2026, 3, 1)), "start_in_past"),
    (Terms("Walk together", ends_on=date(2026, 3, 1)), "end_before_start"),
    (Terms("Call the plumber", kind="once", due_on=date(2026, 3, 1)), "due_before_start"),
])
def test_a_promise_that_does_not_make_sense_is_refused(pair, terms, code):
    couple, alice, _ = pair
    with pytest.raises(Invalid) as refusal:
        service.make_promise(alice, couple, terms)
    assert refusal.value.code == code
    assert service.ledger_summary(alice, couple).mine == []


def test_only_the_promiser_logs_deposits(pair):
    couple, alice, bob = pair
    promise = daily(alice, couple)
    with pytest.raises(Forbidden):
        service.log_deposit(bob, promise)
    assert promise.deposits == []


def test_deposit_counts_only_once_the_partner_confirms_it_with_thanks(pair):
    couple, alice, bob = pair
    promise = daily(alice, couple)
    deposit = service.log_deposit(alice, promise, note="Sent at 7:30")
    assert service.tally(promise).consistency is None  # waiting: neither kept nor due
    assert [d.id for d in service.ledger_summary(bob, couple).waiting_for_you] == [deposit.id]
    assert service.ledger_summary(alice, couple).waiting_for_you == []

    service.confirm_deposit(bob, deposit, thanks="It made my morning")
    assert (deposit.status, deposit.thanks, deposit.confirmed_by_id) == ("confirmed", "It made my morning", bob.id)
    assert service.tally(promise).consistency == 1.0
    assert service.ledger_summary(bob, couple).this_week == 1


def test_promiser_cannot_confirm_their_own_deposit(pair):
    couple, alice, _ = pair
    deposit = service.log_deposit(alice, daily(alice, couple))
    with pytest.raises(Forbidden):
        service.confirm_deposit(alice, deposit)
    assert deposit.status == "pending"


def test_a_deposit_is_confirmed_at_most_once(pair, clock):
    couple, alice, bob = pair
    deposit = service.log_deposit(alice, daily(alice, couple))
    service.confirm_deposit(bob, deposit, thanks="first")
    first = deposit.confirmed_at
    clock.advance(hours=1)
    with pytest.raises(Conflict):
        service.confirm_deposit(bob, deposit, thanks="second")
    assert (deposit.thanks, deposit.confirmed_at) == ("first", first)


def test_one_deposit_per_occurrence(pair):
    couple, alice, _ = pair
    promise = daily(alice, couple)
    service.log_deposit(alice, promise)
    with pytest.raises(Conflict):
        service.log_deposit(alice, promise)
    with pytest.raises(Conflict):
        service.mark_missed(alice, promise)
    assert len(promise.deposits) == 1


def test_database_refuses_a_second_deposit_for_the_same_occurrence(pair):
    couple, alice, _ = pair
    promise = daily(alice, couple)
    service.log_deposit(alice, promise)
    db.session.add(Deposit(promise_id=promise.id, occurrence_on=MON, kept_on=MON, status="pending"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_database_refuses_a_confirmation_without_who_and_when(pair):
    couple, alice, _ = pair
    promise = daily(alice, couple)
    db.session.add(Deposit(promise_id=promise.id, occurrence_on=MON, kept_on=MON, status="confirmed"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_future_day_is_refused_with_a_clear_message(pair):
    couple, alice, _ = pair
    promise = daily(alice, couple)
    with pytest.raises(Invalid, match="hasn't come yet"):
        service.log_deposit(alice, promise, on=date(2026, 3, 3))
    with pytest.raises(Invalid, match="hasn't come yet"):
        service.mark_missed(alice, promise, on=date(2026, 3, 3))


def test_a_day_that_was_not_due_is_refused(pair, clock):
    couple, alice, _ = pair
    thursdays = service.make_promise(alice, couple, Terms("Home by 7", kind="weekly", weekdays=frozenset({3})))
    clock.advance(days=4)  # Friday
    with pytest.raises(Invalid, match="wasn't due on Wednesday 04 March"):
        service.log_deposit(alice, thursdays, on=date(2026, 3, 4))
    service.log_deposit(alice, thursdays, on=date(2026, 3, 5))


def test_a_day_before_the_promise_started_is_refused(pair, clock):
    couple, alice, _ = pair
    clock.advance(days=1)
    promise = daily(alice, couple)
    with pytest.raises(Invalid, match="wasn't due"):
        service.log_deposit(alice, promise, on=MON)


def test_days_older_than_a_week_can_no_longer_be_recorded(pair, clock):
    couple, alice, _ = pair
    promise = daily(alice, couple)
    clock.advance(days=8)
    with pytest.raises(Invalid, match="up to a week back"):
        service.log_deposit(alice, promise, on=MON)
    service.log_deposit(alice, promise, on=date(2026, 3, 3))


def test_only_the_promiser_marks_missed_and_it_lowers_consistency(pair, clock):
    couple, alice, bob = pair
    promise = daily(alice, couple)
    with pytest.raises(Forbidden):
        service.mark_missed(bob, promise)
    service.confirm_deposit(bob, service.log_deposit(alice, promise))
    clock.advance(days=1)
    service.mark_missed(alice, promise)
    assert service.tally(promise).consistency == 0.5


def test_a_missed_day_is_never_shown_to_the_partner_as_a_debt(pair, clock):
    couple, alice, bob = pair
    promise = daily(alice, couple)
    service.mark_missed(alice, promise, note="Overslept")
    seen = service.ledger_summary(bob, couple)
    assert seen.recent == [] and seen.waiting_for_you == [] and seen.total == 0
    assert all(week[1] >= 0 for week in seen.weeks)
    bob_export = service.export_for_user(bob)["ledger"][0]["promises"][0]
    assert bob_export["records"] == []
    assert service.export_for_user(alice)["ledger"][0]["promises"][0]["records"][0]["status"] == "missed"


def test_unconfirmed_after_a_week_stays_visible_without_penalty(pair, clock):
    couple, alice, bob = pair
    once = service.make_promise(alice, couple, Terms("Call your mother back", kind="once"))
    deposit = service.log_deposit(alice, once)
    clock.advance(days=10)
    assert [d.id for d in service.ledger_summary(bob, couple).waiting_for_you] == [deposit.id]
    assert [d.id for d in service.ledger_summary(alice, couple).waiting_for_partner] == [deposit.id]
    figures = service.tally(once)
    assert (figures.due, figures.kept, figures.pending, figures.consistency) == (0, 0, 1, None)
    service.confirm_deposit(bob, deposit)
    assert service.tally(once).consistency == 1.0


def test_one_off_promise_takes_one_deposit_whatever_the_day(pair, clock):
    couple, alice, bob = pair
    once = service.make_promise(alice, couple, Terms("Fix the shelf", kind="once", due_on=date(2026, 3, 6)))
    clock.advance(days=2)
    deposit = service.log_deposit(alice, once)
    assert (deposit.kept_on, deposit.occurrence_on) == (date(2026, 3, 4), MON)
    clock.advance(days=1)
    with pytest.raises(Conflict):
        service.log_deposit(alice, once)
    assert service.tally(once).streak == 0


def test_ledger_is_read_only_after_unlinking(pair):
    couple, alice, bob = pair
    promise = daily(alice, couple)
    deposit = service.log_deposit(alice, promise)
    linking.unlink(couple, bob)
    for attempt in (lambda: daily(alice, couple), lambda: service.log_deposit(alice, promise),
                    lambda: service.mark_missed(alice, promise), lambda: service.confirm_deposit(bob, deposit),
                    lambda: service.pause_promise(alice, promise), lambda: service.end_promise(alice, promise),
                    lambda: service.edit_promise(alice, promise, Terms("Changed"))):
        with pytest.raises(ReadOnly):
            attempt()
    for person in (alice, bob):
        archive = service.ledger_summary(person, couple)
        assert archive.read_only and archive.total == 0
    assert deposit.status == "pending"


def test_another_couple_cannot_see_or_touch_the_ledger(pair, linked_couple):
    couple, alice, bob = pair
    _, carol, _ = linked_couple("Carol Nguyen", "Dan Okafor")
    promise = daily(alice, couple)
    deposit = service.log_deposit(alice, promise)
    with pytest.raises(NotFound):
        service.promise_for(carol, promise.id)
    with pytest.raises(NotFound):
        service.deposit_for(carol, deposit.id, write=True)
    with pytest.raises(NotFound):
        service.ledger_summary(carol, couple)
    with pytest.raises(NotFound):
        service.confirm_deposit(carol, deposit)
    with pytest.raises(NotFound):
        service.make_promise(carol, couple, Terms("Sneaky"))


def test_pause_resume_and_end_change_what_is_due(pair, clock):
    couple, alice, bob = pair
    promise = daily(alice, couple)
    clock.advance(days=1)
    service.pause_promise(alice, promise)
    with pytest.raises(Invalid, match="wasn't due"):
        service.log_deposit(alice, promise)
    with pytest.raises(Invalid):
        service.pause_promise(alice, promise)
    clock.advance(days=2)
    service.resume_promise(alice, promise)
    service.confirm_deposit(bob, service.log_deposit(alice, promise))
    # Due: Monday (forgotten) and Thursday (kept); Tuesday and Wednesday rested.
    assert (service.tally(promise).kept, service.tally(promise).due) == (1, 2)
    clock.advance(days=2)
    assert service.tally(promise).due == 3  # Friday went by unrecorded
    service.end_promise(alice, promise)
    clock.advance(days=5)
    assert service.tally(promise).due == 3
    with pytest.raises(Invalid):
        service.resume_promise(alice, promise)
    with pytest.raises(Forbidden):
        service.end_promise(bob, promise)


def test_edits_apply_from_today_and_are_kept_in_history(pair, clock):
    couple, alice, bob = pair
    promise = daily(alice, couple, "Good-morning message")
    clock.advance(days=1)
    service.edit_promise(alice, promise, Terms("Good-morning message on weekdays", kind="weekly",
                                               weekdays=frozenset(range(5))))
    assert [v.text for v in promise.versions] == ["Good-morning message", "Good-morning message on weekdays"]
    assert promise.versions[-1].starts_on == MON  # the start is history
    assert service.occurrences(promise, MON, date(2026, 3, 9)) == [
        MON, date(2026, 3, 3), date(2026, 3, 4), date(2026, 3, 5), date(2026, 3, 6), date(2026, 3, 9)]
    with pytest.raises(Forbidden):
        service.edit_promise(bob, promise, Terms("Something else"))
    with pytest.raises(Invalid):
        service.edit_promise(alice, promise, Terms("Once", kind="once"))


def test_partners_in_different_time_zones_each_keep_their_own_day(pair, clock):
    couple, alice, bob = pair
    alice.time_zone, bob.time_zone = "Asia/Tokyo", "America/Los_Angeles"
    db.session.commit()
    clock.at = datetime(2026, 3, 2, 23, 30, tzinfo=timezone.utc)  # Tokyo: Tue 08:30, Los Angeles: Mon 15:30
    hers, his = daily(alice, couple, "Text at lunch"), daily(bob, couple, "Walk the dog")
    assert (hers.versions[0].starts_on, his.versions[0].starts_on) == (date(2026, 3, 3), MON)
    assert service.log_deposit(alice, hers).kept_on == date(2026, 3, 3)
    with pytest.raises(Invalid, match="hasn't come yet"):
        service.log_deposit(bob, his, on=date(2026, 3, 3))
    assert service.log_deposit(bob, his).kept_on == MON


def test_a_new_day_starts_at_local_midnight_across_the_spring_dst_change(pair, clock):
    couple, alice, _ = pair
    alice.time_zone = "America/New_York"
    db.session.commit()
    clock.at = datetime(2026, 3, 7, 12, 0, tzinfo=timezone.utc)
    promise = service.make_promise(alice, couple, Terms("Weekend breakfast", kind="weekly", weekdays=frozenset({5, 6})))
    clock.at = datetime(2026, 3, 8, 4, 30, tzinfo=timezone.utc)  # Saturday 23:30 EST
    with pytest.raises(Invalid, match="hasn't come yet"):
        service.log_deposit(alice, promise, on=date(2026, 3, 8))
    clock.at = datetime(2026, 3, 8, 5, 30, tzinfo=timezone.utc)  # Sunday 00:30 EST
    service.log_deposit(alice, promise, on=date(2026, 3, 8))
    clock.at = datetime(2026, 3, 9, 3, 30, tzinfo=timezone.utc)  # still Sunday, 23:30 EDT
    assert service.today_for(alice) == date(2026, 3, 8)
    with pytest.raises(Invalid, match="hasn't come yet"):
        service.log_deposit(alice, promise, on=date(2026, 3, 9))
    clock.at = datetime(2026, 3, 9, 4, 30, tzinfo=timezone.utc)  # Monday 00:30 EDT: midnight moved to 04:00 UTC
    with pytest.raises(Invalid, match="wasn't due on Monday"):
        service.log_deposit(alice, promise, on=date(2026, 3, 9))


def test_streak_and_consistency_on_a_week_of_history(pair, clock):
    couple, alice, bob = pair
    promise = daily(alice, couple)
    for kept in (True, True, False, True, True, True):
        if kept:
            service.confirm_deposit(bob, service.log_deposit(alice, promise))
        else:
            service.mark_missed(alice, promise)
        clock.advance(days=1)
    figures = service.tally(promise)
    assert (figures.kept, figures.due, figures.streak, figures.best_streak) == (5, 6, 3, 3)
    assert service.tally(promise).streak == 3
    assert service.tally(promise).consistency == pytest.approx(5 / 6)


def test_week_chart_counts_confirmed_deposits_per_week(pair, clock):
    couple, alice, bob = pair
    promise = daily(alice, couple)
    for _ in range(9):
        deposit = service.log_deposit(alice, promise)
        service.confirm_deposit(bob, deposit)
        clock.advance(days=1)
    summary = service.ledger_summary(alice, couple)
    assert summary.weeks[-2:] == [(MON, 7), (date(2026, 3, 9), 2)]
    assert (summary.this_week, summary.total) == (2, 9)


def test_export_is_json_ready_and_names_the_promiser(pair):
    couple, alice, bob = pair
    promise = daily(alice, couple)
    service.confirm_deposit(bob, service.log_deposit(alice, promise), thanks="Thank you")
    exported = service.export_for_user(bob)
    json.dumps(exported)
    first = exported["ledger"][0]["promises"][0]
    assert first["promiser"] == "Alice Moreau"
    assert first["records"][0]["thanks"] == "Thank you"
    assert first["consistency"] == 1.0


def test_chart_keeps_a_deposit_made_on_a_day_that_is_still_tomorrow_for_the_viewer(pair, clock):
    couple, alice, bob = pair
    alice.time_zone, bob.time_zone = "Europe/Paris", "America/New_York"
    db.session.commit()
    clock.at = datetime(2026, 3, 8, 23, 30, tzinfo=timezone.utc)  # Paris: Monday 00:30, New York: Sunday 19:30
    promise = daily(alice, couple)
    service.confirm_deposit(bob, service.log_deposit(alice, promise))
    seen = service.ledger_summary(bob, couple)
    assert seen.weeks[-1] == (date(2026, 3, 9), 1) and seen.total == 1


def test_my_data_export_carries_the_ledger():
    from privacy.mydata import feature_exporters

    assert feature_exporters()["ledger"] is service.export_for_user
