"""JSON Schemas generated from the model, for editors and other tools."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from generator.core.model import ActivityFile, Role, SiteConfig
from generator.exports.formats import PlaybookExport

SCHEMAS: dict[str, type[BaseModel]] = {
    "role": Role,
    "activities": ActivityFile,
    "site-config": SiteConfig,
    "playbook-export": PlaybookExport,  # what `rolebook export --format json` writes
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
