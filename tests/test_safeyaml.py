"""The untrusted-YAML loader: one verdict whatever PyYAML backend runs it, never an exception.

Each test runs with every backend this PyYAML has: the pure-Python parser always, libyaml's C
parser when PyYAML was built with it. Assertions name kinds and positions, never a parser's wording.
"""

from __future__ import annotations

import string
from datetime import date, datetime, timezone

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from followthrough.core.text.safeyaml import MAX_DEPTH, YList, YMap, is_invalid, load

LIBYAML = getattr(yaml, "CSafeLoader", None)
BACKENDS = [pytest.param(yaml.SafeLoader, id="python")] + ([pytest.param(LIBYAML, id="libyaml")] if LIBYAML else [])
needs_libyaml = pytest.mark.skipif(LIBYAML is None, reason="PyYAML was built without libyaml")
KINDS = {"syntax", "tag", "alias", "depth", "duplicate", "key", "value"}


def plain(value):
    """A loaded value with every position it carries, for comparing two loads."""
    if is_invalid(value):
        return "<invalid>"
    if isinstance(value, YMap):
        keys = sorted(value.key_pos.items())
        return ("map", value.line, value.column, keys, sorted(value.value_pos.items()), {k: plain(v) for k, v in value.items()})
    if isinstance(value, YList):
        return ("list", value.line, value.column, value.item_pos, [plain(v) for v in value])
    return (type(value).__name__, value)


def kinds_at(problems):
    return [(p.kind, p.line, p.column) for p in problems]


# --- nesting ------------------------------------------------------------------------------------


def nested(levels: list[tuple[str, bool]]) -> tuple[str, list[tuple[int, int]]]:
    """A document nested len(levels) collections deep, and where (0-based) each collection starts.

    A level is (kind, flag): "map" (flag: a sequence child is written at the map's own column),
    "seq" (flag: a block child goes on the next line instead of compact after "- "), "fseq", "fmap".
    Only flow levels follow a flow level, as YAML demands.
    """
    out: list[str] = []
    pos = [0, 0]
    starts: list[tuple[int, int]] = []

    def put(s: str) -> None:
        out.append(s)
        for ch in s:
            pos[:] = [pos[0] + 1, 0] if ch == "\n" else [pos[0], pos[1] + 1]

    def node(i: int, indent: int) -> None:
        if i == len(levels):
            put("x")
            return
        kind, flag = levels[i]
        child = levels[i + 1][0] if i + 1 < len(levels) else "leaf"
        starts.append((pos[0], pos[1]))
        if kind == "fseq":
            put("[")
            node(i + 1, indent)
            put("]")
        elif kind == "fmap":
            put("{k: ")
            node(i + 1, indent)
            put("}")
        elif kind == "map":
            put("k:")
            if child in ("map", "seq"):
                inner = indent if child == "seq" and flag else indent + 2
                put("\n" + " " * inner)
                node(i + 1, inner)
            else:
                put(" ")
                node(i + 1, indent)
        else:
            put("-")
            if child in ("map", "seq") and flag:
                put("\n" + " " * (indent + 2))
            else:
                put(" ")
            node(i + 1, indent + 2)

    node(0, 0)
    return "".join(out) + "\n", starts


def _flow_after_flow(levels):
    fixed, flowing = [], False
    for kind, flag in levels:
        flowing = flowing or kind.startswith("f")
        fixed.append(({"map": "fmap", "seq": "fseq"}.get(kind, kind) if flowing else kind, flag))
    return fixed


level_lists = st.lists(st.tuples(st.sampled_from(["map", "seq", "fseq", "fmap"]), st.booleans()), min_size=1, max_size=40).map(_flow_after_flow)


@pytest.mark.parametrize("loader", BACKENDS)
def test_flow_nesting_beyond_the_limit_is_one_finding_at_its_bracket(loader):
    value, problems = load("title: " + "[" * 200_000 + "]" * 200_000 + "\n", 1, loader=loader)
    # The mapping is level 1, so the 32nd bracket opens level 33.
    assert value is None and kinds_at(problems) == [("depth", 2, len("title: ") + MAX_DEPTH)]


@pytest.mark.parametrize("loader", BACKENDS)
@pytest.mark.parametrize("depth", [MAX_DEPTH, MAX_DEPTH + 1, 2_000])
def test_block_nesting_is_bounded_the_same_way(loader, depth):
    text = "- " * depth + "x\n"  # block sequences, each compact in the one before
    value, problems = load(text, 0, loader=loader)
    if depth <= MAX_DEPTH:
        assert problems == [] and isinstance(value, YList)
    else:
        assert value is None and kinds_at(problems) == [("depth", 1, 2 * MAX_DEPTH + 1)]


