"""Authorization matrix entries for the trust ledger.

Refusals a person can meet through the page (invalid day, already recorded) come back as a flash on the
ledger page (303); another couple's things are 404; an archived couple's ledger reads but never changes (403).
"""
from tests.authz import Case

LOGIN = 302  # anonymous people are sent to the sign-in page
DONE = 303  # back to the ledger page, with a flash saying what happened


def seed(world):
    """Each couple gets a promise by its first partner and a waiting deposit on a promise by the second."""
    from ledger import service
    from ledger.service import Terms

    mine = service.make_promise(world.me, world.couple, Terms("Good-morning message"))
    theirs = service.make_promise(world.partner, world.couple, Terms("Walk after dinner"))
    world.ids["promise"] = mine.id
    world.ids["partner_deposit"] = service.log_deposit(world.partner, theirs).id


def promise_url(suffix=""):
    """The URL of the seeded promise of the aimed-at couple."""
    return lambda w: f"/ledger/promises/{w.ids['promise']}{suffix}"


WRITE = {"anonymous": LOGIN, "member": DONE, "other": 404, "former": 403}
READ = {"anonymous": LOGIN, "member": 200, "other": 404, "former": 200}
TERMS = {"text": "Walk together", "kind": "daily"}

CASES = [
    Case("ledger.index", "GET", lambda w: "/ledger/", {"anonymous": LOGIN, "member": 302, "other": 302, "former": 200}),
    Case("ledger.page", "GET", lambda w: f"/ledger/{w.couple.id}", READ),
    Case("ledger.make", "POST", lambda w: f"/ledger/{w.couple.id}/promises", WRITE, data=lambda w: TERMS),
    Case("ledger.promise", "GET", promise_url(), READ),
    Case("ledger.edit", "POST", promise_url("/edit"), WRITE, data=lambda w: TERMS),
    Case("ledger.pause", "POST", promise_url("/pause"), WRITE),
    Case("ledger.resume", "POST", promise_url("/resume"), WRITE),
    Case("ledger.end", "POST", promise_url("/end"), WRITE),
    Case("ledger.log", "POST", promise_url("/deposits"), WRITE),
    Case("ledger.missed", "POST", promise_url("/missed"), WRITE),
    Case("ledger.confirm", "POST", lambda w: f"/ledger/deposits/{w.ids['partner_deposit']}/confirm", WRITE,
         data=lambda w: {"thanks": "Thank you"}),
]
