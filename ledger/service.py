"""The trust ledger's rules: who may promise, log, confirm and mark missed, and what it adds up to.

Plain functions taking the acting user; they raise DomainError and never look at the request.
Dates of occurrences are calendar dates in the promiser's time zone; instants are UTC.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from couples import clock
from couples.access import couple_for_member, may_change
from couples.errors import Conflict, Forbidden, Invalid, NotFound
from couples.models import Couple, User, couples_of
from extensions import db
from ledger import origins, schedule
from ledger.models import CONFIRMED, MISSED, NOTE_MAX, PENDING, TEXT_MAX, Deposit, Promise, PromiseSchedule
from live.sockets import announce
from privacy import mydata

LOG_WINDOW_DAYS = 7  # how far back a kept (or missed) day can still be recorded
START_WINDOW_DAYS = 366  # how far ahead a promise may start
CHART_WEEKS = 12


# ---- time ---------------------------------------------------------------------------------------

def today_for(user: User) -> date:
    """Today's date where this person lives."""
    return schedule.local_date(clock.now(), user.time_zone)


def promise_today(promise: Promise) -> date:
    """Today in the promiser's time zone: the day their promise is kept in."""
    return today_for(promise.promiser)


# ---- finding things -----------------------------------------------------------------------------

def promise_for(user: User, promise_id: int, write: bool = False) -> Promise:
    """The promise with this id if the user is (or was) in its couple; NotFound otherwise."""
    promise = db.session.get(Promise, promise_id)
    if promise is None:
        raise NotFound()
    couple_for_member(user, promise.couple_id, write=write)
    return promise


def deposit_for(user: User, deposit_id: int, write: bool = False) -> Deposit:
    """The deposit with this id if the user is (or was) in its couple; NotFound otherwise."""
    deposit = db.session.get(Deposit, deposit_id)
    if deposit is None:
        raise NotFound()
    couple_for_member(user, deposit.promise.couple_id, write=write)
    return deposit


def _as_promiser(user: User, promise: Promise) -> None:
    couple_for_member(user, promise.couple_id, write=True)
    if promise.promiser_id != user.id:
        raise Forbidden("Only the partner who made this promise can change it or record it.", "not_promiser")


# ---- promises -----------------------------------------------------------------------------------

@dataclass
class Terms:
    """A promise's wording and schedule as asked for, before it is checked."""

    text: str
    kind: str = schedule.DAILY
    weekdays: frozenset[int] = field(default_factory=frozenset)
    starts_on: date | None = None
    ends_on: date | None = None
    due_on: date | None = None


def _checked(terms: Terms, today: date, started_on: date | None = None) -> Terms:
    """Clean and check terms; `started_on` is the start of a promise already under way, which stays."""
    text = " ".join((terms.text or "").split())
    if not text:
        raise Invalid("Say in a few words what you promise.", "text_required")
    if len(text) > TEXT_MAX:
        raise Invalid(f"Keep the promise under {TEXT_MAX} characters.", "text_too_long")
    if terms.kind not in schedule.KINDS:
        raise Invalid("Choose once, every day, or chosen weekdays.", "bad_kind")
    weekdays = frozenset(d for d in terms.weekdays if 0 <= d <= 6)
    if terms.kind == schedule.WEEKLY and not weekdays:
        raise Invalid("Choose at least one weekday.", "no_weekdays")
    starts_on = started_on or terms.starts_on or today
    if started_on is None and starts_on < today:
        raise Invalid("A promise starts today or later.", "start_in_past")
    if starts_on > today + timedelta(days=START_WINDOW_DAYS):
        raise Invalid("A promise starts within the coming year.", "start_too_far")
    if terms.ends_on and terms.ends_on < max(starts_on, today):
        raise Invalid("The end date comes after the start and is not in the past.", "end_before_start")
    if terms.due_on and terms.due_on < max(starts_on, today):
        raise Invalid("The due date comes after the start and is not in the past.", "due_before_start")
    recurring = terms.kind != schedule.ONCE
    return Terms(
        text=text,
        kind=terms.kind,
        weekdays=weekdays if terms.kind == schedule.WEEKLY else frozenset(),
        starts_on=starts_on,
        ends_on=terms.ends_on if recurring else None,
        due_on=None if recurring else terms.due_on,
    )


def _version(terms: Terms, effective_from: date, state: str) -> PromiseSchedule:
    return PromiseSchedule(
        effective_from=effective_from,
        text=terms.text,
        state=state,
        kind=terms.kind,
        weekdays=schedule.format_weekdays(terms.weekdays),
        starts_on=terms.starts_on,
        ends_on=terms.ends_on,
        due_on=terms.due_on,
        created_at=clock.now(),
    )


