"""Incident mode's files: the script rolebook ships, the small script that loads it, and the site data.

The scripts are static files of the package, never templates: a project's templates may not add script
to a site, and the published site runs no script that a playbook file wrote. What incident mode needs to
know about a playbook (its title, version, severity levels and where the incident log and the assignment
board live) it reads from a JSON file of data, placed as text.

How a page loads them. A built site's pages hold one script, the bootstrap (static/offline.js, about 1 KB),
after Material's own at the end of the body: listed as assets/rolebook-offline.js, and written into each
page by the plugin (site/inline_assets.py). After the load event it adds incident mode's script
(static/incident.js) to the pages that hold its markup (role checklists, the board, the log), then
registers the service worker (sw.js, written at the end of a build). So a first visit on a slow phone
fetches none of incident mode's script before it paints and finishes loading; the checklists become
live a moment after. The bootstrap is a plain script, neither ``async`` nor ``defer``: chromium holds
such low-priority requests back on a slow network until the page's stylesheets and scripts are in, and
only then asks, so the load event waited a whole round trip more for it (0.2 to 0.5 s on the phone
benchmark); a plain one is asked for beside Material's bundle, arrives long before it and runs after
it in a moment. The Markdown export is built by plain MkDocs, which writes no sw.js: its pages list
incident mode's script itself, ``defer``, and no bootstrap.
"""

from __future__ import annotations

import json
from importlib import resources

from generator.core.playbook import Playbook
from generator.render.urls import page_url

JS_PATH = "assets/rolebook.js"
OFFLINE_JS_PATH = "assets/rolebook-offline.js"
SITE_DATA_PATH = "assets/rolebook-incident.json"
LOG_PAGE = "incident-log.md"
BOARD_PAGE = "board.md"
BLANK_LOG_ROWS = tuple(range(1, 16))  # the printable activity log's empty rows
# the site path of each script, and its file in generator/render/static/
SCRIPTS = ((JS_PATH, "incident.js"), (OFFLINE_JS_PATH, "offline.js"))
# an entry of MkDocs' extra_javascript: {"path": ...}, with "defer": True for a deferred one
ScriptEntry = dict[str, str | bool]


def static_script(name: str) -> str | None:
    """The text of ``generator/render/static/<name>``, or None when the package has no such file."""
    resource = resources.files("generator.render") / "static" / name
    return resource.read_text(encoding="utf-8") if resource.is_file() else None


def site_scripts(files: dict[str, str] | dict[str, str | bytes]) -> list[ScriptEntry]:
    """What a built site's pages list: the bootstrap, which loads incident mode's script after the load
    event. (Without a bootstrap, incident mode's script itself, deferred.)"""
    if OFFLINE_JS_PATH in files:
        return [{"path": OFFLINE_JS_PATH}]
    return export_scripts(files)


def export_scripts(files: dict[str, str] | dict[str, str | bytes]) -> list[ScriptEntry]:
    """What the Markdown export's pages list: incident mode's script, deferred (the export has no service
    worker, so no bootstrap registering one)."""
    return [{"path": JS_PATH, "defer": True}] if JS_PATH in files else []


def site_data(playbook: Playbook, directory_urls: bool) -> str:
    """What the script reads about the playbook; page addresses are relative to the site's root."""
    config = playbook.config
    data = {
        "title": config.title,
        "version": config.version,
        "severities": [
            {"id": sev.id, "name": sev.name, "roles": list(sev.roles)} for sev in config.severities
        ],
        "pages": {
            "log": page_url(LOG_PAGE, directory_urls),
            "board": page_url(BOARD_PAGE, directory_urls),
        },
    }
    return json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def incident_files(playbook: Playbook, directory_urls: bool) -> dict[str, str]:
    """The scripts the package ships and the site data, by site path."""
    files = {path: text for path, name in SCRIPTS if (text := static_script(name)) is not None}
    files[SITE_DATA_PATH] = site_data(playbook, directory_urls)
    return files
