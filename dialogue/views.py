"""HTTP pages of the mirroring dialogue: plain forms that work without JavaScript for every step."""
from datetime import timedelta
import logging
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from couples import access, clock, home_cards
from couples.errors import DomainError, Invalid
from couples.forms import ButtonForm
from dialogue import machine, service
from dialogue.forms import InviteForm, TurnForm
from privacy import space

bp = Blueprint("dialogue", __name__, url_prefix="/dialogue")
log = logging.getLogger(__name__)


def _home_card(user, couple, archived: bool) -> dict:
    """The dialogue waiting for the signed-in partner, for the home page's card and the Dialogues page
    (not an invitation held while they are in space)."""
    dialogue = service.open_dialogue_for(user, couple) if couple else None
    return {"open_dialogue": dialogue,
            "dialogue_invitation_waiting": bool(dialogue) and service.invitation_is_waiting(dialogue, user),
            "dialogue_addressed": bool(dialogue) and machine.is_addressed(dialogue.position, user.id),
            "dialogue_held": _held_words(dialogue, user)}


def _held_words(dialogue, user) -> str | None:
    """For the sender of an invitation held by the partner's space: that it waits, in calm words; else None."""
    if dialogue is None or not service.is_held(dialogue) or dialogue.sender_id != user.id:
        return None
    return space.invitation_waits(user, dialogue.receiver)


def _archive_card(user, couple, archived: bool) -> dict:
    """An archive's dialogues: those of that couple the reader may open."""
    return {"dialogues": [d for d in service.dialogues_of(user) if d.couple_id == couple.id]}


home_cards.register("dialogue", "dialogue/_home_card.html", _home_card, order=30, pages=(home_cards.HOME,))
home_cards.register("dialogue_archive", "dialogue/_archive_card.html", _archive_card, order=30,
                    pages=(home_cards.ARCHIVE,))


