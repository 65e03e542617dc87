"""HTTP pages of the guided apology: plain forms that work without JavaScript, plus autosave from the page."""
from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from apology import hints, service
from apology.forms import AnswerForm, ApologyForm
from couples import accounts, home_cards
from couples.access import current_couple
from couples.errors import Conflict, Invalid
from couples.forms import ButtonForm
from dialogue import service as dialogue_service
from dialogue.models import Dialogue
from extensions import db
from ledger import service as ledger
from ledger.forms import PromiseForm
from ledger.models import TEXT_MAX, Promise
from ledger.views import _terms as promise_terms_of

bp = Blueprint("apology", __name__, url_prefix="/apology")

STEPS = (
    ("what_i_did", "Be specific, in your own words. Name what you did plainly; why can wait."),
    ("how_it_affected", "Their feelings, not your intentions: “You may have felt…”."),
    ("responsibility", "Say it is yours to carry: “That was my doing, and I'm sorry.”"),
    ("differently", "One small, concrete change. Once this is sent, it can become a promise in your ledger."),
)


@bp.record_once
def _erase_on_account_deletion(state):
    """A deleted account's unsent drafts go with it."""
    accounts.account_deleting.connect(service.erase_drafts)


def _home_card(user, couple, archived: bool) -> dict:
    """What the home card shows (the signed-in partner's draft, letters waiting for their answer), or for an
    archive the letters sent in that couple."""
    if archived:
        return {"home": {"letters": service.sent_in(user, couple)}}
    return {"home": {"draft": service.draft_of(user, couple), "waiting": service.letters_waiting(user)}}


home_cards.register("apology", "apology/_home_card.html", _home_card, order=50)


@bp.app_template_global()
def apology_origin(promise):
    """The apology a promise of the ledger grew out of, if any (the ledger has already authorized the promise)."""
    return service.apology_of(promise)


def _parts(form: ApologyForm) -> service.Parts:
    return service.Parts(*(getattr(form, name).data or "" for name in service.PART_NAMES))


def _first_error(form) -> str | None:
    errors = [e for field_errors in form.errors.values() for e in field_errors]
    return errors[0] if errors else None


def _keep(apology, form: ApologyForm) -> None:
    """Check the form's shape and keep its words in the draft; raises Invalid or Conflict."""
    if not form.validate():
        raise Invalid(_first_error(form) or "Please try again.", "bad_form")
    service.save(current_user, apology, _parts(form))


@bp.get("/")
@login_required
def index():
    """Write an apology, and every apology you may read: sent, received, and your own draft."""
    couple = current_couple(current_user)
    return render_template("apology/index.html", couple=couple, form=ButtonForm(),
                           draft=service.draft_of(current_user, couple) if couple else None,
                           apologies=service.visible_to(current_user))


@bp.post("/")
@login_required
def start():
    """Begin writing in private (or go back to the draft already begun)."""
    couple = current_couple(current_user)
    if couple is None or not ButtonForm().validate():
        flash("An apology is written to a linked partner." if couple is None else "Please try again.", "error")
        return redirect(url_for(".index"), 303)
    return redirect(url_for(".show", apology_id=service.start(current_user, couple).id), 303)


def _write_page(apology, form: ApologyForm | None = None, status: int = 200):
    form = form or ApologyForm(data={name: getattr(apology, name) for name in service.PART_NAMES})
    found = {name: hints.hints(getattr(form, name).data or "") for name, _ in STEPS}
    return render_template("apology/write.html", a=apology, form=form, steps=STEPS, found=found,
                           patterns=hints.as_json(), no_demand=service.NO_DEMAND,
                           partner=apology.couple.partner_of(current_user)), status


def _letter_page(apology, promise_form: PromiseForm | None = None, status: int = 200):
    if promise_form is None and apology.promise_id is None and apology.author_id == current_user.id:
        terms = service.promise_terms(apology)
        promise_form = PromiseForm(data={"text": terms.text[:TEXT_MAX], "kind": "once"})
    if promise_form is not None:
        del promise_form.agreement
    dialogue = db.session.get(Dialogue, apology.dialogue_id) if apology.dialogue_id else None
    return render_template("apology/letter.html", a=apology, promise_form=promise_form, answer_form=AnswerForm(),
                           dialogue_link=dialogue is not None and not dialogue_service.hidden_from(dialogue, current_user),
                           no_demand=service.NO_DEMAND, today=ledger.today_for(current_user),
                           promise=db.session.get(Promise, apology.promise_id) if apology.promise_id else None,
                           writable=apology.couple.is_linked and apology.couple.is_current_member(current_user)), status


