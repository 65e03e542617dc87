"""Does one partner's burst, or one flooding client, hurt the other couples? Their latency through the relay.

    .venv/bin/python -m bench.flood                      # see --help for the number of couples, rates, windows

Starts a real relay (`python -m relay`, default limits: SOCKET_EVENTS_PER_SECOND 100, burst 400, 2 MiB
documents) on a fresh SQLite database, makes couples (bench/setup.py), then measures the typing couples'
partner-to-partner latency with bench/load.mjs (`type relay`; the relay sends an update to the partner once
committed, in the same step as it acknowledges it) three times:
  baseline   alone
  burst      while one partner of the first couple types bursts of 5,000 keystrokes at full speed through our
             provider (bench/burst.mjs: each burst saved, cleared, and again), reporting each burst's time to
             save and every refusal
  flood      while the first couple's sockets flood the relay as fast as they can, each in its own process:
               junk       malformed y-protocols messages
               oversized  300 KiB updates that do not decode, and now and then one past the relay's message
                          limit (answered document_full, then closed 1009)
               valid      real updates far beyond the message rate (slow_down, then closed 4429)
             a flooder the relay disconnects connects again at once, as an attacker would.
Flooders and the burst run at nice 19: they stand for other machines. Prints one JSON line per run and a
Markdown table; everything goes to bench/out/flood-<time>/.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import queue as queue_module
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.services import migrate  # noqa: E402
from bench.run import SECRET, load_average, process_cpu, run_load  # noqa: E402
from bench.setup import make_couples  # noqa: E402
from tests.servers import Relay  # noqa: E402

ORIGIN = "http://bench.invalid"  # as bench/run.py's OurRelay: the pages' origin the load generator claims
KINDS = ["junk", "oversized", "valid"]
JUNK = b"\x00\x02\x40short"
BURST_KEYS = 5_000


def count(counts: dict, key: str) -> None:
    counts[key] = counts.get(key, 0) + 1


class RawRelaySocket:
    """A bare WebSocket to the relay: each send blocks only on TCP; a reader thread counts the relay's answers."""

    def __init__(self, url: str, cookie: str, document_id: int, counts: dict):
        from websockets.sync.client import connect

        self.counts = counts
        self.ws = connect(f"{url}/agreements/{document_id}", origin=ORIGIN, additional_headers={"Cookie": cookie},
                          max_size=None, compression=None, open_timeout=10)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        from relay import messages

        try:
            for data in self.ws:
                if data[:1] == bytes([messages.REFUSED]):
                    count(self.counts["refused"], messages.read_refused(data)[1])
        except ConnectionClosed as closed:
            count(self.counts["closed_by_relay"], str(closed.rcvd.code if closed.rcvd else "none"))

    def send(self, data: bytes) -> None:
        self.ws.send(data)

    def close(self) -> None:
        self.ws.close()


def flooder(url: str, cookie: str, document_id: int, kind: str, seconds: float, out: "multiprocessing.Queue") -> None:
    """Send `kind` messages as fast as the connection takes them for `seconds`; connect again when closed."""
    from pycrdt import create_update_message, write_message

    from agreements.limits import MAX_DOCUMENT_BYTES
    from agreements.shape import items, sections
    from tests.relay.client import RelayClient

    os.nice(19)  # the flooder stands for another machine: it must not take the relay's CPU on this one
    counts = {"kind": kind, "sent": 0, "connections": 0, "refused": {}, "closed_by_relay": {}}
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        try:
            raw = (RelayClient(url, document_id, cookie, ORIGIN) if kind == "valid"
                   else RawRelaySocket(url, cookie, document_id, counts))
        except Exception as error:  # noqa: BLE001 - refused for a moment: try again
            counts["last_error"] = type(error).__name__
            time.sleep(0.05)
            continue
        counts["connections"] += 1
        try:
            if kind == "valid":
                raw.wait(lambda: raw.server_step1 >= 2 and len(raw.doc.get_update()) > 100, timeout=10)
            while time.monotonic() < deadline:
                n += 1
                if kind == "junk":
                    raw.send(JUNK)
                elif kind == "oversized":
                    size = MAX_DOCUMENT_BYTES + 128 * 1024 if n % 20 == 0 else 300 * 1024
                    raw.send(b"\x00\x02" + write_message(os.urandom(size)))
                else:
                    def change(doc):
                        text = next(items(next(sections(doc))))["text"]
                        if len(text) < 1_500:  # within the editor's 2,000 characters: the shape stays valid
                            text.insert(len(text), "f")
                        else:
                            del text[0:len(text)]
                    raw.send(create_update_message(raw.change(change)))
                    if raw.closed is not None:
                        raise ConnectionError("closed")
                counts["sent"] += 1
        except Exception as error:  # noqa: BLE001 - the relay closed the connection
            counts["last_error"] = type(error).__name__
        finally:
            if kind == "valid":
                for _, code, _ in raw.refusals:
                    count(counts["refused"], code)
                if raw.closed is not None and raw.closed.rcvd:
                    count(counts["closed_by_relay"], str(raw.closed.rcvd.code))
            try:
                raw.close()
            except Exception:  # noqa: BLE001 - already closed
                pass
    out.put(counts)


