"""What campaign folding costs per submission, now and at another revision.

    .venv/bin/python bench/fold_cost.py [--copies 300] [--before main]

On a fresh SQLite database (in a temporary folder), submissions go through
`intake.submit` as the form and the API send them; only the time spent in
`clusters.fold` is counted (process CPU time, so other load on the machine matters less).
With `--before REV`, the `app/services/assist/clusters.py` of that git revision folds every
other submission of each scenario, on its own round: both versions see the same texts,
the same database and the same load, interleaved.

Scenarios: copies of one text with a name changed (they join one campaign), copies that
each drop a different sentence, bridged by whole copies (sent in turn: the first ones
merge campaigns), and distinct texts (nothing to fold: the index lookup alone). The last
column counts the campaigns each version made of the scenario.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import random
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import CAMPAIGN  # noqa: E402

NAMES = ["Amina", "John Otieno", "Maria Fernanda", "Li Wei", "Olga", "Kwame Mensah"]


def scenario_texts(name: str, count: int) -> list[str]:
    if name == "copies":
        return [f"My name is {NAMES[i % 6]}. " + " ".join(CAMPAIGN) for i in range(count)]
    if name == "dropped sentences":
        return [f"My name is {NAMES[i % 6]}. " +
                " ".join(s for j, s in enumerate(CAMPAIGN) if j != (0, 1, None)[i % 3])
                for i in range(count)]
    # Distinct: words of random letters, nothing in common but chance grams.
    rng = random.Random(8)  # noqa: S311 - reproducible texts, not a secret
    return [". ".join(" ".join("".join(rng.choice(string.ascii_lowercase)
                                       for _ in range(rng.randint(3, 9))) for _ in range(8))
                      for _ in range(4)) + "." for _ in range(count)]


# Where the modules a revision's clusters.py imports live now (services were flat before
# commit 2f8ed7c; the moderation helpers it uses moved to review/tagging and campaigns).
_MOVED_IMPORTS = {
    "from app.services import ValidationFailed, audit, cursors, moderation":
        "from app.services import ValidationFailed, cursors\n"
        "from app.services.accounts import audit\n"
        "from app.services.review import moderation",
    "from app.services.textnorm import": "from app.services.text.textnorm import",
}


def load_module(revision: str):
    """The clusters module of `revision` (app/services/assist/clusters.py, or
    app/services/clusters.py before the services were grouped), its imports pointed at
    where those modules live now."""
    for where in ("app/services/assist/clusters.py", "app/services/clusters.py"):
        found = subprocess.run(["git", "show", f"{revision}:{where}"],  # noqa: S603,S607
                               cwd=ROOT, capture_output=True, text=True)
        if found.returncode == 0:
            source = found.stdout
            break
    else:
        raise SystemExit(f"{revision} has no clusters module")
    for old, new in _MOVED_IMPORTS.items():
        source = source.replace(old, new)
    path = Path(tempfile.mkdtemp()) / "clusters_before.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("clusters_before", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["clusters_before"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=300)
    parser.add_argument("--before", default=None, help="a git revision to compare with")
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    os.environ.update({"DATABASE_URL": f"sqlite:///{folder}/fold.db", "APP_ENV": "development",
                       "REQUIRE_2FA": "false", "SECRET_KEY": "b" * 40})
    from app import create_app
    from app.db import db, write_intent
    from app.services.assist import clusters
    from app.services.contributions import intake
    from app.services.platform import rounds
    app = create_app()
    assert app.test_cli_runner().invoke(args=["setup"]).exit_code == 0
    versions = {"now": clusters.fold}
    if args.before:
        versions[args.before] = load_module(args.before).fold
    current = {"fold": clusters.fold}
    spent: dict[tuple[str, str], list[float]] = {}

    def timed_fold(session, submission):
        started = time.process_time()
        result = current["fold"](session, submission)
        spent[current["key"]].append(time.process_time() - started)
        return result

    intake.clusters.fold = timed_fold
    write_intent.set(True)
    print(f"clusters.fold, CPU ms per submission ({args.copies} per scenario and version)")
    with app.app_context():
        import datetime as dt

        from app.db import utcnow
        for name in ("copies", "dropped sentences", "distinct"):
            texts = scenario_texts(name, args.copies)
            round_of = {}
            for version in versions:
                round_of[version] = rounds.create_round(
                    db.session, title={"en": f"{name} {version}"}, description={"en": "."},
                    questions=[{"en": "?"}], opens_at=utcnow() - dt.timedelta(days=1),
                    closes_at=utcnow() + dt.timedelta(days=1)).id
                spent[(name, version)] = []
            db.session.commit()
            for text in texts:
                for version, fold in versions.items():
                    current.update(fold=fold, key=(name, version))
                    intake.submit(db.session, intake.SubmissionInput(
                        round_id=round_of[version], language="en", title="A view", body=text,
                        actor_type="youth", country="KE", consent_processing=True))
                    db.session.commit()
            line = []
            for version in versions:
                times = sorted(spent[(name, version)])
                campaigns = clusters.campaign_stats(db.session, round_of[version])["clusters"]
                line.append(f"{version}: median {1000 * times[len(times) // 2]:.2f}, "
                            f"mean {1000 * sum(times) / len(times):.2f}, "
                            f"{campaigns} campaign(s)")
            print(f"  {name:<18} " + " | ".join(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
