"""Two gunicorn nodes behind nginx, sharing PostgreSQL and Redis: docs/deploy.md in small.

The deployment files themselves are used: deploy/nginx.conf, rendered with local ports, a
throwaway certificate and temporary paths, in front of two gunicorn nodes started with the
ExecStart line of deploy/unu-platform.service and the settings of
deploy/platform.env.example. Through that front door a rate limit and a staff session
must hold on both nodes, the proxy headers must reach the app as it expects them, and no
private link may reach a log.

The cluster needs TEST_DATABASE_URL (PostgreSQL), Redis on 127.0.0.1:6379, nginx and
openssl, and is skipped without them. The checks of the deployment files at the end need
less (nginx, systemd-analyze, or nothing).
"""
from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import text

from app import create_app
from app.db import db
from config import TestingConfig
from tests.helpers import PASSWORD, csrf_token, make_user, totp_now

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
HOST = "consult.example.org"  # the server_name of deploy/nginx.conf
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
CLAIM_KEY = "unu-two-node-test:claim"
SUBMIT_LIMIT = 5


# --- The deployment files, made to run here ---------------------------------------------

def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile= reads them (comments, quoted values)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def gunicorn_argv(env: dict[str, str], *, access_log: Path, error_log: Path) -> list[str]:
    """The unit's ExecStart, with this interpreter's gunicorn and ${VARS} from `env`."""
    unit = (DEPLOY / "unu-platform.service").read_text().replace("\\\n", " ")
    line = re.search(r"^ExecStart=(.+)$", unit, re.MULTILINE)
    assert line, "deploy/unu-platform.service has no ExecStart line"

    def expand(match: re.Match) -> str:
        assert match.group(1) in env, f"the unit uses ${{{match.group(1)}}}, not set here"
        return env[match.group(1)]

    argv = shlex.split(re.sub(r"\$\{(\w+)\}", expand, line.group(1)))
    assert argv[0].endswith("/gunicorn"), argv[0]
    # Log to files (the unit logs to the journal) so the redaction can be read back.
    return [sys.executable, "-m", "gunicorn", *argv[1:],
            "--access-logfile", str(access_log), "--error-logfile", str(error_log)]


def _sub(pattern: str, replacement: Any, conf: str, *, expect: str = "some") -> str:
    conf, count = re.subn(pattern, replacement, conf, flags=re.MULTILINE)
    if expect == "one":
        assert count == 1, f"deploy/nginx.conf: expected one match of {pattern!r}, got {count}"
    assert count, f"deploy/nginx.conf changed: no match of {pattern!r}"
    return conf


def render_site(*, tmp: Path, cert: Path, key: Path, nodes: list[int] | None = None,
                tls_port: int | None = None, http_port: int | None = None) -> str:
    """deploy/nginx.conf with a test certificate and temporary paths; with `nodes`, also
    with the test's nodes as the upstream and loopback ports instead of 80 and 443."""
    conf = (DEPLOY / "nginx.conf").read_text()
    conf = _sub(r"(ssl_certificate\s+)\S+;", rf"\g<1>{cert};", conf, expect="one")
    conf = _sub(r"(ssl_certificate_key\s+)\S+;", rf"\g<1>{key};", conf, expect="one")
    conf = _sub(r"/var/lib/nginx/", f"{tmp}/", conf)
    conf = _sub(r"/var/log/nginx/", f"{tmp}/", conf)
    if nodes is None:
        return conf
    servers = "".join(f"    server 127.0.0.1:{port} max_fails=3 fail_timeout=10s;\n"
                      for port in nodes)
    conf = _sub(r"^(upstream unu_platform \{\n)((?:.*\n)*?)(\})",
                lambda m: m.group(1) + re.sub(r"^\s*server\s.*;\n", "", m.group(2),
                                              flags=re.MULTILINE) + servers + m.group(3),
                conf, expect="one")
    conf = _sub(r"^\s*listen \[::\]:.*\n", "", conf)
    conf = _sub(r"listen 443\b", f"listen 127.0.0.1:{tls_port}", conf)
    conf = _sub(r"listen 80\b", f"listen 127.0.0.1:{http_port}", conf)
    return conf


