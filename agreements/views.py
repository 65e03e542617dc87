"""Pages of the agreements documents: list, the live document, signing, history, compare, restore, export."""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from flask import Blueprint, Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from agreements import export, history, service, signing
from agreements.forms import NewDocumentForm, RestoreSectionForm
from couples import clock, home_cards, linking, zones
from couples.access import current_couple
from couples.errors import DomainError, Forbidden, Invalid, NotFound, ReadOnly
from couples.ids import database_id
from couples.models import Couple
from extensions import db
from privacy.presence import partner_here
from workers import off_loop

bp = Blueprint("agreements", __name__, url_prefix="/agreements")

# Each person's own colour for their caret and presence, the same in both browsers.
COLOURS = ("#2f6f6a", "#8a4f9e", "#b0562f", "#2f5d9e", "#7a6a1f", "#9e2f5d")


def colour_of(user) -> str:
    """Return the person's presence colour."""
    return COLOURS[user.id % len(COLOURS)]


@bp.app_template_filter("local_time")
def local_time_filter(moment):
    """Show a moment in the signed-in person's time zone."""
    return export.local_time(moment, getattr(current_user, "time_zone", "UTC"))


def _home_card(user, couple, archived: bool) -> dict:
    """The agreements card of the home page (the linked couple's documents) and of an archive (that couple's)."""
    return {"agreement_documents": [_summary(document, not archived)
                                    for document in service.list_documents(user, couple.id)]}


home_cards.register("agreements", "agreements/_home_card.html", _home_card, order=10)


def _summary(document, writable: bool) -> dict:
    """How many agreements a document holds, how many are agreed, how many wait for the reader's signature."""
    agreements = [a for s in export.readable(document, current_user, writable).sections for a in s.agreements]
    return {
        "document": document,
        "total": len(agreements),
        "agreed": sum(a.state.status == signing.AGREED for a in agreements),
        "waiting": sum(a.words["can_sign"] and a.state.status == signing.SIGNED for a in agreements),
    }


def _writable(document) -> bool:
    try:
        service.document_for_member(current_user, document.id, write=True)
    except ReadOnly:
        return False
    return True


def _states(document) -> dict:
    writable = _writable(document)
    readable = export.readable(document, current_user, writable)
    items: dict[str, dict] = {}
    for agreement in (a for s in readable.sections for a in s.agreements):
        # the page shows the first agreement of an id
        items.setdefault(agreement.id, {**agreement.words, "changes_url": _changes_url(document, agreement)})
    return {"doc": document.id, "writable": writable, "items": items}


def _changes_url(document, agreement) -> str | None:
    """Where to see what changed in an agreement since it was signed (None while it reads as signed)."""
    if agreement.words["status"] != signing.CHANGED_SINCE_SIGNED:
        return None
    return url_for(".what_changed", document_id=document.id, item_id=agreement.id)


@bp.get("/")
@login_required
def index():
    """The couple's documents, and those of former couples (read-only)."""
    return _index(NewDocumentForm())


def _index(form, status=200):
    couple = current_couple(current_user)
    documents = service.list_documents(current_user, couple.id) if couple else []
    archived = [(old, service.list_documents(current_user, old.id)) for old in linking.archives(current_user)]
    return render_template("agreements/index.html", couple=couple, documents=documents, archived=archived,
                           form=form), status


@bp.post("/")
@login_required
def create():
    """Start another document for the linked couple."""
    couple = current_couple(current_user)
    if couple is None:
        raise Forbidden("Documents are written with a linked partner.")
    form = NewDocumentForm()
    if not form.validate_on_submit():
        return _index(form, 400)
    document = service.add_document(current_user, couple.id, form.title.data, form.suggested.data)
    return redirect(url_for(".document", document_id=document.id))


@bp.get("/<int:document_id>")
@login_required
def document(document_id: int):
    """The document: live and editable for a linked couple, a readable archive after unlinking."""
    document = service.document_for_member(current_user, document_id)
    writable = _writable(document)
    partner = db.session.get(Couple, document.couple_id).partner_of(current_user)
    return render_template("agreements/document.html", doc=export.readable(document, current_user, writable),
                           writable=writable, partner=partner, partner_here=partner_here(current_user, partner),
                           colour=colour_of(current_user))


@bp.get("/<int:document_id>/states")
@login_required
def states(document_id: int):
    """Every agreement's state, worded for the signed-in person (the live page asks after changes)."""
    return jsonify(_states(service.document_for_member(current_user, document_id)))


@bp.post("/<int:document_id>/sign")
@login_required
def sign(document_id: int):
    """Sign an agreement's text as the server holds it; both browsers hear that the states changed."""
    data = request.get_json(silent=True) if request.is_json else request.form
    if not isinstance(data, Mapping):  # a JSON list, string or number names no agreement
        data = {}
    try:
        signing.sign(current_user, document_id, data.get("item"), data.get("text"))
    except DomainError as error:
        if not request.is_json:
            raise
        return jsonify({"ok": False, "error": error.as_dict()}), error.status
    document = service.document_for_member(current_user, document_id)
    if not request.is_json:
        flash("Signed.", "info")
        return redirect(url_for(".document", document_id=document_id))
    return jsonify({"ok": True, "states": _states(document)})


