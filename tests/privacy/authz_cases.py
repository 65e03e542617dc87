"""Authorization matrix entries for reflection, sessions, my data and privacy settings.

Reflections and sessions belong to a person, not a couple: each world's first partner gets one of each, so
"other" (Carol) aims at Alice's and is refused, while "former" (Erin) aims at her own and may use them.
"""
from tests.authz import Case
from tests.conftest import PASSWORD

LOGIN = 302  # anonymous people are sent to the sign-in page
SIGNED_IN = {"anonymous": LOGIN, "member": 200, "other": 200, "former": 200}
REDIRECTS = {"anonymous": LOGIN, "member": 302, "other": 302, "former": 302}
OWN_ONLY = {"anonymous": LOGIN, "member": 302, "other": 404, "former": 302}


def seed(world):
    """One private entry and one extra signed-in browser for the world's first partner."""
    from couples import accounts
    from privacy import reflection

    world.ids["reflection"] = reflection.write(world.me, "pattern", "We both go quiet.").public_id
    world.ids["login_session"] = accounts.start_session(world.me, "Firefox on a tablet").public_id


def fixed(path):
    """A URL that does not depend on the world."""
    return lambda world: path


def entry_url(suffix=""):
    """The seeded entry of the world the role aims at."""
    return lambda world: f"/reflection/{world.ids['reflection']}{suffix}"


CASES = [
    Case("privacy.journal", "GET", fixed("/reflection"), SIGNED_IN),
    Case("privacy.write", "POST", fixed("/reflection"), REDIRECTS,
         data=lambda w: {"prompt": "differently", "body": "Ask before assuming."}),
    Case("privacy.entry", "GET", entry_url(), {"anonymous": LOGIN, "member": 200, "other": 404, "former": 200}),
    Case("privacy.edit", "POST", entry_url(), OWN_ONLY, data=lambda w: {"prompt": "open", "body": "Rewritten."}),
    Case("privacy.delete", "POST", entry_url("/delete"), OWN_ONLY),
    # Sharing needs a linked partner: Erin, whose couple unlinked, is refused with 400 and nothing is sent.
    Case("privacy.share", "POST", entry_url("/share"), {"anonymous": LOGIN, "member": 302, "other": 404, "former": 400},
         data=lambda w: {"passage": "We both go quiet."}),
    Case("privacy.passages", "GET", fixed("/passages"), SIGNED_IN),
    Case("privacy.sessions", "GET", fixed("/sessions"), SIGNED_IN),
    Case("privacy.end_session", "POST", lambda w: f"/sessions/{w.ids['login_session']}/end", OWN_ONLY),
    Case("privacy.end_other_sessions", "POST", fixed("/sessions/end-others"), REDIRECTS),
    Case("privacy.still_here", "GET", fixed("/sessions/still-here"),
         {"anonymous": LOGIN, "member": 204, "other": 204, "former": 204}),
    Case("privacy.my_data", "GET", fixed("/my-data"), SIGNED_IN),
    Case("privacy.my_data", "POST", fixed("/my-data"), SIGNED_IN, data=lambda w: {"password": PASSWORD}),
    Case("privacy.settings", "GET", fixed("/settings/privacy"), SIGNED_IN),
    Case("privacy.settings", "POST", fixed("/settings/privacy"), REDIRECTS, data=lambda w: {"share_presence": "y"}),
    # Space is always one's own: there is no id to aim at the partner's. Erin, no longer linked, cannot ask (400).
    Case("privacy.ask_for_space", "GET", fixed("/space"), SIGNED_IN),
    Case("privacy.ask_for_space", "POST", fixed("/space"), {"anonymous": LOGIN, "member": 302, "other": 302,
                                                            "former": 400},
         data=lambda w: {"length": "day", "note": "I need a day to think."}),
    Case("privacy.end_space", "POST", fixed("/space/end"), REDIRECTS),
]
