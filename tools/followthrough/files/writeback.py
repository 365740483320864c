"""Writing `ticket: KEY` into one action item of a postmortem file, changing nothing else.

A YAML round-trip (even ruamel's) re-emits the document and so re-flows long lines,
re-indents sequences and normalises quoting; a postmortem is a reviewed document, so
instead the edit is computed from the positions of the parsed front-matter's nodes:
an existing `ticket:` value is replaced in place, or one line `ticket: KEY` is added
after the item's last line at the indentation of its keys (`, ticket: KEY` inside a
flow mapping). The result is re-parsed and compared with the original plus the ticket
before anything is written: if anything else would change, nothing is written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from followthrough.core.errors import ConfigError, FollowthroughError
from followthrough.core.text.frontmatter import LINE_BREAK, split
from followthrough.files.atomic import write_atomic
from followthrough.files.safefiles import Refused, first_link, read_bounded
from followthrough.files.scratch import scratch_folder

ITEMS_KEY = "action_items"
WRITE_LIMIT = 1024 * 1024 * 1024  # lint has refused files over max_file_mb already; this is a backstop

try:  # libyaml: same node positions (in characters), several times faster
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


class WritebackError(FollowthroughError):
    """The edit could not be made safely; the message names the item (exit 1: a failure)."""


def _front_matter(text: str) -> tuple[int, str]:
    """(offset of the YAML text in `text`, the YAML text) for a file that opens with '---'."""
    parts = split(text)
    if parts.problem == "missing":
        raise WritebackError("the file has no front-matter")
    if parts.yaml_text is None:
        raise WritebackError("the front-matter is never closed")
    return parts.yaml_start, parts.yaml_text


def _as_read(value: object) -> str | None:
    """A title as the parser reads it: text stripped, a number as its text."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value).strip()
    return None


def _value_of(mapping: MappingNode, key: str) -> tuple[ScalarNode, Node] | None:
    for k, v in mapping.value:
        if isinstance(k, ScalarNode) and k.value == key:
            return k, v
    return None


def _last_scalar(node: Node) -> ScalarNode | None:
    if isinstance(node, ScalarNode):
        return node
    if isinstance(node, MappingNode) and node.value:
        return _last_scalar(node.value[-1][1])
    if isinstance(node, SequenceNode) and node.value:
        return _last_scalar(node.value[-1])
    return None


def format_value(value: str, flow: bool = False) -> str:
    """`value` as YAML: plain when it reads back as the same string, else double-quoted."""
    probe = f"{{k: {value}}}" if flow else f"k: {value}"
    try:
        plain_ok = value == value.strip() and value != "" and yaml.safe_load(probe) == {"k": value}
    except yaml.YAMLError:
        plain_ok = False
    return value if plain_ok else json.dumps(value, ensure_ascii=False)


def _break_before(text: str, index: int) -> str:
    """The line break that ends just before `index` (a block scalar's own), '\\n' if none does."""
    if text.endswith("\r\n", 0, index):
        return "\r\n"
    if index > 0 and text[index - 1] in "\r\n":
        return text[index - 1]
    return "\n"


