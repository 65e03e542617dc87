"""Does the rest of the app hold up the typing couples? Their partner-to-partner latency alone, then while
people sign in, compare versions and download exports against the same server process.

    .venv/bin/python -m bench.mixed                      # see --help for the couples, rates and windows

Starts a real `gunicorn -k gevent -w 1` server on a fresh SQLite database with the production password
hashing cost (argon2id, 3 passes over 64 MiB), makes the typing couples (bench/setup.py) and one more couple
whose document has two long versions to compare, and a relay beside it, then runs bench/load.mjs twice (the couples typing through the relay): alone (baseline),
and while this process keeps up, against the app process:
  sign-in     the sign-in form, right password, `--sign-ins` per second (each a real argon2 verification)
  compare     the history comparison of two versions of repetitive text (the slowest kind to compare)
  export      the Markdown export of that document, and the my-data zip (password re-entered: argon2 again)
Prints one JSON line per run, the side traffic's own latency, and a Markdown table; everything goes to
bench/out/mixed-<time>/. The typing p99 should move by under 10 ms (ARCHITECTURE.md).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.services import migrate  # noqa: E402
from bench.flood import measure, print_runs, timed_run  # noqa: E402
from bench.run import SECRET, OurRelay, OurServer, load_average, process_cpu  # noqa: E402
from bench.setup import make_couples  # noqa: E402

COST = {"ARGON2_TIME_COST": "3", "ARGON2_MEMORY_KIB": str(64 * 1024)}  # the production default
PASSWORD = "a long walk on a quiet evening"
AGREEMENTS, OLD_TEXT, NEW_TEXT = 5, "we " * 400, "we us " * 200
SIGNERS = 4


def make_side_traffic_accounts(database_url: str) -> dict:
    """People who sign in, and a couple whose document has two long versions; hashed at production cost."""
    from sqlalchemy import select

    from agreements import history, rooms, shape
    from agreements.models import AgreementDocument
    from app import create_app
    from couples import accounts, linking
    from extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET,
                      **{key: int(value) for key, value in COST.items()}})
    with app.app_context():
        signers = [accounts.sign_up(f"sam.mixed{n}@example.org", "Sam Ortiz", PASSWORD).email for n in range(SIGNERS)]
        maya = accounts.sign_up("maya.mixed@example.org", "Maya Haddad", PASSWORD)
        noor = accounts.sign_up("noor.mixed@example.org", "Noor Haddad", PASSWORD)
        couple = linking.join(linking.invite(maya), noor)
        document = db.session.scalar(select(AgreementDocument).where(AgreementDocument.couple_id == couple.id))
        ids = [shape.new_id() for _ in range(AGREEMENTS)]

        def add(doc):
            for item_id in ids:
                next(shape.sections(doc))["items"].append(shape.new_item(OLD_TEXT, item_id))

        def reword(doc):
            for item_id in ids:
                history.replace_text(shape.find_item(doc, item_id)["text"], NEW_TEXT)

        rooms.edit(document.id, couple.id, add, maya.id)
        old = history.take_version(document, history.PAUSE)
        rooms.edit(document.id, couple.id, reword, noor.id)
        paths = {"compare": f"/agreements/{document.id}/compare?old={old.id}&new=now",
                 "markdown": f"/agreements/{document.id}/export.md"}
        db.session.remove()
        db.engine.dispose()
    return {"signers": signers, "reader": "maya.mixed@example.org", **paths}


def _token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page).group(1)


def _signed_in(url: str, email: str) -> requests.Session:
    session = requests.Session()
    token = _token(session.get(f"{url}/login", timeout=120).text)
    answer = session.post(f"{url}/login", data={"email": email, "password": PASSWORD, "csrf_token": token},
                          allow_redirects=False, timeout=120)
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in refused: {answer.status_code}")
    return session


class SideTraffic:
    """Sign-ins, comparisons and exports fired at fixed rates from threads; keeps each request's latency."""

    def __init__(self, url: str, accounts: dict, options):
        self.url, self.accounts, self.options = url, accounts, options
        self.latencies: dict[str, list[float]] = {"sign-in": [], "compare": [], "export": []}
        self.failures: dict[str, int] = {kind: 0 for kind in self.latencies}
        self.stop = threading.Event()
        self.pool = ThreadPoolExecutor(max_workers=32)
        self.reader = _signed_in(url, accounts["reader"])
        self.reader_lock = threading.Lock()
        self.n = 0

    def sign_in(self) -> None:
        self.n += 1
        _signed_in(self.url, self.accounts["signers"][self.n % len(self.accounts["signers"])])

    def compare(self) -> None:
        answer = self.reader.get(self.url + self.accounts["compare"], timeout=120)
        answer.raise_for_status()

    def export(self) -> None:
        self.n += 1
        if self.n % 2:
            self.reader.get(self.url + self.accounts["markdown"], timeout=120).raise_for_status()
            return
        with self.reader_lock:  # one CSRF token per session: fetch and use it without interleaving
            token = _token(self.reader.get(f"{self.url}/my-data", timeout=120).text)
            answer = self.reader.post(f"{self.url}/my-data", data={"password": PASSWORD, "csrf_token": token},
                                      timeout=120)
        if answer.headers.get("Content-Type") != "application/zip":
            raise RuntimeError(f"my data refused: {answer.status_code}")

    def _timed(self, kind: str, work) -> None:
        started = time.monotonic()
        try:
            work()
        except Exception:  # noqa: BLE001 - counted, the run goes on
            self.failures[kind] += 1
            return
        self.latencies[kind].append((time.monotonic() - started) * 1000)

    def _every(self, kind: str, per_second: float, work) -> None:
        interval, next_at = 1 / per_second, time.monotonic()
        while not self.stop.is_set():
            self.pool.submit(self._timed, kind, work)
            next_at += interval
            self.stop.wait(max(0.0, next_at - time.monotonic()))

    def start(self) -> None:
        for kind, rate, work in (("sign-in", self.options.sign_ins, self.sign_in),
                                 ("compare", self.options.compares, self.compare),
                                 ("export", self.options.exports, self.export)):
            if rate <= 0:
                continue
            threading.Thread(target=self._every, args=(kind, rate, work), daemon=True).start()

    def finish(self) -> dict:
        self.stop.set()
        self.pool.shutdown(wait=True)
        summary = {}
        for kind, values in self.latencies.items():
            values.sort()
            summary[kind] = {"done": len(values), "failed": self.failures[kind],
                             "p50_ms": round(statistics.median(values), 1) if values else None,
                             "p99_ms": round(values[min(len(values) - 1, int(len(values) * 0.99))], 1)
                             if values else None}
        return summary


