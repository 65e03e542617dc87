"""Where pages find the relay: RELAY_URL when set (e.g. behind a reverse proxy), else this host on RELAY_PORT."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request


def relay_url() -> str:
    """The relay's base URL for the current request (a page appends /agreements/<document id>)."""
    configured = current_app.config["RELAY_URL"]
    if configured:
        return configured.rstrip("/")
    host = urlsplit(f"//{request.host}").hostname
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    return f"{'wss' if request.scheme == 'https' else 'ws'}://{host}:{current_app.config['RELAY_PORT']}"


def relay_origin() -> str:
    """The relay's origin, as a Content-Security-Policy connect-src source."""
    parts = urlsplit(relay_url())
    return f"{parts.scheme}://{parts.netloc}"
