"""Pages for accounts, linking and the home page."""
from __future__ import annotations

from urllib.parse import urlsplit
from zoneinfo import available_timezones

from flask import (Blueprint, abort, after_this_request, current_app, flash, redirect, render_template, request,
                   session, url_for)
from flask_login import current_user, login_required, login_user, logout_user

from couples import accounts, home_cards, linking, zones
from couples.access import couple_for_member, current_couple
from couples.errors import DomainError
from couples.forms import (ButtonForm, ChangePasswordForm, DeleteAccountForm, JoinCodeForm, LoginForm, ProfileForm,
                           SignupForm, UnlinkForm)
from extensions import limiter
from live.sockets import current_login_session_id, disconnect_sockets
from privacy.presence import partner_here

bp = Blueprint("couples", __name__)
SPACE_CARD_STYLES = "css/privacy.css"  # the home page's space card (privacy/_space_card.html)


@bp.app_template_filter("local_date")
def local_date(moment) -> str:
    """A day on the signed-in person's own calendar."""
    return zones.local_date(moment, current_user)


@bp.app_template_filter("local_moment")
def local_moment(moment) -> str:
    """A day and time on the signed-in person's own clock."""
    return zones.local_moment(moment, current_user)


def _safe_next(target: str | None) -> str:
    """Return a local path to go to after signing in; anything pointing elsewhere becomes the home page."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
                and "\\" not in target:
            return target
    return url_for("couples.home")


def _device() -> str | None:
    """This browser's device cookie (set when it signed in before), if any."""
    return request.cookies.get(current_app.config["DEVICE_COOKIE_NAME"])


def _failed(response) -> bool:
    """A sign-in that did not get through: only these spend the per-address budget (a sign-in refused
    because too many were waiting to be checked was no try at all)."""
    return response.status_code != 302 and not accounts.TooBusy.answered(response)


def _tried(response) -> bool:
    """A sign-up that was looked at (one refused because the server was too busy was not)."""
    return not accounts.TooBusy.answered(response)


def _known_browser() -> bool:
    """This browser signed in before as the account typed in: it is not held back by others' guesses."""
    return accounts.is_trusted_device(request.form.get("email", ""), _device())


def _start(user) -> None:
    """Sign the user in with a fresh session (a new id every time), record the login session and mark
    this browser as one the account signed in on."""
    session.clear()
    login = accounts.start_session(user, request.headers.get("User-Agent", ""))
    login_user(user)
    session["login_session"] = login.id
    device = accounts.device_token(user)

    @after_this_request
    def remember_browser(response):
        response.set_cookie(current_app.config["DEVICE_COOKIE_NAME"], device, path="/", httponly=True,
                            samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"],
                            max_age=current_app.config["DEVICE_COOKIE_DAYS"] * 86400)
        return response


def _form_errors(form) -> None:
    """Flash the first error of each field of a form that did not validate."""
    for field in form:
        for error in field.errors[:1]:
            flash(f"{field.label.text}: {error}", "error")