@settings(max_examples=150, deadline=None)
@given(level_lists)
@example([("map", True), ("seq", False)] * 17)  # indentless sequences: two levels per column
@example([("seq", True)] * 20 + [("fmap", False)] * 13)
def test_the_depth_finding_marks_the_first_collection_past_the_limit(levels):
    text, starts = nested(levels)
    for loader in [b.values[0] for b in BACKENDS]:
        value, problems = load(text, 0, loader=loader)
        if len(levels) > MAX_DEPTH:
            line, column = starts[MAX_DEPTH]
            assert value is None and kinds_at(problems) == [("depth", line + 1, column + 1)], loader
        else:
            assert problems == [] and isinstance(value, (YMap, YList)), loader


@pytest.mark.parametrize("loader", BACKENDS)
def test_brackets_that_are_text_do_not_count_as_nesting(loader):
    text = (
        "title: '" + "[" * 40 + "'\n"
        "# " + "{" * 40 + "\n"
        "notes: |\n  " + "[" * 40 + "\n"
        "plain: a[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[b\n"
        "deep: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    )
    value, problems = load(text, 0, loader=loader)
    assert problems == [] and value["title"] == "[" * 40


# --- tags ---------------------------------------------------------------------------------------

UTC = timezone.utc
TAGGED_VALUES = [
    ("x: !!str 42", "42"),
    ("x: !!int 42", 42),
    ("x: !<tag:yaml.org,2002:int> 42", 42),
    ("x: !!float 1.5", 1.5),
    ("x: !!bool yes", True),
    ("x: !!null", None),
    ("x: !!null ~", None),
    ("x: !!timestamp 2025-03-14", date(2025, 3, 14)),
    ("x: !!timestamp 2025-03-14T04:12:00Z", datetime(2025, 3, 14, 4, 12, tzinfo=UTC)),
    ("x: !!int '7'", 7),
    ("x: ! 5", 5),  # the non-specific tag: resolved as if untagged
    ("x: !!map {a: b}", ("map", 1, 4, [("a", (1, 11))], [("a", (1, 14))], {"a": ("str", "b")})),
    ("x: !!seq [a]", ("list", 1, 4, [(1, 11)], [("str", "a")])),
]
# (text, kind, line, column): every one a finding at the node (the tag's own position), never an exception.
TAGGED_PROBLEMS = [
    ("started: !!timestamp 2025-03-14 04:12", "value", 1, 10),  # no seconds: not a YAML timestamp
    ("detected: !!timestamp soon", "value", 1, 11),
    ("x: !!timestamp 2025-02-30", "value", 1, 4),
    ("x: !!bool maybe", "value", 1, 4),
    ("x: !!int", "value", 1, 4),
    ("x: !!int 0b_", "value", 1, 4),
    ("x: !!float", "value", 1, 4),
    ("x: !!float abc", "value", 1, 4),
    ("x: !!null nothing", "value", 1, 4),
    ('x: !!bool "yes\n"', "value", 1, 4),
    ("x: !<tag:yaml.org,2002:int> five", "value", 1, 4),
    ("x: !!binary aGVsbG8=", "tag", 1, 4),
    ("x: !!set {a, b}", "tag", 1, 4),
    ("x: !!omap [a: 1]", "tag", 1, 4),
    ("x: !!pairs [a: 1]", "tag", 1, 4),
    ("x: !!merge a", "tag", 1, 4),
    ("x: !foo bar", "tag", 1, 4),
    ("x: !!python/object/apply:os.system [echo]", "tag", 1, 4),
    ("%TAG !! tag:example.com,2000:\n---\nx: !!int 5", "tag", 3, 4),
    ("!foo k: v", "tag", 1, 1),
    ("!!bool maybe: v", "value", 1, 1),
    ("x:\n  - a\n  - !!timestamp later", "value", 3, 5),
]


@pytest.mark.parametrize("loader", BACKENDS)
@pytest.mark.parametrize(("text", "expected"), TAGGED_VALUES, ids=[t for t, _ in TAGGED_VALUES])
def test_the_plain_tags_give_their_value(loader, text, expected):
    value, problems = load(text, 0, loader=loader)
    assert problems == []
    assert plain(value["x"]) == (expected if isinstance(expected, tuple) else (type(expected).__name__, expected))


@pytest.mark.parametrize("loader", BACKENDS)
@pytest.mark.parametrize(("text", "kind", "line", "column"), TAGGED_PROBLEMS, ids=[t[0] for t in TAGGED_PROBLEMS])
def test_every_other_tag_or_misfit_value_is_a_finding_at_its_node(loader, text, kind, line, column):
    value, problems = load(text, 0, loader=loader)
    assert kinds_at(problems) == [(kind, line, column)]
    assert isinstance(value, YMap)  # the rest of the document is still read


@pytest.mark.parametrize("loader", BACKENDS)
def test_a_misfit_value_says_what_its_tag_wanted(loader):
    _, problems = load("x: !!bool maybe\ny: !!int\n", 0, loader=loader)
    assert "not a valid boolean" in problems[0].message and "'maybe'" in problems[0].message
    assert "not a valid integer" in problems[1].message


@pytest.mark.parametrize("loader", BACKENDS)
def test_tagged_keys_are_their_text(loader):
    value, problems = load("!!int 1: a\n!!str b: c\n", 0, loader=loader)
    assert problems == [] and dict(value) == {"1": "a", "b": "c"}


@pytest.mark.parametrize("loader", BACKENDS)
def test_a_collection_key_with_a_tag_is_two_findings(loader):
    value, problems = load("? !!set {a}\n: x\n", 0, loader=loader)
    assert sorted(p.kind for p in problems) == ["key", "tag"]
    assert isinstance(value, YMap)


# --- aliases, characters, documents -------------------------------------------------------------


@pytest.mark.parametrize("loader", BACKENDS)
def test_aliases_are_one_finding_at_the_first_alias_itself(loader):
    value, problems = load("a: &x [1, 2]\nb: *x\nc: [*x]\n", 10, loader=loader)
    assert kinds_at(problems) == [("alias", 12, 4)]
    assert "*x" in problems[0].message and "2 aliases" in problems[0].message
    assert value["a"] == [1, 2] and is_invalid(value["b"]) and is_invalid(value["c"][0])


@pytest.mark.parametrize("loader", BACKENDS)
def test_an_alias_as_a_key_is_the_alias_finding(loader):
    value, problems = load("&k a: 1\n*k : 2\n", 0, loader=loader)
    assert kinds_at(problems) == [("alias", 2, 1)]
    assert value["a"] == 1 and len(value) == 2


@pytest.mark.parametrize("loader", BACKENDS)
@pytest.mark.parametrize(
    ("text", "line", "column"),
    [("a: b\nc: \x01\n", 2, 4), ("a: 1\n\ufeffb: 2\n", 2, 1), ("a: \ud800\n", 1, 4), ("a: 1\r\nb: \x00", 2, 4), ("a: '\x7f'", 1, 5)],
    ids=["control", "byte-order-mark", "surrogate", "nul-after-crlf", "delete"],
)
def test_characters_yaml_forbids_are_a_finding_at_the_character(loader, text, line, column):
    value, problems = load(text, 0, loader=loader)
    assert value is None and kinds_at(problems) == [("syntax", line, column)]
    assert "U+" in problems[0].message


@pytest.mark.parametrize("loader", BACKENDS)
def test_a_leading_byte_order_mark_is_allowed(loader):
    assert load("\ufeffa: 1\n", 0, loader=loader) == load("a: 1\n", 0, loader=loader)


@pytest.mark.parametrize("loader", BACKENDS)
def test_a_second_document_is_a_syntax_finding(loader):
    value, problems = load("a: 1\n---\nb: 2\n", 0, loader=loader)
    assert value is None and [(p.kind, p.line) for p in problems] == [("syntax", 2)]


@pytest.mark.parametrize("loader", BACKENDS)
def test_values_keep_their_own_position(loader):
    value, problems = load("title:   Some text\nlist: [a,  off]\nnested:\n  k: 2026-05-20\n", 4, loader=loader)
    assert problems == []
    assert value.pos_of("title") == (5, 1) and value.value_pos_of("title") == (5, 10)
    assert value["list"].item_pos == [(6, 8), (6, 12)]
    assert value["nested"].value_pos_of("k") == (8, 6)
    # What YAML typed on its own keeps its source text, for findings that explain the typing.
    assert value["list"].source == {1: "off"} and value["nested"].source == {"k": "2026-05-20"}


# --- both backends agree ------------------------------------------------------------------------

# Constructs where libyaml and the pure-Python parser are known to read differently.
DIVERGENT = [
    "a:\tb\n",
    "a: b\t\n",
    "- [a,\tb]\n",
    "a: 'b'\t# c\n",
    "%YAML 1.3\n---\na: 1\n",
    "%YAML 1.2\n---\na: 1\n",
    "%FOO bar\n---\na: 1\n",
    "a: 1\n\ufeffb: 2\n",
    "a: !\nb: 1\n",
    "- !\n- b\n",
    "!\n",
    "x: ![a]\n",
    "k" * 1030 + ": v\n",
    "k" * 1024 + ": v\n",
    "é" * 1030 + ": v\n",
    "{a: b}: c\n",
    "[a, b]: c\n",
    "a: [b]: c\n",
    "? a\n? b",
    "a: |1\n  b",
    "- ? : x\n",
    "a: *b\n",
    "a: &x 1\nb: &x 2\n",
    "'a':b\n",
    "{a:b}\n",
    "--- |\n  a\n...\n--- b\n",
    "a: b\n... x\n",
    "a:\n  b:\n c: 1\n",
    "a: \x85b\n",
    "a: b\u2028c: d\n",
    "a: b\rc: d\n",
]

documents = st.lists(
    st.sampled_from(
        ["---\n", "...\n", "k: ", "- ", ": ", "? ", "[", "]", "{", "}", ", ", "&a ", "*a", "!foo ", "! ", "!!int ", "!!bool ", "!!str ",
         "'", '"', "|\n", ">-\n", "|2\n", "  ", "\t", "\n", "\r\n", "\r", "\x85", "\u2028", " #c\n", "%YAML 1.1\n", "%YAML 1.2\n",
         "%TAG ! tag:x,2000:\n", "%FOO\n", "\ufeff", "no", "yes", "2026-05-20", "2026-05-20 14:32:00", "1_000", "0x1f", ".5", "~",
         "<<", "=", "\\", "é", "\xa0", "x" * 1020, "-", ":", "?", "!", "%", "@", "`"]
    )
    | st.text(string.printable, max_size=6),
    max_size=30,
).map("".join)  # fmt: skip


@needs_libyaml
@pytest.mark.parametrize("text", DIVERGENT, ids=[repr(t[:24]) for t in DIVERGENT])
def test_known_divergences_get_one_answer(text):
    assert_same(text)


@needs_libyaml
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_both_backends_give_the_same_values_and_findings(text):
    assert_same(text)


def assert_same(text: str) -> None:
    (c_value, c_problems), (p_value, p_problems) = load(text, 3, loader=LIBYAML), load(text, 3, loader=yaml.SafeLoader)
    assert plain(c_value) == plain(p_value)
    assert c_problems == p_problems


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents | st.text(max_size=200))
def test_no_text_makes_the_loader_raise(text):
    for loader in [b.values[0] for b in BACKENDS]:
        value, problems = load(text, 0, loader=loader)
        assert all(p.kind in KINDS and p.line >= 1 and p.column >= 1 for p in problems)
        if value is None or is_invalid(value):
            continue
        assert isinstance(value, (YMap, YList, str, int, float, bool, date))