def nginx_main_conf(tmp: Path, site: Path) -> str:
    """What Debian's /etc/nginx/nginx.conf would be, in `tmp` and in the foreground."""
    return f"""
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log notice;
events {{ worker_connections 128; }}
http {{
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    access_log {tmp}/default.access.log;
    # Test only: which node answered (inherited: deploy/nginx.conf has no add_header).
    add_header X-Upstream $upstream_addr always;
    include {site};
}}
"""


def make_certificate(tmp: Path) -> tuple[Path, Path]:
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=30)
    return cert, key


def _nginx() -> str | None:
    return shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx",) if os.access(path, os.X_OK)), None)


def _redis_answers() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def missing_for_cluster() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        return "needs TEST_DATABASE_URL (a PostgreSQL server): the nodes share one database"
    if not _redis_answers():
        return f"needs Redis on {REDIS_HOST}:{REDIS_PORT}: the nodes share rate limits there"
    if _nginx() is None:
        return "needs nginx (Debian's package nginx; .ci/run installs it)"
    if shutil.which("openssl") is None:
        return "needs openssl for the test certificate"
    return None


# --- The cluster ------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _claim_redis_db() -> tuple[int, Any]:
    """An empty Redis database of our own (1-15), so that parallel runs never share keys:
    the app's limiter and cache prefixes are fixed, the database number is not."""
    import redis

    token = secrets.token_hex(8)
    for number in range(15, 0, -1):
        client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=number, socket_timeout=5)
        try:
            if client.set(CLAIM_KEY, token, nx=True, ex=3600):
                if client.dbsize() == 1:
                    return number, client
                client.delete(CLAIM_KEY)
        except redis.ResponseError:  # fewer databases configured
            client.close()
            break
        client.close()
    pytest.fail(f"no empty Redis database on {REDIS_HOST}:{REDIS_PORT} to run in")


def _stop(process: subprocess.Popen) -> None:
    """Stop a process group started with start_new_session: politely, then for sure."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)  # a worker left behind, or a hung master
    except ProcessLookupError:
        pass
    process.wait(timeout=10)


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass
class Node:
    name: str
    port: int
    process: subprocess.Popen
    access_log: Path
    error_log: Path

    def logs(self) -> str:
        out = _tail(self.error_log.with_suffix(".out"))
        return f"--- node {self.name}\n{_tail(self.error_log)}\n{out}"


@dataclass
class Cluster:
    nodes: dict[str, Node]
    tls_port: int
    http_port: int
    tls: ssl.SSLContext
    tmp: Path
    redis: Any
    round_id: int
    moderator: str
    totp_secret: str

    def node_at(self, address: str | None) -> str | None:
        for node in self.nodes.values():
            if address == f"127.0.0.1:{node.port}":
                return node.name
        return None

    def reset_limits(self) -> None:
        """Forget every rate-limit count (and cached count): a clean window per test."""
        claim = self.redis.get(CLAIM_KEY)
        self.redis.flushdb()
        self.redis.set(CLAIM_KEY, claim, ex=3600)

    def logs(self) -> str:
        return "\n".join([f"--- nginx\n{_tail(self.tmp / 'error.log')}",
                          *(node.logs() for node in self.nodes.values())])


def _wait_for(process: subprocess.Popen, check: Any, what: str, seconds: float,
              diagnose: Any) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}\n{diagnose()}")
        try:
            if check():
                return
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up\n{diagnose()}")


def _node_environment(url: str, redis_db: int) -> dict[str, str]:
    """The template's settings, with this run's secrets, database and Redis, and a low
    submission limit to reach."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("GUNICORN_CMD_ARGS", "PORT", "WEB_CONCURRENCY")}
    env.update(read_env_file(DEPLOY / "platform.env.example"))
    env.update({
        "SECRET_KEY": secrets.token_hex(32),  # one for both nodes, as in production
        "DATABASE_URL": url,
        "REDIS_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{redis_db}",
        "SUBMIT_RATE_LIMIT": f"{SUBMIT_LIMIT} per minute",
        "WEB_CONCURRENCY": "1",
        "PYTHONPATH": str(ROOT),
    })
    return env


