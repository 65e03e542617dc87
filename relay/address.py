"""Where pages find the relay: RELAY_URL when set (e.g. behind a reverse proxy), else this host on RELAY_PORT.

RELAY_URL may name several relay processes (separated by spaces or commas): each document then goes to one of
them, by its id modulo their number, from every app process alike, so both partners meet in one relay's room.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import current_app, request


def relay_urls() -> list[str]:
    """Every relay's base URL for the current request, in the configured order."""
    configured = [url.rstrip("/") for url in re.split(r"[\s,]+", current_app.config["RELAY_URL"] or "") if url]
    if configured:
        return configured
    host = urlsplit(f"//{request.host}").hostname
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    return [f"{'wss' if request.scheme == 'https' else 'ws'}://{host}:{current_app.config['RELAY_PORT']}"]


def relay_url(document_id: int | None = None) -> str:
    """The base URL of the relay serving document_id (a page appends /agreements/<document id>)."""
    urls = relay_urls()
    return urls[(document_id or 0) % len(urls)]


def relay_origins() -> list[str]:
    """The relays' origins, as Content-Security-Policy connect-src sources (each once, in order)."""
    origins = []
    for url in relay_urls():
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" not in origins:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins
