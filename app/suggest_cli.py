"""`flask --app wsgi suggest train|evaluate`: the classifier behind suggested tags."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.db import db, write_intent
from app.services import stored_suggestions, suggest

suggest_cli = AppGroup("suggest", help="Suggested tags: train and evaluate the classifier.")

_limit = click.option("--limit", type=click.IntRange(10, 1_000_000), default=20000,
                      show_default=True, help="Newest approved, tagged submissions used.")
_share = click.option("--test-share", type=click.FloatRange(0.05, 0.5), default=0.25,
                      show_default=True, help="Share held out for the evaluation.")
_seed = click.option("--seed", type=int, default=0, show_default=True,
                     help="Seed of the random split.")


def _print(evaluation: suggest.Evaluation) -> None:
    click.echo(f"Held-out evaluation: trained on {evaluation.train_size}, "
               f"tested on {evaluation.test_size} submissions.")
    click.echo(f"{'system':<20}{'group':<14}{'precision':>10}{'recall':>8}{'F1':>7}"
               f"{'support':>9}")
    for system in suggest.SYSTEMS:
        for group, figures in evaluation.systems[system].items():
            click.echo(f"{system:<20}{group:<14}{figures.precision:>10.3f}"
                       f"{figures.recall:>8.3f}{figures.f1:>7.3f}{figures.tp + figures.fn:>9}")
        click.echo(f"{system:<20}{'micro-F1':<14}{'':>18}{evaluation.micro_f1(system):>7.3f}")
    click.echo("suggestions = lexicon and classifier as moderators see them (confidence >= "
               f"{suggest.DECIDE_AT}); majority_baseline = the most frequent code of each "
               "group, always.")


@suggest_cli.command("train")
@_limit
@_share
@_seed
def suggest_train(limit: int, test_share: float, seed: int) -> None:
    """Train the classifier on moderators' tags and store it for every node."""
    write_intent.set(True)
    try:
        record = suggest.train(db.session, limit=limit, test_share=test_share, seed=seed)
    except suggest.NotEnoughData as exc:
        raise click.ClickException(str(exc.message)) from None
    db.session.commit()
    metrics = record.metrics
    click.echo(f"Model {record.id} trained on {record.trained_on} submissions "
               f"({metrics.get('codes', 0)} codes, {metrics.get('features', 0)} n-grams, "
               f"{len(record.data) // 1024} KiB).")
    if "suggestions" in metrics:
        click.echo(f"Held-out micro-F1: {metrics['suggestions']['micro_f1']:.3f} "
                   f"(majority-class baseline {metrics['majority_baseline']['micro_f1']:.3f}).")


@suggest_cli.command("evaluate")
@_limit
@_share
@_seed
def suggest_evaluate(limit: int, test_share: float, seed: int) -> None:
    """Train on part of the tagged submissions and measure on the rest (nothing stored)."""
    try:
        evaluation = suggest.evaluate(db.session, limit=limit, test_share=test_share,
                                      seed=seed)
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
