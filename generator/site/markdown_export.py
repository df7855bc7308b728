"""The playbook as a plain MkDocs project (mkdocs.yml and docs/), for engines that run no plugins.

The pages are the renderer's own, so the exported site matches the plugin's; ``mkdocs build``
builds it with Material for MkDocs alone, no rolebook needed.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import markdown
import yaml

from generator.cache import BuildCache
from generator.core.playbook import Playbook
from generator.core.project import DOCS_DIR
from generator.errors import RolebookError
from generator.output import check_export_folder, shared_mode
from generator.render import front_matter
from generator.render.incident_assets import OFFLINE_JS_PATH, export_scripts
from generator.render.renderer import many_roles
from generator.site.bundle import MARKDOWN_EXTENSIONS, SiteBundle, make_bundle

EXTENSIONS: list[Any] = [{name: options} if options else name for name, options in MARKDOWN_EXTENSIONS]


# Material writes a page title into <title> through `striptags`, which decodes character references; this
# override escapes it again, so a title holding "&lt;script&gt;" stays text.
THEME_DIR = "overrides"
MAIN_TEMPLATE = """\
{#- Exported by rolebook: page titles stay text in <title>. -#}
{% extends "base.html" %}
{% block htmltitle %}
  {% if page.meta and page.meta.title %}
    <title>{{ page.meta.title | e }} - {{ config.site_name }}</title>
  {% elif page.title and not page.is_homepage %}
    <title>{{ page.title | striptags | e }} - {{ config.site_name }}</title>
  {% else %}
    <title>{{ config.site_name }}</title>
  {% endif %}
{% endblock %}
"""


def _plain(nav: Any) -> Any:
    """The navigation with plain strings, as YAML writes them (titles stay escaped HTML text)."""
    if isinstance(nav, dict):
        return {str(key): _plain(value) for key, value in nav.items()}
    if isinstance(nav, list):
        return [_plain(item) for item in nav]
    return str(nav)


def _mkdocs_config(bundle: SiteBundle, site_url: str | None, nav: list[Any], engine: str) -> str:
    theme: dict[str, Any] = {
        "name": "material",
        "custom_dir": THEME_DIR,
        "font": False,
        "features": ["navigation.sections", "navigation.prune"],
    }
    if bundle.palette is not None:
        theme["palette"] = bundle.palette
    if bundle.logo:
        theme["logo"] = bundle.logo
    # Material places site_name as HTML, in text and in attributes: it is written escaped
    config: dict[str, Any] = {"site_name": str(bundle.site_name)}
    if site_url:
        config["site_url"] = site_url
    config |= {
        "theme": theme,
        "plugins": ["search"],
        "markdown_extensions": EXTENSIONS,
        "extra_css": bundle.extra_css,
        # incident mode's script, deferred: a static file of the package; no bootstrap, as no sw.js is built
        "extra_javascript": export_scripts(bundle.files),
        "nav": _plain(nav),
    }
    if many_roles(bundle.playbook):  # the role pages are reached from the roles index, not the navigation
        config["not_in_nav"] = "/roles/*.md\n"
    header = f"# Exported by rolebook: builds with `{engine} build`, no rolebook plugin needed.\n"
    return header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True)


def _check_converted(bundle: SiteBundle) -> None:
    """The pages as plain MkDocs will convert them: the project's templates may not make them write script."""
    if not bundle.own_templates:
        return
    converter = markdown.Markdown(
        extensions=[name for name, _ in MARKDOWN_EXTENSIONS],
        extension_configs={name: options for name, options in MARKDOWN_EXTENSIONS if options},
    )
    for path, text in bundle.pages.items():
        problem = bundle.script_problem(path, converter.reset().convert(front_matter.split(text)[0]))
        if problem:
            raise RolebookError(problem)


def export_markdown(
    project: Path, playbook: Playbook, target: Path, site_url: str | None, *, zensical: bool = False
) -> int:
    """Write the MkDocs project into ``target`` (new or empty); return the number of files. The playbook
    was validated from ``project``, which refused links out of it in docs/ and templates/. For
    ``zensical``, the links in the pages' HTML are written as Zensical reads them (render/urls.py)."""
    check_export_folder(target, project)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise RolebookError(f"{target}: not an empty folder; the export goes into a new or empty one")
    own_docs = project / DOCS_DIR  # a page there at a generated path is refused, as by the plugin
    bundle = make_bundle(
        project,
        playbook,
        own_docs,
        site_url=site_url,
        cache=BuildCache.for_project(project),
        source_links=zensical,
    )
    bundle.wait_for_cards()
    files = dict(bundle.files)
    files.pop(OFFLINE_JS_PATH, None)  # registers the service worker, which plain MkDocs does not build
    _check_converted(bundle)
    own: list[str] = []
    if own_docs.is_dir():
        for path in sorted(p for p in own_docs.rglob("*") if p.is_file()):
            rel = path.relative_to(own_docs).as_posix()
            if rel not in files:
                files[rel] = path.read_bytes()
                if rel.endswith(".md"):
                    own.append(rel)
    files.update({path: source.read_bytes() for path, source in bundle.brand_files.items()})
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-export-", dir=target.parent))
    try:
        (staging / THEME_DIR).mkdir()
        (staging / THEME_DIR / "main.html").write_text(MAIN_TEMPLATE, "utf-8")
        config = _mkdocs_config(bundle, site_url, bundle.nav(own), "zensical" if zensical else "mkdocs")
        (staging / "mkdocs.yml").write_text(config, "utf-8")
        for rel, content in files.items():
            path = staging / "docs" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, "utf-8")
        shared_mode(staging, folder=True)
        if target.exists():
            target.rmdir()
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return len(files) + 1