@bp.app_template_filter("dialogue_time")
def dialogue_time(moment, user):
    """A moment in the reader's own time zone, e.g. "2 Mar, 21:30"."""
    try:
        zone = ZoneInfo(user.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return moment.astimezone(zone).strftime("%-d %b, %H:%M")


@bp.get("/")
@login_required
def index():
    """Start a dialogue (or go to the one in progress), and the couple's history."""
    return _index_page(InviteForm())


def _index_page(form, error=None):
    """The Dialogues page (again with the topic kept and the problem said, after a refusal): the dialogue in
    progress (the same facts as the home card), the history, the form."""
    couple = access.current_couple(current_user)
    return render_template("dialogue/index.html", form=form, error=error, dialogues=service.dialogues_of(current_user),
                           **home_cards.values("dialogue", current_user, couple))


@bp.get("/card")
@login_required
def card():
    """The home page's dialogue card alone, for the home page to refresh it live."""
    return render_template("dialogue/_home_card.html",
                           **home_cards.values("dialogue", current_user, access.current_couple(current_user)))


@bp.post("/")
@login_required
def start():
    """Send an invitation for a dialogue about one topic."""
    couple = access.current_couple(current_user)
    form = InviteForm()
    if couple is None:
        raise Invalid("A dialogue needs a linked partner.")
    if not form.validate_on_submit():
        return _index_page(form, "Please write a topic."), 400
    try:
        dialogue = service.invite(current_user, couple, form.topic.data)
    except DomainError as error:
        return _index_page(form, str(error)), error.status
    return redirect(url_for(".show", dialogue_id=dialogue.id), 303)


@bp.get("/<int:dialogue_id>")
@login_required
def show(dialogue_id):
    """The live dialogue page, or the full transcript of a finished one."""
    dialogue = service.find(current_user, dialogue_id)
    return render_template("dialogue/show.html", **_page(dialogue, TurnForm()))


@bp.get("/<int:dialogue_id>/live")
@login_required
def live(dialogue_id):
    """The transcript and the current step alone, for the page to refresh itself live."""
    dialogue = service.find(current_user, dialogue_id)
    return render_template("dialogue/_live.html", **_page(dialogue, TurnForm()))


@bp.post("/<int:dialogue_id>/act")
@login_required
def act(dialogue_id):
    """Take one step (answer, write, confirm, pause, resume ...); a refused step changes nothing."""
    dialogue = service.find(current_user, dialogue_id, write=True)
    form = TurnForm()
    try:
        if not form.validate_on_submit():
            raise Invalid("That form was incomplete. Please try again.")
        _take(dialogue, form)
    except DomainError as error:
        log.info("refused dialogue step for user %s: %s", current_user.id, error.code)
        return render_template("dialogue/show.html", **_page(dialogue, form, str(error))), error.status
    if service.withdrawn_unseen(dialogue):
        flash(f"Your invitation is withdrawn. {dialogue.receiver.name} never saw it.")
        return redirect(url_for(".index"), 303)
    return redirect(url_for(".show", dialogue_id=dialogue.id, _anchor="step"), 303)


@bp.post("/<int:dialogue_id>/delete")
@login_required
def request_delete(dialogue_id):
    """Ask the partner to agree to delete this dialogue from the couple's history."""
    return _confirmed(dialogue_id, service.request_delete, "Your partner will be asked to agree.")


@bp.post("/<int:dialogue_id>/delete/accept")
@login_required
def accept_delete(dialogue_id):
    """Agree to the partner's request: the dialogue is deleted for both."""
    dialogue = service.find(current_user, dialogue_id, write=True)
    _require(ButtonForm())
    service.accept_delete(dialogue, current_user)
    flash("The dialogue was deleted from your history.")
    return redirect(url_for(".index"), 303)


@bp.post("/<int:dialogue_id>/delete/cancel")
@login_required
def cancel_delete(dialogue_id):
    """Withdraw or turn down a request to delete: the dialogue stays in the history."""
    return _confirmed(dialogue_id, service.cancel_delete, "The dialogue stays in your history.")


def _take(dialogue, form):
    """Hand the form's step to the service (an answer to an invitation carries its "later" time)."""
    action, index, text = form.action.data, form.index.data, form.text.data
    if action in service.ANSWERS:
        minutes = form.later_minutes.data
        later_at = clock.now() + timedelta(minutes=minutes) if action == "later" and minutes else None
        service.answer_invitation(dialogue, current_user, action, index, later_at, text)
    else:
        service.act(dialogue, current_user, action, index, text)


def _confirmed(dialogue_id, operation, message):
    """Run a delete-request operation behind a CSRF-checked button, then show the dialogue."""
    dialogue = service.find(current_user, dialogue_id, write=True)
    _require(ButtonForm())
    operation(dialogue, current_user)
    flash(message)
    return redirect(url_for(".show", dialogue_id=dialogue.id), 303)


def _require(form):
    """Refuse a state-changing request whose form (and CSRF token) does not validate."""
    if not form.validate_on_submit():
        raise Invalid("That request could not be checked. Please reload the page and try again.")


def _page(dialogue, form, error=None):
    """Everything the dialogue templates need, seen from the logged-in partner's side."""
    position = dialogue.position
    my_role = machine.role(position, current_user.id)
    couple = access.current_couple(current_user)
    waiting = service.invitation_is_waiting(dialogue, current_user)
    form.index.data = dialogue.turn_index
    return {
        "dialogue": dialogue,
        "form": form,
        "error": error,
        "me": current_user,
        "partner": dialogue.partner_of(current_user),
        "my_role": my_role,
        "my_actions": [(a, machine.move(dialogue.state, a)) for a in machine.actions_for(position, current_user.id)],
        "turn_is_mine": machine.on_turn(dialogue.state) == my_role,
        "addressed": machine.is_addressed(position, current_user.id),
        "guidance": machine.personal(machine.guidance(position, current_user.id),
                                     dialogue.partner_of(current_user).name, dialogue.topic),
        "on_turn": dialogue.whose_turn(),
        "waiting_invitation": waiting,
        "held": _held_words(dialogue, current_user),
        "waiting_later": dialogue.is_later and my_role == machine.RECEIVER and not waiting,
        "machine": machine,
        "writable": couple is not None and couple.id == dialogue.couple_id,
    }
