"""mkdocs.yml may not make the playbook's pages load a script or stylesheet from another host."""

from __future__ import annotations

from pathlib import Path

from .sitekit import copy_project, rolebook


def test_a_script_or_stylesheet_from_another_host_is_refused(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    config = project / "mkdocs.yml"
    before = config.read_text(encoding="utf-8")
    first = before.count("\n") + 1
    config.write_text(
        before
        + "extra_javascript:\n"
        + "  - js/own.js\n"
        + "  - https://evil.example/x.js\n"
        + "  - {path: '//evil.example/y.js', defer: true}\n"
        + "extra_css:\n"
        + "  - ' data:text/css,body{}'\n",
        encoding="utf-8",
    )
    (project / "docs" / "js").mkdir(parents=True, exist_ok=True)
    (project / "docs" / "js" / "own.js").write_text("// the project's own script\n", encoding="utf-8")
    site_before = sorted(p.name for p in project.iterdir())
    result = rolebook("build", cwd=project)
    assert result.returncode == 1
    problems = [
        line for line in (result.stdout + result.stderr).splitlines() if "not a file of the site" in line
    ]
    assert [p.split(": error: ")[0] for p in problems] == [
        f"mkdocs.yml:{first + 2}:5",
        f"mkdocs.yml:{first + 3}:12",
        f"mkdocs.yml:{first + 5}:5",
    ]
    assert "extra_javascript loads 'https://evil.example/x.js'" in problems[0]
    assert "Traceback" not in result.stderr and not (project / "site").exists()
    assert sorted(p.name for p in project.iterdir()) == site_before
    # the project's own script, named by its path, is fine
    config.write_text(before + "extra_javascript:\n  - js/own.js\n", encoding="utf-8")
    assert rolebook("validate", cwd=project).returncode == 0
