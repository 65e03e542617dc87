"""Authorization matrix entries for accounts, linking and the home page."""
from tests.authz import Case

LOGIN = 302  # anonymous people are sent to the sign-in page


def fixed(path):
    """A URL that does not depend on the world."""
    return lambda world: path


CASES = [
    Case("couples.home", "GET", fixed("/"), {"anonymous": 200, "member": 200, "other": 200, "former": 200}),
    Case("couples.signup", "GET", fixed("/signup"), {"anonymous": 200, "member": 302, "other": 302, "former": 302}),
    Case("couples.signup", "POST", fixed("/signup"), {"anonymous": 400, "member": 302, "other": 302, "former": 302}),
    Case("couples.login", "GET", fixed("/login"), {"anonymous": 200, "member": 302, "other": 302, "former": 302}),
    Case("couples.login", "POST", fixed("/login"), {"anonymous": 400, "member": 302, "other": 302, "former": 302}),
    Case("couples.logout", "POST", fixed("/logout"), {"anonymous": LOGIN, "member": 302, "other": 302, "former": 302}),
    Case("couples.quick_exit", "POST", fixed("/quick-exit"), {"anonymous": 204, "member": 204, "other": 204, "former": 204}),
    Case("couples.safety", "GET", fixed("/safety"), {"anonymous": 200, "member": 200, "other": 200, "former": 200}),
    Case("couples.account", "GET", fixed("/account"), {"anonymous": LOGIN, "member": 200, "other": 200, "former": 200}),
    Case("couples.update_profile", "POST", fixed("/account/profile"),
         {"anonymous": LOGIN, "member": 400, "other": 400, "former": 400}),
    Case("couples.change_password", "POST", fixed("/account/password"),
         {"anonymous": LOGIN, "member": 400, "other": 400, "former": 400}),
    Case("couples.delete_account", "POST", fixed("/account/delete"),
         {"anonymous": LOGIN, "member": 400, "other": 400, "former": 400}),
    # Linked people cannot invite: the service refuses with 409 and nothing changes.
    Case("couples.invite", "POST", fixed("/invite"), {"anonymous": LOGIN, "member": 409, "other": 409, "former": 302}),
    Case("couples.cancel_invitation", "POST", fixed("/invite/cancel"),
         {"anonymous": LOGIN, "member": 404, "other": 404, "former": 404}),
    Case("couples.join_by_code", "GET", fixed("/join"), {"anonymous": LOGIN, "member": 200, "other": 200, "former": 200}),
    Case("couples.join_by_code", "POST", fixed("/join"), {"anonymous": LOGIN, "member": 400, "other": 400, "former": 400}),
    Case("couples.join_by_link", "GET", fixed("/join/not-a-real-token"),
         {"anonymous": LOGIN, "member": 404, "other": 404, "former": 404}),
    Case("couples.join_confirm", "POST", fixed("/join/confirm"),
         {"anonymous": LOGIN, "member": 404, "other": 404, "former": 404}),
    Case("couples.unlink", "GET", fixed("/unlink"), {"anonymous": LOGIN, "member": 200, "other": 200, "former": 302}),
    # Without the confirmation box ticked, unlinking is refused (400) and nothing changes.
    Case("couples.unlink", "POST", fixed("/unlink"), {"anonymous": LOGIN, "member": 400, "other": 400, "former": 302}),
    Case("couples.archive", "GET", lambda w: f"/archive/{w.couple.id}",
         {"anonymous": LOGIN, "member": 302, "other": 404, "former": 200}),
]
