"""The one source of the current time, so tests can move it without sleeping."""
from datetime import datetime, timezone

from flask import current_app, has_app_context


def now() -> datetime:
    """Return the current time as an aware UTC datetime (config NOW, a callable, overrides it in tests)."""
    if has_app_context():
        source = current_app.config.get("NOW")
        if source is not None:
            return source()
    return datetime.now(timezone.utc)
