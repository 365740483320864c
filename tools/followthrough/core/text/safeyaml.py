"""A YAML loader for untrusted files: plain values that keep the position of every key and value.

One path: PyYAML composes the node graph (libyaml's C composer when present) and we walk it,
building only text, numbers, booleans, dates, lists and mappings. Aliases stay shared nodes and
become one finding; tags other than the plain ones become findings. Before anything is composed
we refuse what YAML forbids (control characters) and nesting deeper than MAX_DEPTH, because both
composers recurse. The pure-Python parser is the reference: wherever libyaml is known to read
differently, or refuses, the reference answers, so the result never depends on how PyYAML was built.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, TypeAlias, cast

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

Loader: TypeAlias = "type[yaml.SafeLoader] | type[yaml.CSafeLoader]"  # the safe loader classes
REFERENCE: Loader = yaml.SafeLoader
try:  # libyaml when PyYAML was built with it: the same answers, about ten times faster
    DEFAULT: Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    DEFAULT = REFERENCE

MAX_DEPTH = 32

_Y = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ = _Y + "str", _Y + "map", _Y + "seq"
# The plain scalar types besides text, each with (what it is, what a finding asks for).
_WANTED = {
    _Y + "int": ("integer", "a whole number such as 42"),
    _Y + "float": ("number", "a number with a point, such as 1.5"),
    _Y + "bool": ("boolean", "true or false"),
    _Y + "null": ("null", "~ or nothing"),
    _Y + "timestamp": ("date", "a date such as 2026-05-20 or a date-time such as 2026-05-20T14:32:00Z"),
}
# `<<` and `=` resolve to these; written as plain text they are that text (there is no merging).
_AS_TEXT = (_Y + "merge", _Y + "value")


def _forms() -> dict[str, tuple[re.Pattern[str], ...]]:
    """The resolver's own patterns for each tag: the one definition of what an untagged value means."""
    forms: dict[str, list[re.Pattern[str]]] = {}
    for resolvers in Resolver.yaml_implicit_resolvers.values():
        for tag, pattern in resolvers:
            if pattern not in forms.setdefault(tag, []):
                forms[tag].append(pattern)
    return {tag: tuple(patterns) for tag, patterns in forms.items() if tag in _WANTED or tag in _AS_TEXT}


_FORMS = _forms()
_constructor = SafeConstructor()


@dataclass(frozen=True, slots=True)
class YamlProblem:
    line: int  # 1-based, in the whole file
    column: int  # 1-based
    kind: str  # "syntax" | "tag" | "alias" | "depth" | "duplicate" | "key" | "value"
    message: str


Pos = tuple[int, int]  # (line, column), 1-based, in the whole file


class YMap(dict[str, Any]):
    """A mapping with the position of itself, of each key and of each value.

    `source` keeps the text of values YAML typed on its own (`no` read as false, `2026-05-20`
    as a date), so a finding can say what was written.
    """

    __slots__ = ("line", "column", "key_pos", "value_pos", "source")

    def __init__(self, line: int, column: int) -> None:
        super().__init__()
        self.line = line
        self.column = column
        self.key_pos: dict[str, Pos] = {}
        self.value_pos: dict[str, Pos] = {}
        self.source: dict[str, str] = {}

    def line_of(self, key: str) -> int:
        return self.pos_of(key)[0]

    def pos_of(self, key: str) -> Pos:
        return self.key_pos.get(key, (self.line, self.column))

    def value_pos_of(self, key: str) -> Pos:
        return self.value_pos.get(key) or self.pos_of(key)


class YList(list[Any]):
    """A sequence with the position of itself and of each item, and the source text of typed items."""

    __slots__ = ("line", "column", "item_pos", "source")

    def __init__(self, line: int, column: int) -> None:
        super().__init__()
        self.line = line
        self.column = column
        self.item_pos: list[Pos] = []
        self.source: dict[int, str] = {}


