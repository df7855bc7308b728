"""What a responder must find in the first five minutes (docs/editing-the-playbook/first-five-minutes.md):
one test per item of its list, on the default playbook's built site, two of them in a real browser on a
phone-sized screen."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup, Tag

from .sitekit import REPO_ROOT, ROLE_IDS, launched_chromium, needs_chromium, soup, static_server

DOC = REPO_ROOT / "docs" / "editing-the-playbook" / "first-five-minutes.md"


def role(rid: str) -> dict[str, Any]:
    return yaml.safe_load((REPO_ROOT / "roles" / f"{rid}.yaml").read_text("utf-8"))  # type: ignore[no-any-return]


def page(site: Path, rel: str) -> BeautifulSoup:
    return soup(site / rel / "index.html")


def body(site: Path, rid: str) -> Tag:
    found = page(site, f"roles/{rid}").find("article")
    assert isinstance(found, Tag)
    return found


def before(first: Tag, second: Tag) -> bool:
    """Whether ``first`` comes before ``second`` in the document."""
    return second in first.find_all_next(second.name)


def test_every_test_the_list_names_exists() -> None:
    named = set(re.findall(r"`(test_[a-z0-9_]+)`", DOC.read_text("utf-8")))
    defined = {
        m.group(1)
        for path in (REPO_ROOT / "tests").glob("test_*.py")
        for m in re.finditer(r"^def (test_[a-z0-9_]+)\(", path.read_text("utf-8"), re.M)
    }
    assert len(named) >= 10 and named <= defined, sorted(named - defined)


@pytest.mark.parametrize("rel", ["", "severities", *(f"roles/{rid}" for rid in ROLE_IDS)])
def test_every_page_leads_to_every_role(default_site: tuple[Path, Path], rel: str) -> None:
    html = page(default_site[1], rel)
    nav = html.select_one("nav.md-nav--primary")
    assert nav is not None
    for rid in ROLE_IDS:
        assert nav.find("a", href=re.compile(rf"(^|/){rid}/$")) or rel == f"roles/{rid}", (rel, rid)
    if rel == "":
        content = html.find("article")
        assert content is not None
        assert {rid for rid in ROLE_IDS if content.find("a", href=re.compile(rf"(^|/){rid}/$"))} == set(
            ROLE_IDS
        )


@pytest.mark.parametrize("rid", ROLE_IDS)
def test_the_first_actions_open_the_role_page(default_site: tuple[Path, Path], rid: str) -> None:
    article = body(default_site[1], rid)
    during = article.find("h2", id="during-an-incident")
    assert isinstance(during, Tag)
    # nothing but the summary and the meta line before "During an incident"; the first actions follow it
    assert article.find("h2").get("id") == "during-an-incident"  # type: ignore[union-attr]
    first = during.find_next("ol")
    assert isinstance(first, Tag)
    shown = [li.get_text(" ", strip=True) for li in first.find_all("li")]
    assert shown == [" ".join(a.split()) for a in role(rid)["card"]["first_actions"]]
    assert first.find_previous("p").get_text(strip=True) == "First actions"


@pytest.mark.parametrize("rid", ROLE_IDS)
def test_time_targets_come_before_the_checklist(default_site: tuple[Path, Path], rid: str) -> None:
    article = body(default_site[1], rid)
    targets = article.select_one("ul.rb-targets")
    checklist = article.select_one("ul.rb-checklist")
    first_actions = article.find("h2", id="during-an-incident").find_next("ol")  # type: ignore[union-attr]
    assert targets is not None and checklist is not None
    assert before(first_actions, targets) and before(targets, checklist)
    assert len(targets.find_all("li")) == len(role(rid)["time_targets"])


@pytest.mark.parametrize("rid", ROLE_IDS)
def test_the_checklist_opens_with_the_first_time_box(default_site: tuple[Path, Path], rid: str) -> None:
    article = body(default_site[1], rid)
    checklist = article.select_one("ul.rb-checklist")
    items = [i for phase in role(rid)["checklists"].values() for i in phase if isinstance(i, dict)]
    soon = any(re.fullmatch(r"[1-5] minutes?", str(i.get("within", ""))) for i in items)
    box, name = ("first-5-minutes", "First 5 minutes") if soon else ("first-hour", "First hour")
    assert checklist is not None and checklist.get("data-rb-box") == box
    heading = checklist.find_previous("h3")
    assert heading is not None and heading.get_text(strip=True).rstrip("¶") == name
    assert checklist.find_all("li", class_="rb-check")


@pytest.mark.parametrize("rid", ROLE_IDS)
def test_whom_to_report_to_is_under_the_name(default_site: tuple[Path, Path], rid: str) -> None:
    article = body(default_site[1], rid)
    meta = article.select_one("p.rb-role-meta")
    assert meta is not None and before(meta, article.find("h2", id="during-an-incident"))  # type: ignore[arg-type]
    escalations = role(rid).get("escalates_to") or []
    if escalations:  # the top of the escalation path reports to no one
        boss = escalations[0]["role"]
        link = meta.find("a", href=re.compile(rf"{boss}/$"))
        assert link is not None and link.get_text() == role(boss)["name"]
        assert "Reports to" in meta.get_text()
    contacts = yaml.safe_load((REPO_ROOT / "site_config" / "contacts.yaml").read_text("utf-8"))["contacts"]
    section = article.find("h2", id="contacts")
    assert isinstance(section, Tag)
    listed = section.find_next("ul").get_text(" ")  # type: ignore[union-attr]
    for key in ("channel", "pager"):
        if key in contacts.get(rid, {}):
            assert contacts[rid][key] in listed


@pytest.mark.parametrize("rid", ROLE_IDS)
def test_escalation_is_part_of_during_an_incident(default_site: tuple[Path, Path], rid: str) -> None:
    article = body(default_site[1], rid)
    heading = article.find("h3", id="escalate-to")
    assert isinstance(heading, Tag)
    # inside "During an incident": no other h2 between them
    assert heading.find_previous("h2").get("id") == "during-an-incident"  # type: ignore[union-attr]
    escalations = role(rid).get("escalates_to") or []
    if escalations:
        table = heading.find_next("table")
        assert table is not None
        rows = table.find("tbody").find_all("tr")  # type: ignore[union-attr]
        assert len(rows) == len(escalations)
        assert all(
            len(row.find_all("td")) == 3 and row.find_all("td")[2].get_text(strip=True) for row in rows
        )


def test_the_severity_page_says_how_to_choose(default_site: tuple[Path, Path]) -> None:
    site = default_site[1]
    for rel in ("", *(f"roles/{rid}" for rid in ROLE_IDS)):
        nav = page(site, rel).select_one("nav.md-nav--primary")
        assert nav is not None and nav.find("a", href=re.compile(r"severities/$")), rel
    article = page(site, "severities").find("article")
    assert isinstance(article, Tag)
    text = " ".join(article.get_text(" ").split())
    assert "When in doubt: Pick the higher level." in text
    assert re.search(r"Who declares: Incident Manager \(accountable\)", text)
    assert re.search(r"Who raises or lowers a level: Incident Manager", text)
    for level in ("sev1", "sev2", "sev3"):
        heading = article.find("h2", id=level)
        assert isinstance(heading, Tag)
        examples = heading.find_next("p", string=re.compile("Examples of impact"))
        assert examples is not None and examples.find_next("ul").find_all("li")  # type: ignore[union-attr]


def test_the_words_to_open_the_call_and_the_first_notice_are_there(default_site: tuple[Path, Path]) -> None:
    site = default_site[1]
    opening = body(site, "incident-manager").find(id="script-open-the-call")
    assert isinstance(opening, Tag)
    words = opening.find_next("pre", class_="rb-copy")
    assert words is not None and "Incident Manager" in words.get_text()
    notices = body(site, "communication-lead").find(id="messages")
    assert isinstance(notices, Tag)
    first = notices.find_next("pre", class_="rb-copy")
    assert first is not None
    assert first.get_text() == role("communication-lead")["messages"][0]["text"].strip("\n")


# --- in a browser, on a phone-sized screen ---------------------------------------------------------------


@pytest.fixture(scope="module")
def phone(default_site: tuple[Path, Path]) -> Iterator[tuple[Any, str]]:
    pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]' brings playwright")
    with launched_chromium() as browser, static_server(default_site[1]) as root:
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, permissions=["clipboard-read", "clipboard-write"]
        )
        try:
            yield context, root
        finally:
            context.close()


@needs_chromium
@pytest.mark.browser
@pytest.mark.parametrize("rid", ROLE_IDS)
def test_on_a_phone_the_first_action_is_on_the_first_screen(phone: tuple[Any, str], rid: str) -> None:
    context, root = phone
    tab = context.new_page()
    try:
        tab.goto(f"{root}roles/{rid}/", wait_until="load")
        box = tab.locator("#during-an-incident ~ ol li").first.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 844, box
    finally:
        tab.close()


@needs_chromium
@pytest.mark.browser
def test_the_copy_button_copies_the_words_as_written(phone: tuple[Any, str]) -> None:
    context, root = phone
    tab = context.new_page()
    try:
        tab.goto(f"{root}roles/incident-manager/", wait_until="load")
        button = tab.locator("#script-open-the-call ~ .rb-copy-bar button").first
        button.wait_for(timeout=15000)  # added by incident mode's script after the load event
        assert button.inner_text() == "Copy script"
        button.click()
        tab.wait_for_function("document.querySelector('.rb-copy-said').textContent === 'Copied.'")
        copied = tab.evaluate("navigator.clipboard.readText()")
        wanted = next(s for s in role("incident-manager")["scripts"] if s["id"] == "open-the-call")
        assert copied == wanted["text"].strip("\n")
    finally:
        tab.close()
