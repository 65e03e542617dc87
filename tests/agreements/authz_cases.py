"""Authorization matrix entries for the agreements pages."""
from tests.authz import Case

LOGIN = 302  # anonymous people are sent to the sign-in page
READ = {"anonymous": LOGIN, "member": 200, "other": 404, "former": 200}


def seed(world):
    """A document with one agreement and one version, for each couple."""
    from agreements import history
    from extensions import db
    from tests.agreements.writing import add_agreement, new_document

    document = new_document(world.couple)
    item = add_agreement(document, "We take a break when a fight gets too hot.", author=world.me)
    version = history.take_version(document, history.PAUSE)
    db.session.commit()
    world.ids.update(agreement_doc=document.id, agreement_item=item, agreement_version=version.id,
                     agreement_section=version.content["sections"][0]["id"])


def doc(suffix=""):
    """A URL of the world's document."""
    return lambda w: f"/agreements/{w.ids['agreement_doc']}{suffix}"


CASES = [
    Case("agreements.index", "GET", lambda w: "/agreements/", {**READ, "other": 200}),
    Case("agreements.create", "POST", lambda w: "/agreements/",
         {"anonymous": LOGIN, "member": 302, "other": 302, "former": 403}, data=lambda w: {"title": "After the move"}),
    Case("agreements.document", "GET", doc(), READ),
    Case("agreements.states", "GET", doc("/states"), READ),
    # An agreement that reads as signed (here: never signed) has nothing to compare: back to the document.
    Case("agreements.what_changed", "GET", lambda w: f"/agreements/{w.ids['agreement_doc']}/changes/{w.ids['agreement_item']}",
         {"anonymous": LOGIN, "member": 302, "other": 404, "former": 302}),
    Case("agreements.sign", "POST", doc("/sign"), {"anonymous": LOGIN, "member": 302, "other": 404, "former": 403},
         data=lambda w: {"item": w.ids["agreement_item"], "text": "We take a break when a fight gets too hot."}),
    Case("agreements.checkpoint", "POST", doc("/history/checkpoint"),
         {"anonymous": LOGIN, "member": 200, "other": 404, "former": 403}),
    Case("agreements.versions", "GET", doc("/history"), READ),
    Case("agreements.version", "GET", lambda w: f"/agreements/{w.ids['agreement_doc']}/history/{w.ids['agreement_version']}",
         READ),
    Case("agreements.compare", "GET", lambda w: f"/agreements/{w.ids['agreement_doc']}/compare?old={w.ids['agreement_version']}",
         READ),
    Case("agreements.restore", "POST",
         lambda w: f"/agreements/{w.ids['agreement_doc']}/history/{w.ids['agreement_version']}/restore",
         {"anonymous": LOGIN, "member": 302, "other": 404, "former": 403},
         data=lambda w: {"section": w.ids["agreement_section"]}),
    Case("agreements.export_markdown", "GET", doc("/export.md"), READ),
    Case("agreements.printable", "GET", doc("/print"), READ),
]