class _Raw:
    """Marks a value that could not be built (bad tag, bad timestamp); its text is kept."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


INVALID = _Raw("")


def is_invalid(value: Any) -> bool:
    return isinstance(value, _Raw)


def path_at(data: Any, pos: Pos) -> str | None:
    """The field path (`action_items[1].due`) of the value that starts at `pos`, for a problem's
    message; None when no value of `data` starts there. Called only for a problem, never per file."""
    if isinstance(data, YMap):
        for key, at in data.value_pos.items():
            if at == pos:
                return key
        for key, value in data.items():
            inner = path_at(value, pos)
            if inner is not None:
                return f"{key}{inner}" if inner.startswith("[") else f"{key}.{inner}"
    elif isinstance(data, YList):
        for i, at in enumerate(data.item_pos):
            if at == pos:
                return f"[{i}]"
        for i, value in enumerate(data):
            inner = path_at(value, pos)
            if inner is not None:
                return f"[{i}]{inner}" if inner.startswith("[") else f"[{i}].{inner}"
    return None


def load(text: str, line_offset: int = 0, loader: Loader | None = None) -> tuple[Any, list[YamlProblem]]:
    """Parse one YAML document. Returns (value, problems); value is None when nothing usable was read.

    `line_offset` is added to the text's 0-based lines (plus one), so positions are lines of the
    whole file the text came from. `loader` is the PyYAML loader class to try first (libyaml's by
    default); the answer is the same with any of them.
    """
    value, problems = _load(text, line_offset, loader)
    if "\x85" in text or "\u2028" in text or "\u2029" in text or "\r" in text:
        value, problems = _in_file_lines(text, line_offset, value, problems)
    return value, problems


def _load(text: str, line_offset: int, loader: Loader | None) -> tuple[Any, list[YamlProblem]]:
    refused = _refused_character(text)
    if refused is not None:
        return None, [YamlProblem(*_position(text, refused, line_offset), "syntax", _character_message(text[refused]))]
    first = loader or DEFAULT
    if first is not REFERENCE and _DIVERGES.search(text):
        first = REFERENCE
    error: yaml.YAMLError | None = None
    for candidate in dict.fromkeys((first, REFERENCE)):
        try:
            deep = _too_deep(text, candidate) if _nesting_bound(text) > MAX_DEPTH else None
            if deep is not None:
                message = f"nested deeper than {MAX_DEPTH} levels"
                return None, [YamlProblem(deep.line + 1 + line_offset, deep.column + 1, "depth", message)]
            root = yaml.compose(text, Loader=_lean(candidate))
        except yaml.YAMLError as exc:  # libyaml refuses what the reference reads: ask the reference
            error = exc
            continue
        if candidate is REFERENCE or _reference_would_read(root, text):
            return _walk(root, text, line_offset, candidate)
    assert error is not None
    return None, [_syntax_problem(error, line_offset)]


# --- before any parser: characters, nesting ------------------------------------------------------

# What YAML's printable set leaves out (1.1 and 1.2 agree): C0 and C1 controls but tab and line
# breaks, surrogates, U+FFFE and U+FFFF; and a byte-order mark, allowed only as the first character.
# (Written as what is refused: the complement of the printable ranges takes 3 ms to compile.)
_NOT_PRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
# What libyaml reads differently from the reference, found by running both on the same texts:
# a tab between tokens (libyaml allows it, the reference does not); the non-specific tag `!` on an
# empty node (a string to libyaml, a null to the reference); a `!` inside a tag after its handle;
# a comment right after a block scalar's header (`|#`).
# (Each branch is behind the class of its first character, which keeps the search fast.)
_DIVERGES = re.compile(r"[\t!|>](?:(?<=\t)|(?<=!)(?![^\s,\[\]{}])|(?<=!)(?>(?:[\w-]*!)?)[^\s!]*!|(?<=[|>])[-+0-9]*#)")


def _refused_character(text: str) -> int | None:
    found = _NOT_PRINTABLE.search(text, 1 if text.startswith("\ufeff") else 0)
    return found.start() if found else None


def _character_message(char: str) -> str:
    if char == "\ufeff":
        return "an invisible byte-order mark (U+FEFF) is not allowed inside YAML; delete it"
    return f"the character U+{ord(char):04X} is not allowed in YAML (a control or non-character); delete it"


def _position(text: str, index: int, line_offset: int) -> Pos:
    """The position of a character, counting lines and columns as the parsers do."""
    breaks = list(_BREAK.finditer(text, 0, index))
    line_start = breaks[-1].end() if breaks else int(text.startswith("\ufeff"))  # a mark takes no column
    return len(breaks) + 1 + line_offset, index - line_start + 1


# Where a block collection can start on a line: at its indentation, or compact after "- ", "? ", ": ".
_FIRST_PREFIX = re.compile("[ \t]*(?:[-?:][ \t]+)*")
_LINE_PREFIX = re.compile("\n[ \t]*(?:[-?:][ \t]+)*")
_INDICATOR = re.compile(r"[-?:][ \t]+")


def _nesting_bound(text: str) -> int:
    """An upper bound on the nesting depth of any document the parsers accept from `text`; linear.

    Flow collections on one path each open with their own bracket. Block collections on one path
    start at strictly growing columns, except a sequence written at its parent mapping's column,
    so each column holds at most two levels; and a block collection starts at a line's indentation
    or after a compact indicator. The bound is loose: past it, the exact depth is measured.
    """
    if "\r" in text or "\x85" in text or "\u2028" in text or "\u2029" in text:
        text = _BREAK.sub("\n", text)
    first_line = _FIRST_PREFIX.match(text, int(text.startswith("\ufeff")))  # it matches the empty prefix too
    columns = set(_columns("\n" + (first_line.group() if first_line else "")))
    for prefix in set(_LINE_PREFIX.findall(text)):
        columns |= _columns(prefix)
    return 2 * len(columns) + text.count("[") + text.count("{")


@functools.lru_cache(maxsize=1024)
def _columns(prefix: str) -> frozenset[int]:
    """The columns where a collection can start after a line break and `prefix`."""
    line = prefix[1:]
    return frozenset([len(line) - len(line.lstrip(" \t")), *(m.end() for m in _INDICATOR.finditer(line))])


def _too_deep(text: str, loader: Loader) -> Any:
    """Where the first collection past MAX_DEPTH starts, from the parser's events (which do not recurse)."""
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return event.start_mark
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


