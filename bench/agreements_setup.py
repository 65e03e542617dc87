"""Shared set-up of the agreements benchmarks: an app on a fresh migrated SQLite file and a couple's document."""
from __future__ import annotations

import tempfile
from contextlib import contextmanager
from pathlib import Path

from flask_migrate import upgrade
from pycrdt import Doc

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def bench_app():
    """Yield (app, document, user, item_id): a linked couple's document with one empty agreement, in app context."""
    from app import create_app
    from agreements import rooms
    from agreements.models import AgreementDocument
    from agreements.shape import new_id, new_item, sections
    from couples import accounts, linking
    from extensions import db
    from sqlalchemy import select

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite"})
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            alice = accounts.sign_up("alice.bench@example.org", "Alice Moreau", "correct horse battery staple")
            bob = accounts.sign_up("bob.bench@example.org", "Bob Lindqvist", "correct horse battery staple")
            couple = linking.join(linking.invite(alice), bob)
            document = db.session.scalar(select(AgreementDocument).where(AgreementDocument.couple_id == couple.id))
            item_id = new_id()
            rooms.edit(document.id, couple.id,
                       lambda doc: next(sections(doc))["items"].append(new_item("", item_id)), None)
            yield app, document, alice, item_id
            db.session.remove()
            db.engine.dispose()


def client_doc(document_id: int) -> Doc:
    """A client's copy of the document as the server stores it."""
    from agreements import store

    doc, _, _ = store.load(document_id)
    return doc
