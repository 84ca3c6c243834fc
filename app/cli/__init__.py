"""Command-line interface: `flask --app wsgi GROUP COMMAND`, one module per family of groups."""
from __future__ import annotations

from flask import Flask

from app.cli import (
    accounts,
    maintenance,
    offline,
    platform,
    schema,
    strategy,
    suggest,
    translate,
)


def init_app(app: Flask) -> None:
    for group in (schema.db_cli, platform.taxonomy_cli, platform.rounds_cli,
                  translate.translate_cli, accounts.users_cli, maintenance.backup_cli,
                  maintenance.privacy_cli, maintenance.demo_cli, maintenance.search_cli,
                  maintenance.clusters_cli, suggest.suggest_cli, offline.intake_cli,
                  offline.outbox_cli, strategy.strategy_cli):
        app.cli.add_command(group)
    app.cli.command("setup")(platform.setup_command)