_LEAN: dict[Loader, Loader] = {}


def _lean(loader: Loader) -> Loader:
    """`loader` with a leaner resolver: the same tables and answers, without the machinery for
    path resolvers, which safe loading never registers (it costs a third of composing)."""
    if loader not in _LEAN:
        _LEAN[loader] = loader if loader.yaml_path_resolvers else _leaner(loader)
    return _LEAN[loader]


def _leaner(loader: Loader) -> Loader:
    # Resolver.resolve less its path-resolver steps: the same tables, tried in the same order.
    table = loader.yaml_implicit_resolvers
    wildcard = table.get(None, [])
    by_first = {first: tuple(resolvers + wildcard) for first, resolvers in table.items() if first is not None}
    default = tuple(wildcard)

    class Lean(loader):  # type: ignore[misc, valid-type]  # a class made from a class given at run time
        def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
            if kind is ScalarNode:
                if implicit[0]:
                    for tag, pattern in by_first.get(value[:1], default):
                        if pattern.match(value):
                            return tag
                return _STR
            return _SEQ if kind is SequenceNode else _MAP

        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            pass

        def ascend_resolver(self) -> None:
            pass

    Lean.__name__ = Lean.__qualname__ = f"Lean{loader.__name__}"
    return Lean


def _reference_would_read(root: Node | None, text: str) -> bool:
    """False where libyaml read what the reference refuses: a `?` inside a plain scalar in a flow
    collection (`[a?]`), which ends the scalar for the reference. Found only after composing."""
    if "?" not in text or root is None:
        return True
    todo, seen = [root], set()
    while todo:
        node = todo.pop()
        if id(node) in seen or isinstance(node, ScalarNode):
            continue
        seen.add(id(node))
        children = node.value if isinstance(node, SequenceNode) else [n for pair in node.value for n in pair]
        if getattr(node, "flow_style", False) and any(isinstance(n, ScalarNode) and not n.style and "?" in n.value for n in children):
            return False
        todo.extend(children)
    return True


