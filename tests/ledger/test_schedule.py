"""Schedules, consistency and streaks on constructed histories (no database)."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from ledger import schedule
from ledger.schedule import ACTIVE, DAILY, ENDED, ONCE, PAUSED, WEEKLY

MON = date(2026, 3, 2)  # a Monday


@dataclass
class V:
    effective_from: date
    state: str = ACTIVE
    kind: str = DAILY
    weekdays: str = ""
    starts_on: date = MON
    ends_on: date | None = None
    due_on: date | None = None


def days(*offsets):
    return [MON + timedelta(days=o) for o in offsets]


def test_weekday_promise_is_due_on_chosen_weekdays_across_week_boundaries():
    versions = [V(MON, kind=WEEKLY, weekdays="024")]  # Mon, Wed, Fri
    assert schedule.occurrences(versions, MON, MON + timedelta(days=13)) == days(0, 2, 4, 7, 9, 11)


def test_weekend_promise_spans_sunday_to_monday():
    versions = [V(MON, kind=WEEKLY, weekdays="60")]  # Sun and Mon
    assert schedule.occurrences(versions, MON, MON + timedelta(days=8)) == days(0, 6, 7)


def test_daily_promise_respects_start_and_end():
    versions = [V(MON, starts_on=MON + timedelta(days=2), ends_on=MON + timedelta(days=4))]
    assert schedule.occurrences(versions, MON, MON + timedelta(days=10)) == days(2, 3, 4)


def test_paused_days_are_not_due_and_resuming_brings_them_back():
    versions = [V(MON), V(MON + timedelta(days=2), state=PAUSED), V(MON + timedelta(days=5))]
    assert schedule.occurrences(versions, MON, MON + timedelta(days=6)) == days(0, 1, 5, 6)


def test_edit_changes_the_schedule_only_from_its_effective_day():
    versions = [V(MON), V(MON + timedelta(days=7), kind=WEEKLY, weekdays="0")]
    assert schedule.occurrences(versions, MON, MON + timedelta(days=15)) == days(0, 1, 2, 3, 4, 5, 6, 7, 14)


def test_ended_promise_has_no_more_occurrences():
    versions = [V(MON), V(MON + timedelta(days=3), state=ENDED)]
    assert schedule.occurrences(versions, MON, MON + timedelta(days=9)) == days(0, 1, 2)


def test_local_date_follows_the_spring_dst_change_in_new_york():
    # 2026-03-08: clocks in New York jump from 02:00 EST to 03:00 EDT.
    before = datetime(2026, 3, 8, 4, 59, tzinfo=timezone.utc)  # 23:59 EST on the 7th
    after = datetime(2026, 3, 8, 5, 0, tzinfo=timezone.utc)  # 00:00 EST on the 8th
    assert schedule.local_date(before, "America/New_York") == date(2026, 3, 7)
    assert schedule.local_date(after, "America/New_York") == date(2026, 3, 8)
    # A day later the offset is -4: midnight is at 04:00 UTC.
    assert schedule.local_date(datetime(2026, 3, 9, 3, 59, tzinfo=timezone.utc), "America/New_York") == date(2026, 3, 8)
    assert schedule.local_date(datetime(2026, 3, 9, 4, 0, tzinfo=timezone.utc), "America/New_York") == date(2026, 3, 9)


def test_daily_promise_has_exactly_one_occurrence_on_the_autumn_dst_day():
    versions = [V(date(2026, 10, 30), starts_on=date(2026, 10, 30))]
    # Europe/Paris falls back on 2026-10-25; New York on 2026-11-01 (a 25-hour day).
    assert schedule.occurrences(versions, date(2026, 10, 31), date(2026, 11, 2)) == [
        date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 2)]


def test_two_partners_in_different_time_zones_see_different_todays():
    instant = datetime(2026, 3, 2, 23, 30, tzinfo=timezone.utc)
    assert schedule.local_date(instant, "Asia/Tokyo") == date(2026, 3, 3)
    assert schedule.local_date(instant, "America/Los_Angeles") == date(2026, 3, 2)


def test_unknown_time_zone_falls_back_to_utc():
    instant = datetime(2026, 3, 2, 23, 30, tzinfo=timezone.utc)
    assert schedule.local_date(instant, "Mars/Olympus") == date(2026, 3, 2)
    assert schedule.local_date(instant, None) == date(2026, 3, 2)


def test_consistency_is_kept_over_due_and_missed_lowers_it():
    versions = [V(MON)]
    records = {MON: "confirmed", MON + timedelta(days=1): "missed", MON + timedelta(days=2): "confirmed"}
    t = schedule.tally(versions, records, today=MON + timedelta(days=4))
    # due: Mon..Thu (today Fri is not yet due), kept 2, missed 1, Thursday unrecorded
    assert (t.kept, t.due, t.missed, t.pending) == (2, 4, 1, 0)
    assert t.consistency == 0.5


def test_waiting_deposit_is_neither_kept_nor_held_against_the_promiser():
    versions = [V(MON)]
    records = {MON: "confirmed", MON + timedelta(days=1): "pending"}
    t = schedule.tally(versions, records, today=MON + timedelta(days=2))
    assert (t.kept, t.due, t.pending) == (1, 1, 1)
    assert t.consistency == 1.0


def test_todays_occurrence_counts_only_once_recorded():
    versions = [V(MON)]
    assert schedule.tally(versions, {}, today=MON).consistency is None
    assert schedule.tally(versions, {MON: "confirmed"}, today=MON).consistency == 1.0
    assert schedule.tally(versions, {MON: "missed"}, today=MON).consistency == 0.0


def test_streak_counts_back_from_the_latest_due_occurrence():
    versions = [V(MON)]
    records = {d: "confirmed" for d in days(0, 1, 3, 4, 5)}
    t = schedule.tally(versions, records, today=MON + timedelta(days=6))
    assert (t.streak, t.best_streak) == (3, 3)
    records[MON + timedelta(days=2)] = "confirmed"
    assert schedule.tally(versions, records, today=MON + timedelta(days=6)).streak == 6


def test_streak_is_broken_by_a_missed_or_forgotten_day_but_not_by_waiting():
    versions = [V(MON)]
    records = {MON: "confirmed", MON + timedelta(days=1): "pending", MON + timedelta(days=2): "confirmed"}
    assert schedule.tally(versions, records, today=MON + timedelta(days=3)).streak == 2
    assert schedule.tally(versions, records, today=MON + timedelta(days=4)).streak == 0  # Thursday forgotten
    records[MON + timedelta(days=3)] = "missed"
    t = schedule.tally(versions, records, today=MON + timedelta(days=4))
    assert (t.streak, t.best_streak) == (0, 2)


def test_streak_survives_a_pause():
    versions = [V(MON), V(MON + timedelta(days=2), state=PAUSED), V(MON + timedelta(days=5))]
    records = {d: "confirmed" for d in days(0, 1, 5)}
    assert schedule.tally(versions, records, today=MON + timedelta(days=6)).streak == 3


def test_weekly_streak_skips_days_that_are_not_due():
    versions = [V(MON, kind=WEEKLY, weekdays="3")]  # Thursdays
    records = {d: "confirmed" for d in days(3, 10, 17)}
    t = schedule.tally(versions, records, today=MON + timedelta(days=20))
    assert (t.kept, t.due, t.streak) == (3, 3, 3)


def test_one_off_without_due_date_counts_only_once_recorded():
    versions = [V(MON, kind=ONCE)]
    assert schedule.tally(versions, {}, today=MON + timedelta(days=30)).consistency is None
    assert schedule.tally(versions, {MON: "confirmed"}, today=MON + timedelta(days=30)).consistency == 1.0


def test_one_off_with_due_date_is_due_after_that_date():
    versions = [V(MON, kind=ONCE, due_on=MON + timedelta(days=3))]
    assert schedule.tally(versions, {}, today=MON + timedelta(days=3)).due == 0
    t = schedule.tally(versions, {}, today=MON + timedelta(days=4))
    assert (t.due, t.consistency, t.streak) == (1, 0.0, 0)


def test_one_off_paused_over_its_due_date_is_not_held_against_anyone():
    versions = [V(MON, kind=ONCE, due_on=MON + timedelta(days=3)), V(MON + timedelta(days=1), kind=ONCE, state=PAUSED,
                                                                      due_on=MON + timedelta(days=3))]
    assert schedule.tally(versions, {}, today=MON + timedelta(days=9)).due == 0


def test_describe_says_how_often_in_words():
    assert schedule.describe(V(MON, kind=WEEKLY, weekdays="01234")) == "every weekday"
    assert schedule.describe(V(MON, kind=WEEKLY, weekdays="35")) == "every Thu, Sat"
    assert schedule.describe(V(MON)) == "every day"
    assert schedule.describe(V(MON, kind=ONCE, due_on=date(2026, 3, 5))) == "once, by Thu 05 Mar 2026"