def _prepare_database(url: str, env: dict[str, str]) -> tuple[int, str, str]:
    """What docs/deploy.md prescribes before nodes start (migrate and load the taxonomy
    once, with the production settings), then a moderator with a known TOTP secret.
    Returns the open round's id, the moderator's email and TOTP secret."""
    setup = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "setup"],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert setup.returncode == 0, setup.stdout + setup.stderr

    class Config(TestingConfig):
        DATABASE_URL = url

    application = create_app(Config)
    with application.app_context():
        user = make_user(db.session, "moderator", "moderator@example.org")
        moderator = (user.email, user.totp_secret)
        round_id = db.session.execute(text("SELECT id FROM rounds")).scalar_one()
    db.session.remove()
    db.engine.dispose()
    return round_id, *moderator


def _start_node(name: str, env: dict[str, str], tmp: Path, log_files: list) -> Node:
    port = _free_port()
    access_log, error_log = tmp / f"node-{name}.access.log", tmp / f"node-{name}.log"
    out = open(error_log.with_suffix(".out"), "wb")  # what gunicorn says before it logs
    log_files.append(out)
    process = subprocess.Popen(
        gunicorn_argv({**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
                      access_log=access_log, error_log=error_log),
        cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    return Node(name, port, process, access_log, error_log)


@pytest.fixture(scope="module")
def cluster(empty_database):
    reason = missing_for_cluster()
    if reason:
        pytest.skip(reason)
    started = time.monotonic()
    timings: dict[str, float] = {}
    redis_db, redis_client = _claim_redis_db()
    tmp = Path(tempfile.mkdtemp(prefix="unu-two-nodes-"))
    tmp.chmod(0o755)  # nginx's workers (nobody, when the test runs as root) use temp paths
    processes: list[subprocess.Popen] = []
    log_files: list[Any] = []
    try:
        url = empty_database("postgresql")
        env = _node_environment(url, redis_db)
        round_id, moderator, totp_secret = _prepare_database(url, env)
        timings["database ready"] = time.monotonic() - started

        nodes = {}
        for name in ("a", "b"):
            nodes[name] = _start_node(name, env, tmp, log_files)
            processes.append(nodes[name].process)
        cert, key = make_certificate(tmp)
        tls_port, http_port = _free_port(), _free_port()
        site = tmp / "unu-platform.conf"
        site.write_text(render_site(tmp=tmp, cert=cert, key=key, tls_port=tls_port,
                                    http_port=http_port,
                                    nodes=[node.port for node in nodes.values()]))
        (tmp / "nginx.conf").write_text(nginx_main_conf(tmp, site))
        built = Cluster(nodes, tls_port, http_port, ssl.create_default_context(cafile=str(cert)),
                        tmp, redis_client, round_id, moderator, totp_secret)
        for node in nodes.values():
            _wait_for(node.process,
                      lambda node=node: Client(built).get(node.name, "/healthz").status == 200,
                      f"node {node.name}", 60, node.logs)
        timings["nodes up"] = time.monotonic() - started

        nginx_out = open(tmp / "nginx.out", "wb")
        log_files.append(nginx_out)
        nginx = subprocess.Popen(
            [_nginx(), "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e", str(tmp / "error.log")],
            stdout=nginx_out, stderr=subprocess.STDOUT, start_new_session=True)
        processes.append(nginx)
        _wait_for(nginx, lambda: Client(built).get("nginx", "/healthz").status == 200, "nginx",
                  20, lambda: _tail(tmp / "nginx.out") + built.logs())
        timings["nginx up"] = time.monotonic() - started
        yield built
    finally:
        for process in reversed(processes):  # nginx first, then the nodes
            _stop(process)
        for handle in log_files:
            handle.close()
        try:
            redis_client.flushdb()
        finally:
            redis_client.close()
        shutil.rmtree(tmp, ignore_errors=True)
        print("two-node cluster, seconds from the start: "
              + ", ".join(f"{k} {v:.1f}" for k, v in timings.items())
              + f", stopped {time.monotonic() - started:.1f}")


# --- Just enough of a browser ------------------------------------------------------------

class _TLSConnection(http.client.HTTPSConnection):
    """HTTPS to nginx on 127.0.0.1 that names HOST (SNI) and checks its certificate."""

    def __init__(self, port: int, context: ssl.SSLContext, server_name: str = HOST) -> None:
        super().__init__(server_name, port, context=context, timeout=15)
        self._tls = context

    def connect(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    text: str
    node: str | None  # which node answered, when it came through nginx

    def json(self) -> Any:
        return json.loads(self.text)


class Client:
    """One cookie jar, used through nginx ("nginx") or on one node directly ("a", "b")."""

    def __init__(self, cluster: Cluster, cookies: dict[str, str] | None = None) -> None:
        self.cluster = cluster
        self.cookies = dict(cookies or {})

    def get(self, where: str, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", where, path, **kwargs)

    def post(self, where: str, path: str, **kwargs: Any) -> Reply:
        return self.request("POST", where, path, **kwargs)

    def request(self, method: str, where: str, path: str, *, form: dict | None = None,
                json_body: Any = None, headers: dict[str, str] | None = None) -> Reply:
        cluster = self.cluster
        if where == "nginx":
            connection: http.client.HTTPConnection = _TLSConnection(cluster.tls_port, cluster.tls)
        else:
            connection = http.client.HTTPConnection("127.0.0.1", cluster.nodes[where].port,
                                                    timeout=15)
        sent = {"Host": HOST, "User-Agent": "two-node-test", "Connection": "close"}
        body = None
        if form is not None:
            body = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if json_body is not None:
            body = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        sent.update(headers or {})
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if not value or "max-age=0" in rest.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return Reply(response.status, response.headers, data.decode("utf-8", "replace"),
                     cluster.node_at(response.headers.get("X-Upstream")))


def _submission(cluster: Cluster, title: str) -> dict[str, Any]:
    return {"round_id": cluster.round_id, "language": "en", "title": title,
            "body": "Connectivity first: the tools do not reach my village.",
            "actor_type": "youth", "country": "KE", "consent_processing": True}


def _until_seen(read: Any, predicate: Any, seconds: float = 3.0) -> Any:
    """Log lines are written just after the answer is sent: give them a moment."""
    deadline = time.monotonic() + seconds
    while True:
        value = read()
        if predicate(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


# --- What holds across the nodes ---------------------------------------------------------

def test_requests_through_nginx_reach_both_nodes(cluster):
    replies = [Client(cluster).get("nginx", "/healthz") for _ in range(4)]
    assert [r.status for r in replies] == [200] * 4
    assert {r.node for r in replies} == {"a", "b"}, [r.headers.get("X-Upstream") for r in replies]
    for name in cluster.nodes:  # both at the schema head of the one shared database
        ready = Client(cluster).get(name, "/readyz")
        assert (ready.status, ready.json()["status"]) == (200, "ok")


def test_fingerprinted_static_files_are_served_from_nginx_cache(cluster):
    page = Client(cluster).get("nginx", "/en/submit")
    url = re.search(r'(/static/[^"?]+\?v=[0-9a-f]+)', page.text).group(1)
    first = Client(cluster).get("nginx", url)
    assert first.status == 200 and first.node in ("a", "b")
    assert first.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    again = Client(cluster).get("nginx", url)
    assert again.status == 200 and again.text == first.text
    assert again.headers.get("X-Upstream") is None, "not from nginx's cache"


def test_the_front_door_is_https_for_the_named_host_only(cluster):
    connection = http.client.HTTPConnection("127.0.0.1", cluster.http_port, timeout=5)
    try:
        connection.request("GET", "/en/submit", headers={"Host": HOST})
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == 301
    assert response.headers["Location"] == f"https://{HOST}/en/submit"

    other = _TLSConnection(cluster.tls_port, cluster.tls, server_name="other.example.org")
    with pytest.raises(ssl.SSLError):  # ssl_reject_handshake: no certificate, no answer
        other.request("GET", "/healthz")
    other.close()

    # X-Forwarded-Proto reaches the app through ProxyFix: HTTPS-only headers and cookies.
    page = Client(cluster).get("nginx", "/en/login")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    session_cookie = next(c for c in page.headers.get_all("Set-Cookie")
                          if c.startswith("session="))
    assert "Secure" in session_cookie and "HttpOnly" in session_cookie
    direct = Client(cluster).get("a", "/en/login")  # plain HTTP on the node: no HSTS
    assert "Strict-Transport-Security" not in direct.headers


def test_a_rate_limit_holds_across_nodes(cluster):
    cluster.reset_limits()
    client = Client(cluster)
    allowed = [client.post("nginx", "/api/v1/submissions",
                           json_body=_submission(cluster, f"rate limit {n}"))
               for n in range(SUBMIT_LIMIT)]
    assert [r.status for r in allowed] == [201] * SUBMIT_LIMIT, allowed[-1].text
    served = {name: sum(r.node == name for r in allowed) for name in cluster.nodes}
    assert all(0 < count < SUBMIT_LIMIT for count in served.values()), served

    refused = client.post("nginx", "/api/v1/submissions",
                          json_body=_submission(cluster, "one too many"))
    assert refused.status == 429, refused.text
    assert int(refused.headers["Retry-After"]) > 0
    # A client cannot pick another address: nginx appends the one it saw, and the app
    # trusts only that last one (TRUSTED_PROXIES=1).
    spoofed = client.post("nginx", "/api/v1/submissions", json_body=_submission(cluster, "x"),
                          headers={"X-Forwarded-For": "203.0.113.7"})
    assert spoofed.status == 429
    # Each node served fewer than the limit, yet each refuses: the count is the shared one.
    for name in cluster.nodes:
        direct = client.post(name, "/api/v1/submissions", json_body=_submission(cluster, "x"))
        assert direct.status == 429, (name, direct.status, direct.text)
    assert any(b"LIMITER" in key for key in cluster.redis.scan_iter()), \
        "the counts are not in Redis"


def test_a_staff_session_holds_across_nodes_and_ends_everywhere(cluster):
    browser = Client(cluster)
    steps = []
    page = browser.get("nginx", "/en/login")
    steps.append(page)
    reply = browser.post("nginx", "/en/login", form={
        "csrf_token": csrf_token(page.text), "email": cluster.moderator, "password": PASSWORD})
    steps.append(reply)
    assert reply.status == 303, reply.text
    assert reply.headers["Location"].endswith("/en/login/verify")
    page = browser.get("nginx", "/en/login/verify")
    steps.append(page)
    reply = browser.post("nginx", "/en/login/verify", form={
        "csrf_token": csrf_token(page.text), "code": totp_now(cluster.totp_secret)})
    steps.append(reply)
    assert reply.status == 303, reply.text
    assert reply.headers["Location"].endswith("/en/moderate")
    # The sign-in itself went back and forth: a CSRF token or a pending sign-in made on one
    # node was accepted by the other.
    assert {step.node for step in steps} == {"a", "b"}

    for name in cluster.nodes:
        queue = browser.get(name, "/en/moderate")
        assert queue.status == 200, (name, queue.status, queue.headers.get("Location"))
    copied = dict(browser.cookies)  # the same cookie, kept by someone else

    account = browser.get("a", "/en/account")
    reply = browser.post("a", "/en/account/sign-out-everywhere",
                         form={"csrf_token": csrf_token(account.text)})
    assert reply.status == 303 and reply.headers["Location"].endswith("/en/login")

    # The cookie is still validly signed, but names the old nonce: refused on the other
    # node too, which learns of it from the database, not from node a.
    stale = Client(cluster, cookies=copied)
    reply = stale.get("b", "/en/moderate")
    assert reply.status == 302 and "/en/login" in reply.headers["Location"]
    through = [stale.get("nginx", "/en/moderate") for _ in range(2)]
    assert [r.status for r in through] == [302, 302]
    assert {r.node for r in through} == {"a", "b"}


def test_nginx_stamps_the_queue_time_so_stale_writes_are_shed(cluster):
    cluster.reset_limits()
    client = Client(cluster)
    # nginx replaces whatever the client sent with its own stamp.
    reply = client.post("nginx", "/api/v1/submissions", json_body=_submission(cluster, "stamp"),
                        headers={"X-Request-Start": "t=1"})
    assert reply.status == 201, reply.text
    # A write that waited a minute in the proxy's queue gets a fast 503.
    stale = f"t={time.time() - 60:.3f}"
    reply = client.post("a", "/api/v1/submissions", json_body=_submission(cluster, "late"),
                        headers={"X-Request-Start": stale})
    assert reply.status == 503 and reply.headers["Retry-After"] == "30"


def test_private_links_stay_out_of_every_access_log(cluster):
    cluster.reset_limits()
    client = Client(cluster)
    created = client.post("nginx", "/api/v1/submissions",
                          json_body=_submission(cluster, "log redaction"))
    assert created.status == 201, created.text
    manage_url = created.json()["manage_url"]
    # X-Forwarded-Host and -Proto made the link point at the public name, over HTTPS.
    assert manage_url.startswith(f"https://{HOST}/en/manage/")
    path = urlsplit(manage_url).path
    token = path.rsplit("/", 1)[1]

    seen = set()
    for _ in range(4):
        reply = client.get("nginx", path, headers={"Referer": manage_url})
        assert reply.status == 200
        seen.add(reply.node)
        if seen == {"a", "b"}:
            break
    assert seen == {"a", "b"}

    logs = [cluster.tmp / "unu-platform.access.log",
            *(node.access_log for node in cluster.nodes.values())]
    for log in logs:
        content = _until_seen(lambda log=log: log.read_text(),
                              lambda text: "/manage/[redacted]" in text)
        assert "/manage/[redacted]" in content, f"{log.name}:\n{content[-2000:]}"
        assert token not in content, f"the private link is in {log.name}"



def test_nginx_turns_a_submission_flood_away_before_the_nodes(cluster):
    """Run last among the cluster tests: it spends this address's nginx burst."""
    cluster.reset_limits()
    client = Client(cluster)
    started = time.monotonic()
    replies = [client.post("nginx", "/api/v1/submissions", json_body={})
               for _ in range(40)]
    elapsed = time.monotonic() - started
    at_edge = [r for r in replies if r.status == 429 and r.node is None]
    reached = [r for r in replies if r.node is not None]
    # burst=20 at once, then 2 a second: the rest never cost a node anything.
    assert at_edge, [r.status for r in replies]
    assert len(reached) <= 20 + 2 * elapsed + 1, (len(reached), elapsed)
    # Pages are not limited at the edge.
    assert client.get("nginx", "/en/submit").status == 200


# --- The deployment files themselves ------------------------------------------------------

def _settings_read_by_config() -> set[str]:
    source = (ROOT / "config.py").read_text()
    return set(re.findall(r"""(?:environ\.get|_bool)\(\s*["']([A-Z][A-Z0-9_]*)["']""", source))


def test_env_template_sets_every_setting_of_config():
    template = read_env_file(DEPLOY / "platform.env.example")
    settings = _settings_read_by_config() - {"TEST_DATABASE_URL"}
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= settings  # the parse works
    assert sorted(settings - template.keys()) == []
    # A placeholder cannot be deployed by mistake: production refuses a key this short.
    assert len(template["SECRET_KEY"]) < 32
    assert template["TRUSTED_PROXIES"] == "1" and template["APP_ENV"] == "production"


def test_nginx_conf_passes_nginx_t(tmp_path):
    if _nginx() is None or shutil.which("openssl") is None:
        pytest.skip("needs nginx and openssl")
    cert, key = make_certificate(tmp_path)
    site = tmp_path / "unu-platform.conf"
    site.write_text(render_site(tmp=tmp_path, cert=cert, key=key))  # ports 80 and 443 as is
    (tmp_path / "nginx.conf").write_text(nginx_main_conf(tmp_path, site))
    result = subprocess.run([_nginx(), "-t", "-p", str(tmp_path), "-c",
                             str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "error.log")],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


def test_systemd_unit_verifies(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("needs systemd-analyze")
    unit = (DEPLOY / "unu-platform.service").read_text()
    # Point it at paths that exist here; everything else is checked as shipped.
    unit = unit.replace("/srv/unu-platform/.venv/bin/gunicorn",
                        str(Path(sys.executable).parent / "gunicorn"))
    unit = unit.replace("WorkingDirectory=/srv/unu-platform", f"WorkingDirectory={ROOT}")
    unit = unit.replace("EnvironmentFile=/etc/", "EnvironmentFile=-/etc/")
    path = tmp_path / "unu-platform.service"
    path.write_text(unit)
    result = subprocess.run(["systemd-analyze", "verify", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