def typing(server, relay, couples_file: Path, side: dict, options, with_traffic: bool) -> dict:
    """One typing run of the couples through the relay, alone or while the side traffic runs against the app
    (started a little before); with the app process's CPU use over the run."""
    cpu, started = process_cpu(server.pid), time.monotonic()
    traffic = SideTraffic(server.url, side, options) if with_traffic else None
    if traffic:
        traffic.start()
        time.sleep(2)  # the side traffic is under way before the typing couples connect
    result = measure(relay.url, couples_file, options)
    if traffic:
        result["side_traffic"] = traffic.finish()
    result["app_cpu"] = round((process_cpu(server.pid) - cpu) / (time.monotonic() - started), 2)
    return result


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    parser = argparse.ArgumentParser(description="Typing couples' latency alone and with sign-ins, comparisons, exports.")
    parser.add_argument("--couples", type=int, default=25, help="typing couples")
    parser.add_argument("--rate", type=float, default=2.0, help="updates per second per typing client")
    parser.add_argument("--sign-ins", type=float, default=3.0, help="sign-ins per second")
    parser.add_argument("--compares", type=float, default=1.0, help="history comparisons per second")
    parser.add_argument("--exports", type=float, default=1.0, help="exports per second (Markdown and my-data zip in turn)")
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--measure", type=float, default=30)
    options = parser.parse_args()

    workdir = ROOT / "bench" / "out" / time.strftime("mixed-%Y%m%d-%H%M%S")
    workdir.mkdir(parents=True)
    database_url = f"sqlite:///{workdir / 'bench.sqlite'}"
    migrate(database_url)
    couples_file = workdir / "typing.json"
    couples_file.write_text(json.dumps(make_couples(database_url, SECRET, options.couples)))
    side = make_side_traffic_accounts(database_url)
    results = {"machine": {"cores": os.cpu_count(), "load_average_at_start": load_average()},
               "options": {k: str(v) for k, v in vars(options).items()}, "runs": []}
    # The couples type through the relay (the documents' live channel, as in the product); the side traffic
    # goes to the app process beside it, on the same database and the same two cores.
    server = OurServer(workdir, database_url, env=COST)
    relay = OurRelay(workdir, database_url)
    try:
        for name in ("baseline", "mixed"):
            results["runs"].append(timed_run(relay.server, name, lambda: typing(
                server, relay, couples_file, side, options, with_traffic=name == "mixed")))
            time.sleep(3)
    finally:
        relay.stop()
        server.stop()
    (workdir / "results.json").write_text(json.dumps(results, indent=2))
    print_runs(results["runs"])
    print()
    print("| side traffic | done | failed | p50 ms | p99 ms |")
    print("| --- | --- | --- | --- | --- |")
    for kind, figures in results["runs"][-1].get("side_traffic", {}).items():
        print(f"| {kind} | {figures['done']} | {figures['failed']} | {figures['p50_ms']} | {figures['p99_ms']} |")
    baseline, mixed = (row.get("p99_ms") for row in results["runs"])
    if isinstance(baseline, (int, float)) and isinstance(mixed, (int, float)):
        print(f"\ntyping p99: {baseline} ms alone, {mixed} ms with the side traffic "
              f"({mixed - baseline:+.1f} ms; budget: under 10 ms)")


if __name__ == "__main__":
    main()