def _in_file_lines(text: str, line_offset: int, value: Any, problems: list[YamlProblem]) -> tuple[Any, list[YamlProblem]]:
    """Positions in the file's own lines, which only "\n" ends (as the body's and every other finding's).

    YAML also ends a line at a lone "\r", U+0085, U+2028 and U+2029, which an editor shows inside one.
    """
    starts = [0, *(m.end() for m in _BREAK.finditer(text))]
    lead = int(text.startswith("\ufeff"))  # the parsers give a leading mark no column

    def move(pos: Pos) -> Pos:
        yaml_line = min(pos[0] - line_offset - 1, len(starts) - 1)  # libyaml may end a stream past it
        index = starts[yaml_line] + pos[1] - 1 + (lead if yaml_line == 0 else 0)
        return text.count("\n", 0, index) + 1 + line_offset, index - text.rfind("\n", 0, index)

    def walk(node: Any) -> None:
        if isinstance(node, (YMap, YList)):
            node.line, node.column = move((node.line, node.column))
        if isinstance(node, YMap):
            for positions in (node.key_pos, node.value_pos):
                positions.update((key, move(pos)) for key, pos in positions.items())
            children: Any = node.values()
        elif isinstance(node, YList):
            node.item_pos[:] = [move(pos) for pos in node.item_pos]
            children = node
        else:
            return
        for child in children:
            walk(child)

    walk(value)
    return value, [YamlProblem(*move((p.line, p.column)), p.kind, p.message) for p in problems]


# --- the walk -------------------------------------------------------------------------------------


def _walk(root: Node | None, text: str, line_offset: int, loader: Loader) -> tuple[Any, list[YamlProblem]]:
    if root is None:
        return None, []
    # An alias needs a `*`; without one there is no shared node and nothing to track.
    builder = _Builder(line_offset, track_shared="*" in text)
    value = builder.node(root)
    problems = builder.problems
    if builder.aliases:
        problems.append(_alias_problem(text, line_offset, loader))
    problems.sort(key=lambda p: (p.line, p.column))
    return value, problems


def _alias_problem(text: str, line_offset: int, loader: Loader) -> YamlProblem:
    """One finding for all aliases, at the first one: the composer only hands back the anchored node."""
    aliases = [e for e in yaml.parse(text, Loader=loader) if isinstance(e, yaml.AliasEvent)]
    first = aliases[0]
    message = f"the alias *{first.anchor} is not allowed: write the value out in full"
    if len(aliases) > 1:
        message += f" ({len(aliases)} aliases in all; none is expanded)"
    mark: Any = first.start_mark
    return YamlProblem(mark.line + 1 + line_offset, mark.column + 1, "alias", message)


def _show_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_Y) if tag.startswith(_Y) else repr(tag)


