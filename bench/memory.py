"""Memory drill: does a worker grow under minutes of varied use?

Four moderators and a reference-group member search the queue and filter the dashboard
with ever-new terms, as people do, for BENCH_MEMORY_SECONDS (default 150) against
gunicorn on the bench's seeded database, while each worker's resident set is sampled
every five seconds. What counts is the growth after the first 30 seconds (warm-up: code
paths, caches of the taxonomy and rounds, the first compiled statements): a worker that
keeps growing under varied input holds something per input.

    BENCH_SUBMISSIONS=20000 .venv/bin/python bench/memory.py

Prints one line per sample and a summary; exits 1 when a worker grew by more than
BENCH_MEMORY_LIMIT_MB (default 40) after its first 30 seconds.
"""
from __future__ import annotations

import os
import random
import shutil
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # the bench's own helpers: seeding, gunicorn, sign-in

SECONDS = float(os.environ.get("BENCH_MEMORY_SECONDS", "150"))
WARMUP = 30.0
LIMIT_MB = float(os.environ.get("BENCH_MEMORY_LIMIT_MB", "40"))
LANGS = ["en", "ar", "zh", "fr", "ru", "es"]
SYLLABLES = ["da", "ta", "net", "ai", "con", "dig", "ital", "yo", "uth", "pri", "va", "cy",
             "ال", "رق", "مي", "数", "据", "оп", "ен", "ра", "gé", "né", "ción"]


def word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def rss_mb(pid: int) -> float:
    return run._status_kb(pid, "VmRSS") / 1024


def main() -> int:
    run.DATA.mkdir(parents=True, exist_ok=True)
    database = run.prepare_sqlite()
    shutil.rmtree(run.DATA / "cache", ignore_errors=True)
    env = run.base_env(database.url)
    stop = threading.Event()
    counts = {"requests": 0, "errors": 0}
    lock = threading.Lock()

    with run.Server(env) as server:
        moderator = {"Cookie": run.sign_in(server.port, run.MODERATOR, database.password)}
        reference = {"Cookie": run.sign_in(server.port, run.REFERENCE, database.password)}

        def moderator_loop(seed: int) -> None:
            rng = random.Random(seed)  # noqa: S311 - a repeatable load, no secret
            while not stop.is_set():
                lang = rng.choice(LANGS)
                args = {"q": f"{word(rng)} {word(rng)}" if rng.random() < 0.8 else word(rng),
                        "status": rng.choice(["pending", "approved", "all"])}
                if rng.random() < 0.5:
                    args["language"] = rng.choice(LANGS)
                path = f"/{lang}/moderate?{urllib.parse.urlencode(args)}"
                hit(path, moderator)

        def reference_loop(seed: int) -> None:
            rng = random.Random(seed)  # noqa: S311 - a repeatable load, no secret
            while not stop.is_set():
                lang = rng.choice(LANGS)
                day = rng.randint(1, 28)
                args = {"date_from": f"2026-0{rng.randint(1, 9)}-{day:02d}",
                        "language": rng.choice(LANGS), "q": word(rng)}
                hit(f"/{lang}/reports/?{urllib.parse.urlencode(args)}", reference)

        def hit(path: str, headers: dict[str, str]) -> None:
            try:
                reply = run.http_request(server.port, "GET", path, headers=headers)
                bad = reply.status >= 400
            except OSError:
                bad = True
            with lock:
                counts["requests"] += 1
                counts["errors"] += bad

        threads = [threading.Thread(target=moderator_loop, args=(i,), daemon=True)
                   for i in range(4)]
        threads.append(threading.Thread(target=reference_loop, args=(99,), daemon=True))
        workers = server.workers()
        started = time.monotonic()
        samples: dict[int, list[tuple[float, float]]] = {pid: [] for pid in workers}
        for thread in threads:
            thread.start()
        while (elapsed := time.monotonic() - started) < SECONDS:
            line = []
            for pid in workers:
                samples[pid].append((elapsed, rss_mb(pid)))
                line.append(f"{pid}: {samples[pid][-1][1]:.0f} MB")
            run.log(f"{elapsed:5.0f} s  {counts['requests']:6d} requests  " + "  ".join(line))
            time.sleep(5)
        stop.set()
        for thread in threads:
            thread.join(timeout=70)
        final = {pid: rss_mb(pid) for pid in workers}

    worst = 0.0
    for pid in workers:
        at_warmup = next((mb for t, mb in samples[pid] if t >= WARMUP), samples[pid][-1][1])
        first = samples[pid][0][1]
        growth = final[pid] - at_warmup
        worst = max(worst, growth)
        print(f"worker {pid}: {first:.0f} MB at start, {at_warmup:.0f} MB at {WARMUP:.0f} s, "
              f"{final[pid]:.0f} MB at {SECONDS:.0f} s: +{growth:.0f} MB after warm-up")
    print(f"{counts['requests']} requests, {counts['errors']} errors (status >= 400 or no answer)")
    print(f"largest growth after warm-up: {worst:.0f} MB (limit {LIMIT_MB:.0f} MB)")
    return 0 if worst <= LIMIT_MB and counts["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