def _refused(apology, form: ApologyForm, refusal):
    """Say why, keeping the words on the page; a letter already sent is simply shown as it is."""
    flash(str(refusal), "error")
    if not apology.is_draft:
        return redirect(url_for(".show", apology_id=apology.id), 303)
    return _write_page(apology, form, refusal.status)


# One rule for both methods: with two, an id too large for the database would answer 405, not 404.
@bp.route("/<int:apology_id>", methods=["GET", "POST"])
@login_required
def show(apology_id: int):
    """Your draft to write, or the letter as it was sent; a POST keeps the draft (see save)."""
    if request.method == "POST":
        return save(apology_id)
    apology = service.apology_for(current_user, apology_id)
    return _write_page(apology) if apology.is_draft else _letter_page(apology)


def save(apology_id: int):
    """Keep the draft as it is on the page (the Save button, for pages without JavaScript)."""
    apology = service.apology_for(current_user, apology_id, write=True)
    form = ApologyForm()
    try:
        _keep(apology, form)
    except (Invalid, Conflict) as refusal:
        return _refused(apology, form, refusal)
    flash("Saved. Only you can see it until you send it.", "info")
    return redirect(url_for(".show", apology_id=apology.id), 303)


@bp.post("/<int:apology_id>/autosave")
@login_required
def autosave(apology_id: int):
    """Keep the draft while the writer types; answers JSON for the page."""
    apology = service.apology_for(current_user, apology_id, write=True)
    form = ApologyForm()
    try:
        _keep(apology, form)
    except (Invalid, Conflict) as refusal:
        return jsonify(ok=False, error=refusal.as_dict()), refusal.status
    return jsonify(ok=True)


@bp.post("/<int:apology_id>/send")
@login_required
def send(apology_id: int):
    """Send the apology to the partner. The words are kept first, so nothing is lost if something is missing."""
    apology = service.apology_for(current_user, apology_id, write=True)
    form = ApologyForm()
    try:
        _keep(apology, form)
        service.send(current_user, apology)
    except (Invalid, Conflict) as refusal:
        return _refused(apology, form, refusal)
    partner = apology.couple.partner_of(current_user)
    flash(f"Sent. {partner.name if partner else 'Your partner'} can read it now, whenever they are ready.", "info")
    return redirect(url_for(".show", apology_id=apology.id), 303)


@bp.post("/<int:apology_id>/discard")
@login_required
def discard(apology_id: int):
    """Throw a draft away; nobody ever saw it."""
    apology = service.apology_for(current_user, apology_id, write=True)
    if not ButtonForm().validate():
        flash("Please try again.", "error")
        return redirect(url_for(".show", apology_id=apology.id), 303)
    try:
        service.discard(current_user, apology)
    except Conflict as refusal:
        flash(str(refusal), "error")
        return redirect(url_for(".show", apology_id=apology.id), 303)
    flash("Your draft is gone. Nobody saw it.", "info")
    return redirect(url_for(".index"), 303)


@bp.post("/<int:apology_id>/answer")
@login_required
def answer(apology_id: int):
    """The partner answers the letter; "Can we talk about it?" opens a dialogue invitation about it."""
    apology = service.apology_for(current_user, apology_id, write=True)
    form = AnswerForm()
    try:
        if not form.validate():
            raise Invalid("Please choose one of the answers.", "bad_answer")
        service.answer(current_user, apology, form.answer.data)
    except (Invalid, Conflict) as refusal:
        flash(str(refusal), "error")
        return redirect(url_for(".show", apology_id=apology.id), 303)
    if apology.dialogue_id:
        dialogue = db.session.get(Dialogue, apology.dialogue_id)
        if not dialogue_service.is_held(dialogue):  # a held one waits for the writer's space; its page says so
            flash(f"Your invitation is on its way to {apology.author.name}.", "info")
        return redirect(url_for("dialogue.show", dialogue_id=apology.dialogue_id), 303)
    flash(f"{apology.author.name} will see your answer.", "info")
    return redirect(url_for(".show", apology_id=apology.id), 303)


@bp.post("/<int:apology_id>/promise")
@login_required
def promise(apology_id: int):
    """The writer turns what they will do differently into a promise, in one step."""
    apology = service.apology_for(current_user, apology_id, write=True)
    form = PromiseForm()
    del form.agreement
    try:
        if not form.validate():
            raise Invalid(_first_error(form) or "Please check the promise.", "bad_form")
        service.make_promise(current_user, apology, promise_terms_of(form))
    except (Invalid, Conflict) as refusal:
        flash(str(refusal), "error")
        return _letter_page(apology, form, refusal.status)
    flash("Your promise is in the ledger now.", "info")
    return redirect(url_for("ledger.page", couple_id=apology.couple_id), 303)
