"""The invented people of the scanner sweep (security/scan.sh), in the database DATABASE_URL names.

Prints shell assignments: COUPLE (Alice and Bob's couple), PROMISE (one of Alice's), DIALOGUE (an open one).
"""
from app import create_app
from couples import accounts, linking
from dialogue import service as dialogue
from ledger import service as ledger

PASSWORD = "lantern-orchard-47"

with create_app().app_context():
    alice = accounts.sign_up("alice.scan@example.org", "Alice Moreau", PASSWORD)
    bob = accounts.sign_up("bob.scan@example.org", "Bob Lindqvist", PASSWORD)
    accounts.sign_up("carol.scan@example.org", "Carol Nguyen", PASSWORD)
    couple = linking.join(linking.invite(alice), bob)
    promise = ledger.make_promise(alice, couple, ledger.Terms(text="Cook on Sundays"))
    talk = dialogue.invite(alice, couple, "Our evenings")
    print(f"COUPLE={couple.id}\nPROMISE={promise.id}\nDIALOGUE={talk.id}")