def _tell(user: User, couple_id: int, event: str, message: str, **data) -> None:
    """Tell both partners' open pages of a committed ledger change (the page shows `message`, then refreshes)."""
    announce(couple_id, event, {"message": message.format(name=user.name), "by": user.id, **data})


def make_promise(user: User, couple: Couple, terms: Terms, agreement: str | None = None) -> Promise:
    """The user promises something to their partner, once or on a schedule, maybe from one of their agreements.

    `agreement` is 'document id:agreement id' of one of the couple's agreements.
    """
    promise = add_promise(user, couple, terms, agreement)
    db.session.commit()
    tell_promise_made(user, promise)
    return promise


def tell_promise_made(user: User, promise: Promise) -> None:
    """Tell both partners' pages of a new promise, once it is committed (whoever committed it)."""
    _tell(user, promise.couple_id, "promise_changed", "{name} made a new promise.", promise_id=promise.id,
          what="made")


def add_promise(user: User, couple: Couple, terms: Terms, agreement: str | None = None) -> Promise:
    """make_promise without the commit: the promise joins the caller's transaction (e.g. with its origin).

    Once the caller commits, it calls tell_promise_made.
    """
    couple_for_member(user, couple.id, write=True)
    today = today_for(user)
    checked = _checked(terms, today)
    source = origins.find(user, couple, agreement) if agreement else None
    promise = Promise(couple_id=couple.id, promiser_id=user.id, created_at=clock.now(),
                      agreement_doc_id=str(source.doc_id) if source else None,
                      agreement_id=source.agreement_id if source else None)
    promise.versions.append(_version(checked, today, schedule.ACTIVE))
    db.session.add(promise)
    db.session.flush()
    return promise


def edit_promise(user: User, promise: Promise, terms: Terms) -> Promise:
    """The promiser rewords or reschedules a promise from today on; earlier versions stay in its history."""
    _as_promiser(user, promise)
    current = promise.current
    if current.state == schedule.ENDED:
        raise Invalid("This promise has ended; make a new one instead.", "ended")
    if (terms.kind == schedule.ONCE) != (current.kind == schedule.ONCE):
        raise Invalid("A one-off promise stays one-off, and a recurring one stays recurring.", "kind_change")
    today = promise_today(promise)
    # The start is history once reached; before that it can still move.
    started_on = current.starts_on if current.starts_on <= today else None
    promise.versions.append(_version(_checked(terms, today, started_on), today, current.state))
    db.session.commit()
    _tell(user, promise.couple_id, "promise_changed", "{name} changed a promise.", promise_id=promise.id,
          what="edited")
    return promise


def _change_state(user: User, promise: Promise, allowed_from: tuple[str, ...], to: str, refusal: str,
                  what: str, told: str) -> Promise:
    _as_promiser(user, promise)
    current = promise.current
    if current.state not in allowed_from:
        raise Invalid(refusal, "bad_state")
    terms = Terms(current.text, current.kind, schedule.parse_weekdays(current.weekdays), current.starts_on,
                  current.ends_on, current.due_on)
    promise.versions.append(_version(terms, promise_today(promise), to))
    db.session.commit()
    _tell(user, promise.couple_id, "promise_changed", told, promise_id=promise.id, what=what)
    return promise


def pause_promise(user: User, promise: Promise) -> Promise:
    """The promiser pauses a promise from today: nothing is due while it rests."""
    return _change_state(user, promise, (schedule.ACTIVE,), schedule.PAUSED, "Only an active promise can pause.",
                         "paused", "{name} paused a promise.")


def resume_promise(user: User, promise: Promise) -> Promise:
    """The promiser picks a paused promise up again from today."""
    return _change_state(user, promise, (schedule.PAUSED,), schedule.ACTIVE, "This promise is not paused.",
                         "resumed", "{name} picked a promise up again.")


def end_promise(user: User, promise: Promise) -> Promise:
    """The promiser ends a promise from today; what was recorded stays."""
    return _change_state(user, promise, (schedule.ACTIVE, schedule.PAUSED), schedule.ENDED,
                         "This promise has already ended.", "ended", "{name} ended a promise.")


# ---- deposits -----------------------------------------------------------------------------------