def set_ticket(text: str, item_index: int, ticket: str, expected_title: str | None = None) -> str:
    """`text` with the item at `item_index` (0-based) holding `ticket: <ticket>`."""
    offset, yaml_text = _front_matter(text)
    try:
        loader = _Loader(yaml_text)
        try:
            root = loader.get_single_node()
            before = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise WritebackError(f"the front-matter does not parse: {exc}") from None
    if not isinstance(root, MappingNode) or not isinstance(before, dict):
        raise WritebackError("the front-matter is not a mapping")
    found = _value_of(root, ITEMS_KEY)
    if found is None or not isinstance(found[1], SequenceNode) or item_index >= len(found[1].value):
        raise WritebackError(f"{ITEMS_KEY}[{item_index}] is not in the file any more")
    item = found[1].value[item_index]
    if not isinstance(item, MappingNode):
        raise WritebackError(f"{ITEMS_KEY}[{item_index}] is not a mapping")
    old_item = before[ITEMS_KEY][item_index]
    if expected_title is not None and _as_read(old_item.get("title")) != expected_title:
        raise WritebackError(f"{ITEMS_KEY}[{item_index}] changed since it was read (its title differs); run sync again")

    existing = _value_of(item, "ticket")
    if existing is not None:
        value = existing[1]
        if not isinstance(value, ScalarNode) or value.style in ("|", ">"):
            raise WritebackError(f"{ITEMS_KEY}[{item_index}].ticket is not a one-line value")
        start = offset + value.start_mark.index
        end = offset + value.end_mark.index
        new_value = format_value(ticket, flow=bool(item.flow_style))
        if start == end and text[start - 1] == ":":
            new_value = " " + new_value  # `ticket:` with nothing after it
        new_text = text[:start] + new_value + text[end:]
    elif item.flow_style:
        if not item.value:
            close = offset + item.end_mark.index - 1
            if text[close] != "}":
                raise WritebackError(f"{ITEMS_KEY}[{item_index}] is an unusual flow mapping; add the ticket by hand")
            new_text = text[:close] + f"ticket: {format_value(ticket, flow=True)}" + text[close:]
        else:
            last = item.value[-1][1]
            at = offset + last.end_mark.index
            new_text = text[:at] + f", ticket: {format_value(ticket, flow=True)}" + text[at:]
    else:
        indent = item.value[0][0].start_mark.column if item.value else None
        last = _last_scalar(item)
        if indent is None or last is None:
            raise WritebackError(f"{ITEMS_KEY}[{item_index}] is empty")
        end_index = offset + last.end_mark.index
        if last.style in ("|", ">"):
            # A block scalar ends at the start of the line after it (its own line break consumed).
            at = end_index
            newline = _break_before(text, at)
        else:
            line_end = LINE_BREAK.search(text, end_index)
            if line_end is None:
                raise WritebackError("the front-matter ends unexpectedly")
            at = line_end.end()
            newline = line_end.group(0)
        new_text = text[:at] + " " * indent + f"ticket: {format_value(ticket)}" + newline + text[at:]

    _verify(text, new_text, before, item_index, ticket)
    return new_text


def _plain(value: Any) -> Any:
    """A comparable copy: mappings with text keys, dates as text, lists as lists."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _verify(old: str, new: str, before: dict[str, Any], item_index: int, ticket: str) -> None:
    """The new front-matter must equal the old one plus the ticket, and differ by one line."""
    expected = _plain(before)
    expected[ITEMS_KEY][item_index]["ticket"] = ticket
    try:
        after = yaml.load(_front_matter(new)[1], Loader=_Loader)
    except (yaml.YAMLError, WritebackError) as exc:
        raise WritebackError(f"the edit would break the front-matter ({exc}); nothing written") from None
    if _plain(after) != expected:
        raise WritebackError("the edit would change more than the ticket; nothing written")
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    changed = [i for i, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b]
    if len(new_lines) == len(old_lines):
        ok = len(changed) == 1
    else:
        first = changed[0] if changed else len(old_lines)
        ok = len(new_lines) == len(old_lines) + 1 and old_lines[first:] == new_lines[first + 1 :]
    if not ok:
        raise WritebackError("the edit would touch more than one line; nothing written")


def write_ticket(path: Path, item_index: int, ticket: str, expected_title: str | None = None, root: Path | None = None) -> None:
    """Edit the file in place, atomically, keeping its bytes (encoding, BOM, line breaks) as they were.
    Never through a link: not at the file, nor at a folder between `root` (the repo) and it."""
    link = first_link(path, root) if root is not None else (path if path.is_symlink() else None)
    if link is not None:
        raise WritebackError(f"{link} is a symbolic link; nothing is written through it")
    try:
        data = read_bounded(path, WRITE_LIMIT)
    except Refused as exc:
        raise WritebackError(f"the file is {exc.refusal.message}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WritebackError(f"not UTF-8 text ({exc.reason})") from None
    new_text = set_ticket(text, item_index, ticket, expected_title)
    try:
        # The temp file goes to the repo's ignored scratch folder: a crash leaves none among the postmortems.
        temp_dir = scratch_folder(root) if root is not None else None
    except ConfigError:
        # Without it the ticket is still written (beside the file, as before): a ticket made and
        # not written back is what sync can least afford to lose.
        temp_dir = None
    try:
        write_atomic(path, new_text.encode("utf-8"), durable=True, temp_dir=temp_dir)  # keeps the file's permission bits
    except Refused as exc:  # made a link or a special file since it was read
        raise WritebackError(f"{exc.refusal.path} is {exc.refusal.message}") from None
