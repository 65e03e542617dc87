"""Every state-changing route refuses a request without a valid CSRF token, and changes nothing."""
import pytest

from tests.authz import World
from tests.test_authorization_matrix import CASES, worlds  # noqa: F401  (the worlds fixture)

POSTS = [case for case in CASES if case.method != "GET"]


def _row_counts():
    """How many rows each table holds: a refused request must leave them all as they were."""
    from extensions import db

    with db.engine.connect() as connection:
        return {table.name: connection.execute(db.select(db.func.count()).select_from(table)).scalar()
                for table in db.metadata.sorted_tables if table.name != "live_socket"}


@pytest.mark.parametrize("token", ["missing", "wrong"])
@pytest.mark.parametrize("case", POSTS, ids=lambda c: f"{c.method} {c.endpoint}")
def test_post_without_a_valid_csrf_token_is_refused(case, token, worlds, client, login):  # noqa: F811
    world: World = worlds["member"]
    login(client, world.me)
    data = dict(case.data(world))
    if token == "wrong":
        data["csrf_token"] = "not-a-real-token"
    before = _row_counts()
    response = client.open(case.url(world), method=case.method, data=data)
    assert response.status_code == 400
    assert _row_counts() == before