def _occurrence(promise: Promise, on: date | None) -> tuple[date, date]:
    """Check a day the promiser names and return (occurrence key, day kept)."""
    today = promise_today(promise)
    on = on or today
    if on > today:
        raise Invalid("That day hasn't come yet.", "future_date")
    if on < today - timedelta(days=LOG_WINDOW_DAYS):
        raise Invalid("You can record up to a week back.", "too_old")
    key = schedule.occurrence_key(promise.versions)
    if key is None:
        if not schedule.is_due_on(promise.versions, on):
            raise Invalid(f"This promise wasn't due on {on:%A %d %B}.", "not_due")
        return on, on
    version = schedule.version_on(promise.versions, on)
    if on < key or version is None or version.state != schedule.ACTIVE:
        raise Invalid(f"This promise wasn't open on {on:%A %d %B}.", "not_due")
    return key, on


def _record(user: User, promise: Promise, on: date | None, status: str, note: str) -> Deposit:
    _as_promiser(user, promise)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise Invalid(f"Keep the note under {NOTE_MAX} characters.", "note_too_long")
    key, kept_on = _occurrence(promise, on)
    if key in promise.records():
        raise Conflict("That day is already recorded.", "already_recorded")
    deposit = Deposit(promise=promise, occurrence_on=key, kept_on=kept_on, status=status, note=note,
                      logged_at=clock.now())
    db.session.add(deposit)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("That day is already recorded.", "already_recorded") from None
    return deposit


def log_deposit(user: User, promise: Promise, on: date | None = None, note: str = "") -> Deposit:
    """The promiser says "I kept this" for a due day (today by default); it waits for the partner."""
    deposit = _record(user, promise, on, PENDING, note)
    _tell(user, promise.couple_id, "deposit_logged", "{name} kept a promise and is waiting for you to confirm.",
          deposit_id=deposit.id)
    return deposit


def mark_missed(user: User, promise: Promise, on: date | None = None, note: str = "") -> Deposit:
    """The promiser honestly marks a due day missed: it lowers consistency, and is never shown as a debt.

    Nothing is announced: the partner's page shows it at its next refresh.
    """
    return _record(user, promise, on, MISSED, note)


def confirm_deposit(user: User, deposit: Deposit, thanks: str = "") -> Deposit:
    """The partner confirms a deposit, optionally with a word of thanks. Only confirmed deposits count."""
    couple_for_member(user, deposit.promise.couple_id, write=True)
    if deposit.promise.promiser_id == user.id:
        raise Forbidden("Your partner confirms your deposits; you can't confirm your own.", "own_deposit")
    thanks = (thanks or "").strip()
    if len(thanks) > NOTE_MAX:
        raise Invalid(f"Keep the thanks under {NOTE_MAX} characters.", "thanks_too_long")
    if deposit.status == MISSED:
        raise Invalid("There is nothing to confirm here.", "not_a_deposit")
    # Conditional update: of two confirmations racing, exactly one changes the row.
    changed = db.session.execute(
        update(Deposit)
        .where(Deposit.id == deposit.id, Deposit.status == PENDING)
        .values(status=CONFIRMED, thanks=thanks, confirmed_at=clock.now(), confirmed_by_id=user.id)
    ).rowcount
    db.session.commit()
    if not changed:
        raise Conflict("This deposit is already confirmed.", "already_confirmed")
    _tell(user, deposit.promise.couple_id, "deposit_confirmed", "{name} confirmed your deposit.", deposit_id=deposit.id)
    db.session.refresh(deposit)
    return deposit


# ---- figures ------------------------------------------------------------------------------------

def occurrences(promise: Promise, start: date, end: date) -> list[date]:
    """The days between start and end (inclusive) on which a recurring promise is due."""
    return schedule.occurrences(promise.versions, start, end)


def tally(promise: Promise, today: date | None = None) -> schedule.Tally:
    """Kept, due, waiting and streak figures of a promise, as of today in the promiser's time zone."""
    return schedule.tally(promise.versions, promise.records(), today or promise_today(promise))


@dataclass
class PromiseLine:
    """One promise as the ledger page shows it."""

    promise: Promise
    tally: schedule.Tally
    today: date
    open_days: list[date]  # recent due days nothing is recorded for yet, newest first

    @property
    def today_status(self) -> str | None:
        """What is recorded for today's occurrence, if anything."""
        key = schedule.occurrence_key(self.promise.versions) or self.today
        return self.promise.records().get(key)


@dataclass
class LedgerSummary:
    """Everything the ledger page and the home card show one partner."""

    couple: Couple
    viewer: User
    partner: User | None
    read_only: bool
    mine: list[PromiseLine]
    theirs: list[PromiseLine]
    waiting_for_you: list[Deposit]
    waiting_for_partner: list[Deposit]
    recent: list[Deposit]
    weeks: list[tuple[date, int]]
    this_week: int
    total: int


