"""JSON Schemas generated from the model, for editors and other tools."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from generator.core.model import ActivityFile, Role, SiteConfig
from generator.exports.formats import PlaybookExport
from generator.exports.incident_log import IncidentLog
from generator.output import check_plain_file, write_atomically

SCHEMAS: dict[str, type[BaseModel]] = {
    "role": Role,
    "activities": ActivityFile,
    "site-config": SiteConfig,
    "playbook-export": PlaybookExport,  # what `rolebook export --format json` writes
    "incident-log": IncidentLog,  # what the site's incident log page exports as JSON
}


def json_schema(kind: str) -> dict[str, Any]:
    schema = SCHEMAS[kind].model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{kind}.schema.json",
        **schema,
    }


def schema_text(kind: str) -> str:
    return json.dumps(json_schema(kind), indent=2, sort_keys=True) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    """Every schema as ``<kind>.schema.json`` in ``folder``, each file written whole or not at all; a
    link, device or folder in the way is refused before anything is written."""
    paths = {kind: folder / f"{kind}.schema.json" for kind in sorted(SCHEMAS)}
    for path in paths.values():
        check_plain_file(path, "remove it or choose another folder")
    for kind, path in paths.items():
        write_atomically(path, schema_text(kind).encode("utf-8"))
    return list(paths.values())
