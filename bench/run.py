"""`make bench`: the app under gunicorn against a seeded database, driven by wrk.

It prints one table: per scenario the throughput, p50/p95/p99 latency, errors and the
workers' peak RSS, next to a ceiling measured in the same run (`GET /healthz`), so that
the ratios mean something on a noisy machine. Environment:

  BENCH_SUBMISSIONS    seeded submissions (default 1000000; 20000 for a quick run)
  BENCH_DATABASE_URL   a PostgreSQL database to use instead of an SQLite file
  BENCH_DURATION       seconds per wrk run (default 8)
  BENCH_CONNECTIONS    the loaded concurrency (default 32)
  BENCH_WORKERS, BENCH_THREADS, BENCH_WORKER_CLASS   gunicorn (default 2, 4, gthread)
  BENCH_ONLY           comma-separated scenario groups to run (default all): ceiling,
                       post, fold, pages, moderation, reports, search, assist, public, floor,
                       exports, docx, summary,
                       opendata, flood, attach
  BENCH_ATTACH_POSTS   views with a 5 MB PDF sent one after another (default 40)
  BENCH_EXPORTS        formats to export (default csv,jsonl,xlsx)
  BENCH_EXPORT_TIMEOUT seconds after which an export download is given up (default 180)
  BENCH_HUMAN_RATE     human submissions per second in the flood scenario (default 10)

SQLite databases are seeded once per size (and schema) into bench/.data/ and copied for
each run, so a second run starts in seconds. Results go to bench/results/latest.md.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import http.client
import json
import os
import queue
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATA = BENCH / ".data"
RESULTS = BENCH / "results"
LUA = BENCH / "lua" / "scenario.lua"
PYTHON = sys.executable

N = int(os.environ.get("BENCH_SUBMISSIONS", "1000000"))
DURATION = int(os.environ.get("BENCH_DURATION", "8"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "gthread")
ONLY = {s.strip() for s in os.environ.get("BENCH_ONLY", "").split(",") if s.strip()}
EXPORTS = [s.strip() for s in os.environ.get("BENCH_EXPORTS", "csv,jsonl,xlsx").split(",")
           if s.strip()]
HUMAN_RATE = float(os.environ.get("BENCH_HUMAN_RATE", "10"))
ATTACH_POSTS = int(os.environ.get("BENCH_ATTACH_POSTS", "40"))
EXPORT_LIMIT = float(os.environ.get("BENCH_EXPORT_TIMEOUT", "180"))
PG_URL = os.environ.get("BENCH_DATABASE_URL", "").strip()
SUMMARY_MAX_VIEWS = int(os.environ.get("SUMMARY_MAX_VIEWS", "3000"))

MODERATOR = "bench-moderator@example.org"
REFERENCE = "bench-reference@example.org"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def wanted(group: str) -> bool:
    return not ONLY or group in ONLY


# Tools and the database.

def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("wrk is missing: install it (Debian: apt-get install wrk) or run as root.")
    log("wrk is missing: installing it with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    apt = shutil.which("apt-get") or sys.exit("wrk is missing and there is no apt-get here.")
    subprocess.run([apt, "update", "-q"], check=True, env=env,  # noqa: S603 - fixed argv
                   stdout=subprocess.DEVNULL)
    subprocess.run([apt, "install", "-y", "-q", "wrk"], check=True,  # noqa: S603
                   env=env, stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or sys.exit("apt-get did not install wrk")


def base_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "WEB_CONC"))}
    env.update({
        "APP_ENV": "development", "DATABASE_URL": database_url, "REQUIRE_2FA": "false",
        "RATELIMIT_ENABLED": "false", "PYTHONPATH": str(ROOT), "STAFF_IDLE_MINUTES": "600",
        "SECRET_KEY": SECRET_KEY,
        # The workers share computed counts through files (no Redis here); a folder of
        # the bench's own, emptied at the start of each run.
        "CACHE_DIR": str(DATA / "cache"),
    })
    return env


SECRET_KEY = secrets.token_hex(32)


def flask(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    result = subprocess.run([PYTHON, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,  # noqa: S603
                            env=env, input=stdin, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def schema_key() -> str:
    """Seeded files are reused only with the same migrations and seeding code."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "migrations" / "versions").glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update((ROOT / "app" / "services" / "demo.py").read_bytes())
    return digest.hexdigest()[:10]


def create_staff(env: dict[str, str], password: str) -> None:
    for email, role in ((MODERATOR, "moderator"), (REFERENCE, "reference")):
        try:
            flask(env, "users", "create", email, "--role", role, "--password-stdin",
                  stdin=password + "\n")
        except RuntimeError as exc:
            if "already" not in str(exc).lower() and "exists" not in str(exc).lower():
                raise


@dataclass
class Database:
    url: str
    password: str
    seed_seconds: float | None  # None: reused from the cache
    kind: str


def prepare_sqlite() -> Database:
    DATA.mkdir(parents=True, exist_ok=True)
    golden = DATA / f"seed-{N}-{schema_key()}.db"
    meta = golden.with_suffix(".json")
    seed_seconds = None
    if not golden.exists() or not meta.exists():
        for stale in DATA.glob(f"seed-{N}-*"):
            stale.unlink()
        building = DATA / "building.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{building}{suffix}").unlink(missing_ok=True)
        env = base_env(f"sqlite:///{building}")
        password = "bench " + secrets.token_urlsafe(18)
        log(f"seeding {N:,} submissions into {golden.name} (cached for later runs)")
        started = time.perf_counter()
        flask(env, "setup")
        flask(env, "demo", "seed", "--submissions", str(N))
        create_staff(env, password)
        seed_seconds = time.perf_counter() - started
        import sqlite3

        with contextlib.closing(sqlite3.connect(building)) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        building.rename(golden)
        for suffix in ("-wal", "-shm"):
            Path(f"{building}{suffix}").unlink(missing_ok=True)
        meta.write_text(json.dumps({"password": password, "seed_seconds": seed_seconds}))
        log(f"seeded in {seed_seconds:.0f} s ({golden.stat().st_size / 2**20:.0f} MB)")
    password = json.loads(meta.read_text())["password"]
    run_db = DATA / "run.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{run_db}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(golden, run_db)  # the bench writes: keep the seeded file pristine
    return Database(f"sqlite:///{run_db}", password, seed_seconds, "sqlite")


