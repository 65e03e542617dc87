"""Pages for private reflection, sessions and devices, my data and privacy settings."""
import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from couples import accounts, clock, home_cards
from couples.access import current_couple
from couples.errors import DomainError
from couples.forms import ButtonForm
from extensions import limiter
from live.sockets import current_login_session_id
from privacy import devices, mydata, presence, reflection, space
from privacy.forms import PasswordForm, PresenceForm, ReflectionForm, ShareForm, SpaceForm
from privacy.models import space_of

bp = Blueprint("privacy", __name__)


@bp.record_once
def _erase_on_account_deletion(state):
    """A deleted account's private reflections go with it."""
    accounts.account_deleting.connect(reflection.erase_private_data)


def _home_card(user, couple, archived: bool) -> dict:
    """Passages shared in a couple the page has already authorized (home card, archive)."""
    return {"passages": reflection.passages_in(couple)}


home_cards.register("passages", "privacy/_home_card.html", _home_card, order=40, stylesheet="css/privacy.css")


def _require_csrf() -> None:
    if not ButtonForm().validate_on_submit():
        abort(400)


@bp.get("/reflection")
@login_required
def journal():
    """The private journal: prompts to start from and the author's entries."""
    return _journal_page(ReflectionForm(prompt=reflection.PROMPTS[0].key))


def _journal_page(form):
    return render_template(
        "privacy/journal.html",
        form=form,
        prompts_by_key=reflection.PROMPTS_BY_KEY,
        entries=reflection.entries_of(current_user),
        shared=reflection.passages_by(current_user),
    )


@bp.post("/reflection")
@login_required
def write():
    """Save a new private entry."""
    form = ReflectionForm()
    if form.validate_on_submit():
        entry = reflection.write(current_user, form.prompt.data, form.body.data)
        flash("Saved. Only you can read this.", "info")
        return redirect(url_for("privacy.entry", entry_id=entry.public_id))
    return _journal_page(form), 400


def _entry_page(entry, form=None, share_form=None, status=200):
    return render_template(
        "privacy/entry.html",
        entry=entry,
        prompt=reflection.PROMPTS_BY_KEY[entry.prompt],
        prompts_by_key=reflection.PROMPTS_BY_KEY,
        form=form or ReflectionForm(formdata=None, prompt=entry.prompt, body=entry.body),
        share_form=share_form or ShareForm(formdata=None),
        confirm_form=ButtonForm(),
        partner=(couple.partner_of(current_user) if (couple := current_couple(current_user)) else None),
    ), status


@bp.get("/reflection/<entry_id>")
@login_required
def entry(entry_id: str):
    """Read and edit one of your entries, or share a passage from it."""
    return _entry_page(reflection.entry_of(current_user, entry_id))


@bp.post("/reflection/<entry_id>")
@login_required
def edit(entry_id: str):
    """Save changes to one of your entries."""
    entry = reflection.entry_of(current_user, entry_id)
    form = ReflectionForm()
    if not form.validate_on_submit():
        return _entry_page(entry, form=form, status=400)
    reflection.edit(current_user, entry_id, form.prompt.data, form.body.data)
    flash("Saved.", "info")
    return redirect(url_for("privacy.entry", entry_id=entry_id))


@bp.post("/reflection/<entry_id>/delete")
@login_required
def delete(entry_id: str):
    """Delete one of your entries for good."""
    _require_csrf()
    reflection.remove(current_user, entry_id)
    flash("The entry is deleted.", "info")
    return redirect(url_for("privacy.journal"))


@bp.post("/reflection/<entry_id>/share")
@login_required
def share(entry_id: str):
    """Send your partner a copy of the words you chose; the entry stays private."""
    entry = reflection.entry_of(current_user, entry_id)
    form = ShareForm()
    if not form.validate_on_submit():
        return _entry_page(entry, share_form=form, status=400)
    reflection.share_passage(current_user, entry_id, form.passage.data)
    flash("Sent to your partner. Your entry itself stays private.", "info")
    return redirect(url_for("privacy.entry", entry_id=entry_id))


