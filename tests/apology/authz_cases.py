"""Authorization matrix entries for the guided apology.

A draft is its writer's alone: the partner gets 404 for it, exactly as for another couple's things. A sent
letter reads for both partners, also after unlinking (read-only: 403 for any change). Refusals a person can
meet through the page come back to the page (303); another couple's things are 404.
"""
from tests.authz import Case

LOGIN = 302  # anonymous people are sent to the sign-in page
DONE = 303  # back to a page, with a flash saying what happened
PARTS = {"what_i_did": "I shouted at you.", "how_it_affected": "You may have felt small.",
         "responsibility": "It was mine to carry.", "differently": "I will step out and breathe first."}


def seed(world):
    """Each partner of each couple sends a letter and keeps a draft."""
    from apology import service
    from apology.service import Parts

    for who, person in (("my", world.me), ("their", world.partner)):
        letter = service.start(person, world.couple)
        service.save(person, letter, Parts(**PARTS))
        world.ids[f"{who}_letter"] = service.send(person, letter).id
        draft = service.start(person, world.couple)
        service.save(person, draft, Parts(what_i_did="Not ready to send yet."))
        world.ids[f"{who}_draft"] = draft.id


def at(key, suffix=""):
    """The URL of one seeded apology of the aimed-at couple."""
    return lambda w: f"/apology/{w.ids[key]}{suffix}"


READ = {"anonymous": LOGIN, "member": 200, "other": 404, "former": 200}
NEVER = {"anonymous": LOGIN, "member": 404, "other": 404, "former": 404}  # the partner's draft
WRITE = {"anonymous": LOGIN, "member": DONE, "other": 404, "former": 403}

CASES = [
    Case("apology.index", "GET", lambda w: "/apology/", {"anonymous": LOGIN, "member": 200, "other": 200,
                                                        "former": 200}),
    Case("apology.start", "POST", lambda w: "/apology/", {"anonymous": LOGIN, "member": DONE, "other": DONE,
                                                         "former": DONE}),
    Case("apology.show", "GET", at("my_letter"), READ),
    Case("apology.show", "GET", at("their_letter"), READ),
    Case("apology.show", "GET", at("my_draft"), READ),
    Case("apology.show", "GET", at("their_draft"), NEVER),
    Case("apology.show", "POST", at("my_draft"), WRITE, data=lambda w: PARTS),
    Case("apology.show", "POST", at("their_draft"), NEVER, data=lambda w: PARTS),
    Case("apology.autosave", "POST", at("my_draft", "/autosave"), {**WRITE, "member": 200}, data=lambda w: PARTS),
    Case("apology.autosave", "POST", at("their_draft", "/autosave"), NEVER, data=lambda w: PARTS),
    Case("apology.send", "POST", at("my_draft", "/send"), WRITE, data=lambda w: PARTS),
    Case("apology.send", "POST", at("their_draft", "/send"), NEVER, data=lambda w: PARTS),
    Case("apology.discard", "POST", at("my_draft", "/discard"), WRITE),
    Case("apology.discard", "POST", at("their_draft", "/discard"), NEVER),
    Case("apology.answer", "POST", at("their_letter", "/answer"), WRITE, data=lambda w: {"answer": "thanks"}),
    Case("apology.answer", "POST", at("their_draft", "/answer"), NEVER, data=lambda w: {"answer": "thanks"}),
    Case("apology.promise", "POST", at("my_letter", "/promise"), WRITE,
         data=lambda w: {"text": "Step out and breathe first", "kind": "once"}),
]