# --- the pieces that keep it fast must not change an answer -------------------------------------


def depth_of(node) -> int:
    if isinstance(node, yaml.ScalarNode) or node is None:
        return 0
    children = node.value if isinstance(node, yaml.SequenceNode) else [n for pair in node.value for n in pair]
    return 1 + max((depth_of(n) for n in children), default=0)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents | level_lists.map(lambda levels: nested(levels)[0]))
def test_the_nesting_bound_is_never_below_the_real_depth(text):
    # Below the bound the text is composed without measuring: a bound too low would let a composer recurse.
    from followthrough.core.text.safeyaml import _nesting_bound

    for loader in [b.values[0] for b in BACKENDS]:
        try:
            root = yaml.compose(text, Loader=loader)
        except yaml.YAMLError:
            continue
        assert _nesting_bound(text) >= depth_of(root), loader


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_the_lean_resolver_composes_what_pyyaml_composes(text):
    from followthrough.core.text.safeyaml import _lean

    for loader in [b.values[0] for b in BACKENDS]:
        try:
            expected = repr(yaml.compose(text, Loader=loader))
        except yaml.YAMLError as exc:
            expected = type(exc).__name__
        try:
            assert repr(yaml.compose(text, Loader=_lean(loader))) == expected
        except yaml.YAMLError as exc:
            assert type(exc).__name__ == expected


@pytest.mark.parametrize("loader", BACKENDS)
@pytest.mark.parametrize("odd_break", ["\u2028", "\u2029", "\x85", "\r"])
def test_positions_are_lines_of_the_file_even_past_a_yaml_only_line_break(loader, odd_break):
    # YAML also breaks lines at these; the file's lines (and every other finding) count only "\n".
    text = f"title: one{odd_break}  two\nlist: [a, off]\nbad: !!bool maybe\n"
    value, problems = load(text, 10, loader=loader)
    assert value["title"].replace(odd_break, " ").split() == ["one", "two"]
    assert value.pos_of("list") == (12, 1) and value["list"].item_pos == [(12, 8), (12, 11)]
    assert kinds_at(problems) == [("value", 13, 6)]
    _, problems = load(f"a: x{odd_break}y\nb: \x01\n", 0, loader=loader)
    assert kinds_at(problems) == [("syntax", 2, 4)]
