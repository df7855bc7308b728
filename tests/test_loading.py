"""The strict YAML loader: plain data only, every problem located, nothing ever executed."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from generator.core.yaml_loading import MAX_DEPTH, MAX_FILE_BYTES, Loc, YamlProblem, decode, parse_yaml

from .conftest import Project


def load(text: str) -> Any:
    return parse_yaml(textwrap.dedent(text), "test.yaml").data


def problem(text: str, *, dedent: bool = True) -> YamlProblem:
    with pytest.raises(YamlProblem) as info:
        parse_yaml(textwrap.dedent(text) if dedent else text, "test.yaml")
    return info.value


def where(exc: YamlProblem) -> tuple[int, int, str]:
    return exc.line, exc.col, exc.message


def walk(value: Any) -> list[Any]:
    """Every value in a parsed tree."""
    found = [value]
    if isinstance(value, dict):
        for key, item in value.items():
            found += [key, *walk(item)]
    elif isinstance(value, list):
        for item in value:
            found += walk(item)
    return found


# --- plain scalars --------------------------------------------------------------------------------


def test_plain_data_only() -> None:
    data = load(
        """\
        text: hello
        number: 12
        negative: -3
        flag: true
        nothing: ~
        empty:
        list: [a, 1, false]
        nested: {x: [1, {y: z}]}
        """
    )
    assert data == {
        "text": "hello",
        "number": 12,
        "negative": -3,
        "flag": True,
        "nothing": None,
        "empty": None,
        "list": ["a", 1, False],
        "nested": {"x": [1, {"y": "z"}]},
    }
    for value in walk(data):
        assert type(value) in (dict, list, str, int, bool, type(None)), value


@pytest.mark.parametrize("word", ["no", "yes", "No", "YES", "on", "off", "y", "n", "On", "Off"])
def test_yaml11_booleans_stay_words(word: str) -> None:
    assert load(f"answer: {word}\n") == {"answer": word}


@pytest.mark.parametrize("word", ["true", "True", "TRUE", "false", "False", "FALSE"])
def test_only_true_and_false_are_booleans(word: str) -> None:
    assert load(f"answer: {word}\n") == {"answer": word.lower() == "true"}


@pytest.mark.parametrize(
    "number", ["1.0", "2024.2", "1e3", "0x1F", "0o17", ".inf", "-.inf", ".nan", "1_000", "3.14"]
)
def test_anything_but_a_decimal_integer_stays_text(number: str) -> None:
    assert load(f"version: {number}\n") == {"version": number}


def test_version_one_point_zero_keeps_its_digits() -> None:
    data = load("version: 1.0\n")
    assert data["version"] == "1.0"
    assert isinstance(data["version"], str)


@pytest.mark.parametrize("date", ["2024-04-15", "2024-04-15T10:30:00Z", "2024-04-15 10:30:00"])
def test_dates_stay_text(date: str) -> None:
    assert load(f"published: {date}\n") == {"published": date}


def test_quoted_numbers_stay_text() -> None:
    assert load("a: '12'\nb: \"true\"\nc: 'null'\n") == {"a": "12", "b": "true", "c": "null"}


def test_non_text_keys_become_text() -> None:
    assert load("1: one\ntrue: yes\n") == {"1": "one", "true": "yes"}


def test_empty_document_is_none() -> None:
    assert parse_yaml("", "empty.yaml").data is None
    assert parse_yaml("# only a comment\n", "empty.yaml").data is None


def test_explicit_document_markers_are_fine() -> None:
    assert load("---\na: 1\n...\n") == {"a": 1}


# --- locations ------------------------------------------------------------------------------------


def test_values_and_keys_keep_their_location() -> None:
    doc = parse_yaml(
        textwrap.dedent(
            """\
            # a comment
            name: Incident Manager
            backups:
              - operations-team
              - support-team
            raci: {a: R, b: A}
            """
        ),
        "x.yaml",
    )
    assert doc.path == "x.yaml"
    assert doc.values[()] == Loc(2, 1)
    assert doc.keys[("name",)] == Loc(2, 1)
    assert doc.values[("name",)] == Loc(2, 7)
    assert doc.values[("backups", 1)] == Loc(5, 5)
    assert doc.keys[("raci", "b")] == Loc(6, 14)
    assert doc.values[("raci", "b")] == Loc(6, 17)


def test_loc_falls_back_to_the_nearest_existing_parent() -> None:
    doc = parse_yaml("a:\n  b: 1\nc: [x]\n", "x.yaml")
    assert doc.loc(("a", "b", "missing")) == Loc(2, 3)
    assert doc.loc(("c", 5)) == Loc(3, 1)
    assert doc.loc(("nowhere",)) == Loc(1, 1)
    assert doc.loc(("a", "b"), key=True) == Loc(2, 3)


# --- refused constructs ---------------------------------------------------------------------------


def test_duplicate_key_is_located_at_the_second_one() -> None:
    exc = problem(
        """\
        name: A
        short: B

        name: C
        """
    )
    assert where(exc) == (4, 1, "duplicate key 'name' (first defined on line 1)")


def test_nested_duplicate_key() -> None:
    exc = problem(
        """\
        card:
          do:
            - x
          dont: []
          do: []
        """
    )
    assert where(exc) == (5, 3, "duplicate key 'do' (first defined on line 2)")


def test_duplicate_key_in_flow_mapping() -> None:
    exc = problem("raci: {incident-manager: A, support-team: R, incident-manager: C}\n")
    assert where(exc) == (
        1,
        46,
        "duplicate key 'incident-manager' (first defined on line 1); a role holds one letter per activity: "
        "AR makes it Accountable and Responsible",
    )


def anchor_message(name: str) -> str:
    return f"YAML anchors (&{name}) are not allowed: write the value out"


def alias_message(name: str) -> str:
    return f"YAML aliases (*{name}) are not allowed: write the value out"


@pytest.mark.parametrize(
    ("text", "line", "col", "name"),
    [
        ("a: &x 1\nb: *x\n", 1, 4, "x"),
        ("a: &x {p: 1}\nb:\n  c: *x\n", 1, 4, "x"),
        ("base: &b {p: 1}\nc:\n  <<: *b\n", 1, 7, "b"),
        ("list: &l [1, 2]\nagain: [*l]\n", 1, 7, "l"),
        ("a: [1, &x 2]\nb: *x\n", 1, 8, "x"),
        ("&k a: 1\nb: 2\n", 1, 1, "k"),
    ],
    ids=["scalar", "mapping", "merge-key", "list", "inside-a-list", "on-a-key"],
)
def test_anchors_are_refused_at_the_anchor(text: str, line: int, col: int, name: str) -> None:
    """The anchor is the first problem in the file, so it is what is reported, aliases or not."""
    assert where(problem(text, dedent=False)) == (line, col, anchor_message(name))


def test_an_anchor_alone_is_refused() -> None:
    assert where(problem("a: &x 1\nb: 2\n", dedent=False)) == (1, 4, anchor_message("x"))


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [("a: *x\n", 1, 4), ("a: [1, *x]\n", 1, 8), ("a:\n  - ok\n  - *x\n", 3, 5)],
    ids=["value", "flow-list", "block-list"],
)
def test_an_alias_without_an_anchor_is_refused_at_the_alias(text: str, line: int, col: int) -> None:
    assert where(problem(text, dedent=False)) == (line, col, alias_message("x"))


def test_ampersand_and_asterisk_in_text_are_fine() -> None:
    assert load("a: '&x'\nb: '*y'\nc: Tom & Jerry * 2\n") == {"a": "&x", "b": "*y", "c": "Tom & Jerry * 2"}


def tag_message(tag: str) -> str:
    return f"YAML tag '{tag}' is not allowed: playbook files hold plain text, numbers, lists and mappings"


@pytest.mark.parametrize(
    ("text", "line", "col", "tag"),
    [
        ('a: !!python/object/apply:os.system ["echo hi"]\n', 1, 4, "!!python/object/apply:os.system"),
        ("a: !!python/name:os.system\n", 1, 4, "!!python/name:os.system"),
        ('!!python/object/apply:os.system ["echo hi"]\n', 1, 1, "!!python/object/apply:os.system"),
        ("a: ok\nb: !custom value\n", 2, 4, "!custom"),
        ("a: !custom [1, 2]\n", 1, 4, "!custom"),
        ("a: ok\nb: !custom {x: 1}\n", 2, 4, "!custom"),
        ("a:\n  - !env HOME\n", 2, 5, "!env"),
        ("a: !!binary aGVsbG8=\n", 1, 4, "!!binary"),
        ("a: !!set {x, y}\n", 1, 4, "!!set"),
        ("a: !!omap [x: 1]\n", 1, 4, "!!omap"),
        ("a: !!timestamp 2024-04-15\n", 1, 4, "!!timestamp"),
        ("a: !!float 1.5\n", 1, 4, "!!float"),
    ],
    ids=[
        "python-apply",
        "python-name",
        "python-document",
        "custom",
        "custom-list",
        "custom-mapping",
        "custom-in-a-list",
        "binary",
        "set",
        "omap",
        "timestamp",
        "float",
    ],
)
def test_custom_tags_are_refused_with_location(text: str, line: int, col: int, tag: str) -> None:
    assert where(problem(text, dedent=False)) == (line, col, tag_message(tag))


def test_standard_tags_are_accepted() -> None:
    data = load(
        """\
        text: !!str 12
        flag: !!str true
        empty: !!str
        number: !!int 12
        yes: !!bool true
        nothing: !!null ~
        list: !!seq [a, 1]
        map: !!map {x: 1}
        ? !!str key
        : value
        """
    )
    assert data == {
        "text": "12",
        "flag": "true",
        "empty": "",
        "number": 12,
        "yes": True,
        "nothing": None,
        "list": ["a", 1],
        "map": {"x": 1},
        "key": "value",
    }


def test_a_str_tag_makes_a_number_text_in_a_project(default_project: Project) -> None:
    default_project.sub("site_config/playbook.yaml", r"^version:.*$", "version: !!str 2")
    assert default_project.check() == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: !!bool yes\n", "'yes' is not a yes/no value: write true or false"),
        ("a: !!bool banana\n", "'banana' is not a yes/no value: write true or false"),
        ("a: !!null hello\n", "'hello' is not empty: '!!null' fits only an empty value"),
        ("a: !!str [1]\n", "YAML tag '!!str' fits a single value, not a list or mapping"),
    ],
    ids=["bool-yes", "bool-word", "null-word", "str-list"],
)
def test_a_standard_tag_on_a_value_it_cannot_hold_is_refused(text: str, message: str) -> None:
    exc = problem(text, dedent=False)
    assert (exc.line, exc.col, exc.message) == (1, 4, message)


@pytest.mark.parametrize("value", ["abc", "0x1F", "1.5"])
def test_a_non_number_tagged_int_is_not_called_too_long(value: str) -> None:
    exc = problem(f"a: !!int {value}\n", dedent=False)
    assert (exc.line, exc.col, exc.message) == (1, 4, f"{value!r} is not a whole number")


def test_python_tags_never_execute(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    texts = [
        f'!!python/object/apply:os.system ["touch {marker}"]\n',
        f'a: !!python/object/apply:os.system ["touch {marker}"]\n',
        f'a: !!python/object/apply:pathlib.Path.touch [!!python/object/apply:pathlib.Path ["{marker}"]]\n',
        f'a: !!python/object/new:subprocess.check_call [["touch", "{marker}"]]\n',
    ]
    for text in texts:
        with pytest.raises(YamlProblem) as info:
            parse_yaml(text, "evil.yaml")
        assert "is not allowed" in info.value.message
    assert not marker.exists()


def test_more_than_one_document() -> None:
    exc = problem("a: 1\n---\nb: 2\n")
    assert where(exc) == (2, 1, "more than one YAML document in the file ('---' separates documents)")


def test_mapping_key_must_be_plain_text() -> None:
    assert where(problem("? [a, b]\n: 1\n", dedent=False)) == (1, 3, "a mapping key must be plain text")
    assert where(problem("{x: 1}: 2\n", dedent=False)) == (1, 1, "a mapping key must be plain text")


@pytest.mark.parametrize(
    ("text", "line", "col", "message"),
    [
        ("a: 1\nb: [1, 2\nc: 3\n", 3, 2, "did not find expected ',' or ']'"),
        ("list:\n  - x\n - y\n", 3, 2, "did not find expected key"),
        (
            "a:\n\t- x\n",
            2,
            1,
            "found a tab character in the indentation: YAML indents with spaces only; replace it with spaces",
        ),
        (
            "summary: Note: this is it\n",
            1,
            14,
            "mapping values are not allowed in this context "
            "(a ': ' inside text starts a mapping; put the whole text in quotes)",
        ),
        ('a: "open\n', 2, 1, "found unexpected end of stream"),
    ],
)
def test_malformed_yaml_is_located(text: str, line: int, col: int, message: str) -> None:
    assert where(problem(text, dedent=False)) == (line, col, message)


def test_nesting_deeper_than_the_limit() -> None:
    depth = MAX_DEPTH + 5
    exc = problem("a: " + "{b: " * depth + "1" + "}" * depth + "\n", dedent=False)
    assert exc.message == f"nesting deeper than {MAX_DEPTH} levels"
    assert exc.line == 1
    assert exc.col > 1


def test_nesting_at_the_limit_is_fine() -> None:
    text = "a: " + "[" * (MAX_DEPTH - 1) + "x" + "]" * (MAX_DEPTH - 1) + "\n"
    value = load(text)["a"]
    for _ in range(MAX_DEPTH - 1):
        value = value[0]
    assert value == "x"


def test_extremely_deep_nesting_is_a_problem_not_a_crash() -> None:
    exc = problem("a: " + "[" * 100_000 + "]" * 100_000 + "\n", dedent=False)
    assert exc.line == 1
    assert "nesting" in exc.message


@pytest.mark.parametrize(
    ("text", "line", "col", "code"),
    [
        ("name: ok\nsummary: a\x07b\n", 2, 11, "0007"),
        ("name: ok\nsummary: a\x01b\n", 2, 11, "0001"),
        ('name: "x\x1b"\n', 1, 9, "001B"),
        ("\x00", 1, 1, "0000"),
        ("a: 1\n# note \x7f\n", 2, 8, "007F"),
    ],
    ids=["bell", "start-of-heading", "escape-quoted", "nul", "delete-in-a-comment"],
)
def test_control_character_is_located_on_one_line(text: str, line: int, col: int, code: str) -> None:
    exc = problem(text, dedent=False)
    assert where(exc) == (line, col, f"control character U+{code} is not allowed in YAML text")


def test_control_character_in_a_project_is_located(default_project: Project) -> None:
    rel = "roles/support-team.yaml"
    line, _ = default_project.sub(rel, r"^summary: ", "summary: \x07")
    assert default_project.check() == [
        f"{rel}:{line}:10: error: control character U+0007 is not allowed in YAML text"
    ]


def test_a_number_too_long_for_python_is_a_problem() -> None:
    digits = "9" * 5000
    exc = problem(f"a: 1\nb: {digits}\n", dedent=False)
    assert where(exc) == (2, 4, f"number too long: '{'9' * 39}\u2026'")


def test_a_long_number_within_the_limit_is_read() -> None:
    assert load(f"a: {'9' * 4000}\n") == {"a": int("9" * 4000)}


# --- bytes to text --------------------------------------------------------------------------------


def test_bom_and_crlf_read_fine() -> None:
    raw = "\ufeffname: Caf\u00e9\r\nbackups:\r\n  - ops\r\n".encode()
    text = decode(raw)
    assert text == "name: Caf\u00e9\nbackups:\n  - ops\n"
    doc = parse_yaml(text, "x.yaml")
    assert doc.data == {"name": "Caf\u00e9", "backups": ["ops"]}
    assert doc.values[("backups", 0)] == Loc(3, 5)


def test_crlf_only_and_bom_only() -> None:
    assert decode(b"a: 1\r\nb: 2\r\n") == "a: 1\nb: 2\n"
    assert decode(b"\xef\xbb\xbfa: 1\n") == "a: 1\n"


@pytest.mark.parametrize(
    ("raw", "line", "col", "byte"),
    [
        (b"a: 1\nb: caf\xe9\n", 2, 7, "e9"),
        (b"\xff\xfe", 1, 1, "ff"),
        (b"a: 1\n\nc: ok \x80\n", 3, 7, "80"),
        (b"a: 1\r\nb: \xc3\n", 2, 4, "c3"),
    ],
)
def test_invalid_utf8_reports_its_line(raw: bytes, line: int, col: int, byte: str) -> None:
    with pytest.raises(YamlProblem) as info:
        decode(raw)
    assert where(info.value) == (line, col, f"not UTF-8 text (byte 0x{byte}); save the file as UTF-8")


def test_file_larger_than_the_limit() -> None:
    with pytest.raises(YamlProblem) as info:
        decode(b"#" * (MAX_FILE_BYTES + 1))
    assert where(info.value) == (1, 1, "file is larger than 1024 KiB")


def test_file_at_the_limit_is_read() -> None:
    assert len(decode(b"#" * MAX_FILE_BYTES)) == MAX_FILE_BYTES


# --- the same, through a project -----------------------------------------------------------------


def test_bom_and_crlf_role_file_validates(default_project: Project) -> None:
    rel = "roles/support-team.yaml"
    raw = default_project.file(rel).read_bytes()
    default_project.file(rel).write_bytes(b"\xef\xbb\xbf" + raw.replace(b"\n", b"\r\n"))
    assert default_project.check() == []


def test_invalid_utf8_in_a_project_is_located(default_project: Project) -> None:
    line = default_project.append("roles/support-team.yaml", "skills2: x\n")
    path = default_project.file("roles/support-team.yaml")
    path.write_bytes(path.read_bytes().replace(b"skills2: x", b"skills2: \xe9"))
    assert default_project.check() == [
        f"roles/support-team.yaml:{line}:10: error: not UTF-8 text (byte 0xe9); save the file as UTF-8"
    ]


def test_duplicate_key_in_a_project_is_located(default_project: Project) -> None:
    first, _ = default_project.find("roles/operations-team.yaml", "\nshort: ")
    line = default_project.append("roles/operations-team.yaml", "short: OPS2\n")
    assert default_project.check() == [
        f"roles/operations-team.yaml:{line}:1: error: duplicate key 'short' (first defined on line {first + 1})"
    ]
