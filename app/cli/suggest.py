"""`flask --app wsgi suggest train|evaluate`: the classifier behind suggested tags."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.db import db, write_intent
from app.services.assist import stored_suggestions, suggest

suggest_cli = AppGroup("suggest", help="Suggested tags: train and evaluate the classifier.")


def _print(evaluation: suggest.SetEvaluation) -> None:
    languages = ", ".join(f"{lang} {n}" for lang, n in sorted(evaluation.languages.items()))
    click.echo(f"Labelled set: {evaluation.views} views ({languages}); a principle or "
               f"commitment keyword fires in {evaluation.keyword_share:.0%} of them.")
    click.echo(f"{'mode':<9}{'system':<19}{'group':<13}{'precision':>10}{'recall@1':>10}"
               f"{'recall@2':>10}{'micro-F1':>10}{'labels':>8}")
    for mode, systems in evaluation.figures.items():
        for system, groups in systems.items():
            for group, f in groups.items():
                click.echo(f"{mode:<9}{system:<19}{group:<13}{f.precision:>10.3f}"
                           f"{f.recall_at1:>10.3f}{f.recall_at2:>10.3f}{f.f1:>10.3f}"
                           f"{f.labels:>8}")
            mean, deviation = suggest.spread_of(evaluation.spread[mode][system])
            figure = f"{suggest.SetEvaluation.micro(groups):.3f}"
            if mode == "trained":
                folds = " ".join(f"{v:.2f}" for v in evaluation.spread[mode][system])
                figure += f"  (folds: mean {mean:.3f} ± {deviation:.3f}; {folds})"
            click.echo(f"{mode:<9}{system:<19}{'both groups':<13}{'':>30}{figure:>10}")
    click.echo("Calibration, top code of each group (mean confidence / share right):")
    for mode, systems in evaluation.figures.items():
        for group, f in systems["suggestions"].items():
            click.echo(f"  {mode:<9}{group:<13}{f.mean_confidence:.2f} / {f.top_accuracy:.2f}")
    click.echo(
        "cold = the keyword lexicon and the taxonomy's own classifier (labels, descriptions "
        "and keywords in six languages), no moderator's tag; trained = "
        f"{evaluation.folds}-fold cross-validation over the set (whole scenarios per fold), "
        "each fold's model also learning from the taxonomy. Predicted: the top code, plus "
        f"any other at {suggest.DECIDE_AT:.0%} or more. majority_baseline = always the most "
        "frequent code of each group (cold: of the whole set; trained: of the training "
        "folds).")


@suggest_cli.command("train")
@click.option("--limit", type=click.IntRange(10, 1_000_000), default=20000,
              show_default=True, help="Newest approved, tagged submissions used.")
def suggest_train(limit: int) -> None:
    """Train the classifier on moderators' tags and store it for every node."""
    write_intent.set(True)
    try:
        record = suggest.train(db.session, limit=limit)
    except suggest.NotEnoughData as exc:
        raise click.ClickException(str(exc.message)) from None
    db.session.commit()
    metrics = record.metrics
    click.echo(f"Model {record.id} trained on {record.trained_on} submissions "
               f"({metrics.get('codes', 0)} codes, {metrics.get('features', 0)} n-grams, "
               f"{len(record.data) // 1024} KiB). Measure suggestions with "
               "`flask --app wsgi suggest evaluate`.")


@suggest_cli.command("evaluate")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=suggest.EVAL_FILE, show_default=True,
              help="Labelled views, JSON Lines (text, lang, scenario, principles, "
                   "commitments).")
@click.option("--folds", type=click.IntRange(2, 20), default=5, show_default=True,
              help="Cross-validation folds for the trained figures.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the assignment of scenarios to folds.")
def suggest_evaluate(path: Path, folds: int, seed: int) -> None:
    """Measure suggested principles and commitments on a labelled set, cold and trained
    (nothing stored)."""
    try:
        evaluation = suggest.evaluate(db.session, path=path, folds=folds, seed=seed)
    except suggest.NotEnoughData as exc:
        raise click.ClickException(str(exc.message)) from None
    _print(evaluation)


@suggest_cli.command("store")
@click.option("--batch", type=click.IntRange(1, 10_000), default=500, show_default=True)
@click.option("--refresh", is_flag=True,
              help="Score every pending submission again (after training or a lexicon "
                   "change), not only those without stored suggestions.")
def suggest_store(batch: int, refresh: bool) -> None:
    """Store the top suggested tags of pending submissions, which the queue shows."""
    total, after_id = 0, 0
    while True:
        write_intent.set(True)
        done, after_id = stored_suggestions.backfill(db.session, batch=batch,
                                                     refresh=refresh, after_id=after_id)
        db.session.commit()
        total += done
        if done < batch:
            break
    click.echo(f"Suggestions stored for {total} pending submissions.")
