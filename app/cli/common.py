"""What the command groups share."""
from __future__ import annotations

import click

from app.services import ValidationFailed


def fail_with(exc: ValidationFailed) -> None:
    lines = [f"{field}: {'; '.join(str(m) for m in messages)}"
             for field, messages in exc.errors.items()]
    raise click.ClickException("\n".join(lines))
