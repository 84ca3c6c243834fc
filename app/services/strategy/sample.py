"""The sample edition a fresh install starts with (`flask setup`), until an admin imports
the official text of the strategy.

It is built from the taxonomy data (app/data/taxonomy.json): one paragraph per principle
and commitment, titled with its official title, its text the one-sentence explanation the
taxonomy holds, every paragraph marked `placeholder` (the pages say so). The file shipped,
app/data/strategy_2018.json, is `build()`'s output (a test keeps them equal); it is also
an example of the import format (docs/strategy-format.md).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import StrategyEdition
from app.services.platform import taxonomy as taxonomy_service
from app.services.strategy import editions, importer

SAMPLE_FILE = Path(__file__).resolve().parents[2] / "data" / "strategy_2018.json"

SECTIONS = {
    "principles": {"ar": "المبادئ", "en": "Principles", "es": "Principios",
                   "fr": "Principes", "ru": "Принципы", "zh": "原则"},
    "commitments": {"ar": "الالتزامات", "en": "Commitments", "es": "Compromisos",
                    "fr": "Engagements", "ru": "Обязательства", "zh": "承诺"},
}


def build(taxonomy_file: Path = taxonomy_service.DEFAULT_FILE) -> dict[str, Any]:
    """The sample edition, in the import format."""
    data = json.loads(Path(taxonomy_file).read_text(encoding="utf-8"))
    paragraphs = []
    for section in SECTIONS:
        for entry in data[section]:
            paragraphs.append({
                "key": f"{section}.{entry['code'].lower()}",
                "section": section,
                "code": entry["code"],
                "title": entry["labels"],
                "text": entry.get("descriptions") or entry["labels"],
                "placeholder": True,
            })
    return {
        "format": importer.FORMAT,
        "label": taxonomy_service.DEFAULT_VERSION,
        "issued": data["source"].get("issued"),
        "title": data["source"]["title"],
        "sections": [{"key": key, "title": titles} for key, titles in SECTIONS.items()],
        "paragraphs": paragraphs,
    }


def ensure_sample(session: Session) -> StrategyEdition | None:
    """Import and publish the sample edition when there is no edition at all (a fresh
    install); None otherwise. Needs the taxonomy loaded (paragraph codes are checked)."""
    if session.scalar(select(StrategyEdition.id).limit(1)) is not None:
        return None
    edition = importer.import_document(session, SAMPLE_FILE.read_bytes(), by=None,
                                       source="sample")
    editions.publish(session, edition, by=None, link_for=lambda _e, _lang: "")
    return edition
