"""What every Terraform export shares: resource names from role ids, the tasks and instructions a role
hands its incident tool, escaping, and the ``.tf.json`` document around the resources.

Terraform reads every string of a JSON configuration as a template: a ``${`` or ``%{`` in a role's text
would be evaluated. ``document`` escapes them (``$${``, ``%%{``) in every string it writes, so playbook
text reaches the incident tool as written. The provider-specific resources are in ``terraform_providers``.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Any

from generator.core.checklist_items import derived_ids
from generator.core.playbook import Playbook

_DIGIT_PREFIX = "role__"  # two underscores: no role id's name holds them (ids hold no '--')


def resource_name(role_id: str) -> str:
    """The Terraform name of a role's resources: the id with '-' as '_', so `incident-manager` is
    `incident_manager`. A Terraform name must not start with a digit, so an id that does gets
    ``role__`` in front (`2nd-line` is `role__2nd_line`).

    Injective: an id holds no '_', so '-' -> '_' is undone by '_' -> '-'; and an id never holds '--', so
    a plain name never holds '__' and cannot be a prefixed one."""
    name = role_id.replace("-", "_")
    return _DIGIT_PREFIX + name if name[:1].isdigit() else name


def task_name(role_id: str, task_key: str) -> str:
    """The Terraform name of one task of a role: the role's name, '__', the task's key with '-' as '_'.
    Injective: a key holds no '__', so the last '__' splits the name back into role and task."""
    return f"{resource_name(role_id)}__{task_key.replace('-', '_')}"


class Reference(str):
    """A Terraform expression rolebook writes (never playbook text): the one kind of string left
    unescaped."""


def reference(resource_type: str, name: str, attribute: str = "id") -> Reference:
    """An expression naming another resource's attribute, as Terraform's JSON syntax writes it."""
    return Reference("${" + f"{resource_type}.{name}.{attribute}" + "}")


@dataclass(frozen=True)
class Task:
    """One thing a role does during an incident, as an incident tool lists it."""

    key: str  # unique within the role: a checklist item's id, or derived from a first action's text
    text: str
    when: str  # the phase and time, e.g. "Detect: within 5 minutes"
    urgent: bool  # in the first time box, or one of the card's first actions


def plain(text: str) -> str:
    """Playbook text as the incident tool shows it: character references (``&lt;``, ``&amp;``) read, as on
    the site."""
    return html.unescape(text)


def _one_line(text: str) -> str:
    return " ".join(plain(text).split())


def role_tasks(playbook: Playbook, role_id: str) -> list[Task]:
    """The role's checklist items of the phases during an incident, in the order its page shows them
    (by time box, else by phase); a role without any: its card's first actions, in order. The items of
    the first time box, and first actions, are urgent. Phases before and after an incident (prepare,
    review) are not tasks of an incident."""
    groups = playbook.during_incident(role_id)
    boxes = [box.id for box in playbook.config.time_boxes]
    by_time = any(item.within for group in groups for _, item in group.entries)
    tasks = []
    for group in groups:
        for phase, item in group.entries:
            if item.duration:
                when = f"{phase.name}: within {item.duration}"
            else:
                when = f"{phase.name}: {group.name}" if by_time else phase.name
            urgent = by_time and boxes.index(group.id) == 0
            tasks.append(Task(item.id, _one_line(item.text), when, urgent))
    if tasks:
        return tasks
    first = playbook.roles[role_id].card.first_actions
    for number, (key, text) in enumerate(zip(derived_ids(first, "first-"), first, strict=True), start=1):
        tasks.append(Task(key, _one_line(text), f"First action {number}", True))
    return tasks


def role_instructions(playbook: Playbook, role_id: str) -> str:
    """Plain text for whoever takes the role: the card's first actions, numbered, then the checklist
    during an incident under its time boxes (or phases); a role with neither: its responsibilities."""
    role = playbook.roles[role_id]
    parts = []
    if role.card.first_actions:
        numbered = (f"{n}. {_one_line(text)}" for n, text in enumerate(role.card.first_actions, start=1))
        parts.append("\n".join(["First actions:", *numbered]))
    for group in playbook.during_incident(role_id):
        items = (f"- {_one_line(item.text)}" for _, item in group.entries)
        parts.append("\n".join([f"{group.name}:", *items]))
    if not parts:
        parts.append("\n".join(["Responsibilities:", *bullets(role.responsibilities)]))
    return "\n\n".join(parts)


def bullets(texts: list[str]) -> list[str]:
    return [f"- {_one_line(text)}" for text in texts]


def escape_templates(value: Any) -> Any:
    """``value`` with every ``${`` and ``%{`` in its strings escaped as Terraform reads JSON strings:
    doubled to ``$${`` and ``%%{``, which Terraform turns back into the text as written."""
    if isinstance(value, Reference):
        return value
    if isinstance(value, str):
        return value.replace("${", "$${").replace("%{", "%%{")
    if isinstance(value, list):
        return [escape_templates(v) for v in value]
    if isinstance(value, dict):
        return {k: escape_templates(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Provider:
    local_name: str  # the name in required_providers and the resource types' prefix
    source: str
    version: str


def document(playbook: Playbook, fmt: str, provider: Provider, resources: dict[str, dict[str, Any]]) -> str:
    """The ``.tf.json`` text: a comment, the provider requirement and ``resources`` ({type: {name:
    arguments}}), every string but a ``Reference`` escaped."""
    config = playbook.config
    comment = (
        f"The incident roles of {config.title}, version {config.version} ({config.published}), written by "
        f"`rolebook export --format {fmt}`. Change the playbook and export again: edits here are lost."
    )
    data = {
        "//": escape_templates(comment),
        "terraform": {
            "required_providers": {
                provider.local_name: {"source": provider.source, "version": provider.version}
            }
        },
        "resource": escape_templates(resources),
    }
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