def prepare_postgresql() -> Database:
    env = base_env(PG_URL)
    flask(env, "setup")
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_URL)
    with engine.connect() as connection:
        present = connection.execute(text("SELECT count(*) FROM submissions")).scalar_one()
    engine.dispose()
    seed_seconds = None
    if present < N:
        log(f"seeding {N - present:,} submissions into PostgreSQL ({present:,} present)")
        started = time.perf_counter()
        flask(env, "demo", "seed", "--submissions", str(N - present))
        seed_seconds = time.perf_counter() - started
    password = "bench " + hashlib.sha256(PG_URL.encode() + b"bench").hexdigest()[:24]
    create_staff(env, password)
    return Database(PG_URL, password, seed_seconds, "postgresql")


def count_rows(url: str, where: str = "", params: dict | None = None) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            # `where` is a constant of this file, never outside input.
            return connection.execute(text(f"SELECT count(*) FROM submissions {where}"),  # noqa: S608
                                      params or {}).scalar_one()
    finally:
        engine.dispose()


# The server and its workers' memory.

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, env: dict[str, str], *, extra_env: dict[str, str] | None = None,
                 app: str = "wsgi:app"):
        self.port = free_port()
        self.env = {**env, **(extra_env or {})}
        self.app = app
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        command = [PYTHON, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
                   "-b", f"127.0.0.1:{self.port}", "-w", str(WORKERS),
                   "-k", WORKER_CLASS, "--threads", str(THREADS), "--timeout", "600",
                   "--backlog", "2048", self.app]
        self.log_file = open(DATA / "gunicorn.log", "a")
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env,  # noqa: S603
                                        stdout=self.log_file, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            with contextlib.suppress(OSError):
                if http_request(self.port, "GET", "/healthz").status == 200 and \
                        len(self.workers()) >= WORKERS:
                    return self
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"gunicorn did not start: see {DATA / 'gunicorn.log'}")

    def __exit__(self, *exc: Any) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            # SIGQUIT: stop now, without waiting for requests still queued by the load.
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # its own session: ours alone
                self.process.wait()
        self.log_file.close()
        self.process = None

    def workers(self) -> list[int]:
        if self.process is None:
            return []
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        with contextlib.suppress(OSError):
            return [int(p) for p in children.read_text().split()]
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(stat.parent.name))
        return found


def _status_kb(pid: int, key: str) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def _children_cpu_seconds(pid: int) -> float:
    """CPU time of a process's children that it has waited for (the attachment readers)."""
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
    return 0.0


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far."""
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


def drain(server: Server, limit: float = 120.0) -> float:
    """Wait until the workers are idle: wrk stops sending at the end of a run, but the
    requests it left queued are still served, and would be counted in the next scenario.
    Returns the seconds it took."""
    started = time.perf_counter()
    pids = server.workers()
    last = sum(_cpu_seconds(pid) for pid in pids)
    quiet = 0
    while time.perf_counter() - started < limit:
        time.sleep(0.5)
        now = sum(_cpu_seconds(pid) for pid in pids)
        quiet = quiet + 1 if now - last < 0.05 else 0
        last = now
        if quiet >= 2:
            break
    waited = time.perf_counter() - started
    if waited > 3:
        log(f"the server was busy for {waited:.0f} s after the load stopped")
    return waited


def idle_rss_mb(server: Server) -> float:
    return max((_status_kb(pid, "VmRSS") for pid in server.workers()), default=0) / 1024


class PeakRSS:
    """The largest resident set of any worker while the block runs (MB).

    The kernel's high-water mark (VmHWM) is reset when the block starts (clear_refs 5), and a
    sampler every 50 ms backs it up where that reset is not allowed."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.peak_kb = 0
        self.cpu_seconds = 0.0
        self._stop = threading.Event()

    def __enter__(self) -> PeakRSS:
        self.pids = self.server.workers()
        self._cpu_start = sum(_cpu_seconds(pid) for pid in self.pids)
        self.reset = True
        for pid in self.pids:
            try:
                Path(f"/proc/{pid}/clear_refs").write_text("5")
            except OSError:
                self.reset = False
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            for pid in self.pids:
                self.peak_kb = max(self.peak_kb, _status_kb(pid, "VmRSS"))

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self.cpu_seconds = sum(_cpu_seconds(pid) for pid in self.pids) - self._cpu_start
        if self.reset:
            for pid in self.pids:
                self.peak_kb = max(self.peak_kb, _status_kb(pid, "VmHWM"))

    @property
    def mb(self) -> float:
        return self.peak_kb / 1024


# A small HTTP client (the standard library's, so a fresh clone needs nothing more).

@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float
    cookies: dict[str, str] = field(default_factory=dict)


def http_request(port: int, method: str, path: str, *, body: bytes | None = None,
                 headers: dict[str, str] | None = None, timeout: float = 60) -> Reply:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.perf_counter()
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        cookies = {}
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key.strip()] = rest.split(";", 1)[0]
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data,
                     time.perf_counter() - started, cookies)
    finally:
        connection.close()


def csrf_token(html: bytes) -> str:
    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', html)
    if not match:
        raise RuntimeError("no CSRF token in the page")
    return match.group(1).decode()


def hidden_value(html: bytes, name: str) -> str:
    match = re.search(rb'name="' + name.encode() + rb'"[^>]*value="([^"]*)"', html)
    return match.group(1).decode() if match else ""