@bp.get("/passages")
@login_required
def passages():
    """Every passage you and your partner chose to share with each other."""
    couple = current_couple(current_user)
    return render_template(
        "privacy/passages.html", passages=reflection.passages_in(couple) if couple else []
    )


@bp.get("/sessions")
@login_required
def sessions():
    """Where you are signed in, with a way to log out of each."""
    return render_template(
        "privacy/sessions.html",
        logins=devices.active_sessions(current_user),
        current_id=current_login_session_id(),
        now=clock.now(),
        device_label=devices.device_label,
        approximately=devices.approximately,
        confirm_form=ButtonForm(),
    )


@bp.post("/sessions/<login_session_id>/end")
@login_required
def end_session(login_session_id: str):
    """Log out one session (this browser too, if chosen)."""
    _require_csrf()
    devices.end_session(current_user, login_session_id)
    flash("That session is logged out.", "info")
    return redirect(url_for("privacy.sessions"))


@bp.post("/sessions/end-others")
@login_required
def end_other_sessions():
    """Log out every session but this one."""
    _require_csrf()
    ended = devices.end_other_sessions(current_user, keep=current_login_session_id())
    flash("Every other session is logged out." if ended else "There were no other sessions.", "info")
    return redirect(url_for("privacy.sessions"))


@bp.get("/sessions/still-here")
@login_required
def still_here():
    """The open page's sign of activity: answering it keeps the session from idling out."""
    return "", 204


@bp.route("/my-data", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=lambda: f"my-data:{current_user.id}",
               deduct_when=lambda response: not accounts.TooBusy.answered(response))
def my_data():
    """Download everything you wrote or are part of, after entering your password again."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            archive = mydata.export_with_password(current_user, form.password.data)
        except accounts.TooBusy as exc:
            form.password.errors.append(str(exc))
            return render_template("privacy/my_data.html", form=form), exc.status, exc.headers
        except DomainError as exc:
            form.password.errors.append(str(exc))
        else:
            return send_file(io.BytesIO(archive), mimetype="application/zip",
                             as_attachment=True, download_name="my-data.zip")
    return render_template("privacy/my_data.html", form=form), 400 if request.method == "POST" else 200


@bp.route("/settings/privacy", methods=["GET", "POST"])
@login_required
def settings():
    """Whether your partner can see that you are here and typing."""
    form = PresenceForm(share_presence=current_user.share_presence)
    if form.validate_on_submit():
        presence.set_sharing(current_user, form.share_presence.data)
        flash("Saved.", "info")
        return redirect(url_for("privacy.settings"))
    if request.method == "POST":
        abort(400)
    return render_template("privacy/settings.html", form=form)


@bp.app_template_global()
def space_card(user) -> dict | None:
    """What a page shows about space: your own ({"mine": True, ...}) or your partner's, with calm words; or None."""
    mine = space_of(user)
    if mine is not None:
        return {"mine": True, "space": mine, "until": space.until_words(mine, user)}
    theirs = space.partner_space(user)
    if theirs is not None:
        return {"mine": False, "space": theirs, "until": space.until_words(theirs, user), "name": theirs.user.name}
    return None


@bp.route("/space", methods=["GET", "POST"])
@login_required
def ask_for_space():
    """Ask for some space for yourself, or see the space you asked for and end it."""
    mine = space_of(current_user)
    form = SpaceForm(note=mine.note if mine else None)
    if form.validate_on_submit():
        try:
            asked = space.ask(current_user, form.length.data, form.note.data)
        except DomainError as exc:
            flash(str(exc), "error")
        else:
            flash(f"Your space is set, {space.until_words(asked, current_user)}. Take the time you need.", "info")
            return redirect(url_for("privacy.ask_for_space"))
    elif request.method == "POST":
        for field in form:
            for error in field.errors[:1]:
                flash(error, "error")
    status = 400 if request.method == "POST" else 200
    return render_template("privacy/space.html", form=form, linked=current_couple(current_user) is not None), status


@bp.post("/space/end")
@login_required
def end_space():
    """End your own space now (nobody else can)."""
    _require_csrf()
    if space.end(current_user):
        flash("Your space has ended. Welcome back.", "info")
    return redirect(url_for("privacy.ask_for_space"))
