"""HTTP routes of the trust ledger: parse, authorize, call the service, answer."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from couples import home_cards, zones
from couples.access import couple_for_member, current_couple, may_change
from couples.errors import Conflict, Invalid
from ledger import origins, schedule, service
from ledger.chart import since, weekly_chart
from ledger.forms import ConfirmDepositForm, DepositForm, PromiseForm

bp = Blueprint("ledger", __name__, url_prefix="/ledger")


def _back(couple_id: int, action, success: str | None = None):
    """Run a ledger action; an invalid or conflicting one becomes a flash on the ledger page.

    Not found, forbidden and read-only stay error pages: the page never offers those actions.
    """
    try:
        action()
    except (Invalid, Conflict) as refusal:
        flash(str(refusal), "error")
    else:
        if success:
            flash(success, "info")
    return redirect(url_for(".page", couple_id=couple_id), 303)


def _form_refusal(form) -> str:
    """The first validation error of a form, as one sentence."""
    errors = [e for field_errors in form.errors.values() for e in field_errors]
    return errors[0] if errors else "Please check the form."


def _terms(form: PromiseForm) -> service.Terms:
    return service.Terms(text=form.text.data or "", kind=form.kind.data, weekdays=frozenset(form.weekdays.data or ()),
                         starts_on=form.starts_on.data, ends_on=form.ends_on.data, due_on=form.due_on.data)


@bp.app_template_filter("ledger_day")
def ledger_day(day, today=None) -> str:
    """A date the way people say it: 'today', 'yesterday', or 'Mon 2 Mar'."""
    if hasattr(day, "date"):
        day = day.date()
    if today is not None and day == today:
        return "today"
    if today is not None and (today - day).days == 1:
        return "yesterday"
    return f"{day:%a} {day.day} {day:%b}"


def _home_card(user, couple, archived: bool) -> dict:
    """The ledger card of the home page and of an archive: this week's deposits, or the archive's total."""
    return {"ledger": service.ledger_summary(user, couple)}


home_cards.register("ledger", "ledger/_home_card.html", _home_card, order=20)


@bp.get("/")
@login_required
def index():
    """The current couple's ledger, or the archives of past couples."""
    couple = current_couple(current_user)
    if couple:
        return redirect(url_for(".page", couple_id=couple.id))
    return render_template("ledger/none.html", past=service.past_couples(current_user))


def _ledger_page(couple, promise_form: PromiseForm | None = None, status: int = 200):
    summary = service.ledger_summary(current_user, couple)
    choices = origins.agreement_choices(current_user, couple)
    if promise_form is None:
        promise_form = PromiseForm()
        promise_form.offer_agreements(choices)
    return render_template("ledger/page.html", s=summary, chart=weekly_chart(since(summary.weeks, zones.local(couple.linked_at, current_user).date())),
                           promise_form=promise_form, sources=origins.by_key(choices)), status


def _promise_page(found, form: PromiseForm | None = None, status: int = 200):
    current = found.current
    form = form or PromiseForm(data={"text": current.text, "kind": current.kind, "starts_on": current.starts_on,
                                     "weekdays": sorted(int(d) for d in current.weekdays),
                                     "ends_on": current.ends_on, "due_on": current.due_on})
    # A one-off promise stays one-off and a recurring one recurring: offer only what an edit allows.
    form.kind.choices = [c for c in form.kind.choices if (c.value == schedule.ONCE) == (current.kind == schedule.ONCE)]
    del form.agreement  # where a promise comes from is part of making it
    sources = origins.by_key(origins.agreement_choices(current_user, found.couple)) if found.agreement_id else {}
    return render_template("ledger/promise.html", p=found, figures=service.tally(found), form=form,
                           today=service.promise_today(found), sources=sources,
                           can_change=found.promiser_id == current_user.id
                           and may_change(current_user, found.couple)), status


def _submit_terms(form: PromiseForm, save) -> bool:
    """Validate the form and save its terms; on refusal flash why (the page is drawn again, input kept)."""
    try:
        if form.validate():
            save(_terms(form))
            return True
        flash(_form_refusal(form), "error")
    except (Invalid, Conflict) as refusal:
        flash(str(refusal), "error")
    return False