def _open_days(promise: Promise, today: date) -> list[date]:
    records = promise.records()
    key = schedule.occurrence_key(promise.versions)
    if key is None:
        window = occurrences(promise, today - timedelta(days=LOG_WINDOW_DAYS), today)
    else:
        version = schedule.version_on(promise.versions, today)
        window = [today] if key <= today and version is not None and version.state == schedule.ACTIVE else []
        window = [] if key in records else window
    return sorted((d for d in window if d not in records), reverse=True)


def couple_promises(couple_id: int) -> list[Promise]:
    """All promises of a couple, oldest first."""
    return list(db.session.scalars(select(Promise).where(Promise.couple_id == couple_id).order_by(Promise.id)))


def weekly_confirmed(deposits: list[Deposit], last_week: date, weeks: int = CHART_WEEKS) -> list[tuple[date, int]]:
    """Confirmed deposits per week (Monday first) for the `weeks` weeks ending with `last_week`'s week."""
    end = schedule.week_start(last_week)
    starts = [end - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    counts = dict.fromkeys(starts, 0)
    for d in deposits:
        monday = schedule.week_start(d.kept_on)
        if d.status == CONFIRMED and monday in counts:
            counts[monday] += 1
    return list(counts.items())


def ledger_summary(user: User, couple: Couple) -> LedgerSummary:
    """The couple's ledger as this partner sees it; the partner's missed days show only in their figures."""
    couple_for_member(user, couple.id)
    lines = []
    for promise in couple_promises(couple.id):
        today = promise_today(promise)
        lines.append(PromiseLine(promise, tally(promise, today), today, _open_days(promise, today)))
    deposits = [d for line in lines for d in line.promise.deposits]
    viewer_today = today_for(user)
    pending = sorted((d for d in deposits if d.status == PENDING), key=lambda d: d.logged_at)
    shown = sorted((d for d in deposits if d.status != MISSED), key=lambda d: d.logged_at, reverse=True)
    # A partner ahead in time may have kept a promise on what is still tomorrow here: show it, not drop it.
    latest = max([viewer_today] + [d.kept_on for d in deposits if d.status == CONFIRMED])
    weeks = weekly_confirmed(deposits, latest)
    return LedgerSummary(
        couple=couple,
        viewer=user,
        partner=couple.partner_of(user),
        read_only=not may_change(user, couple),
        mine=[line for line in lines if line.promise.promiser_id == user.id],
        theirs=[line for line in lines if line.promise.promiser_id != user.id],
        waiting_for_you=[d for d in pending if d.promise.promiser_id != user.id],
        waiting_for_partner=[d for d in pending if d.promise.promiser_id == user.id],
        recent=shown[:20],
        weeks=weeks,
        this_week=weeks[-1][1],
        total=sum(1 for d in deposits if d.status == CONFIRMED),
    )


def past_couples(user: User) -> list[Couple]:
    """Couples this person was linked in and is no longer: their ledgers are read-only archives."""
    return [c for c in _couples_of(user) if c.linked_at and not may_change(user, c)]


def _couples_of(user: User) -> list[Couple]:
    return list(db.session.scalars(
        couples_of(user).order_by(Couple.id)))


def export_for_user(user: User) -> dict:
    """The ledgers of every couple this person is or was in, JSON-ready, for the "my data" export.

    Both partners' promises and deposits are included (the couple wrote them together);
    the partner's own missed marks are left out, as they are never shown as a debt.
    """
    out = []
    for couple in _couples_of(user):
        promises = []
        for promise in couple_promises(couple.id):
            mine = promise.promiser_id == user.id
            figures = tally(promise)
            promises.append({
                "promiser": "me" if mine else promise.promiser.name,
                "made_at": promise.created_at.isoformat(),
                "agreement": ({"doc_id": promise.agreement_doc_id, "id": promise.agreement_id}
                              if promise.agreement_id else None),
                "versions": [{
                    "from": v.effective_from.isoformat(), "text": v.text, "state": v.state,
                    "how_often": v.how_often, "starts_on": v.starts_on.isoformat(),
                    "ends_on": v.ends_on.isoformat() if v.ends_on else None,
                } for v in promise.versions],
                "consistency": figures.consistency,
                "kept": figures.kept,
                "due": figures.due,
                "streak": figures.streak,
                "records": [{
                    "for": d.kept_on.isoformat(), "status": d.status, "note": d.note, "thanks": d.thanks,
                    "logged_at": d.logged_at.isoformat(),
                    "confirmed_at": d.confirmed_at.isoformat() if d.confirmed_at else None,
                } for d in promise.deposits if mine or d.status != MISSED],
            })
        out.append({"couple_id": couple.id, "promises": promises})
    return {"ledger": out}


mydata.register("ledger", export_for_user)