def measure(relay_url: str, couples_file: Path, options) -> dict:
    """One bench/load.mjs typing run of the measured couples."""
    return run_load(["type", "relay", relay_url, str(couples_file), str(options.rate), str(options.warmup),
                     str(options.measure)], timeout=options.warmup + options.measure + 300)


def bursting(relay, couples: list[dict], couples_file: Path, options) -> dict:
    """Measure while one partner of the first couple types 5,000-keystroke bursts through our provider."""
    attacker = couples[0]
    seconds = options.warmup + options.measure + 5
    burst = subprocess.Popen(
        ["nice", "-n", "19", "node", str(ROOT / "bench/burst.mjs"), relay.url, ORIGIN, attacker["cookies"][0],
         str(attacker["doc"]), str(BURST_KEYS), str(seconds)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    result = measure(relay.url, couples_file, options)
    out, _ = burst.communicate(timeout=seconds + 300)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    result["burst"] = json.loads(lines[-1]) if lines else {"failed": "the burst did not report"}
    return result


def flooded(relay, couples: list[dict], couples_file: Path, options) -> dict:
    """Measure while every flooder of the first couple runs; return the figures and what the flooders did."""
    seconds = options.warmup + options.measure + 15
    queue: multiprocessing.Queue = multiprocessing.Queue()
    attacker = couples[0]
    processes = [multiprocessing.Process(target=flooder, args=(relay.url, attacker["cookies"][i % 2],
                                                               attacker["doc"], kind, seconds, queue))
                 for i, kind in enumerate(options.kinds)]
    for process in processes:
        process.start()
    time.sleep(3)  # the flood is under way before the measured couples connect
    result = measure(relay.url, couples_file, options)
    floods = []
    for _ in processes:
        try:
            floods.append(queue.get(timeout=seconds + 60))
        except queue_module.Empty:
            floods.append({"failed": "a flooder did not report"})
    for process in processes:
        process.join(timeout=10)
        if process.is_alive():
            process.terminate()
    result["flooders"] = floods
    return result


COLUMNS = ["run", "couples", "updates_sent_per_s", "acked_per_s", "p50_ms", "p95_ms", "p99_ms", "max_ms",
           "not_arrived", "errors", "relay_cpu", "load_average"]


def timed_run(relay, name: str, run) -> dict:
    """One measurement, with its name, the load average and the relay process's CPU use; printed as JSON."""
    cpu, started = process_cpu(relay.process.pid), time.monotonic()
    result = run()
    result.update(run=name, load_average=load_average(),
                  relay_cpu=round((process_cpu(relay.process.pid) - cpu) / (time.monotonic() - started), 2))
    print(json.dumps(result), flush=True)
    return result


def print_runs(runs: list[dict]) -> None:
    """The runs as a Markdown table."""
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + " --- |" * len(COLUMNS))
    for row in runs:
        print("| " + " | ".join(str(row.get(c, row.get("failed", ""))) for c in COLUMNS) + " |")


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    parser = argparse.ArgumentParser(description="Other couples' latency during one partner's burst or a flood.")
    parser.add_argument("--couples", type=int, default=20, help="measured couples (the bursting one comes on top)")
    parser.add_argument("--rate", type=float, default=2.0, help="updates per second per measured client")
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--measure", type=float, default=30)
    parser.add_argument("--runs", nargs="+", default=["baseline", "burst", "flood"],
                        choices=["baseline", "burst", "flood"])
    parser.add_argument("--kinds", nargs="+", default=KINDS, choices=KINDS, help="one flooding process per kind")
    options = parser.parse_args()

    workdir = ROOT / "bench" / "out" / time.strftime("flood-%Y%m%d-%H%M%S")
    workdir.mkdir(parents=True)
    database_url = f"sqlite:///{workdir / 'bench.sqlite'}"
    migrate(database_url)
    couples = make_couples(database_url, SECRET, options.couples + 1)
    couples_file = workdir / "measured.json"
    couples_file.write_text(json.dumps(couples[1:]))
    results = {"machine": {"cores": os.cpu_count(), "load_average_at_start": load_average()},
               "options": {k: str(v) for k, v in vars(options).items()}, "runs": []}
    relay = Relay(workdir, database_url, ORIGIN, env={"SECRET_KEY": SECRET, "IDLE_TIMEOUT": "86400"}).start(60)
    runs = {"baseline": lambda: measure(relay.url, couples_file, options),
            "burst": lambda: bursting(relay, couples, couples_file, options),
            "flood": lambda: flooded(relay, couples, couples_file, options)}
    try:
        for name in options.runs:
            results["runs"].append(timed_run(relay, name, runs[name]))
            time.sleep(3)
    finally:
        relay.stop()
    (workdir / "results.json").write_text(json.dumps(results, indent=2))
    print_runs(results["runs"])
    for row in results["runs"]:
        for extra in [row.get("burst"), *row.get("flooders", [])]:
            if extra:
                print(json.dumps(extra))


if __name__ == "__main__":
    main()