def sign_in(port: int, email: str, password: str) -> str:
    """Sign in through the real pages; return the Cookie header of the session."""
    page = http_request(port, "GET", "/en/login")
    cookie = f"session={page.cookies['session']}"
    form = urllib.parse.urlencode({"csrf_token": csrf_token(page.body), "email": email,
                                   "password": password}).encode()
    reply = http_request(port, "POST", "/en/login", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    if reply.status != 303 or "session" not in reply.cookies:
        raise RuntimeError(f"sign-in of {email} failed with {reply.status}: "
                           f"{reply.body[:300]!r}")
    return f"session={reply.cookies['session']}"


@dataclass
class FormSession:
    cookie: str
    csrf: str
    started: str
    round_id: int


def open_form(port: int) -> FormSession:
    """One session cookie and its CSRF token (session CSRF: valid for every post of it)."""
    page = http_request(port, "GET", "/en/submit")
    if page.status != 200:
        raise RuntimeError(f"GET /en/submit answered {page.status}")
    match = re.search(rb'action="[^"]*round=(\d+)', page.body)
    if not match:
        raise RuntimeError("no round in the form's action")
    return FormSession(f"session={page.cookies['session']}", csrf_token(page.body),
                       hidden_value(page.body, "started"), int(match.group(1)))


def form_body(form: FormSession, title: str) -> str:
    return urllib.parse.urlencode({
        "csrf_token": form.csrf, "started": form.started, "website": "", "title": title,
        "body": "Affordable internet is the first step for my village, and the UN should "
                "help governments make it reach schools and clinics.",
        "language": "en", "actor_type": "youth", "country": "KE", "technologies": "T15",
        "principles": "P2", "consent_processing": "y", "consent_publication": "y",
        "anonymous": "y"}).replace("%7Bn%7D", "{n}")


def api_body(round_id: int, title: str) -> str:
    return json.dumps({
        "round_id": round_id, "language": "en", "title": title,
        "body": "Drones could deliver medicine to remote clinics in the rainy season.",
        "actor_type": "civil_society", "country": "PE", "consent_processing": True})


# A campaign whose copies each drop a different sentence: copies without the first and
# without the second sentence are too far apart to fold as a pair, the whole text bridges
# them (the case issue #17 made fold in any order). Sent in turn by the "fold" scenario.
CAMPAIGN = [
    "We call on the United Nations to guarantee universal, affordable and meaningful "
    "connectivity for every young person in our country by 2030.",
    "Young people must be included in every decision about digital technologies, from the "
    "local council to the General Assembly in New York.",
    "Governments must close the digital divide now.",
    "Our schools need trained teachers and working computers.",
    "Connectivity is a right, not a luxury, for the next generation.",
    "Signed, the youth coalition for digital rights.",
]


def campaign_bodies(round_id: int, title: str) -> str:
    """The three kinds of copies as JSON bodies, separated for scenario.lua."""
    bodies = []
    for dropped in (0, 1, None):
        text = " ".join(s for i, s in enumerate(CAMPAIGN) if i != dropped)
        bodies.append(json.dumps({
            "round_id": round_id, "language": "en", "title": title, "body": text,
            "actor_type": "youth", "country": "KE", "consent_processing": True}))
    return "\x1e".join(bodies)


def issue_token(env: dict[str, str], email: str) -> str:
    return flask(env, "users", "token", email).strip().splitlines()[-1]


# wrk.

@dataclass
class Result:
    name: str
    connections: int | str
    rps: float | None = None
    p50: float | None = None  # milliseconds
    p95: float | None = None
    p99: float | None = None
    errors: int | None = None
    rss_mb: float | None = None
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""
    seconds: float | None = None  # exports
    cold_ms: float | None = None
    cpu_ms: float | None = None  # workers' CPU time per request
    statuses: dict[str, int] = field(default_factory=dict)


def run_wrk(server: Server, *, connections: int, path: str, method: str = "GET",
            headers: dict[str, str] | None = None, body: str | None = None,
            expect: tuple[int, ...] = (200,), id_max: int = 1, xff: list[str] | None = None,
            stamp: bool = False, duration: int | None = None, connections_per_thread: int = 16,
            delay_ms: int = 0) -> tuple[dict[str, Any], float]:
    threads = max(1, min(2, connections // connections_per_thread or 1))
    env = {**os.environ, "BENCH_METHOD": method, "BENCH_PATH": path,
           "BENCH_HEADERS": "\n".join(f"{k}: {v}" for k, v in (headers or {}).items()),
           "BENCH_BODY": body or "", "BENCH_ID_MAX": str(id_max),
           "BENCH_XFF": ",".join(xff or []), "BENCH_STAMP": "1" if stamp else "0",
           "BENCH_DELAY_MS": str(delay_ms)}
    command = [WRK, "-t", str(threads), "-c", str(connections), "-d", f"{duration or DURATION}s",
               "--timeout", "10s", "--latency", "-s", str(LUA), f"http://127.0.0.1:{server.port}"]
    with PeakRSS(server) as rss:
        result = subprocess.run(command, capture_output=True, text=True,  # noqa: S603
                                env=env)
    backlog = drain(server)
    line = next((out for out in result.stdout.splitlines() if out.startswith("BENCHJSON ")),
                None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{result.stdout}\n{result.stderr}")
    data = json.loads(line.removeprefix("BENCHJSON "))
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    socket_errors = sum(data["socket_errors"].values())
    unexpected = sum(n for status, n in data["statuses"].items() if int(status) not in expect)
    data["errors"] = socket_errors + unexpected
    data["cpu_ms"] = rss.cpu_seconds * 1000 / data["requests"] if data["requests"] else None
    data["backlog_seconds"] = backlog
    if data["requests"] == 0:  # nothing came back within the run: every connection waited
        data["errors"] += connections
    return data, rss.mb


def wrk_result(name: str, data: dict[str, Any], rss_mb: float, connections: int,
               ceiling: dict[int, float], target: str = "", check: Any = None,
               cold_ms: float | None = None) -> Result:
    done = data["requests"] > 0
    result = Result(name, connections, rps=data["rps"],
                    p50=data["p50"] / 1000 if done else None,
                    p95=data["p95"] / 1000 if done else None,
                    p99=data["p99"] / 1000 if done else None, errors=data["errors"],
                    rss_mb=rss_mb, target=target, cold_ms=cold_ms, statuses=data["statuses"],
                    cpu_ms=data.get("cpu_ms"))
    if ceiling.get(connections):
        result.ratio = data["rps"] / ceiling[connections]
    notes = []
    if not done:
        notes.append(f"no answer within the {DURATION} s run")
    if data.get("backlog_seconds", 0) > 3:
        notes.append(f"busy {data['backlog_seconds']:.0f} s after the run")
    if data["socket_errors"]["timeout"]:
        notes.append(f"{data['socket_errors']['timeout']} timeouts (10 s)")
    result.note = "; ".join(notes)
    if check is not None:
        result.met = done and bool(check(result)) and result.errors == 0
    log(f"{name} c={connections}: {result.rps:.0f} req/s, p50 {ms(result.p50)} ms, "
        f"p95 {ms(result.p95)} ms, p99 {ms(result.p99)} ms, errors {result.errors}, "
        f"statuses {data['statuses']}, RSS {rss_mb:.0f} MB, "
        f"CPU {ms(result.cpu_ms)} ms/req")
    return result


def preflight(server: Server, path: str, *, method: str = "GET", headers: dict | None = None,
              body: bytes | None = None, expect: tuple[int, ...] = (200,),
              contains: bytes | None = None) -> float:
    """One request before the load: it must answer as expected (a page that quietly
    redirects to the sign-in page would look fast). Returns its time in ms (cold)."""
    reply = http_request(server.port, method, path, headers=headers, body=body, timeout=600)
    if reply.status not in expect or (contains is not None and contains not in reply.body):
        raise RuntimeError(f"{method} {path} answered {reply.status}, expected {expect}: "
                           f"{reply.body[:400]!r}")
    return reply.seconds * 1000


# Exports and the flood.

@dataclass
class Download:
    status: int
    seconds: float
    first_byte: float | None
    size: int
    lines: int
    finished: bool


def timed_download(server: Server, path: str, headers: dict[str, str]) -> Download:
    """Stream a download, giving up after EXPORT_LIMIT seconds (the run must end)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=EXPORT_LIMIT)
    started = time.perf_counter()
    size = lines = status = 0
    first = None
    finished = False
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        status = response.status
        first = time.perf_counter() - started
        while chunk := response.read(256 * 1024):
            size += len(chunk)
            lines += chunk.count(b"\n")
            if time.perf_counter() - started > EXPORT_LIMIT:
                break
        else:
            finished = True
    except (TimeoutError, OSError):
        pass
    finally:
        connection.close()
    return Download(status, time.perf_counter() - started, first, size, lines, finished)


class HumanStream:
    """Submissions through the form at a fixed rate, from many addresses (X-Forwarded-For),
    each well under the per-address limit. Open loop: the latency of a request is counted
    from when it was due, so a stalled server cannot hide behind a waiting client."""

    def __init__(self, server: Server, form: FormSession, rate: float, prefix: str,
                 addresses: list[str]) -> None:
        self.server, self.form, self.rate, self.prefix = server, form, rate, prefix
        self.addresses = addresses
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.failures = 0
        self._due: queue.Queue = queue.Queue()
        self._lock = threading.Lock()

    def run(self, seconds: float) -> None:
        pool = [threading.Thread(target=self._worker, daemon=True) for _ in range(24)]
        for thread in pool:
            thread.start()
        start = time.perf_counter() + 0.1
        count = int(seconds * self.rate)
        for i in range(count):
            self._due.put((start + i / self.rate, i))
        for _ in pool:
            self._due.put(None)
        for thread in pool:
            thread.join()

    def _worker(self) -> None:
        while (item := self._due.get()) is not None:
            due, i = item
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            body = form_body(self.form, f"{self.prefix} {i}").replace("{n}", str(i)).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded",
                       "Cookie": self.form.cookie,
                       "X-Forwarded-For": self.addresses[i % len(self.addresses)],
                       "X-Request-Start": f"t={time.time():.3f}"}
            try:
                reply = http_request(self.server.port, "POST", "/en/submit?round="
                                     f"{self.form.round_id}", body=body, headers=headers,
                                     timeout=30)
                status = reply.status
            except OSError:
                status = 0
            with self._lock:
                self.latencies.append((time.perf_counter() - due) * 1000)
                self.statuses[status] = self.statuses.get(status, 0) + 1

    @property
    def accepted(self) -> int:
        return self.statuses.get(303, 0)

    @property
    def sent(self) -> int:
        return sum(self.statuses.values())

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] if ordered else 0.0


# The run.

def ms(v: float | None) -> str:
    return "-" if v is None else (f"{v:.1f}" if v < 100 else f"{v:.0f}")


def table(results: list[Result]) -> str:
    header = ("scenario", "conc", "req/s (or s)", "p50 ms", "p95 ms", "p99 ms", "errors",
              "peak RSS MB", "x ceiling", "CPU ms/req", "cold ms", "target", "met", "notes")
    rows = []
    for r in results:
        throughput = (f"{r.seconds:.1f} s" if r.errors == 0 else f"> {r.seconds:.0f} s") \
            if r.seconds is not None else (
            "-" if r.rps is None else f"{r.rps:.0f}" if r.rps >= 10 else f"{r.rps:.2f}")
        rows.append((r.name, str(r.connections), throughput, ms(r.p50), ms(r.p95), ms(r.p99),
                     "-" if r.errors is None else str(r.errors),
                     "-" if r.rss_mb is None else f"{r.rss_mb:.0f}",
                     "-" if r.ratio is None else f"{r.ratio:.2f}", ms(r.cpu_ms), ms(r.cold_ms),
                     r.target or "-", {True: "yes", False: "NO", None: "-"}[r.met], r.note))
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
            for row in rows]
    return "\n".join([line, rule, *body])


def code_version() -> str:
    """The commit measured, and the files of the app that differed from it (read-only)."""
    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True,  # noqa: S603,S607
                              text=True)
    head = git("rev-parse", "--short", "HEAD").stdout.strip() or "unknown"
    changed = git("diff", "--name-only", "HEAD", "--", "app", "templates", "config.py",
                  "gunicorn.conf.py").stdout.split()
    if not changed:
        return head
    more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
    return f"{head} with uncommitted changes in {', '.join(changed[:3])}{more}"


def main() -> int:
    global WRK
    WRK = ensure_wrk()
    RESULTS.mkdir(parents=True, exist_ok=True)
    DATA.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    version = code_version()
    started = time.perf_counter()
    database = prepare_postgresql() if PG_URL else prepare_sqlite()
    shutil.rmtree(DATA / "cache", ignore_errors=True)
    env = base_env(database.url)
    reference_token = issue_token(env, REFERENCE)
    results: list[Result] = []
    ceiling: dict[int, float] = {}
    c = CONNECTIONS
    loads: list[float] = []

    def add(result: Result) -> None:
        results.append(result)
        loads.append(os.getloadavg()[0])

    with Server(env) as server:
        form = form_session = open_form(server.port)
        moderator = sign_in(server.port, MODERATOR, database.password)
        reference = sign_in(server.port, REFERENCE, database.password)
        mod_headers = {"Cookie": moderator}
        ref_headers = {"Cookie": reference}
        api_ref = {"Authorization": f"Bearer {reference_token}"}

        if True:  # the ceiling is what every ratio is measured against
            for conns in (c, 1):
                data, rss = run_wrk(server, connections=conns, path="/healthz")
                ceiling[conns] = data["rps"]
                add(wrk_result("ceiling: GET /healthz", data, rss, conns, ceiling))

        if wanted("post"):
            form_path = f"/en/submit?round={form.round_id}"
            form_headers = {"Content-Type": "application/x-www-form-urlencoded",
                            "Cookie": form.cookie}
            preflight(server, form_path, method="POST", headers=form_headers,
                      body=form_body(form, "bench preflight").encode(), expect=(303,))
            api_headers = {"Content-Type": "application/json"}
            preflight(server, "/api/v1/submissions", method="POST", headers=api_headers,
                      body=api_body(form.round_id, "bench preflight").encode(), expect=(201,))
            for label, path, headers, body, expect in (
                    ("submission POST (form+CSRF)", form_path, form_headers,
                     form_body(form, "bench form {n}"), (303,)),
                    ("submission POST (API)", "/api/v1/submissions", api_headers,
                     api_body(form.round_id, "bench api {n}"), (201,))):
                for conns in (c, 1):
                    data, rss = run_wrk(server, connections=conns, path=path, method="POST",
                                        headers=headers, body=body, expect=expect)
                    if conns == 1:
                        add(wrk_result(label, data, rss, conns, ceiling, "p99 < 12 ms",
                                       lambda r: r.p99 < 12))
                    else:
                        add(wrk_result(label, data, rss, conns, ceiling,
                                       ">= 600/s, p99 < 100 ms",
                                       lambda r: r.rps >= 600 and r.p99 < 100))

        if wanted("fold"):
            # Campaign folding at intake: copies that each drop a sentence, in turn; the
            # first requests merge campaigns, the rest join the one campaign.
            api_headers = {"Content-Type": "application/json"}
            data, rss = run_wrk(server, connections=c, path="/api/v1/submissions",
                                method="POST", headers=api_headers,
                                body=campaign_bodies(form.round_id, "bench campaign {n}"),
                                expect=(201,))
            add(wrk_result("campaign POST (API, 3 kinds of copies)", data, rss, c, ceiling))

        if wanted("pages"):
            cold = preflight(server, "/en/submit", contains=b"csrf_token")
            data, rss = run_wrk(server, connections=c, path="/en/submit")
            add(wrk_result("submission page GET", data, rss, c, ceiling, cold_ms=cold))

        if wanted("moderation"):
            scenarios = (
                ("moderation queue (default)", "/en/moderate", True),
                ("moderation queue (filtered)", "/en/moderate?status=all&language=fr"
                 "&actor_type=youth&has_email=yes", True),
                ("review page", "/en/moderate/submissions/{id}", True),
            )
            for label, path, single in scenarios:
                cold = preflight(server, path.replace("{id}", "1"), headers=mod_headers,
                                 contains=b"csrf_token")
                data, rss = run_wrk(server, connections=c, path=path, headers=mod_headers,
                                    id_max=N)
                add(wrk_result(label, data, rss, c, ceiling, "p95 < 50 ms",
                               lambda r: r.p95 < 50, cold_ms=cold))
                if single:
                    data, rss = run_wrk(server, connections=1, path=path, headers=mod_headers,
                                        id_max=N)
                    add(wrk_result(label, data, rss, 1, ceiling, "p99 < 15 ms",
                                   lambda r: r.p99 < 15))

        if wanted("search"):
            for label, q in (("search (rare phrase)", "youth+group"),
                             ("search (no match)", "blockchain+sandbox")):
                path = f"/en/moderate?q={q}"
                cold = preflight(server, path, headers=mod_headers, contains=b"csrf_token")
                for conns in (c, 1):
                    data, rss = run_wrk(server, connections=conns, path=path,
                                        headers=mod_headers)
                    add(wrk_result(label, data, rss, conns, ceiling, "p95 < 100 ms",
                                   lambda r: r.p95 < 100, cold_ms=cold if conns == c else None))

        if wanted("reports"):
            cold = preflight(server, "/en/reports/", headers=ref_headers, contains=b"<svg")
            for conns in (c, 1):
                data, rss = run_wrk(server, connections=conns, path="/en/reports/",
                                    headers=ref_headers)
                if conns == 1:
                    add(wrk_result("dashboard", data, rss, conns, ceiling, "p99 < 15 ms",
                                   lambda r: r.p99 < 15))
                else:
                    add(wrk_result("dashboard", data, rss, conns, ceiling, "p95 < 50 ms",
                                   lambda r: r.p95 < 50, cold_ms=cold))
            path = "/api/v1/stats?group_by=principle"
            cold = preflight(server, path, headers=api_ref, contains=b"counts")
            data, rss = run_wrk(server, connections=c, path=path, headers=api_ref)
            add(wrk_result("stats API", data, rss, c, ceiling, cold_ms=cold))

        if wanted("assist"):
            api_mod = {"Authorization": f"Bearer {issue_token(env, MODERATOR)}"}
            for label, path, headers, contains in (
                    ("suggested tags API", "/api/v1/submissions/{id}/suggestions", api_mod,
                     b"principles"),
                    ("clusters API", "/api/v1/clusters", api_mod, b"items"),
                    ("campaigns page", "/en/moderate/clusters", mod_headers, b"<table"),
                    ("search, Arabic without hamza", "/en/moderate?q=%D8%A7%D9%84%D8%A7%D9%86"
                     "%D8%AA%D8%B1%D9%86%D8%AA", mod_headers, b"csrf_token")):
                cold = preflight(server, path.replace("{id}", "1"), headers=headers,
                                 contains=contains)
                data, rss = run_wrk(server, connections=c, path=path, headers=headers,
                                    id_max=N)
                add(wrk_result(label, data, rss, c, ceiling, "p95 < 100 ms",
                               lambda r: r.p95 < 100, cold_ms=cold))

        if wanted("public"):
            round_path = f"/en/rounds/{form.round_id}"
            for label, path, contains in (
                    ("public round page", round_path, b"<main"),
                    ("public round page, by principle", round_path + "?principle=P2",
                     b"<main"),
                    ("moderation numbers", round_path + "/moderation", b"<svg"),
                    ("Atom feed of views", round_path + "/feed.atom", b"<feed")):
                cold = preflight(server, path, contains=contains)
                data, rss = run_wrk(server, connections=c, path=path)
                add(wrk_result(label, data, rss, c, ceiling, "p95 < 50 ms",
                               lambda r: r.p95 < 50, cold_ms=cold))

        if wanted("docx"):
            path = "/api/v1/exports/summary.docx?code=P2&lang=en"
            times = []
            began = time.perf_counter()
            with PeakRSS(server) as rss:  # up to 5 downloads, or as many as 30 s allow
                while len(times) < 5 and (not times or time.perf_counter() - began < 30):
                    reply = http_request(server.port, "GET", path, headers=api_ref, timeout=600)
                    if reply.status != 200:
                        raise RuntimeError(f"DOCX answered {reply.status}")
                    times.append(reply.seconds * 1000)
            times.sort()
            add(Result("DOCX summary (P2)", 1, rps=1000 / (sum(times) / len(times)),
                       p50=times[len(times) // 2], p95=times[-1], p99=times[-1], errors=0,
                       rss_mb=rss.mb, note=f"{len(times)} sequential downloads, "
                                           f"{len(reply.body) / 1024:.0f} KB"))
            loads.append(os.getloadavg()[0])

    if wanted("floor"):
        # The same work with nothing of ours (bench/floor.py): what the stack and machine
        # cost, for the rows above to be read against.
        with Server({**env, "FLOOR_DATABASE_URL": database.url},
                    app="bench.floor:app") as server:
            floor_post = form_body(form_session, "floor {n}")
            preflight(server, "/queue", contains=b"<table")
            preflight(server, "/submit", method="POST", body=floor_post.encode(),
                      headers={"Content-Type": "application/x-www-form-urlencoded"},
                      expect=(303,))
            for conns in (c, 1):
                data, rss = run_wrk(server, connections=conns, path="/queue")
                add(wrk_result("floor: bare Flask 50-row page", data, rss, conns, ceiling))
            for conns in (c, 1):
                data, rss = run_wrk(server, connections=conns, path="/submit", method="POST",
                                    headers={"Content-Type":
                                             "application/x-www-form-urlencoded"},
                                    body=floor_post, expect=(303,))
                add(wrk_result("floor: bare validate-sanitize-insert POST", data, rss, conns,
                               ceiling))

    if wanted("exports"):
        # A fresh server: the workers' memory then shows the export's own cost, not what
        # earlier scenarios left in the heap.
        api_ref = {"Authorization": f"Bearer {reference_token}"}
        with Server(env) as server:
            approved = count_rows(database.url, "WHERE status = 'approved'")
            for fmt in EXPORTS:
                path = f"/api/v1/exports/submissions.{fmt}"
                log(f"export {fmt.upper()} of {approved:,} approved rows")
                idle = idle_rss_mb(server)
                with PeakRSS(server) as rss:
                    got = timed_download(server, path, api_ref)
                ok = got.status == 200 and got.finished
                limit = "< 20 s, RSS < 150 MB" if fmt == "csv" else "RSS < 150 MB"
                met = ok and rss.mb < 150 and (fmt != "csv" or got.seconds < 20)
                first = "-" if got.first_byte is None else f"{got.first_byte:.1f} s"
                if got.finished:
                    note = (f"{approved:,} rows, {got.size / 2**20:.0f} MB, first byte {first}, "
                            f"{approved / got.seconds:,.0f} rows/s")
                else:
                    rows = max(got.lines - 1, 0)
                    note = (f"stopped after {EXPORT_LIMIT:.0f} s: {got.size / 2**20:.0f} MB, "
                            f"first byte {first}" + (f", {rows:,} of {approved:,} rows, "
                                                     f"{rows / got.seconds:,.0f} rows/s"
                                                     if fmt != "xlsx" else ""))
                add(Result(f"export {fmt.upper()}", 1, seconds=got.seconds,
                           errors=0 if ok else 1, rss_mb=rss.mb, target=limit, met=met,
                           note=f"{note}; idle RSS {idle:.0f} MB"))
                log(f"export {fmt}: {note}, peak RSS {rss.mb:.0f} MB (idle {idle:.0f} MB)")
                if not got.finished:
                    break  # the worker is still writing it; the rest would measure that

    if wanted("summary"):
        # The Word summary of one code with every view quoted (up to SUMMARY_MAX_VIEWS,
        # 3,000 by default): on a fresh server, so that its peak is the document's own.
        api_ref = {"Authorization": f"Bearer {reference_token}"}
        with Server(env) as server:
            views = count_rows(database.url, "WHERE status = 'approved' AND id IN ("
                               "SELECT t.submission_id FROM submission_tags t JOIN "
                               "taxonomy_items i ON i.id = t.item_id WHERE i.code = 'P2' "
                               "AND t.source = 'moderator')")
            quoted = min(views, SUMMARY_MAX_VIEWS)
            for lang in ("ar", "en"):
                path = f"/api/v1/exports/summary.docx?code=P2&lang={lang}"
                log(f"Word summary of P2 in {lang}: {quoted:,} of {views:,} views")
                idle = idle_rss_mb(server)
                with PeakRSS(server) as rss:
                    got = timed_download(server, path, api_ref)
                ok = got.status == 200 and got.finished
                add(Result(f"Word summary, every view (P2, {lang})", 1, seconds=got.seconds,
                           errors=0 if ok else 1, rss_mb=rss.mb,
                           cpu_ms=rss.cpu_seconds * 1000, target="< 15 s, RSS < 300 MB",
                           met=ok and got.seconds < 15 and rss.mb < 300,
                           note=f"{quoted:,} of {views:,} views quoted, "
                                f"{got.size / 1024:.0f} KB; idle RSS {idle:.0f} MB"))
                log(f"summary {lang}: {got.seconds:.1f} s, CPU {rss.cpu_seconds:.1f} s, "
                    f"peak RSS {rss.mb:.0f} MB (idle {idle:.0f} MB)")

    if wanted("opendata"):
        with Server(env) as server:
            round_id = open_form(server.port).round_id
            path = f"/en/rounds/{round_id}/open-data/views.csv"
            idle = idle_rss_mb(server)
            with PeakRSS(server) as rss:
                got = timed_download(server, path, {})
            ok = got.status == 200 and got.finished
            add(Result("open data CSV (published views)", 1, seconds=got.seconds,
                       errors=0 if ok else 1, rss_mb=rss.mb, target="RSS < 150 MB",
                       met=ok and rss.mb < 150,
                       note=f"{max(got.lines - 1, 0):,} rows, {got.size / 2**20:.0f} MB; "
                            f"idle RSS {idle:.0f} MB"))

    if wanted("flood"):
        flood(env, database, results, ceiling, add)

    if wanted("attach"):
        attach(env, add)

    total = time.perf_counter() - started
    load_after = os.getloadavg()
    header = (f"`make bench` on {dt.datetime.now():%Y-%m-%d %H:%M} at {version}, "
              f"{N:,} seeded submissions "
              f"({database.kind}"
              + (f", seeded in {database.seed_seconds:.0f} s" if database.seed_seconds
                 else ", seed reused from bench/.data") + "); gunicorn "
              f"-w {WORKERS} -k {WORKER_CLASS} --threads {THREADS}, {os.cpu_count()} cores; "
              f"wrk {DURATION} s per run; load average {load_before[0]:.2f} before, "
              f"{max(loads or [0]):.2f} at most during, {load_after[0]:.2f} after; "
              f"whole run {total / 60:.1f} min.")
    text = header + "\n\n" + table(results) + "\n"
    print("\n" + text)
    (RESULTS / "latest.md").write_text(text)
    (RESULTS / "latest.json").write_text(json.dumps(
        {"submissions": N, "database": database.kind, "seed_seconds": database.seed_seconds,
         "load": [load_before, load_after], "results": [r.__dict__ for r in results]},
        indent=1, default=str))
    return 0


def pdf_of_size(size: int, word: str) -> bytes:
    """A valid one-page PDF of about `size` bytes: a line of text, then a stream of random
    bytes no page uses (as a scanned annex would weigh), so each paper is distinct."""
    content = (b"BT /F1 12 Tf 72 720 Td (A position paper on digital cooperation: "
               + word.encode() + b") Tj ET")
    filler = os.urandom(max(0, size - 1200))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Length %d >>\nstream\n" % len(filler) + filler + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def multipart_form(form: FormSession, title: str, pdf: bytes, name: str) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    fields = urllib.parse.parse_qsl(form_body(form, title))
    parts = []
    for key, value in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
                     f"{value}\r\n".encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
                 f'filename="{name}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
                 + pdf + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def attach(env: dict[str, str], add: Any) -> None:
    """Views with a 5 MB PDF through the form, one after another on a fresh server: what
    one costs the worker (its own CPU, and the reader process's apart) and whether the
    workers' resident memory stays flat from the first posts to the last."""
    folder = DATA / "attachments"
    shutil.rmtree(folder, ignore_errors=True)
    with Server(env, extra_env={"ATTACHMENT_DIR": str(folder)}) as server:
        form = open_form(server.port)
        path = f"/en/submit?round={form.round_id}"
        pdfs = [pdf_of_size(5 * 1024 * 1024, f"bench{n}") for n in range(ATTACH_POSTS)]
        pids = server.workers()
        idle = idle_rss_mb(server)
        worker_ms, reader_ms, wall_ms, rss_after = [], [], [], []
        errors = 0
        with PeakRSS(server) as rss:
            for n, pdf in enumerate(pdfs):
                body, content_type = multipart_form(form, f"bench attach {n}", pdf,
                                                    f"paper-{n}.pdf")
                own = sum(_cpu_seconds(pid) for pid in pids)
                children = sum(_children_cpu_seconds(pid) for pid in pids)
                reply = http_request(server.port, "POST", path, body=body, headers={
                    "Content-Type": content_type, "Cookie": form.cookie})
                time.sleep(0.05)  # the worker's CPU counters settle
                worker_ms.append((sum(_cpu_seconds(pid) for pid in pids) - own) * 1000)
                reader_ms.append((sum(_children_cpu_seconds(pid) for pid in pids)
                                  - children) * 1000)
                wall_ms.append(reply.seconds * 1000)
                rss_after.append(max(_status_kb(pid, "VmRSS") for pid in pids) / 1024)
                if reply.status != 303:
                    errors += 1
                    log(f"attach post {n}: {reply.status} {reply.body[:200]!r}")
        stored = sum(1 for _ in folder.glob("*/*"))

    def p50(values: list[float]) -> float:
        return sorted(values)[len(values) // 2]

    tenth = max(1, len(rss_after) // 10)
    first = sum(rss_after[:tenth]) / tenth
    last = sum(rss_after[-tenth:]) / tenth
    flat = last - first < 20
    result = Result("view with a 5 MB PDF (form, one at a time)", 1, rps=None,
                    p50=p50(wall_ms), p95=sorted(wall_ms)[int(len(wall_ms) * 0.95) - 1],
                    p99=max(wall_ms), errors=errors, rss_mb=rss.mb, cpu_ms=p50(worker_ms),
                    target="RSS flat (< 20 MB growth)", met=errors == 0 and flat,
                    note=f"{ATTACH_POSTS} posts, {stored} files stored; worker CPU p50 "
                         f"{p50(worker_ms):.0f} ms, reader process CPU p50 "
                         f"{p50(reader_ms):.0f} ms; RSS idle {idle:.0f} MB, first posts "
                         f"{first:.0f} MB, last posts {last:.0f} MB")
    log(f"attach: wall p50 {p50(wall_ms):.0f} ms, worker CPU p50 {p50(worker_ms):.0f} ms, "
        f"reader CPU p50 {p50(reader_ms):.0f} ms, RSS idle {idle:.0f} MB, first {first:.0f} "
        f"MB, last {last:.0f} MB, peak {rss.mb:.0f} MB, errors {errors}")
    add(result)
    shutil.rmtree(folder, ignore_errors=True)


def flood(env: dict[str, str], database: Database, results: list[Result],
          ceiling: dict[int, float], add: Any) -> None:
    """Rate limits on; client addresses from X-Forwarded-For behind one trusted proxy."""
    limited = {"RATELIMIT_ENABLED": "true", "TRUSTED_PROXIES": "1"}
    form_capacity = next((r.rps for r in results if r.name.startswith("submission POST (form")
                          and r.connections == CONNECTIONS), None)
    seconds = max(DURATION * 2, 12)
    with Server(env, extra_env=limited) as server:
        form = open_form(server.port)
        quiet = HumanStream(server, form, HUMAN_RATE, "human quiet",
                            [f"127.1.{i // 250}.{i % 250 + 1}" for i in range(400)])
        quiet.run(seconds)
        add(Result("flood: humans alone (form, open loop)", f"{HUMAN_RATE:g}/s",
                   rps=quiet.sent / seconds, p50=quiet.percentile(50), p95=quiet.percentile(95),
                   p99=quiet.percentile(99), errors=quiet.sent - quiet.accepted,
                   note=f"{len(quiet.addresses)} addresses; statuses {quiet.statuses}"))
        log(f"humans alone: {quiet.statuses}, p95 {quiet.percentile(95):.1f} ms")

        humans = HumanStream(server, form, HUMAN_RATE, "human flood",
                             [f"127.2.{i // 250}.{i % 250 + 1}" for i in range(400)])
        bots = [f"127.3.0.{i}" for i in range(1, 5)]
        bot_out: dict[str, Any] = {}
        bot_path = f"/en/submit?round={form.round_id}"
        # wrk is closed loop: 10x the loaded concurrency, each connection pausing so that
        # together they offer about 10x the form's measured capacity while the server keeps
        # up (and 320 requests always outstanding when it does not).
        bot_connections = 10 * CONNECTIONS
        offered = 10 * (form_capacity or 50)
        pause_ms = int(bot_connections / offered * 1000)

        def bot_flood() -> None:
            bot_out["data"], bot_out["rss"] = run_wrk(
                server, connections=bot_connections, path=bot_path, method="POST",
                headers={"Content-Type": "application/x-www-form-urlencoded",
                         "Cookie": form.cookie},
                body=form_body(form, "bot {n}"), expect=(303, 429, 503), xff=bots, stamp=True,
                duration=seconds, delay_ms=pause_ms, connections_per_thread=1)

        before = count_rows(database.url)
        flooder = threading.Thread(target=bot_flood)
        flooder.start()
        time.sleep(1.0)
        probes = []
        human_thread = threading.Thread(target=humans.run, args=(seconds - 2,))
        human_thread.start()
        for _ in range(5):  # the overload path: a write that waited too long upstream
            time.sleep(1.0)
            reply = http_request(server.port, "POST", bot_path, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Cookie": form.cookie,
                "X-Forwarded-For": "127.4.0.1", "X-Request-Start": f"t={time.time() - 30:.3f}"},
                body=form_body(form, "stale").encode(), timeout=30)
            probes.append((reply.status, reply.headers.get("retry-after"), reply.seconds * 1000))
        human_thread.join()
        flooder.join()
        time.sleep(0.5)
        after = count_rows(database.url)
        human_rows = count_rows(database.url, "WHERE title LIKE :p", {"p": "human flood %"})

        data, rss = bot_out["data"], bot_out["rss"]
        bot_ok = data["statuses"].get("303", 0)
        bot_429 = data["statuses"].get("429", 0)
        bot_503 = data["statuses"].get("503", 0)
        add(Result("flood: bots, 4 addresses (form)", bot_connections, rps=data["rps"],
                   p50=data["p50"] / 1000, p95=data["p95"] / 1000, p99=data["p99"] / 1000,
                   errors=data["errors"], rss_mb=rss, ratio=data["rps"] / ceiling[CONNECTIONS]
                   if ceiling.get(CONNECTIONS) else None,
                   target="429s", met=bot_429 > 0 and data["errors"] == 0,
                   note=f"{bot_429} x 429, {bot_503} x 503, {bot_ok} accepted, "
                        f"{data['socket_errors']['timeout']} timeouts; offered ~{offered:.0f}/s "
                        f"(10x form capacity)"))
        quiet_p95 = quiet.percentile(95)
        lost = humans.accepted - human_rows
        add(Result("flood: humans during the flood", f"{HUMAN_RATE:g}/s",
                   rps=humans.sent / (seconds - 2), p50=humans.percentile(50),
                   p95=humans.percentile(95), p99=humans.percentile(99),
                   errors=humans.sent - humans.accepted,
                   target=f"p95 < 2x quiet ({2 * quiet_p95:.0f} ms), none lost",
                   met=humans.percentile(95) < 2 * quiet_p95 and humans.sent == humans.accepted
                   and lost == 0,
                   note=f"statuses {humans.statuses}; {human_rows} stored of {humans.accepted} "
                        f"acknowledged; rows +{after - before}"))
        statuses = sorted({p[0] for p in probes})
        add(Result("overload: write queued 30 s upstream", 1, p50=sorted(p[2] for p in probes)[2],
                   p99=max(p[2] for p in probes), errors=sum(p[0] != 503 for p in probes),
                   target="503 + Retry-After, fast",
                   met=all(p[0] == 503 and p[1] for p in probes)
                   and max(p[2] for p in probes) < 1000,
                   note=f"statuses {statuses}, Retry-After {probes[0][1]}; "
                        "X-Request-Start as nginx would stamp it"))
        log(f"flood: bots {data['statuses']}, humans {humans.statuses}, probes {probes}")


WRK = "wrk"

def _interrupted(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _interrupted)
    sys.exit(main())
