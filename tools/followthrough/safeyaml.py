"""A YAML loader for untrusted files that keeps the line of every value.

Built on PyYAML's event stream (libyaml's C parser when present) rather than its
composer or constructors: libyaml's composer recurses and crashes the process on deeply
nested input, and a full loader would expand aliases (billion laughs) or build objects
from tags. Here aliases and non-plain tags become problems, nesting is bounded, and
the work is one pass over the events, linear in the size of the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

try:  # libyaml when installed; the pure-Python parser otherwise (same events, slower)
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_DEPTH = 32

_Y = "tag:yaml.org,2002:"
SCALAR_TAGS = {_Y + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
COLLECTION_TAGS = {_Y + "map", _Y + "seq"}


@dataclass(frozen=True, slots=True)
class YamlProblem:
    line: int  # 1-based, in the whole file
    column: int  # 1-based
    kind: str  # "syntax" | "tag" | "alias" | "depth" | "duplicate" | "key" | "value"
    message: str


class YMap(dict[str, Any]):
    """A mapping with the (line, column) of each key and of itself."""

    __slots__ = ("line", "column", "key_pos")

    def __init__(self, line: int, column: int) -> None:
        super().__init__()
        self.line = line
        self.column = column
        self.key_pos: dict[str, tuple[int, int]] = {}

    def line_of(self, key: str) -> int:
        return self.key_pos.get(key, (self.line, self.column))[0]

    def pos_of(self, key: str) -> tuple[int, int]:
        return self.key_pos.get(key, (self.line, self.column))


class YList(list[Any]):
    """A sequence with the (line, column) of each item and of itself."""

    __slots__ = ("line", "column", "item_pos")

    def __init__(self, line: int, column: int) -> None:
        super().__init__()
        self.line = line
        self.column = column
        self.item_pos: list[tuple[int, int]] = []


class _Raw:
    """Marks a value that could not be built (bad tag, bad timestamp); its text is kept."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


INVALID = _Raw("")
_resolver = Resolver()
_constructor = SafeConstructor()


def is_invalid(value: Any) -> bool:
    return isinstance(value, _Raw)


def _show_tag(tag: str | None) -> str:
    return "!!" + tag.removeprefix(_Y) if tag and tag.startswith(_Y) else repr(tag)


def _scalar(event: yaml.ScalarEvent, line: int, column: int, problems: list[YamlProblem]) -> Any:
    tag = event.tag
    if tag in (None, "!"):
        if not event.implicit[0]:  # quoted, or written as a block scalar
            return event.value
        tag = _resolver.resolve(ScalarNode, event.value, (True, False))
    return _scalar_node(ScalarNode(tag, event.value, event.start_mark, event.end_mark), line, column, problems)


# Below this many characters that can open a nesting level, libyaml's recursive composer
# is safe (it crashes near 100,000 levels) and, being C, is the faster path.
COMPOSE_LIMIT = 2_000


def load(text: str, line_offset: int = 0) -> tuple[Any, list[YamlProblem]]:
    """Parse one YAML document. Returns (value, problems); value is None when nothing usable was read.

    `line_offset` is added to libyaml's 0-based line numbers (plus one), so problems and
    positions are lines of the whole file the text came from. Both paths give the same
    result; the event path bounds memory and depth for any input, the node path is faster.
    """
    openers = text.count("[") + text.count("{") + text.count("-") + text.count("?") + text.count(":")
    if openers < COMPOSE_LIMIT:
        return load_by_nodes(text, line_offset)
    return load_by_events(text, line_offset)


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


def load_by_nodes(text: str, line_offset: int = 0) -> tuple[Any, list[YamlProblem]]:
    """libyaml composes the node graph (aliases stay shared nodes, never expanded); we walk it."""
    problems: list[YamlProblem] = []
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return load_by_events(text, line_offset)  # the event path words every error the same way
    if root is None:
        return None, problems
    seen: set[int] = set()
    alias_count = 0

    def walk(node: yaml.Node, depth: int) -> Any:
        nonlocal alias_count
        line = node.start_mark.line + 1 + line_offset
        column = node.start_mark.column + 1
        if id(node) in seen:
            # The composer hands back the anchored node itself for an alias.
            alias_count += 1
            return INVALID
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            return _scalar_node(node, line, column, problems)
        if depth >= MAX_DEPTH:
            problems.append(YamlProblem(line, column, "depth", f"nested deeper than {MAX_DEPTH} levels"))
            raise _TooDeep
        refused = node.tag not in COLLECTION_TAGS
        if refused:
            problems.append(YamlProblem(line, column, "tag", f"the tag {_show_tag(node.tag)} is not allowed here; write a plain value"))
        if isinstance(node, yaml.SequenceNode):
            seq = YList(line, column)
            for item in node.value:
                seq.append(walk(item, depth + 1))
                seq.item_pos.append((item.start_mark.line + 1 + line_offset, item.start_mark.column + 1))
            return INVALID if refused else seq
        mapping = YMap(line, column)
        for key_node, value_node in node.value:
            kline = key_node.start_mark.line + 1 + line_offset
            kcol = key_node.start_mark.column + 1
            if id(key_node) in seen:
                walk(key_node, depth + 1)
                key = f"*alias at line {kline}"
            elif isinstance(key_node, yaml.ScalarNode):
                seen.add(id(key_node))
                key = key_node.value
            else:
                walk(key_node, depth + 1)
                problems.append(YamlProblem(kline, kcol, "key", "a key must be a plain word, not a list or mapping"))
                key = f"<complex key at line {kline}>"
            if key in mapping.key_pos:
                problems.append(YamlProblem(kline, kcol, "duplicate", f"the key {key!r} appears twice in this mapping"))
            mapping.key_pos[key] = (kline, kcol)
            mapping[key] = walk(value_node, depth + 1)
        return INVALID if refused else mapping

    try:
        value = walk(root, 0)
    except _TooDeep:
        return None, problems
    if alias_count:
        # Rare and always a finding: the event path knows where the alias itself stands.
        return load_by_events(text, line_offset)
    problems.sort(key=lambda p: (p.line, p.column))
    return value, problems


