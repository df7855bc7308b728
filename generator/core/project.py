"""Reading a playbook project from disk: roles/ and site_config/ into a validated Playbook."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from generator.core.checklist_rules import check_checklist_items, check_time_boxes
from generator.core.consistency import check_consistency
from generator.core.defaults import DEFAULT_PREFIX, defaults_root
from generator.core.fields import ID_PATTERN
from generator.core.guidance_rules import check_guidance, fitted_role
from generator.core.library import engaged
from generator.core.links import LEAVES, inside, outside_files
from generator.core.mentions import find_mentions
from generator.core.messages import SETTINGS_SALVAGE, Locator, partial_settings, validate_into
from generator.core.mkdocs_assets import remote_assets
from generator.core.mkdocs_settings import configuration_problems
from generator.core.model import ActivityFile, Role, Severity, SiteConfig
from generator.core.overlays import DEFAULTS_LABEL, resolve_roles
from generator.core.placeholders import example_values
from generator.core.playbook import Playbook
from generator.core.rules import RuleContext, check_rules
from generator.core.yaml_loading import Loc, Path_, YamlDoc, YamlProblem, decode, parse_yaml
from generator.diagnostics import Diagnostic, sort_diagnostics
from generator.errors import InvalidPlaybook

ROLES_DIR = "roles"
CONFIG_DIR = "site_config"
TEMPLATES_DIR = "templates"
DOCS_DIR = "docs"
YAML_SUFFIXES = (".yaml", ".yml")
MAX_FILES = 2000  # role files, or settings files; more is refused, not read
ACTIVITY_STEM = "activities"  # roles/activities.yaml, or any file in roles/ holding only 'activities:'


@dataclass
class Sources:
    """The parsed files, kept for locating problems found after parsing."""

    docs: dict[str, YamlDoc] = field(default_factory=dict)
    config_owner: dict[str, str] = field(default_factory=dict)  # top-level key -> file
    renames: dict[str, str] = field(default_factory=dict)  # role names changed by overlays
    level_renames: dict[str, str] = field(default_factory=dict)  # the defaults' level names -> the playbook's
    locators: dict[str, Any] = field(default_factory=dict)  # file -> where a merged path stands

    def where(self, file: str) -> Locator:
        doc = self.docs[file]
        return lambda path, key: (file, doc.loc(path, key=key))

    def main_config_file(self) -> str:
        """The settings file holding the most settings: where a missing one belongs."""
        owners = sorted(self.config_owner.values())
        return max(owners, key=owners.count) if owners else f"{CONFIG_DIR}/"

    def config_where(self, path: Path_, key: bool) -> tuple[str, Loc]:
        file = self.config_owner.get(str(path[0])) if path else None
        file = file or self.main_config_file()
        doc = self.docs.get(file)
        return file, doc.loc(path, key=key) if doc else Loc(1, 1)


def _yaml_files(folder: Path, out: list[Diagnostic]) -> list[Path]:
    if folder.exists() and not folder.is_dir():
        out.append(Diagnostic(folder.name, 1, 1, "should be a folder of YAML files, not a file"))
        return []
    if not folder.is_dir():
        return []
    if not inside(folder, folder.parent):
        out.append(Diagnostic(f"{folder.name}/", 1, 1, LEAVES))
        return []
    found = sorted(
        p for p in folder.iterdir() if p.suffix.lower() in YAML_SUFFIXES and not p.name.startswith(".")
    )
    if len(found) > MAX_FILES:
        out.append(
            Diagnostic(
                folder.name + "/", 1, 1, f"{len(found)} YAML files: rolebook reads at most {MAX_FILES}"
            )
        )
        return []
    return found


def _read(project: Path, file: Path, out: list[Diagnostic]) -> YamlDoc | None:
    rel = file.relative_to(project).as_posix()
    if not inside(file, project):  # refused before it is read: nothing of it reaches a message or a page
        out.append(Diagnostic(rel, 1, 1, LEAVES))
        return None
    if file.exists() and not file.is_file() and not file.is_dir():  # a pipe would wait for a writer forever
        out.append(
            Diagnostic(rel, 1, 1, "not a file (a pipe, a socket or a device); rolebook reads files only")
        )
        return None
    try:
        doc = parse_yaml(decode(file.read_bytes()), rel)
    except YamlProblem as exc:
        out.append(Diagnostic(rel, exc.line, exc.col, exc.message))
        return None
    except OSError as exc:
        out.append(Diagnostic(rel, 1, 1, f"cannot read the file: {exc.strerror}"))
        return None
    if not isinstance(doc.data, dict):
        if doc.data is None:
            what = "the file is empty"
        elif isinstance(doc.data, list):
            what = "the file holds a list"
        else:
            what = "the file holds a single value"
        out.append(Diagnostic(rel, 1, 1, f"{what}: expected 'field: value' lines"))
        return None
    return doc


def _load_config(project: Path, sources: Sources, out: list[Diagnostic]) -> SiteConfig | None:
    files = _yaml_files(project / CONFIG_DIR, out)
    if not files and not (project / CONFIG_DIR).is_file():
        out.append(
            Diagnostic(
                f"{CONFIG_DIR}/", 1, 1, "no settings: add a YAML file such as site_config/playbook.yaml"
            )
        )
        return None
    if not files:  # site_config is a file, or holds too many: reported
        return None
    merged: dict[str, Any] = {}
    unread, twice = False, set[str]()
    for file in files:
        doc = _read(project, file, out)
        if doc is None:
            unread = True
            continue
        sources.docs[doc.path] = doc
        for key, value in doc.data.items():
            if key in merged:
                twice.add(key)
                at = doc.loc((key,), key=True)
                first = sources.config_owner[key]
                out.append(Diagnostic(doc.path, at.line, at.col, f"'{key}' is already set in {first}"))
                continue
            merged[key] = value
            sources.config_owner[key] = doc.path
    if unread or twice:  # the checks run on the rest, if the settings they depend on are known
        part: SiteConfig | None = partial_settings(
            SiteConfig, merged, sources.config_where, out, unread=unread, twice=twice
        )
        return part
    config: SiteConfig | None = validate_into(SiteConfig, merged, sources.config_where, out, SETTINGS_SALVAGE)
    return config


def _load_roles(
    project: Path, sources: Sources, out: list[Diagnostic], levels: list[Severity] | None = None
) -> tuple[dict[str, Role], ActivityFile | None, str | None, dict[str, str], dict[str, str]]:
    """Roles and activities, overlays applied; also every valid role file name and what roles extend."""
    known: dict[str, str] = {}  # id -> file name, for every role file with a valid name
    role_docs: dict[str, YamlDoc] = {}
    activity_doc: YamlDoc | None = None
    activity_path: str | None = None
    files = _yaml_files(project / ROLES_DIR, out)
    if not files and not (project / ROLES_DIR).is_file():
        out.append(Diagnostic(f"{ROLES_DIR}/", 1, 1, "no role files: add roles/<id>.yaml"))
    for file in files:
        valid_id = re.fullmatch(ID_PATTERN, file.stem) is not None
        doc = _read(project, file, out)
        if doc is None:
            if file.stem == ACTIVITY_STEM:
                activity_path = activity_path or file.relative_to(project).as_posix()  # there, but broken
            elif valid_id and file.stem not in known:
                known[file.stem] = file.name  # still a role: references to it are not unknown
            continue
        sources.docs[doc.path] = doc
        if file.stem == ACTIVITY_STEM or set(doc.data) == {"activities"}:
            if activity_path is not None:
                message = f"a second activity file; the activities are already in {activity_path}"
                out.append(Diagnostic(doc.path, 1, 1, message))
                continue
            activity_path, activity_doc = doc.path, doc
            continue
        if not valid_id:
            message = (
                f"file name {file.name!r} is not a role id: use lowercase letters, digits and "
                "hyphens, e.g. incident-manager.yaml"
            )
            out.append(Diagnostic(doc.path, 1, 1, message))
            continue
        if file.stem in known:
            message = f"role '{file.stem}' is already defined in roles/{known[file.stem]}"
            out.append(Diagnostic(doc.path, 1, 1, message))
            continue
        known[file.stem] = file.name
        role_docs[file.stem] = doc
    if files and activity_path is None:
        message = "no activity file: add roles/activities.yaml with a top-level 'activities:' list"
        out.append(Diagnostic(f"{ROLES_DIR}/", 1, 1, message))
    resolved = resolve_roles(role_docs, activity_doc, sources.docs, out, levels)
    sources.renames = resolved.renames
    sources.level_renames = resolved.level_renames
    sources.locators = resolved.locators
    return resolved.roles, resolved.activities, activity_path, known, resolved.bases


def _links_out(project: Path) -> list[Diagnostic]:
    """Templates and pages that links take out of the project: refused by every command, never read."""
    return [
        Diagnostic(path.relative_to(project).as_posix(), 1, 1, LEAVES)
        for folder in (TEMPLATES_DIR, DOCS_DIR)
        for path in outside_files(project / folder, project)
    ]


def check_project(project: Path) -> tuple[Playbook | None, list[Diagnostic]]:
    """Load and validate everything; return the playbook (None on errors) and all diagnostics, sorted."""
    out: list[Diagnostic] = _links_out(project)
    sources = Sources()
    config = _load_config(project, sources, out)
    levels = list(config.severities) if config is not None else None
    roles, activity_file, activity_path, known, bases = _load_roles(project, sources, out, levels)
    config = engaged(config, bases) if config is not None else None
    if broken := _broken_defaults(project, sources):
        return None, broken  # what the project says about them would only echo these
    role_files = {rid: f"{ROLES_DIR}/{known[rid]}" for rid in roles}
    ctx = RuleContext(
        config,
        roles,
        set(known),
        activity_file,
        activity_path,
        role_files,
        sources.docs,
        sources.config_where,
        project,
        locators=sources.locators,
    )
    check_rules(ctx)
    check_time_boxes(ctx)
    check_checklist_items(ctx)
    check_guidance(ctx)
    check_consistency(ctx)
    ctx.out += find_mentions(ctx, sources.renames, sources.config_owner.values())
    if config is not None:
        ctx.out += example_values(project, config, sources.config_where)
    ctx.out += remote_assets(project) + configuration_problems(project)
    diagnostics = sort_diagnostics(out + ctx.out)
    if config is None or activity_file is None or activity_path is None:
        return None, diagnostics
    if any(d.severity == "error" for d in diagnostics):
        return None, diagnostics
    roles = {rid: fitted_role(role, config.severities) for rid, role in roles.items()}
    order = [r for r in config.role_order if r in roles] + sorted(set(roles) - set(config.role_order))
    playbook = Playbook(
        config=config,
        roles={rid: roles[rid] for rid in order},
        activities=tuple(activity_file.activities),
        role_files={rid: role_files[rid] for rid in order},
        activity_file=activity_path,
        config_files=dict(sources.config_owner),
        card_lines={rid: sources.docs[role_files[rid]].loc(("card",), key=True).line for rid in order},
        review_at={rid: _at(sources.docs[role_files[rid]], ("review", "last_reviewed")) for rid in order},
        bases={rid: bases[rid] for rid in order if rid in bases},
        renames={**sources.level_renames, **sources.renames},
        warnings=tuple(diagnostics),
    )
    return playbook, diagnostics


def _at(doc: YamlDoc, path: Path_) -> tuple[int, int]:
    loc = doc.loc(path, key=True)
    return loc.line, loc.col


def is_defaults(project: Path) -> bool:
    return project.resolve() == defaults_root().resolve()


@functools.cache
def check_defaults() -> tuple[Playbook | None, tuple[Diagnostic, ...]]:
    """The built-in defaults read as a project, once per process: their playbook, and their errors
    named as the defaults' files, e.g. ``(rolebook defaults)/roles/support-team.yaml:3:1``."""
    playbook, diagnostics = check_project(defaults_root())
    label = f"{DEFAULTS_LABEL}/"
    return playbook, tuple(replace(d, file=label + d.file) for d in diagnostics if d.severity == "error")


def _broken_defaults(project: Path, sources: Sources) -> list[Diagnostic]:
    """The defaults' errors, when this project's files extend them (in a checkout the defaults are
    the repository's own files, and may be broken); none for the defaults themselves."""
    bases = (d.data.get("extends") for f, d in sources.docs.items() if f.startswith(f"{ROLES_DIR}/"))
    if not any(b == DEFAULT_PREFIX or str(b).startswith(f"{DEFAULT_PREFIX}/") for b in bases):
        return []
    if is_defaults(project):
        return []
    return list(check_defaults()[1])


def load_playbook(project: Path) -> Playbook:
    """The validated playbook, or InvalidPlaybook carrying every diagnostic."""
    playbook, diagnostics = check_project(project)
    if playbook is None:
        raise InvalidPlaybook(diagnostics)
    return playbook
