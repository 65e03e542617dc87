"""create_app(mapping) lays the mapping over the real configuration (flaskr's contract)."""
import config
from app import create_app
from tests.conftest import TEST_SETTINGS


def test_a_mapping_changes_only_what_it_names(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a secret of the environment")
    app = create_app({"X": 1})
    assert app.config["X"] == 1
    assert (app.config["ARGON2_TIME_COST"], app.config["ARGON2_MEMORY_KIB"]) == (
        config.Config.ARGON2_TIME_COST, config.Config.ARGON2_MEMORY_KIB)
    assert app.config["RATELIMIT_ENABLED"] == config.Config.RATELIMIT_ENABLED
    assert app.config["SOCKETIO_ASYNC_MODE"] == config.Config.SOCKETIO_ASYNC_MODE
    assert not app.testing
    assert app.config["SECRET_KEY"] == "a secret of the environment"


def test_the_tests_ask_for_their_settings_explicitly():
    app = create_app({**TEST_SETTINGS, "X": 1})
    assert app.testing and app.config["ARGON2_TIME_COST"] == 1 and app.config["X"] == 1
    assert app.config["SECRET_KEY"] == TEST_SETTINGS["SECRET_KEY"]