@bp.get("/")
def home():
    """The home page: the partner and the shared spaces, or how to link; a welcome page when signed out."""
    if not current_user.is_authenticated:
        return render_template("couples/welcome.html")
    couple = current_couple(current_user)
    pending = None if couple else linking.pending_couple(current_user)
    invitation = linking.open_invitation(pending) if pending else None
    partner = couple.partner_of(current_user) if couple else None
    cards = home_cards.draw(current_user, couple) if couple else []
    return render_template(
        "couples/home.html",
        cards=cards,
        card_styles=home_cards.stylesheets(cards, SPACE_CARD_STYLES) if couple else [],
        couple=couple,
        partner=partner,
        partner_here=partner_here(current_user, partner),
        invitation=invitation,
        code=linking.format_code(invitation.code) if invitation else None,
        archives=linking.archives(current_user),
        action_form=ButtonForm(),
        join_form=JoinCodeForm(),
    )


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNUP_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_tried)
def signup():
    """Create an account and sign in."""
    if current_user.is_authenticated:
        return redirect(url_for("couples.home"))
    form = SignupForm()
    if form.validate_on_submit():
        zone = form.time_zone.data if form.time_zone.data in available_timezones() else "UTC"
        try:
            user = accounts.sign_up(form.email.data, form.display_name.data, form.password.data, zone)
        except DomainError as exc:
            flash(str(exc), "error")
            return render_template("couples/signup.html", form=form), exc.status, exc.headers
        _start(user)
        flash(f"Welcome, {user.display_name}.", "info")
        return redirect(url_for("couples.home"))
    _form_errors(form)
    return render_template("couples/signup.html", form=form), 400 if request.method == "POST" else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed,
               exempt_when=_known_browser)
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("couples.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data, device=_device())
        except DomainError as exc:
            flash(str(exc), "error")
            return render_template("couples/login.html", form=form), exc.status, exc.headers
        if user:
            _start(user)
            return redirect(_safe_next(request.args.get("next")))
        flash("That email and password don't match an account.", "error")
    elif request.method == "POST":
        _form_errors(form)
    return render_template("couples/login.html", form=form), 400 if request.method == "POST" else 200


def _sign_out() -> None:
    """Sign the person out everywhere: every login session ends and every socket of theirs closes."""
    if current_user.is_authenticated:
        accounts.end_sessions(current_user)
        disconnect_sockets(user_id=current_user.id)
    logout_user()
    session.clear()


@bp.post("/logout")
@login_required
def logout():
    """Sign out, here and on every other device."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    _sign_out()
    flash("You are signed out, on this device and any other.", "info")
    return redirect(url_for("couples.login"))


@bp.post("/quick-exit")
def quick_exit():
    """Sent by the quick-exit button as it leaves: sign out quietly, everywhere."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    _sign_out()
    return ("", 204)


@bp.get("/safety")
def safety():
    """When this app is the wrong tool, what the partner can and cannot see, and where to get help."""
    return render_template("couples/safety.html")


def _account_page(status: int = 200, headers: dict | None = None, **forms):
    """The account page with its three forms (any given one replaces the blank form, with its errors)."""
    forms.setdefault("profile_form", ProfileForm(prefix="me", obj=current_user))
    forms.setdefault("password_form", ChangePasswordForm(prefix="pw"))
    forms.setdefault("delete_form", DeleteAccountForm(prefix="del"))
    return render_template("couples/account.html", **forms), status, headers or {}


@bp.get("/account")
@login_required
def account():
    """Account settings: name and time zone, password, deletion."""
    return _account_page()


@bp.post("/account/profile")
@login_required
def update_profile():
    """Save the name the partner sees and the time zone."""
    form = ProfileForm(prefix="me")
    if form.validate_on_submit():
        accounts.update_profile(current_user, form.display_name.data, form.time_zone.data)
        flash("Saved.", "info")
        return redirect(url_for("couples.account"))
    _form_errors(form)
    return _account_page(400, profile_form=form)


@bp.post("/account/password")
@login_required
def change_password():
    """Change the password; every other session of this person ends."""
    form = ChangePasswordForm(prefix="pw")
    if form.validate_on_submit():
        try:
            ended = accounts.change_password(current_user, form.current.data, form.password.data,
                                             keep_session=current_login_session_id())
        except DomainError as exc:
            flash(str(exc), "error")
            return _account_page(exc.status, exc.headers, password_form=form)
        else:
            for login_session in ended:
                disconnect_sockets(login_session_id=login_session)
            flash("Your password is changed. Any other signed-in browsers were signed out.", "info")
            return redirect(url_for("couples.account"))
    else:
        _form_errors(form)
    return _account_page(400, password_form=form)


@bp.post("/account/delete")
@login_required
def delete_account():
    """Delete the account for good, after the password is entered again."""
    form = DeleteAccountForm(prefix="del")
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            accounts.delete_account(user, form.password.data)  # which unlinks and closes the couple's sockets
        except DomainError as exc:
            flash(str(exc), "error")
            return _account_page(exc.status, exc.headers, delete_form=form)
        else:
            disconnect_sockets(user_id=user.id)
            logout_user()
            session.clear()
            flash("Your account is deleted.", "info")
            return redirect(url_for("couples.home"))
    else:
        _form_errors(form)
    return _account_page(400, delete_form=form)


@bp.post("/invite")
@login_required
def invite():
    """Create an invitation, or a new one in place of the old."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    linking.invite(current_user)
    flash("Here is your invitation. Send the link or read the code to your partner.", "info")
    return redirect(url_for("couples.home"))


@bp.post("/invite/cancel")
@login_required
def cancel_invitation():
    """Cancel the open invitation."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    linking.cancel_invitation(current_user)
    flash("The invitation is cancelled. It no longer works.", "info")
    return redirect(url_for("couples.home"))


@bp.route("/join", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["JOIN_LIMIT_PER_ADDRESS"], methods=["POST"])
def join_by_code():
    """Type the code your partner gave you; then confirm."""
    form = JoinCodeForm()
    if form.validate_on_submit():
        try:
            invitation = linking.find_invitation(code=form.code.data)
            linking.check_can_join(invitation, current_user)
        except DomainError as exc:
            flash(str(exc), "error")
            return render_template("couples/join.html", form=form), exc.status
        return render_template("couples/join_confirm.html", invitation=invitation, secret_field="code",
                               secret=invitation.code, form=ButtonForm())
    if request.method == "POST":
        _form_errors(form)
        return render_template("couples/join.html", form=form), 400
    return render_template("couples/join.html", form=form)


@bp.get("/join/<token>")
@login_required
def join_by_link(token: str):
    """The invitation link: show who invited you and ask to confirm."""
    try:
        invitation = linking.find_invitation(token=token[:64])
        linking.check_can_join(invitation, current_user)
    except DomainError as exc:
        flash(str(exc), "error")
        return render_template("couples/join.html", form=JoinCodeForm()), exc.status
    return render_template("couples/join_confirm.html", invitation=invitation, secret_field="token",
                           secret=invitation.token, form=ButtonForm())


@bp.post("/join/confirm")
@login_required
@limiter.limit(lambda: current_app.config["JOIN_LIMIT_PER_ADDRESS"])
def join_confirm():
    """Join the couple the confirmed invitation belongs to."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    code, token = request.form.get("code"), request.form.get("token")
    try:
        invitation = linking.find_invitation(code=code[:20]) if code else linking.find_invitation(token=(token or "")[:64])
        couple = linking.join(invitation, current_user)
    except DomainError as exc:
        flash(str(exc), "error")
        return render_template("couples/join.html", form=JoinCodeForm()), exc.status
    partner = couple.partner_of(current_user)
    flash(f"You and {partner.name} are linked.", "info")
    return redirect(url_for("couples.home"))


@bp.route("/unlink", methods=["GET", "POST"])
@login_required
def unlink():
    """Unlink from the partner, alone and at once, after one confirmation."""
    couple = current_couple(current_user)
    if couple is None:
        flash("You're not linked with a partner.", "error")
        return redirect(url_for("couples.home"))
    form = UnlinkForm()
    if form.validate_on_submit():
        linking.unlink(couple, current_user)  # which closes the couple's sockets
        flash("You are unlinked. What you wrote together is kept as a read-only archive for you both.", "info")
        return redirect(url_for("couples.home"))
    if request.method == "POST":
        _form_errors(form)
    return render_template("couples/unlink.html", form=form, partner=couple.partner_of(current_user)), \
        400 if request.method == "POST" else 200


@bp.get("/archive/<int:couple_id>")
@login_required
def archive(couple_id: int):
    """A former couple's shared spaces, read-only."""
    couple = couple_for_member(current_user, couple_id)
    if couple.is_linked:
        return redirect(url_for("couples.home"))
    cards = home_cards.draw(current_user, couple, archived=True)
    return render_template("couples/archive.html", couple=couple, partner=couple.partner_of(current_user),
                           cards=cards, card_styles=home_cards.stylesheets(cards))