class _TooDeep(Exception):
    pass


def _scalar_node(node: yaml.ScalarNode, line: int, column: int, problems: list[YamlProblem]) -> Any:
    tag = node.tag
    if tag == _Y + "str":
        return node.value
    if tag not in SCALAR_TAGS:
        problems.append(YamlProblem(line, column, "tag", f"the tag {_show_tag(tag)} is not allowed here; write a plain value"))
        return _Raw(node.value)
    try:
        return _constructor.yaml_constructors[tag](_constructor, node)
    except (ValueError, TypeError, OverflowError, ConstructorError) as exc:
        what = "date" if tag == _Y + "timestamp" else tag.removeprefix(_Y)
        problems.append(
            YamlProblem(line, column, "value", f"{node.value!r} looks like a {what} but is not a valid one ({exc}); quote it if it is text")
        )
        return _Raw(node.value)


def load_by_events(text: str, line_offset: int = 0) -> tuple[Any, list[YamlProblem]]:
    """One pass over the parser's events: bounded depth and memory whatever the input."""
    problems: list[YamlProblem] = []
    stack: list[YMap | YList] = []
    pending_key: list[str | None] = []
    bad_tag: list[bool] = []  # per open collection: it carried a tag we refuse
    root: Any = None
    have_root = False
    first_alias: YamlProblem | None = None
    aliases = 0

    def place(value: Any, line: int, column: int, is_scalar_key: bool, key_text: str | None) -> None:
        nonlocal root, have_root
        if not stack:
            if not have_root:
                root, have_root = value, True
            return
        parent = stack[-1]
        if isinstance(parent, YList):
            parent.append(value)
            parent.item_pos.append((line, column))
            return
        key = pending_key[-1]
        if key is None:
            if not is_scalar_key:
                problems.append(YamlProblem(line, column, "key", "a key must be a plain word, not a list or mapping"))
                key_text = f"<complex key at line {line}>"
            assert key_text is not None
            if key_text in parent:
                problems.append(YamlProblem(line, column, "duplicate", f"the key {key_text!r} appears twice in this mapping"))
            pending_key[-1] = key_text
            parent.key_pos[key_text] = (line, column)
            return
        parent[key] = value
        pending_key[-1] = None

    try:
        for event in yaml.parse(text, Loader=_Loader):
            mark = event.start_mark
            line = mark.line + 1 + line_offset if mark else line_offset + 1
            column = mark.column + 1 if mark else 1
            if isinstance(event, yaml.ScalarEvent):
                is_key = bool(stack) and isinstance(stack[-1], YMap) and pending_key[-1] is None
                if is_key:
                    place(None, line, column, True, event.value)
                else:
                    place(_scalar(event, line, column, problems), line, column, True, None)
            elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                refused = event.tag not in (None, "!") and event.tag not in COLLECTION_TAGS
                if refused:
                    problems.append(YamlProblem(line, column, "tag", f"the tag {_show_tag(event.tag)} is not allowed here; write a plain value"))
                if len(stack) >= MAX_DEPTH:
                    problems.append(YamlProblem(line, column, "depth", f"nested deeper than {MAX_DEPTH} levels"))
                    return None, problems
                coll: YMap | YList = YMap(line, column) if isinstance(event, yaml.MappingStartEvent) else YList(line, column)
                stack.append(coll)
                pending_key.append(None)
                bad_tag.append(refused)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                done = stack.pop()
                pending_key.pop()
                place(INVALID if bad_tag.pop() else done, done.line, done.column, False, None)
            elif isinstance(event, yaml.AliasEvent):
                if first_alias is None:
                    first_alias = YamlProblem(line, column, "alias", f"the alias *{event.anchor} is not allowed: write the value out in full")
                    problems.append(first_alias)
                aliases += 1
                # An alias key or value: record an invalid value so the mapping stays aligned.
                is_key = bool(stack) and isinstance(stack[-1], YMap) and pending_key[-1] is None
                place(INVALID, line, column, True, f"*{event.anchor}" if is_key else None)
            elif isinstance(event, yaml.DocumentStartEvent) and have_root:
                problems.append(YamlProblem(line, column, "syntax", "only one YAML document is allowed here"))
                return root, problems
    except yaml.YAMLError as exc:  # syntax, and reader errors (control characters)
        problems.append(_syntax_problem(exc, line_offset))
        return None, problems
    if aliases > 1 and first_alias is not None:
        i = problems.index(first_alias)
        problems[i] = YamlProblem(first_alias.line, first_alias.column, "alias", f"{first_alias.message} ({aliases} aliases in all; none is expanded)")
    problems.sort(key=lambda p: (p.line, p.column))
    return root, problems
