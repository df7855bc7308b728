"""The playbook's roles as Terraform JSON for the incident tools with a Terraform provider: incident.io,
Rootly and FireHydrant. One function per tool, ``Playbook -> .tf.json text``, in the playbook's role order.

The arguments are those of each provider's documented resource schema (the docs page "Roles in your
incident tool" lists them, and tests/test_terraform_export.py checks them); no provider documents a
length limit for them. Grafana IRM has no Terraform resource for incident roles, so it has no format.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator.core.playbook import Playbook
from generator.exports.terraform import (
    Provider,
    bullets,
    document,
    plain,
    reference,
    resource_name,
    role_instructions,
    role_tasks,
    task_name,
)

# Sources on the Terraform registry and the versions whose resources match what is written here.
INCIDENT_IO = Provider("incident", "incident-io/incident", ">= 5.0.0, < 7.0.0")
ROOTLY = Provider("rootly", "rootlyhq/rootly", "~> 5.0")
FIREHYDRANT = Provider("firehydrant", "firehydrant/firehydrant", "~> 0.15.0")


def incident_io_tf(playbook: Playbook) -> str:
    """One ``incident_incident_role`` per role: name, its short name as ``shortform``, its summary as
    ``description``, and ``instructions`` for whoever takes it (first actions, then the checklist)."""
    roles = {
        resource_name(rid): {
            "name": plain(role.name),
            "shortform": plain(role.short),
            "description": plain(role.summary),
            "instructions": role_instructions(playbook, rid),
        }
        for rid, role in playbook.roles.items()
    }
    return document(playbook, "incident-io", INCIDENT_IO, {"incident_incident_role": roles})


def rootly_tf(playbook: Playbook) -> str:
    """One ``rootly_incident_role`` per role (name, summary, responsibilities as the description, its
    place in the playbook as ``position``) and one ``rootly_incident_role_task`` per task of the role:
    ``high`` priority for the first time box and first actions, ``medium`` for the rest."""
    roles: dict[str, Any] = {}
    tasks: dict[str, Any] = {}
    for position, (rid, role) in enumerate(playbook.roles.items(), start=1):
        name = resource_name(rid)
        roles[name] = {
            "name": plain(role.name),
            "summary": plain(role.summary),
            "description": "\n".join(bullets(role.responsibilities)),
            "position": position,
        }
        for task in role_tasks(playbook, rid):
            tasks[task_name(rid, task.key)] = {
                "incident_role_id": reference("rootly_incident_role", name),
                "task": task.text,
                "description": task.when,
                "priority": "high" if task.urgent else "medium",
            }
    resources = {"rootly_incident_role": roles}
    if tasks:
        resources["rootly_incident_role_task"] = tasks
    return document(playbook, "rootly", ROOTLY, resources)


def firehydrant_tf(playbook: Playbook) -> str:
    """One ``firehydrant_incident_role`` per role (name, summary, responsibilities as the description)
    and one ``firehydrant_task_list`` per role with tasks, named after the role: FireHydrant's task
    lists stand alone (a list names no role), and a list needs at least one item."""
    roles: dict[str, Any] = {}
    lists: dict[str, Any] = {}
    title = playbook.config.title
    for rid, role in playbook.roles.items():
        name = resource_name(rid)
        roles[name] = {
            "name": plain(role.name),
            "summary": plain(role.summary),
            "description": "\n".join(bullets(role.responsibilities)),
        }
        tasks = role_tasks(playbook, rid)
        if tasks:
            lists[name] = {
                "name": f"{plain(role.name)} checklist",
                "description": f"The tasks of the role {plain(role.name)} during an incident, from {plain(title)}.",
                "task_list_items": [{"summary": task.text, "description": task.when} for task in tasks],
            }
    resources = {"firehydrant_incident_role": roles}
    if lists:
        resources["firehydrant_task_list"] = lists
    return document(playbook, "firehydrant", FIREHYDRANT, resources)


TERRAFORM_FORMATS: dict[str, Callable[[Playbook], str]] = {
    "incident-io": incident_io_tf,
    "rootly": rootly_tf,
    "firehydrant": firehydrant_tf,
}
