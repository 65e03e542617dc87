"""Make N linked couples in the benchmark database, each with one agreement to type into; write their cookies.

Couples are made with the app's own services (sign up, invite, join: the first document comes with linking),
then each partner gets a login session and the signed session cookie a browser would hold after signing in.

    python -m bench.setup <database url> <secret key> <couples> <out.json>
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from flask import session
from flask_login import login_user
from pycrdt import Doc
from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agreements.models import AgreementDocument, DocumentUpdate  # noqa: E402
from agreements.shape import doc_from_update, new_item, sections  # noqa: E402
from app import create_app  # noqa: E402
from couples import accounts, linking  # noqa: E402
from extensions import db  # noqa: E402

PASSWORD = "bench password, never used to sign in"


def _with_agreement(document_id: int) -> None:
    """Append to the document's log an update adding one empty agreement to its first section."""
    [first] = db.session.scalars(select(DocumentUpdate.data).where(DocumentUpdate.document_id == document_id))
    doc: Doc = doc_from_update(first)
    before = doc.get_state()
    next(sections(doc))["items"].append(new_item(""))
    db.session.add(DocumentUpdate(document_id=document_id, data=doc.get_update(before), user_id=None))


def _cookie(app, user) -> str:
    """The session cookie of a browser that signed in as user."""
    login = accounts.start_session(user, "bench")
    with app.test_request_context():
        login_user(user)
        session["login_session"] = login.id
        value = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


def make_couples(database_url: str, secret_key: str, count: int) -> list[dict]:
    """Make `count` couples; return [{"doc": document id, "cookies": [cookie a, cookie b]}]."""
    # The real settings, but cheap password hashes: these people never type a password (their cookies are made
    # here), and a thousand couples are made in seconds.
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": secret_key,
                      "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 8})
    made = []
    with app.app_context():
        for n in range(count):
            alice = accounts.sign_up(f"alice.bench{n}@example.org", "Alice Moreau", PASSWORD)
            bob = accounts.sign_up(f"bob.bench{n}@example.org", "Bob Lindqvist", PASSWORD)
            couple = linking.join(linking.invite(alice), bob)
            document_id = db.session.scalar(
                select(AgreementDocument.id).where(AgreementDocument.couple_id == couple.id))
            _with_agreement(document_id)
            db.session.commit()
            made.append({"doc": document_id, "cookies": [_cookie(app, alice), _cookie(app, bob)]})
        db.engine.dispose()
    return made


def main() -> None:
    """Command line: database url, secret key, number of couples, output file."""
    database_url, secret_key, count, out = sys.argv[1:5]
    Path(out).write_text(json.dumps(make_couples(database_url, secret_key, int(count))))


if __name__ == "__main__":
    main()