@bp.post("/<int:document_id>/history/checkpoint")
@login_required
def checkpoint(document_id: int):
    """Take a version if editing has paused (the live page asks after a quiet minute)."""
    document = service.document_for_member(current_user, document_id, write=True)
    return jsonify({"ok": True, "taken": history.capture_after_pause(document) is not None})


@bp.get("/<int:document_id>/history")
@login_required
def versions(document_id: int):
    """The document's versions, newest first, a page at a time (``?before=<version id>``), to open or compare."""
    document, found, older = history.versions_page(current_user, document_id,
                                                   before=database_id(request.args.get("before")))
    return render_template("agreements/history.html", document=document, versions=found, older=older,
                           labels=_version_labels(found), newest=request.args.get("before") is None)


def _version_labels(found) -> dict[int, str]:
    """Each version told apart: its time (to the second when two share a minute) and what happened."""
    minutes = [zones.local_moment(v.created_at, current_user) for v in found]
    shared = Counter(minutes)  # counted once: a long history is not compared with itself version by version
    labels = {}
    for version, minute in zip(found, minutes):
        when = zones.local_moment(version.created_at, current_user, seconds=shared[minute] > 1)
        labels[version.id] = f"{when}, {_what_happened(version)}"
    return labels


def _what_happened(version) -> str:
    def name(user):
        return "you" if user.id == current_user.id else user.name

    actor = name(version.actor) if version.actor else "someone"
    if version.reason == history.SIGNING:
        return f"signed by {actor}"
    if version.reason == history.RESTORE:
        return f"a section brought back by {actor}"
    if version.authors:
        return "after " + " and ".join(name(u) for u in version.authors) + " wrote"
    return "after a pause in writing"


@bp.get("/<int:document_id>/history/<int:version_id>")
@login_required
def version(document_id: int, version_id: int):
    """One version, readable, with a way to bring back each of its sections."""
    document = service.document_for_member(current_user, document_id)
    found = history.version_of(document, version_id)
    return render_template("agreements/version.html", document=document, version=found,
                           writable=_writable(document), form=RestoreSectionForm())


@bp.get("/<int:document_id>/compare")
@login_required
def compare(document_id: int):
    """Two versions side by side (the newer one may be the document as it is now)."""
    document = service.document_for_member(current_user, document_id)
    old = history.version_of(document, database_id(request.args.get("old")))
    new_id = request.args.get("new", "now")
    new = None if new_id == "now" else history.version_of(document, database_id(new_id))
    new_content = new.content if new else history.current_content(document)
    return render_template("agreements/compare.html", document=document, old=old, new=new,
                           changes=history.compare(old.content, new_content),
                           old_title=old.content["title"], new_title=new_content["title"])


@bp.post("/<int:document_id>/history/<int:version_id>/restore")
@login_required
def restore(document_id: int, version_id: int):
    """Bring one section back as it was in a version (a new edit: the history stays)."""
    form = RestoreSectionForm()
    if not form.validate_on_submit():
        raise Invalid("Please choose a section to bring back.")
    history.restore(current_user, document_id, version_id, form.section.data)
    flash("The section is back as it was in that version. The history keeps both.", "info")
    return redirect(url_for(".document", document_id=document_id))


@bp.get("/<int:document_id>/changes/<item_id>")
@login_required
def what_changed(document_id: int, item_id: str):
    """One agreement that changed since it was signed: the text as signed beside the text now, and who changed it."""
    document = service.document_for_member(current_user, document_id)
    item = next((i for s in history.current_content(document)["sections"] for i in s["items"] if i["id"] == item_id),
                None)
    if item is None:
        raise NotFound("That agreement is not in this document any more.")
    state = signing.agreement_state(item["text"], signing.signatures_by_item(document).get(item_id, []))
    if state.status != signing.CHANGED_SINCE_SIGNED:
        flash("That agreement reads just as it was signed.", "info")
        return redirect(url_for(".document", document_id=document_id))
    signed = max(state.stale, key=lambda signature: signature.signed_at)
    editors, last_change = history.edits_since(document, signed.signed_at)
    return render_template("agreements/what_changed.html", document=document, signed=signed,
                           signers=state.stale, pieces=history.diff_words(signed.text, item["text"]),
                           editors=editors, last_change=last_change)


@bp.get("/<int:document_id>/export.md")
@login_required
def export_markdown(document_id: int):
    """The document as a Markdown file, with each agreement's state and signatures."""
    document = service.document_for_member(current_user, document_id)
    return Response(export.markdown(document, current_user), mimetype="text/markdown",
                    headers={"Content-Disposition": "attachment; filename=agreements.md"})


@bp.get("/<int:document_id>/print")
@login_required
def printable(document_id: int):
    """A clean page to print or save as PDF."""
    document = service.document_for_member(current_user, document_id)
    doc, zone = export.readable(document), current_user.time_zone
    # A document at the shape's bounds is some ten thousand agreements: its part of the page is
    # rendered off the event loop, from plain values.
    body = off_loop(current_app.jinja_env.get_template("agreements/_printable.html").render, doc=doc,
                    printed_at=export.local_time(clock.now(), zone),
                    state_line=lambda agreement: export.state_line(agreement, zone))
    return render_template("agreements/print.html", doc=doc, body=Markup(body))
