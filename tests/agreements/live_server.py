"""Browsers of a real server process (tests.servers.Server): signing in, cookies, forms; jobs run side by side."""
from __future__ import annotations

import re
import threading

import requests

from tests.servers import Server


def csrf_token(page: str) -> str:
    """The CSRF token of the first form on an HTML page."""
    return re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page).group(1)


def browser(server: Server, email: str, password: str) -> requests.Session:
    """A requests session signed in through the real form."""
    session = requests.Session()
    page = session.get(f"{server.url}/login").text
    answer = session.post(f"{server.url}/login", allow_redirects=False,
                          data={"email": email, "password": password, "csrf_token": csrf_token(page)})
    assert answer.status_code == 302, answer.text[:300]
    return session


def cookie_header(session: requests.Session) -> str:
    """The Cookie header a socket opened by this browser sends."""
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def sign_in(server: Server, email: str, password: str) -> str:
    """Sign in through the real form; return the Cookie header of the session."""
    return cookie_header(browser(server, email, password))


def run_in_threads(*jobs, failures: list | None = None) -> None:
    """Run the callables at the same time; re-raise the first failure (or collect them into `failures`)."""
    collect = failures is not None
    failures = [] if failures is None else failures

    def guarded(job):
        try:
            job()
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=guarded, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures and not collect:
        raise failures[0]