@bp.get("/<int:couple_id>")
@login_required
def page(couple_id: int):
    """The couple's ledger as the current partner sees it."""
    return _ledger_page(couple_for_member(current_user, couple_id))


@bp.post("/<int:couple_id>/promises")
@login_required
def make(couple_id: int):
    """Make a promise to the partner."""
    couple = couple_for_member(current_user, couple_id, write=True)
    form = PromiseForm()
    form.offer_agreements(origins.agreement_choices(current_user, couple))

    def save(terms):
        service.make_promise(current_user, couple, terms, form.agreement.data or None)

    if not _submit_terms(form, save):
        return _ledger_page(couple, form, 400)
    flash("Your promise is made. Your partner can see it now.", "info")
    return redirect(url_for(".page", couple_id=couple.id), 303)


@bp.get("/promises/<int:promise_id>")
@login_required
def promise(promise_id: int):
    """One promise: its history, and for the promiser a form to change it."""
    return _promise_page(service.promise_for(current_user, promise_id))


@bp.post("/promises/<int:promise_id>/edit")
@login_required
def edit(promise_id: int):
    """The promiser rewords or reschedules a promise from today."""
    found = service.promise_for(current_user, promise_id, write=True)
    form = PromiseForm()
    del form.agreement

    def save(terms):
        service.edit_promise(current_user, found, terms)

    if not _submit_terms(form, save):
        return _promise_page(found, form, 400)
    flash("Your promise is updated from today on.", "info")
    return redirect(url_for(".promise", promise_id=found.id), 303)


def _state_change(promise_id: int, change, done: str):
    found = service.promise_for(current_user, promise_id, write=True)  # CSRF is checked app-wide
    return _back(found.couple_id, lambda: change(current_user, found), done)


@bp.post("/promises/<int:promise_id>/pause")
@login_required
def pause(promise_id: int):
    """The promiser pauses a promise."""
    return _state_change(promise_id, service.pause_promise, "Paused. Nothing is due while it rests.")


@bp.post("/promises/<int:promise_id>/resume")
@login_required
def resume(promise_id: int):
    """The promiser resumes a paused promise."""
    return _state_change(promise_id, service.resume_promise, "Resumed from today.")


@bp.post("/promises/<int:promise_id>/end")
@login_required
def end(promise_id: int):
    """The promiser ends a promise."""
    return _state_change(promise_id, service.end_promise, "Ended. What you recorded stays.")


def _record(promise_id: int, record, done: str):
    found = service.promise_for(current_user, promise_id, write=True)
    form = DepositForm()
    if not form.validate():
        flash(_form_refusal(form), "error")
        return redirect(url_for(".page", couple_id=found.couple_id), 303)

    return _back(found.couple_id, lambda: record(current_user, found, form.on.data, form.note.data or ""), done)


@bp.post("/promises/<int:promise_id>/deposits")
@login_required
def log(promise_id: int):
    """The promiser logs a kept occurrence; the partner sees it waiting for them."""
    return _record(promise_id, service.log_deposit, "Logged. It waits for your partner to confirm.")


@bp.post("/promises/<int:promise_id>/missed")
@login_required
def missed(promise_id: int):
    """The promiser honestly marks an occurrence missed (the partner's page refreshes its figures)."""
    return _record(promise_id, service.mark_missed, "Noted, honestly. Tomorrow is another day.")


@bp.post("/deposits/<int:deposit_id>/confirm")
@login_required
def confirm(deposit_id: int):
    """The partner confirms a deposit, with optional thanks."""
    deposit = service.deposit_for(current_user, deposit_id, write=True)
    couple_id = deposit.promise.couple_id
    form = ConfirmDepositForm()
    if not form.validate():
        flash(_form_refusal(form), "error")
        return redirect(url_for(".page", couple_id=couple_id), 303)

    return _back(couple_id, lambda: service.confirm_deposit(current_user, deposit, form.thanks.data or ""),
                 "Confirmed. Thank you for noticing.")
