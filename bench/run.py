"""The side-by-side benchmark: our server, our relay, Hocuspocus and y-websocket under the same load, in one run.

    bench/install-peers.sh                      # once: Hocuspocus and y-websocket into bench/peers/
    .venv/bin/python -m bench.run               # the ramp and the relay workload; see --help

For each server: start it on loopback, ramp the number of couples typing (bench/load.mjs), sample the
server process's CPU time and memory around each step, stop it. Results go to bench/out/<time>/results.json
and a Markdown table on stdout.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.services import migrate  # noqa: E402
from tests.servers import Relay, Server, free_port  # noqa: E402

BENCH = ROOT / "bench"
SECRET = "bench-secret-key"
TICK = os.sysconf("SC_CLK_TCK")
SATURATED_MS = 2000  # a step whose p99 passes this ends the ramp


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def process_rss_mib(pid: int) -> float:
    """Resident memory of a process in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def load_average() -> float:
    """The one-minute load average of the machine."""
    return float(Path("/proc/loadavg").read_text().split()[0])


class CpuSampler:
    """The CPU time a process has used, sampled every quarter of a second in a thread until stop()."""

    def __init__(self, pid: int):
        import threading

        self.pid, self.samples, self.done = pid, [], threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.done.is_set():
            self.samples.append((time.monotonic(), process_cpu(self.pid)))
            self.done.wait(0.25)

    def stop(self) -> list[tuple[float, float]]:
        self.done.set()
        self.thread.join()
        return self.samples


def cpu_between(samples: list[tuple[float, float]], start: float, end: float) -> float:
    """Cores used between two times, from the samples nearest inside them."""
    inside = [s for s in samples if start <= s[0] <= end]
    if len(inside) < 2:
        return 0.0
    (t0, c0), (t1, c1) = inside[0], inside[-1]
    return (c1 - c0) / (t1 - t0)


