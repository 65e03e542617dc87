"""Authorization matrix entries for the mirroring dialogue."""
from dialogue.models import Dialogue
from extensions import db
from tests.authz import Case

LOGIN = 302  # anonymous people are sent to the sign-in page


def seed(world):
    """Each couple gets a finished dialogue and one in progress (rows written directly: this runs for every case)."""
    people = {"couple_id": world.couple.id, "topic": "Our evenings", "sender_id": world.me.id,
              "receiver_id": world.partner.id, "round": 1}
    done = Dialogue(state="done", turn_index=14, **people)
    in_progress = Dialogue(state="checking", turn_index=4, open_couple_id=world.couple.id, **people)
    db.session.add_all([done, in_progress])
    db.session.commit()
    world.ids["dialogue_done"], world.ids["dialogue_open"] = done.id, in_progress.id


def url(suffix="", which="dialogue_open"):
    """A URL of one of the seeded dialogues of the couple the role is aimed at."""
    return lambda world: f"/dialogue/{world.ids[which]}{suffix}"


def fixed(path):
    """A URL that does not depend on the world."""
    return lambda world: path


CASES = [
    Case("dialogue.card", "GET", fixed("/dialogue/card"), {"anonymous": LOGIN, "member": 200, "other": 200, "former": 200}),
    Case("dialogue.index", "GET", fixed("/dialogue/"), {"anonymous": LOGIN, "member": 200, "other": 200, "former": 200}),
    # An empty topic is refused (400); the former partner has nobody to invite (400).
    Case("dialogue.start", "POST", fixed("/dialogue/"), {"anonymous": LOGIN, "member": 400, "other": 400, "former": 400}),
    Case("dialogue.show", "GET", url(), {"anonymous": LOGIN, "member": 200, "other": 404, "former": 200}),
    Case("dialogue.live", "GET", url("/live"), {"anonymous": LOGIN, "member": 200, "other": 404, "former": 200}),
    # An incomplete step is refused (400) and changes nothing; the archive is read-only (403).
    Case("dialogue.act", "POST", url("/act"), {"anonymous": LOGIN, "member": 400, "other": 404, "former": 403}),
    Case("dialogue.request_delete", "POST", url("/delete", "dialogue_done"),
         {"anonymous": LOGIN, "member": 303, "other": 404, "former": 403}),
    # Nobody asked yet, so there is nothing to agree to (409).
    Case("dialogue.accept_delete", "POST", url("/delete/accept", "dialogue_done"),
         {"anonymous": LOGIN, "member": 409, "other": 404, "former": 403}),
    Case("dialogue.cancel_delete", "POST", url("/delete/cancel", "dialogue_done"),
         {"anonymous": LOGIN, "member": 303, "other": 404, "former": 403}),
]
