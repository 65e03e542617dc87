"""Does one flooding client hurt the others? Partner-to-partner latency of other couples, with and without a flood.

    .venv/bin/python -m bench.flood                      # see --help for the number of couples, rates, windows

Starts a real `gunicorn -k gevent -w 1` server on a fresh SQLite database, makes couples (bench/setup.py),
then measures the typing couples' partner-to-partner latency with bench/load.mjs twice: alone (baseline), and
while the first couple's sockets flood the server as fast as they can, each in its own process:
  junk       malformed y-protocols messages
  oversized  300 KiB messages (past the 256 KiB message limit), and now and then 600 KiB ones (past the
             512 KiB socket payload limit: the server closes the connection)
  valid      real updates to the couple's document, far beyond the events-per-second limit
A flooder the server disconnects connects again at once, as an attacker would. Prints one JSON line per
run and a Markdown table; everything goes to bench/out/flood-<time>/.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import queue as queue_module
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cluster import migrate  # noqa: E402
from bench.run import SECRET, OurServer, load_average, process_cpu, run_load  # noqa: E402
from bench.setup import make_couples  # noqa: E402
from tests.agreements.wire import NAMESPACE  # noqa: E402

KINDS = ["junk", "oversized", "valid"]
JUNK = b"\x00\x02\x40short"


def synced_doc(url: str, cookie: str, document_id: int):
    """The document as the server holds it, through an ordinary client (join, then sync)."""
    import socketio

    from tests.agreements.wire import NAMESPACE, YClient

    sio = socketio.Client(serializer="msgpack", reconnection=False)
    client = YClient(lambda event, *args: sio.call(event, args if len(args) > 1 else args[0], namespace=NAMESPACE,
                                                   timeout=30))
    sio.on("yjs", client.receive, namespace=NAMESPACE)
    sio.connect(url, headers={"Cookie": cookie}, namespaces=[NAMESPACE], transports=["websocket"], wait_timeout=10)
    client.join(document_id)
    time.sleep(1)  # the server's step 2 arrives on the client's thread
    sio.disconnect()
    return client


class RawSocket:
    """A bare Engine.IO/Socket.IO connection to /agreements: each send blocks only on TCP, as fast as can be.

    A reader thread answers the server's pings and counts what the server says (acknowledgements are not
    asked for: the flood does not wait)."""

    def __init__(self, url: str, cookie: str, counts: dict):
        import threading

        import websocket
        from socketio import packet
        from socketio.msgpack_packet import MsgPackPacket

        self.packet, self.Packet, self.counts = packet, MsgPackPacket, counts
        self.ws = websocket.create_connection(url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket",
                                              header=[f"Cookie: {cookie}"], origin=url, enable_multithread=True)
        self.ws.recv()  # Engine.IO open
        self.ws.send_binary(MsgPackPacket(packet.CONNECT, namespace=NAMESPACE).encode())
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            while True:
                frame = self.ws.recv()
                if frame == "2":
                    self.ws.send("3")
                elif isinstance(frame, bytes):
                    kind = self.Packet(encoded_packet=frame)
                    if kind.packet_type == self.packet.DISCONNECT:
                        self.counts["disconnected_by_server"] += 1
                    elif kind.packet_type == self.packet.EVENT and kind.data[0] == "error":
                        code = kind.data[1].get("code")
                        self.counts["error_events"][code] = self.counts["error_events"].get(code, 0) + 1
        except Exception:  # noqa: BLE001 - closed
            pass

    def emit(self, *data) -> None:
        self.ws.send_binary(self.Packet(self.packet.EVENT, data=list(data), namespace=NAMESPACE).encode())

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:  # noqa: BLE001
            pass


def flooder(url: str, cookie: str, document_id: int, kind: str, seconds: float, out: "multiprocessing.Queue") -> None:
    """Send `kind` messages as fast as the connection takes them for `seconds`; connect again when closed."""
    from pycrdt import create_update_message

    from agreements.shape import items, sections

    os.nice(19)  # the flooder stands for another machine: it must not take the server's CPU on this one
    counts = {"kind": kind, "sent": 0, "connections": 0, "disconnected_by_server": 0, "error_events": {}}
    client = synced_doc(url, cookie, document_id) if kind == "valid" else None
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        try:
            raw = RawSocket(url, cookie, counts)
        except Exception as error:  # noqa: BLE001 - refused for a moment: try again
            counts["last_error"] = type(error).__name__
            time.sleep(0.05)
            continue
        counts["connections"] += 1
        try:
            raw.emit("join", {"doc": document_id})
            while time.monotonic() < deadline:
                n += 1
                if kind == "junk":
                    message = JUNK
                elif kind == "oversized":
                    message = b"\x00\x02" + os.urandom(600 * 1024 if n % 20 == 0 else 300 * 1024)
                else:
                    with client.doc.transaction():
                        text = next(items(next(sections(client.doc))))["text"]
                        text.insert(len(text), "flood ")
                    message = create_update_message(client.unsent.pop())
                raw.emit("yjs", document_id, message)
                counts["sent"] += 1
        except Exception as error:  # noqa: BLE001 - the server closed the connection
            counts["last_error"] = type(error).__name__
        finally:
            raw.close()
    out.put(counts)


def measure(server_url: str, couples_file: Path, options) -> dict:
    """One bench/load.mjs typing run of the measured couples."""
    return run_load(["type", "ours", server_url, str(couples_file), str(options.rate), str(options.warmup),
                     str(options.measure)], timeout=options.warmup + options.measure + 300)


def flooded(server, couples: list[dict], couples_file: Path, options) -> dict:
    """Measure while every flooder of the first couple runs; return the figures and what the flooders did."""
    seconds = options.warmup + options.measure + 15
    queue: multiprocessing.Queue = multiprocessing.Queue()
    attacker = couples[0]
    processes = [multiprocessing.Process(target=flooder, args=(server.url, attacker["cookies"][i % 2],
                                                               attacker["doc"], kind, seconds, queue))
                 for i, kind in enumerate(options.kinds)]
    for process in processes:
        process.start()
    time.sleep(3)  # the flood is under way before the measured couples connect
    result = measure(server.url, couples_file, options)
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
           "not_arrived", "errors", "server_cpu", "load_average"]


def timed_run(server, name: str, run) -> dict:
    """One measurement, with its name, the load average and the server process's CPU use; printed as JSON."""
    cpu, started = process_cpu(server.pid), time.monotonic()
    result = run()
    try:
        used = round((process_cpu(server.pid) - cpu) / (time.monotonic() - started), 2)
    except FileNotFoundError:  # gunicorn killed the worker as hung and started another
        used = "worker killed"
    result.update(run=name, load_average=load_average(), server_cpu=used)
    print(json.dumps(result), flush=True)
    return result


def print_runs(runs: list[dict]) -> None:
    """The runs as a Markdown table."""
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + " --- |" * len(COLUMNS))
    for row in runs:
        print("| " + " | ".join(str(row.get(c, row.get("failed", "")) if c != "couples" else row.get(c, ""))
                                for c in COLUMNS) + " |")


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    parser = argparse.ArgumentParser(description="Other couples' latency while one client floods the server.")
    parser.add_argument("--couples", type=int, default=20, help="measured couples (the flooding one comes on top)")
    parser.add_argument("--rate", type=float, default=2.0, help="updates per second per measured client")
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--measure", type=float, default=30)
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
    server = OurServer(workdir, database_url)
    try:
        for name, run in (("baseline", lambda: measure(server.url, couples_file, options)),
                          ("flood", lambda: flooded(server, couples, couples_file, options))):
            results["runs"].append(timed_run(server, name, run))
            time.sleep(3)
    finally:
        server.stop()
    (workdir / "results.json").write_text(json.dumps(results, indent=2))
    print_runs(results["runs"])
    for flood in results["runs"][-1].get("flooders", []):
        print(json.dumps(flood))


if __name__ == "__main__":
    main()