class NodeServer:
    """A peer server (Hocuspocus or y-websocket) as a Node process on loopback."""

    def __init__(self, name: str, workdir: Path):
        self.name, self.port = name, free_port()
        self.log = open(workdir / f"{name}.log", "ab")
        if name == "hocuspocus":
            command, env = ["node", str(BENCH / "hocuspocus.mjs"), str(self.port)], {}
        else:
            command = ["node", str(BENCH / "peers/node_modules/y-websocket/bin/server.cjs")]
            env = {"HOST": "127.0.0.1", "PORT": str(self.port)}  # no YPERSISTENCE: documents live in memory
        self.process = subprocess.Popen(command, env={**os.environ, **env}, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.url = f"ws://127.0.0.1:{self.port}"
        self.pid = self.process.pid
        time.sleep(1.5)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()


class OurServer:
    """Our app: `gunicorn -k gevent -w 1 'app:create_app()'` on the benchmark database."""

    def __init__(self, workdir: Path, database_url: str, env: dict | None = None):
        # A long idle timeout: the set-up's login sessions may be reused (--reuse) long after they were made.
        # The relay sends 2,000 events per socket at once: a flood by design, past the per-socket burst
        # (SOCKET_EVENTS_BURST, 400 by default); the typing ramp stays far below every limit.
        env = {"SECRET_KEY": SECRET, "IDLE_TIMEOUT": "86400", "SOCKET_EVENTS_BURST": "5000", **(env or {})}
        self.server = Server(workdir, database_url, env=env).start(timeout=60)
        self.url = self.server.url
        children = Path(f"/proc/{self.server.process.pid}/task/{self.server.process.pid}/children").read_text()
        self.pid = int(children.split()[0])  # the gevent worker, where all the work happens

    def stop(self) -> None:
        self.server.stop()


class OurRelay:
    """Our relay: `python -m relay` on the benchmark database (the agreements documents' live channel)."""

    ORIGIN = "http://bench.invalid"  # the pages' origin the load generator claims

    def __init__(self, workdir: Path, database_url: str):
        env = {"SECRET_KEY": SECRET, "IDLE_TIMEOUT": "86400", "SOCKET_EVENTS_BURST": "5000",  # as for OurServer
               # The relay workload types 4,000 characters into one agreement, past the editor's 2,000 (a shape
               # bound the peers do not have): raised here so every server does the same work.
               "AGREEMENTS_MAX_AGREEMENT_CHARS": "100000"}
        self.server = Relay(workdir, database_url, self.ORIGIN, env=env).start(timeout=60)
        self.url = self.server.url
        self.pid = self.server.process.pid

    def stop(self) -> None:
        self.server.stop()


OURS = {"ours": OurServer, "relay": OurRelay}  # our servers, on the couples bench/setup.py makes


def run_load(args: list[str], timeout: float) -> dict:
    """Run bench/load.mjs and return its JSON result (or the error)."""
    try:
        done = subprocess.run(["node", str(BENCH / "load.mjs"), *args], capture_output=True, text=True,
                              timeout=timeout, cwd=ROOT, env={**os.environ, "RELAY_ORIGIN": OurRelay.ORIGIN})
    except subprocess.TimeoutExpired:
        return {"failed": f"timed out after {timeout}s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {"failed": (done.stderr or done.stdout)[-500:]}


def ramp(name: str, server, steps: list[int], couples_file: Path, options) -> list[dict]:
    """Each step: N couples connect and type; the server's CPU and memory are sampled around the window."""
    results = []
    for n in steps:
        if name in OURS:
            subset = couples_file.parent / f"couples-{n}.json"
            subset.write_text(json.dumps(json.loads(couples_file.read_text())[:n]))
            target = str(subset)
        else:
            target = str(n)
        rss_idle = process_rss_mib(server.pid)
        cpu_before, started = process_cpu(server.pid), time.monotonic()
        sampler = CpuSampler(server.pid)
        result = run_load(["type", name, server.url, target, str(options.rate), str(options.warmup),
                           str(options.measure)], timeout=options.warmup + options.measure + 600)
        wall = time.monotonic() - started
        samples = sampler.stop()
        result.update(server=name, couples=n, load_average=load_average(),
                      server_cpu=round((process_cpu(server.pid) - cpu_before) / wall, 2),
                      server_rss_mib=round(process_rss_mib(server.pid), 1),
                      rss_kib_per_couple=round((process_rss_mib(server.pid) - rss_idle) * 1024 / n, 1))
        if "connect_s" in result:
            # The server's CPU while the couples typed (the measuring window, after connecting and warming up),
            # per update typed: each is received once and sent on to the partner.
            window_start = started + result["connect_s"] + options.warmup
            cores = cpu_between(samples, window_start, window_start + result["window_s"])
            sent = result.get("updates_sent_per_s") or 0
            result["window_cpu"] = round(cores, 2)
            result["cpu_us_per_update"] = round(cores * 1e6 / sent) if sent else None
        print(json.dumps(result), flush=True)
        results.append(result)
        if "failed" in result or (result.get("p99_ms") or 0) > SATURATED_MS:
            break  # far past the budget: larger steps would only take long and say the same
        time.sleep(2)
    return results


def relay(name: str, server, couples_file: Path, inserts: int, runs: int) -> list[dict]:
    """The 2 x inserts relay workload, `runs` times, each on a fresh document."""
    results = []
    for i in range(runs):
        if name in OURS:
            target = couples_file.parent / f"relay-{i}.json"
            target.write_text(json.dumps([json.loads(couples_file.read_text())[-1 - i]]))
        else:
            target = 1
        result = run_load(["relay", name, server.url, str(target), str(inserts)], timeout=600)
        result.update(server=name, load_average=load_average())
        print(json.dumps(result), flush=True)
        results.append(result)
    return results


RAMP_COLUMNS = ["server", "couples", "updates_sent_per_s", "acked_per_s", "p50_ms", "p95_ms", "p99_ms", "max_ms",
                "not_arrived", "errors", "server_cpu", "window_cpu", "cpu_us_per_update", "server_rss_mib", "rss_kib_per_couple", "load_average"]


def table(results: dict) -> str:
    """The results as Markdown tables: the ramp, then the relay workload."""
    lines = ["| " + " | ".join(RAMP_COLUMNS) + " |", "|" + " --- |" * len(RAMP_COLUMNS)]
    for row in results["ramp"]:
        lines.append("| " + " | ".join("failed: " + row["failed"][:60] if c == "p50_ms" and "failed" in row
                                       else str(row.get(c, "")) for c in RAMP_COLUMNS) + " |")
    lines += ["", "| server | inserts | seconds | converged | load average |", "| --- | --- | --- | --- | --- |"]
    for row in results["relay"]:
        lines.append(f"| {row['server']} | {row.get('inserts')} | {row.get('seconds', row.get('failed'))} | "
                     f"{row.get('converged')} | {row['load_average']} |")
    return "\n".join(lines)


def _snapshot(database: Path, copy: Path) -> None:
    """Copy a SQLite database (through its own backup, so the WAL is included)."""
    import sqlite3

    with sqlite3.connect(database) as source, sqlite3.connect(copy) as target:
        source.backup(target)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main() -> None:
    signal.signal(signal.SIGTERM, _interrupt)  # stop the servers on the way out
    parser = argparse.ArgumentParser(description="Our server against Hocuspocus and y-websocket, side by side.")
    parser.add_argument("--couples", type=int, nargs="+", default=[100, 250, 500, 1000, 2000])
    parser.add_argument("--rate", type=float, default=2.0, help="updates per second per client")
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--measure", type=float, default=20)
    parser.add_argument("--servers", nargs="+", default=["ours", "relay", "hocuspocus", "y-websocket"])
    parser.add_argument("--relay", type=int, default=2000, help="inserts per client in the relay workload (0: skip)")
    parser.add_argument("--relay-runs", type=int, default=3)
    parser.add_argument("--database", default="sqlite", help="sqlite, or a postgresql+psycopg:// URL of an empty database")
    parser.add_argument("--reuse", type=Path, help="a bench/out/<time> folder whose couples to use again (SQLite)")
    options = parser.parse_args()

    workdir = BENCH / "out" / time.strftime("%Y%m%d-%H%M%S")
    workdir.mkdir(parents=True)
    results: dict = {"machine": {"cores": os.cpu_count(), "load_average_at_start": load_average()},
                     "options": {k: str(v) for k, v in vars(options).items()}, "ramp": [], "relay": []}
    if OURS.keys() & set(options.servers):
        database_url = f"sqlite:///{workdir / 'bench.sqlite'}" if options.database == "sqlite" else options.database
        couples_file = workdir / "couples.json"
        if options.reuse:  # the couples another run set up (SQLite), as they were before that run typed
            shutil.copy(options.reuse / "fresh.sqlite", workdir / "bench.sqlite")
            shutil.copy(options.reuse / "couples.json", couples_file)
        else:
            migrate(database_url)
            started = time.monotonic()
            subprocess.run([sys.executable, "-m", "bench.setup", database_url, SECRET,
                            str(max(options.couples) + options.relay_runs), str(couples_file)], cwd=ROOT, check=True)
            print(f"set up {max(options.couples) + options.relay_runs} couples in {time.monotonic() - started:.0f}s",
                  flush=True)
            if options.database == "sqlite":
                _snapshot(workdir / "bench.sqlite", workdir / "fresh.sqlite")
    for name in options.servers:
        server = OURS[name](workdir, database_url) if name in OURS else NodeServer(name, workdir)
        ours = couples_file if name in OURS else None
        try:
            if options.relay:
                results["relay"] += relay(name, server, ours, options.relay, options.relay_runs)
            results["ramp"] += ramp(name, server, options.couples, ours, options)
        finally:
            server.stop()
    (workdir / "results.json").write_text(json.dumps(results, indent=1))
    print(table(results))
    print(f"results: {workdir / 'results.json'}")


if __name__ == "__main__":
    main()
