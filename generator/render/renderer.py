"""The one renderer: a validated Playbook to ``{relative path: text}``.

The MkDocs plugin, the CLI and the exporters all call ``render_site``; none of
them renders on its own. Rendering is pure: the same playbook and options give
the same text, and nothing is written anywhere.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from generator.core.changes import Changes
from generator.core.defaults import builtin_templates
from generator.core.links import LEAVES, inside
from generator.core.playbook import Playbook
from generator.core.raci import LEGEND, LETTER_LABELS, LETTER_NAMES
from generator.errors import TemplateProblem
from generator.render import front_matter
from generator.render.card_content import ALL_CARDS_PDF, CARDS_DIR, SIZES, CardSize, card_context
from generator.render.editor_pages import CHANGES_PAGE, editing_nav, guide_pages
from generator.render.incident_assets import BLANK_LOG_ROWS, BOARD_PAGE, LOG_PAGE, incident_files
from generator.render.minify import minified
from generator.render.role_map import KINDS, layout
from generator.render.sandbox import ProjectLoader, TemplateEnvironment, template_file_shown, template_problem
from generator.render.scriptless import elsewhere_in_css, file_reader_in, script_in
from generator.render.stylesheets import BASE, SHEETS, brand_sheets, with_sheets
from generator.render.urls import DOWNLOADS, relative_url, source_relative

ROLE_PAGE_DIR = "roles"
CSS_PATH = BASE.path  # every page's stylesheet; the others are linked by the pages that need them


@dataclass(frozen=True)
class RenderOptions:
    template_dirs: tuple[Path, ...] = ()
    directory_urls: bool = True
    site_url: str | None = None  # where the site is published: the cards' QR codes point there
    changes: Changes | None = None  # the changes page's content (review/defaults_changes.py), when published
    # links in raw HTML relative to the page's Markdown file, as Zensical reads them (render/urls.py)
    source_links: bool = False

    @functools.cached_property
    def search_path(self) -> list[Path]:
        """Project templates first, the built-ins last; each folder once. A folder that a link takes
        out of its project is refused. (Read once for these options.)"""
        folders: list[Path] = []
        for folder in (*self.template_dirs, builtin_templates()):
            if (folder.is_dir() or folder.is_symlink()) and not inside(folder, folder.parent):
                raise TemplateProblem(f"{folder}: {LEAVES}")
            resolved = folder.resolve()
            if resolved.is_dir() and resolved not in folders:
                folders.append(resolved)
        return folders

    @functools.cached_property
    def own_templates(self) -> bool:
        """Whether the project has page, card or asset templates of its own (whose output is then checked)."""
        builtin = builtin_templates().resolve()
        return any(next(folder.rglob("*.j2"), None) for folder in self.search_path if folder != builtin)


def role_page(role_id: str) -> str:
    return f"{ROLE_PAGE_DIR}/{role_id}.md"


def page_sources(playbook: Playbook) -> dict[str, str]:
    """For each generated page, the project file it comes from (for edit links)."""
    sources = {role_page(rid): path for rid, path in playbook.role_files.items()}
    sources["raci.md"] = playbook.activity_file
    for page, setting in (("index.md", "intro"), ("severities.md", "severities")):
        if setting in playbook.config_files:
            sources[page] = playbook.config_files[setting]
    return sources


# Above these numbers of roles, the navigation lists a roles index instead of every role (so each page
# stays small and a build grows linearly), and the RACI page lists the roles per activity instead of a grid.
NAV_ROLE_LIMIT = 30
GRID_ROLE_LIMIT = 15
ROLES_INDEX = f"{ROLE_PAGE_DIR}/index.md"


def many_roles(playbook: Playbook) -> bool:
    return len(playbook.roles) > NAV_ROLE_LIMIT


def nav_title(text: str) -> Markup:
    """A title for MkDocs' navigation. Themes place navigation titles as HTML, so a title is escaped
    text (Markup, so a theme's own ``| e`` does not escape it twice)."""
    return Markup.escape(text)


def site_nav(playbook: Playbook) -> list[Any]:
    """The navigation for the generated pages, in MkDocs' ``nav`` form."""
    roles: Any = (
        ROLES_INDEX
        if many_roles(playbook)
        else [{nav_title(role.name): role_page(rid)} for rid, role in playbook.roles.items()]
    )
    return [
        {"Home": "index.md"},
        {"Incident log": LOG_PAGE},
        {"Assignment board": BOARD_PAGE},
        {"Roles": roles},
        {"RACI matrix": "raci.md"},
        {"Severity levels": "severities.md"},
        {"Quick cards": "cards.md"},
        *editing_nav(playbook),
    ]


def nav_with_own_pages(playbook: Playbook, own: list[str]) -> list[Any]:
    """The generated pages' navigation, then the project's own pages: top-level first, then one section per folder."""
    sections: dict[str, list[str]] = {}
    top: list[Any] = []
    for page in sorted(own):
        folder, _, _ = page.partition("/")
        if "/" in page:
            sections.setdefault(folder, []).append(page)
        else:
            top.append(page)
    folders = [
        {nav_title(folder.replace("-", " ").capitalize()): items} for folder, items in sections.items()
    ]
    return [*site_nav(playbook), *top, *folders]


def _environment(options: RenderOptions) -> TemplateEnvironment:
    """Project templates first, then the built-ins; ``!default/<name>`` is always the built-in one,
    so an override can extend the template it replaces."""
    folders = options.search_path
    builtin = str(builtin_templates().resolve())
    loader = jinja2.ChoiceLoader(
        [
            *(ProjectLoader(folder) for folder in folders),
            jinja2.PrefixLoader({"!default": ProjectLoader(Path(builtin))}, delimiter="/"),
        ]
    )
    env = TemplateEnvironment(loader, [str(p) for p in options.template_dirs] + [builtin])
    # with templates of the project's, what they write is checked: none may add script to a page or card
    env.checked = options.own_templates
    return env


def _linker(src: str, options: RenderOptions) -> Callable[[str], str]:
    """``href(target)``: a URL for raw HTML, which MkDocs does not rewrite."""
    return lambda target: relative_url(src, target, options.directory_urls, source_links=options.source_links)


def _md_linker(src: str) -> Callable[[str], str]:
    """``md(target)``: a Markdown link to another .md file, which MkDocs checks and rewrites."""
    return lambda target: source_relative(src, target)


def render_site(playbook: Playbook, options: RenderOptions | None = None) -> dict[str, str]:
    """Every generated page and asset of the playbook site, by docs-relative path."""
    options = options or RenderOptions()
    env = _environment(options)
    cfg = playbook.config.cards
    card_size = SIZES[cfg.size]
    common: dict[str, Any] = {
        "playbook": playbook,
        "site": playbook.config,
        "roles": playbook.roles,
        "letters": LETTER_NAMES,
        "labels": LETTER_LABELS,
        "legend": LEGEND,
        "role_page": role_page,
        "css_path": CSS_PATH,
        "card_pdf": lambda rid: f"{CARDS_DIR}/{rid}.pdf",
        "all_cards_pdf": f"{CARDS_DIR}/{ALL_CARDS_PDF}",
        "card_size": card_size,
        "downloads": DOWNLOADS,
    }
    plan: list[tuple[str, str, dict[str, Any]]] = [
        (
            "index.md",
            "pages/index.md.j2",
            {"rolemap": None if many_roles(playbook) else layout(playbook), "edge_kinds": KINDS},
        ),
        ("raci.md", "pages/raci.md.j2", {"grid": len(playbook.roles) <= GRID_ROLE_LIMIT}),
        ("severities.md", "pages/severities.md.j2", {}),
        (LOG_PAGE, "pages/incident-log.md.j2", {"blank_rows": BLANK_LOG_ROWS}),
        (BOARD_PAGE, "pages/board.md.j2", {}),
        *((sheet.path, "assets/rolebook.css.j2", {"sheet": sheet.name}) for sheet in SHEETS),
        (
            "cards.md",
            "pages/cards.md.j2",
            {
                # with many roles the page lists the PDFs: hundreds of cards make a page too heavy to open
                "cards": {}
                if many_roles(playbook)
                else _card_fragments(env, playbook, options, card_size, cfg.back),
                "size": card_size,
            },
        ),
    ]
    for rid, role in playbook.roles.items():
        plan.append((role_page(rid), "pages/role.md.j2", {"role_id": rid, "role": role}))
    if many_roles(playbook):
        plan.append((ROLES_INDEX, "pages/roles-index.md.j2", {}))
    if playbook.config.editing.changes:
        plan.append((CHANGES_PAGE, "pages/changes.md.j2", {"changes": options.changes or Changes()}))
    # incident mode's script is a static file of the package, never a template (incident_assets.py)
    out: dict[str, str] = {**guide_pages(playbook), **incident_files(playbook, options.directory_urls)}
    brands = brand_sheets(playbook)
    for path, template_name, extra in plan:
        text = _render(
            env,
            template_name,
            {**common, **extra, "href": _linker(path, options), "md": _md_linker(path), "page_path": path},
        )
        # each page links the stylesheets of its kind (render/stylesheets.py)
        if path.endswith(".md"):
            text = with_sheets(path, text, options.directory_urls, brands, source_links=options.source_links)
        out[path] = text
    # the stylesheet and the scripts minified: fewer bytes before a phone paints (render/minify.py)
    return {path: minified(path, text) for path, text in sorted(out.items())}


def _card_fragments(
    env: TemplateEnvironment,
    playbook: Playbook,
    options: RenderOptions,
    size: CardSize,
    back: bool,
    role_ids: list[str] | None = None,
    qr_later: bool = False,
) -> dict[str, Markup]:
    """Each role's card as an HTML fragment, in site order."""
    common = {"playbook": playbook, "site": playbook.config, "roles": playbook.roles, "back": back}
    return {
        rid: Markup(
            _render(
                env,
                "cards/card.html.j2",
                {
                    **common,
                    **card_context(playbook, rid, size, options.site_url, options.directory_urls, qr_later),
                },
            )
        )
        for rid in (role_ids if role_ids is not None else list(playbook.roles))
    }


def render_cards(
    playbook: Playbook,
    options: RenderOptions,
    size: CardSize,
    *,
    back: bool,
    role_ids: list[str] | None = None,
    page_height_mm: float | None = None,
    qr_later: bool = False,
) -> dict[str, str]:
    """One printable HTML document per role card: ``{"cards/<id>.html": html}``, in site order.

    ``page_height_mm`` replaces the page's height, to measure a card that does not fit; with ``qr_later``
    QR codes are marks that ``cards.fill_qr_marks`` replaces.
    """
    env = _environment(options)
    fragments = _card_fragments(env, playbook, options, size, back, role_ids, qr_later)
    return {
        f"cards/{rid}.html": _render(
            env,
            "cards/document.html.j2",
            {
                "site": playbook.config,
                "size": size,
                "page_size": f"{size.width_mm}mm {page_height_mm or size.height_mm}mm",
                "cards": [fragment],
            },
        )
        for rid, fragment in fragments.items()
    }


# What a page's front matter may say: which parts of Material's page to hide. Other settings (a title,
# a description, a template) would reach the page's head as the theme places them, unescaped.
HIDEABLE = frozenset({"navigation", "toc", "footer", "path", "tags", "feedback"})


def _check_front_matter(file: str, text: str) -> None:
    if front_matter.unreadable_block(text):
        raise TemplateProblem(
            "the page opens with '---' but not with front matter that says what to hide; an engine may read"
            " other settings there: start the page otherwise, or write only hide: [...] between two '---' lines",
            file,
            1,
        )
    meta = front_matter.split(text)[1]
    for key, value in meta.items():
        if key != "hide" or not isinstance(value, list) or not set(map(str, value)) <= HIDEABLE:
            raise TemplateProblem(
                f"the page's front matter may only say what to hide (hide: [{', '.join(sorted(HIDEABLE))}]);"
                f" found {key!r}",
                file,
                1,  # front matter opens the page
            )


def _template_file(env: TemplateEnvironment, name: str) -> str:
    """The file ``name`` was read from: a project's named from its project folder, a built-in one by path."""
    projects = [Path(folder).resolve().parent for folder in env.searched[:-1]]
    filename: str | None = env.get_template(name).filename
    return template_file_shown(filename or name, projects)


def _render(env: TemplateEnvironment, name: str, context: dict[str, Any]) -> str:
    try:
        text = env.get_template(name).render(context)
    except TemplateProblem:
        raise
    except Exception as exc:  # a template may fail in many ways; each is reported where it happened
        projects = [Path(folder).resolve().parent for folder in env.searched[:-1]]
        raise template_problem(exc, projects, env.searched, name) from None
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:  # "\ud800" in a template: no file can hold it
            raise TemplateProblem(
                f"writes {exc.object[exc.start]!r}, which is not text (a lone surrogate)",
                _template_file(env, name),
                1,
            ) from None
    if name.endswith(".md.j2"):  # YAML front matter, or MultiMarkdown's "key: value" lines opening a page
        text = front_matter.as_engines_read(text)  # a byte order mark or "\r" would hide front matter
        _check_front_matter(_template_file(env, name), text)
    found = script_in(text) if env.checked else None
    if env.checked and name.endswith(".css.j2"):
        found = found or elsewhere_in_css(text)
    if found:
        raise TemplateProblem(  # what was written, not one line of the template, is at fault
            f"{name} (with the project's templates) writes {found}; templates may not add script to a page or "
            "card, nor fetch anything from another host",
            _template_file(env, name),
            1,
        )
    reads = file_reader_in(text) if env.checked and name.endswith(".md.j2") else None
    if reads:
        raise TemplateProblem(
            f"{name} (with the project's templates) writes {reads}; templates may not include files or run "
            "programs (Backstage's techdocs-core would)",
            _template_file(env, name),
            1,
        )
    return text