class _Builder:
    """Node graph -> YMap / YList / plain values, with a problem for every node it will not build."""

    def __init__(self, line_offset: int, track_shared: bool) -> None:
        self.offset = line_offset + 1
        self.problems: list[YamlProblem] = []
        self.seen: set[int] | None = set() if track_shared else None
        self.aliases = 0

    def pos(self, node: Node) -> Pos:
        mark = node.start_mark
        return mark.line + self.offset, mark.column + 1

    def problem(self, node: Node, kind: str, message: str) -> None:
        self.problems.append(YamlProblem(*self.pos(node), kind, message))

    def shared(self, node: Node) -> bool:
        """True for a node met before: the composer gives an alias as the anchored node itself."""
        if self.seen is None:
            return False
        if id(node) in self.seen:
            self.aliases += 1
            return True
        self.seen.add(id(node))
        return False

    def node(self, node: Node) -> Any:
        if self.shared(node):
            return INVALID
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if isinstance(node, SequenceNode):
            return self.sequence(node)
        return self.mapping(cast(MappingNode, node))

    def refused_tag(self, node: Node, allowed: str) -> bool:
        if node.tag == allowed:
            return False
        self.problem(node, "tag", f"the tag {_show_tag(node.tag)} is not allowed here; write a plain value")
        return True

    # sequence() and mapping() run once per collection of every file linted: they read plain
    # text straight from the node (most values are that) and call node() for the rest.

    def sequence(self, node: SequenceNode) -> Any:
        offset, fast = self.offset, self.seen is None
        mark = node.start_mark
        out = YList(mark.line + offset, mark.column + 1)
        refused = self.refused_tag(node, _SEQ)
        positions = out.item_pos
        for item in node.value:
            mark = item.start_mark
            positions.append((mark.line + offset, mark.column + 1))
            if fast and item.tag == _STR and item.__class__ is ScalarNode:
                out.append(item.value)
                continue
            value = self.node(item)
            if item.__class__ is ScalarNode and value.__class__ is not str and value.__class__ is not _Raw:
                out.source[len(out)] = item.value
            out.append(value)
        return INVALID if refused else out

    def mapping(self, node: MappingNode) -> Any:
        offset, fast = self.offset, self.seen is None
        mark = node.start_mark
        out = YMap(mark.line + offset, mark.column + 1)
        refused = self.refused_tag(node, _MAP)
        key_pos, value_pos = out.key_pos, out.value_pos
        for key_node, value_node in node.value:
            if fast and key_node.tag == _STR and key_node.__class__ is ScalarNode:
                key = key_node.value
            else:
                key = self.key(key_node, len(key_pos))
            if key in key_pos:  # the last one counts, as in YAML; nothing of the first is kept
                self.problem(key_node, "duplicate", f"the key {key!r} appears twice in this mapping")
                value_pos.pop(key, None)
                out.source.pop(key, None)
            # An empty node has no place of its own (libyaml puts it at the next token, the
            # reference where the indicator before it ends): an empty key is placed at its
            # mapping, and a finding about an empty value points at its key.
            mark = key_node.start_mark
            if key == "" and mark.index == key_node.end_mark.index:
                key_pos[key] = (out.line, out.column)
            else:
                key_pos[key] = (mark.line + offset, mark.column + 1)
            mark = value_node.start_mark
            if value_node.value != "" or mark.index != value_node.end_mark.index:
                value_pos[key] = (mark.line + offset, mark.column + 1)
            if fast and value_node.tag == _STR and value_node.__class__ is ScalarNode:
                out[key] = value_node.value
                continue
            value = self.node(value_node)
            if value_node.__class__ is ScalarNode and value.__class__ is not str and value.__class__ is not _Raw:
                out.source[key] = value_node.value
            out[key] = value
        return INVALID if refused else out

    def key(self, node: Node, index: int) -> str:
        """A key is its text; a key that is an alias, a list or a mapping gets a placeholder name."""
        if self.shared(node):
            return f"<alias {index + 1}>"
        if isinstance(node, ScalarNode):
            if node.tag != _STR:
                self.checked(node)
            return node.value
        self.sequence(node) if isinstance(node, SequenceNode) else self.mapping(cast(MappingNode, node))  # for its problems
        self.problem(node, "key", "a key must be a plain word, not a list or mapping")
        return f"<complex key {index + 1}>"

    def checked(self, node: ScalarNode) -> bool:
        """Whether a scalar's text fits its tag, by the resolver's own patterns; a problem if not."""
        tag, text = node.tag, node.value
        forms = _FORMS.get(tag)
        if forms is None:
            self.problem(node, "tag", f"the tag {_show_tag(tag)} is not allowed here; write a plain value")
            return False
        # fullmatch: the patterns end in `$`, which would also accept a final line break.
        if any(form.fullmatch(text) for form in forms):
            return True
        if tag in _AS_TEXT:
            self.problem(node, "tag", f"the tag {_show_tag(tag)} is not allowed here; write a plain value")
        else:
            noun, wanted = _WANTED[tag]
            self.problem(node, "value", f"{text!r} is not a valid {noun}: its tag {_show_tag(tag)} asks for {wanted}; fix the value or drop the tag")
        return False

    def scalar(self, node: ScalarNode) -> Any:
        if node.tag == _STR:
            return node.value
        if not self.checked(node):
            return _Raw(node.value)
        if node.tag in _AS_TEXT:
            return node.value
        try:
            return _constructor.yaml_constructors[node.tag](_constructor, node)
        except (ValueError, OverflowError) as exc:  # the right shape, out of range: 2026-13-45, 0b_
            what = "date" if node.tag == _Y + "timestamp" else node.tag.removeprefix(_Y)
            why = str(exc)
            if "offset must be a timedelta" in why:  # Python's own words: "... -timedelta(hours=24) ..."
                why = "a UTC offset is between -23:59 and +23:59"
            self.problem(node, "value", f"{node.value!r} looks like a {what} but is not a valid one ({why}); write a real {what}, or quote it if it is text")
            return _Raw(node.value)


def _syntax_problem(exc: yaml.YAMLError, line_offset: int) -> YamlProblem:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else line_offset + 1
        column = mark.column + 1 if mark else 1
        what = exc.problem or str(exc)
        if exc.context:
            what = f"{exc.context}: {what}"
        return YamlProblem(line, column, "syntax", f"not valid YAML: {what}")
    return YamlProblem(line_offset + 1, 1, "syntax", f"not valid YAML: {exc}")
