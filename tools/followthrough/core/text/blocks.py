"""The body's block structure as the site's Markdown renderer sees it: headings, code, sections.

Lint must agree with the published page: a section lint finds is a heading on the site, and
a line that looks like a heading but renders as text is reported with its cause. The
reference is Python-Markdown with the site's extensions. Most bodies are plain paragraphs,
ATX headings, lists, tables and fenced code, which one line scan reads exactly as
Python-Markdown does. A body holding a construct whose meaning depends on block context (a
heading-looking line inside a table, list, quote, admonition, indented or HTML block; a setext
underline; a fence only some engines accept) is handed to Python-Markdown's own block parser,
so the answer there is the renderer's. tests/test_blocks_reference.py holds both to it.
"""

from __future__ import annotations

import bisect
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Mapping

from followthrough.core.text import complexity
from followthrough.core.model import HiddenHeading, Section

# Python-Markdown's own grammar, restated: the fence opener of `fenced_code` (column 0, then
# `lang`, `.lang`, `{attrs}` or `hl_lines="..."`, nothing else), its closer (the opener's exact
# fence, then spaces), the ATX heading (column 0, no space needed after the hashes) and the
# setext underline (column 0).
_OPEN = re.compile(r"(`{3,}|~{3,})[ ]*(?:\{([^\n]*)\}|\.?[\w#.+-]*[ ]*(?:hl_lines=(\"|')(?:.*?)\3[ ]*)?)$")
_PLAIN_OPENER = re.compile(r"(?:`{3,}|~{3,})[ ]*\.?[\w#.+-]*[ ]*")
_CLOSE = re.compile(r"(`{3,}|~{3,})[ ]*$")
# The ATX heading's grammar; `_atx` reads it in linear time, and a test holds the two together.
_ATX_RE = re.compile(r"(#{1,6})((?:\\.|[^\\#]|#+(?=[^#\n]))*?)#*$")


def _atx(line: str) -> tuple[str, str] | None:
    """(hashes, text) as `_ATX_RE` reads a line, in one pass without backtracking: the regex's
    lazy group keeps a frame per character (1 MB of spaces: 130 ms there, 60 ms here)."""
    level = min(len(line) - len(line.lstrip("#")), 6)
    if not level:
        return None
    rest = line[level:]
    trailing = len(rest.rstrip("#"))  # the text ends where only '#' follow
    i = 0
    while i < trailing:
        if rest[i] == "\\":
            if i + 1 >= len(rest):
                return None  # a lone backslash at the end escapes nothing: no match
            i += 2
        else:
            i += 1
    return line[:level], rest[:i]  # i is `trailing`, or one past it when a `\#` took the first '#'
_SETEXT = re.compile(r"(?:=+|-+)[ ]*$")
_LIST_ITEM = re.compile(r"[ ]{0,3}(?:[*+-]|\d+\.)[ ]+")  # Python-Markdown: `1)` is no list item
# What a reader might take for a fence or heading wherever it stands (any indentation, tabs,
# no-break spaces, inside quotes or list items): where the site disagrees, lint says why.
_FENCE_LIKE = re.compile(r"[ \t\u00a0>]*(?:(?:[*+-]|\d+[.)])[ \t\u00a0]+)*(`{3,}|~{3,})")
_HEADING_LIKE = re.compile(r"([ \t\u00a0>]*(?:(?:[*+-]|\d+[.)])[ \t\u00a0]+)*)(#{1,6})(?:[ \t]+|$)")

HEADING_TAGS = {f"h{n}": n for n in range(1, 7)}
_ATTRS_AT_END = re.compile(r"(?:^|[ ]+)\{:?[^}\n]*\}[ ]*$")


def _title(text: str, dialect: Dialect, inline_html: bool = True) -> str:
    """A heading's text as the page shows it: attr_list takes a trailing `{: #id .class}` off,
    and inline HTML (`<b>Impact</b>`, a comment) shows only its text."""
    text = text.strip()
    if dialect.attr_list and text.endswith("}"):
        text = _without_attrs(text)
    if inline_html and "<" in text:
        text = _INLINE_HTML.sub("", text).strip()
    return text


_INLINE_HTML = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>")


def _without_attrs(text: str) -> str:
    """`text` without a trailing ` {...}` (no `}` inside; after spaces or at the start), as
    the regex `(?:^|[ ]+){:?[^}]*}[ ]*$` would remove it. Found from the end: that regex, tried from every
    space, made a heading of many spaces ending in `}` quadratic."""
    end = len(text.rstrip(" "))
    if not end or text[end - 1] != "}":
        return text
    # The brace that opens it is after the last other `}`: the first one there after a space.
    j = text.find("{", text.rfind("}", 0, end - 1) + 1, end - 1)
    while j > 0 and text[j - 1] != " ":
        j = text.find("{", j + 1, end - 1)
    return text if j < 0 else text[:j].rstrip(" ")


@dataclass(frozen=True, slots=True)
class Dialect:
    """The site's Markdown extensions (MkDocs always adds toc, tables and fenced_code)."""

    extensions: tuple[str, ...] = ("toc", "tables", "fenced_code")
    configs: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def superfences(self) -> bool:
        return "pymdownx.superfences" in self.extensions

    @property
    def attr_list(self) -> bool:
        return "attr_list" in self.extensions

    @property
    def admonitions(self) -> bool:
        return bool({"admonition", "pymdownx.details", "pymdownx.blocks.admonition"} & set(self.extensions))

    @property
    def definition_lists(self) -> bool:
        return "def_list" in self.extensions or "markdown.extensions.def_list" in self.extensions

    @property
    def line_scan_knows_it(self) -> bool:
        """Every extension is one the line scan reads alike: the block constructs it models, or
        inline-only ones. Any other (pymdownx.blocks, arithmatex, an extension of the site's own)
        sends every body to the renderer's own block parser; snippets, a body that includes one."""
        return all(name in _LINE_SCAN_EXTENSIONS or name == "pymdownx.snippets" for name in self.extensions)




def dialect_from(extensions: Any, configs: Any = None) -> Dialect:
    """From mkdocs.yml's `markdown_extensions` (names or one-key mappings) and MkDocs' mdx_configs."""
    names = ["toc", "tables", "fenced_code"]
    found: dict[str, Any] = dict(configs or {})
    for entry in extensions or ():
        if isinstance(entry, str):
            name = entry
        elif isinstance(entry, dict) and len(entry) == 1:
            name, value = next(iter(entry.items()))
            if isinstance(value, dict):
                found[name] = value
        else:
            continue
        if isinstance(name, str) and name not in names:
            names.append(name)
    return Dialect(tuple(names), found)


# Extensions the line scan models (block level) or that work inside paragraphs only.
_LINE_SCAN_EXTENSIONS = frozenset(
    {"toc", "tables", "fenced_code", "attr_list", "md_in_html", "admonition", "pymdownx.details", "pymdownx.superfences"}
    | {"abbr", "codehilite", "meta", "nl2br", "sane_lists", "smarty", "wikilinks", "legacy_attrs", "legacy_em"}
    # Block level, but whatever they hold is indented (a heading there trips the scan's
    # indented-heading check) or opens with a line the scan checks (`: ` for def_list):
    | {"def_list", "footnotes", "pymdownx.tabbed"}
    | {f"pymdownx.{n}" for n in ("highlight", "inlinehilite", "emoji", "keys", "mark", "caret", "tilde", "smartsymbols",
                                  "betterem", "magiclink", "escapeall", "tasklist", "saneheaders", "critic")}
    | {f"markdown.extensions.{n}" for n in ("toc", "tables", "fenced_code", "attr_list", "md_in_html", "admonition")}
)  # fmt: skip

# What the followthrough plugin adds to every site it builds (its cards and tables need them).
SITE_EXTENSIONS = ("tables", "attr_list", "md_in_html", "admonition", "toc")
DEFAULT_DIALECT = dialect_from(SITE_EXTENSIONS)


Heading = Section  # the scan's name for it


@dataclass(frozen=True, slots=True)
class Blocks:
    headings: tuple[Heading, ...]
    code: frozenset[int]  # file lines inside code blocks (fenced or indented)
    comments: frozenset[int]  # file lines of HTML comments standing as blocks of their own
    hidden: tuple[HiddenHeading, ...]
    by_reference: bool
    # (file line, why) of lines GitHub and editors open a code block at, but the site does not
    false_fences: tuple[tuple[int, str], ...] = ()  # the renderer's block parser decided (the body has an unusual construct)
    too_complex: tuple[tuple[int, str], ...] = ()  # (file line, why) past a limit of complexity.py


def normalize(body: str) -> str:
    """The text as Python-Markdown sees it: tabs expanded to 4, lines of spaces emptied."""
    if "\r" in body:  # a lone CR breaks a line for the renderer too
        body = body.replace("\r\n", "\n").replace("\r", "\n")
    if "\t" in body:
        body = body.expandtabs(4)
    if "\x02" in body or "\x03" in body:
        body = body.replace("\x02", "").replace("\x03", "")
    if " \n" in body or body.endswith(" "):
        body = _SPACES_ONLY.sub("\n", body)
        if body.startswith(" ") and not body.split("\n", 1)[0].strip(" "):
            body = body.lstrip(" ")
    return body


_SPACES_ONLY = re.compile(r"\n +(?=\n|$)")
# Lines where block context can matter; every other line is prose, a list item or a table row,
# which cannot make or hide a heading. One C-speed search finds them.
_NOTABLE_START = re.compile(r"\n[ \u00a0>*+\-0-9`~#=<!?:/]")  # a literal first: memchr speed
_NOTABLE = re.compile(
    r"(?:[ \u00a0>]*(?:(?:[*+-]|\d+[.)])[ \u00a0]+)*(?:`{3}|~{3}|#)|(?:=+|-+)[ ]*$| {0,3}(?:<|!!!|\?\?\?|:[ ])| {4})"
)


@dataclass(frozen=True, slots=True)
class _Fence:
    start: int  # index of the opener line
    end: int  # index of the closer line


class _Text:
    """The normalized body, its lines, and the lines where block context can matter."""

    __slots__ = ("text", "lines")

    def __init__(self, body: str) -> None:
        self.text = normalize(body)
        self.lines = self.text.split("\n")

    def notable(self) -> list[int]:
        found = []
        text = "\n" + self.text
        lines = self.lines
        line = -1  # the index of the line that the newline at `at - 1` opens
        at = 0
        for m in _NOTABLE_START.finditer(text):
            line += text.count("\n", at, m.start() + 1)
            at = m.start() + 1
            if _NOTABLE.match(lines[line]):
                found.append(line)
        return found


def site_fences(lines: list[str], candidates: list[int] | None = None) -> tuple[list[_Fence], list[int]]:
    """The fenced code blocks of `fenced_code`, paired as its search pairs them, and the openers
    it rejected for their `{attrs}`. Closers are looked up, never scanned for: linear-log."""
    at = candidates if candidates is not None else range(len(lines))
    col0 = [i for i in at if lines[i][:3] in ("```", "~~~")]
    closers: dict[str, list[int]] = {}
    for i in col0:
        m = _CLOSE.match(lines[i])
        if m:
            closers.setdefault(m.group(1), []).append(i)
    fences: list[_Fence] = []
    rejected: list[int] = []
    after = -1  # fences never overlap: the search resumes after a block's closer
    for i in col0:
        if i <= after:
            continue
        m = _OPEN.match(lines[i])
        if not m:
            continue
        later = closers.get(m.group(1), [])
        k = bisect.bisect_right(later, i)
        if k == len(later):
            continue  # no closer: not a fence here; the search moves on to the next line
        if m.group(2) is not None and not _attrs_complete(m.group(2)):
            rejected.append(i)
            continue
        fences.append(_Fence(i, later[k]))
        after = later[k]
    return fences, rejected


def _attrs_complete(attrs: str) -> bool:
    from markdown.extensions.attr_list import get_attrs_and_remainder

    return not get_attrs_and_remainder(attrs)[1]


def _baselevel(dialect: Dialect) -> int:
    try:
        return max(1, int(dialect.configs.get("toc", {}).get("baselevel", 1)))
    except (TypeError, ValueError, AttributeError):
        return 1


class _NeedsReference(Exception):
    """The line scan met a construct whose meaning depends on the renderer's block context."""


def scan(body: str, first_line: int, dialect: Dialect = DEFAULT_DIALECT) -> Blocks:
    """The headings and code lines of `body` (whose first line is file line `first_line`)."""
    text = _Text(body)
    notable = text.notable()
    fences, rejected_list = site_fences(text.lines, notable)
    rejected = set(rejected_list)
    too_complex = complexity.check(text.lines, _fence_lines(fences))
    try:
        if any(t.block_level for t in too_complex):
            # The renderer's block parser would take minutes or overflow its stack on this body:
            # its headings are read from column-0 `#` lines alone, and FT509 says why.
            headings, code, comments = _atx_only(text.lines, fences, dialect), _fence_lines(fences), set()
            by_reference = False
        elif not dialect.line_scan_knows_it or ("--8<--" in body and "pymdownx.snippets" in dialect.extensions):
            raise _NeedsReference
        else:
            headings, code, comments = _line_scan(text.lines, notable, fences, dialect)
            by_reference = False
    except _NeedsReference:
        headings, code, comments = _reference_scan(body, text.lines, notable, fences, dialect)
        by_reference = True
    hidden = _hidden(text.lines, notable, headings, code, comments, fences, rejected, first_line)
    shift = _baselevel(dialect) - 1  # toc's baselevel renumbers headings after the block parser
    return Blocks(
        tuple(Heading(h.title, min(6, h.level + shift), h.line + first_line, h.form) for h in headings),
        frozenset(i + first_line for i in code),
        frozenset(i + first_line for i in comments),
        tuple(hidden),
        by_reference,
        () if dialect.superfences else tuple((i + first_line, why) for i, why in _false_fences(text.lines, notable, code, fences, rejected)),
        tuple((t.index + first_line, t.message) for t in too_complex),
    )


def page_too_complex(text: str) -> tuple[tuple[int, str], ...]:
    """(file line, why) past a limit of complexity.py in a Markdown page that is not a
    postmortem: the whole file is counted, front-matter included (MkDocs renders a block it
    cannot read as YAML), so nothing the renderer may read goes unchecked."""
    page = _Text(text)
    fences, _ = site_fences(page.lines, page.notable())
    return tuple((t.index + 1, t.message) for t in complexity.check(page.lines, _fence_lines(fences)))


def _atx_only(lines: list[str], fences: list[_Fence], dialect: Dialect) -> list[Heading]:
    fenced = _fence_lines(fences)
    headings = []
    for i, line in enumerate(lines):
        if line[:1] == "#" and i not in fenced and (m := _atx(line)):
            level = len(m[0])
            form = "atx" if line[level : level + 1] in (" ", "") else "atx-no-space"
            headings.append(Heading(_title(m[1], dialect), level, i, form))
    return headings


def _fenced(lines: list[str], notable: list[int], fences: list[_Fence], dialect: Dialect) -> set[int]:
    if dialect.superfences:
        # superfences pairs fences its own way; the scan trusts only fences both read alike:
        # column 0, a plain language, the same closer, no other fence-like line anywhere.
        ends = {f.start for f in fences} | {f.end for f in fences}
        if any(not _PLAIN_OPENER.fullmatch(lines[f.start]) for f in fences):
            raise _NeedsReference
        if any(i not in ends and _FENCE_LIKE.match(lines[i]) for i in notable):
            raise _NeedsReference
        # It sets a fence apart from its neighbours only by the blank lines the author wrote.
        n = len(lines)
        if any((f.start > 0 and lines[f.start - 1]) or (f.end + 1 < n and lines[f.end + 1]) for f in fences):
            raise _NeedsReference
    if any("hl_lines=" in lines[i] for i in notable if lines[i][:3] in ("```", "~~~")):
        raise _NeedsReference  # its quoted value may run over several lines
    return _fence_lines(fences)


def _fence_lines(fences: list[_Fence]) -> set[int]:
    return {k for f in fences for k in range(f.start, f.end + 1)}


def _block_start(lines: list[str], i: int, boundaries: set[int]) -> int:
    """The first line of the block holding line i: after the last blank line, fenced block or
    heading (the renderer hands what follows a heading back as a block of its own)."""
    while i > 0 and lines[i - 1] and i - 1 not in boundaries and lines[i - 1][:1] != "#":
        i -= 1
    return i


def _line_scan(
    lines: list[str], notable: list[int], fences: list[_Fence], dialect: Dialect
) -> tuple[list[Heading], set[int], set[int]]:
    code = _fenced(lines, notable, fences, dialect)
    boundaries = {f.end for f in fences}  # a fenced block stands apart, as a block of its own
    skipped = set(code)
    comments: set[int] = set()
    headings: list[Heading] = []
    n = len(lines)
    for i in notable:
        if i in skipped:
            continue
        line = lines[i]
        c = line[:1]
        if c == "#":
            start = _block_start(lines, i, boundaries)
            first = lines[start]
            if start < i and (first.startswith("    ") or "|" in first or _has_admonition(lines, start, i, dialect)):
                raise _NeedsReference  # a block the renderer claims before it looks for headings
            if "|" in line and i + 1 < n and lines[i + 1]:
                raise _NeedsReference  # maybe a table's header row
            m = _atx(line)
            if m is None:  # a lone backslash at the end
                raise _NeedsReference
            level = len(m[0])
            form = "atx" if line[level : level + 1] in (" ", "") else "atx-no-space"
            headings.append(Heading(_title(m[1], dialect), level, i, form))
        elif c == "<" or line.lstrip(" ")[:1] == "<":
            if not line.startswith("<!--") or (i > 0 and lines[i - 1] and i - 1 not in boundaries):
                raise _NeedsReference
            end = _comment_end(lines, i, code)
            comments.update(range(i, end + 1))
            skipped.update(range(i, end + 1))
        elif i > 0 and lines[i - 1] and _SETEXT.match(line):
            raise _NeedsReference  # a setext underline, or an hr the renderer may read as one
        elif _HEADING_LIKE.match(line):
            raise _NeedsReference  # indented, quoted or in a list item: context decides
        elif dialect.definition_lists and line.lstrip(" ")[:2] == ": ":
            raise _NeedsReference  # a definition, whose text is parsed as blocks of their own
    return headings, code | _indented_code(lines, notable, skipped), comments


def _has_admonition(lines: list[str], start: int, end: int, dialect: Dialect) -> bool:
    return dialect.admonitions and any(lines[k].lstrip(" ")[:3] in ("!!!", "???") for k in range(start, end))


def _comment_end(lines: list[str], i: int, code: set[int]) -> int:
    """The last line of an HTML comment opening line i, when it stands as a raw block of its own:
    it closes at the end of a line and a blank line follows (else the next line joins the raw block).
    A comment that runs into fenced code, or that `--!>` may close, is left to the renderer."""
    k = i
    first = lines[i][4:]
    while True:
        if k in code:
            raise _NeedsReference  # fences are taken out before HTML is read: a `-->` in one closes nothing
        part = first if k == i else lines[k]
        if "--!>" in part:
            raise _NeedsReference
        close = part.find("-->")
        if close >= 0:
            if part[close + 3 :].strip(" ") or (k + 1 < len(lines) and lines[k + 1]):
                raise _NeedsReference
            return k
        k += 1
        if k >= len(lines):
            raise _NeedsReference


def _indented_code(lines: list[str], notable: list[int], skipped: set[int]) -> set[int]:
    """Indented code blocks: 4-space lines opening a block (after a blank line or a heading), not
    continuing a list item or an admonition."""
    code: set[int] = set()
    for i in notable:
        line = lines[i]
        if i in skipped or i in code or not line.startswith("    "):
            continue
        if i > 0 and lines[i - 1] and not (lines[i - 1][:1] == "#" and i - 1 not in skipped):
            continue
        # The previous block: a list, an admonition or their indented continuation keeps this inside.
        p = i - 1
        while p >= 0 and not lines[p]:
            p -= 1
        if p >= 0 and p not in skipped and p != i - 1:
            start = _block_start(lines, p, set())
            first = lines[start]
            if _LIST_ITEM.match(first) or first.startswith("    ") or first.lstrip(" ")[:3] in ("!!!", "???"):
                continue
        k = i
        while k < len(lines) and (lines[k].startswith("    ") or not lines[k]) and k not in skipped:
            if lines[k]:
                code.add(k)
            k += 1
    return code


# The reference: Python-Markdown's preprocessors and block parser (no inline pass) with the
# site's extensions. One instance per dialect, reset between documents; a lock because a
# Markdown instance is not safe to share between threads.
_renderers: dict[tuple[str, ...], Any] = {}
_renderer_lock = threading.Lock()
_STASHED = re.compile("\x02wzxhzdk:(\\d+)\x03")


def _renderer(dialect: Dialect) -> Any:
    import markdown

    md = _renderers.get(dialect.extensions)
    if md is None:
        usable = []
        for name in dialect.extensions:
            try:
                markdown.Markdown(extensions=[name], extension_configs={name: dialect.configs.get(name, {})})
            except Exception:  # noqa: BLE001 - an extension the site names but this machine lacks
                continue  # the build reports it; lint reads the body with what it has
            usable.append(name)
        md = markdown.Markdown(extensions=usable, extension_configs={n: dialect.configs.get(n, {}) for n in usable})
        _renderers[dialect.extensions] = md
    return md


def reference_headings(body: str, dialect: Dialect = DEFAULT_DIALECT) -> list[tuple[int, str]]:
    """(level, source text) of every heading Python-Markdown's block parser makes of `body`."""
    with _renderer_lock:
        md = _renderer(dialect)
        md.reset()
        lines = body.split("\n")
        for prep in md.preprocessors:
            lines = prep.run(lines)
        root = md.parser.parseDocument(lines).getroot()
        if "footnote" in md.treeprocessors:  # footnote texts are parsed into a list at the page's end
            root = md.treeprocessors["footnote"].run(root) or root
        found = []
        for el in root.iter():
            level = HEADING_TAGS.get(el.tag) if isinstance(el.tag, str) else None
            if level:
                # Raw HTML the preprocessors set aside stays a placeholder until the page is written.
                # Inline HTML is still source text here; what the preprocessors set aside is a placeholder.
                raw = _INLINE_HTML.sub("", el.text or "")
                found.append((level, _unstash(raw, md.htmlStash.rawHtmlBlocks).strip()))
        md.reset()
    return found


def _unstash(text: str, stash: list[Any]) -> str:
    def text_of(m: re.Match[str]) -> str:
        n = int(m.group(1))
        raw = stash[n] if n < len(stash) else ""
        import html  # the renderer's path only

        return html.unescape(re.sub(r"<[^>]*>", "", raw if isinstance(raw, str) else ""))

    return _STASHED.sub(text_of, text)


def _reference_scan(
    body: str, lines: list[str], notable: list[int], fences: list[_Fence], dialect: Dialect
) -> tuple[list[Heading], set[int], set[int]]:
    # Code lines for the timeline and wording rules: fenced_code's pairing (superfences' own
    # differs only for the unusual fences that sent the body here) and indented blocks.
    code = _fence_lines(fences)
    comments = _comment_lines(lines, notable, code)
    code |= _indented_code(lines, notable, code | comments)
    headings = []
    cursor = 0
    for level, text in reference_headings(body, dialect):
        at, form = _source_line(lines, text, cursor, code | comments)
        headings.append(Heading(_title(text, dialect, inline_html=False), level, at, form))
        cursor = at + 1
    return headings, code, comments


def _comment_lines(lines: list[str], notable: list[int], code: set[int]) -> set[int]:
    """Lines of HTML comments opening at the start of a line (a close reading, for messages)."""
    found: set[int] = set()
    for i in notable:
        if i in code or i in found or not lines[i].lstrip(" ").startswith("<!--"):
            continue
        k = i
        while k < len(lines) and "-->" not in (lines[k][lines[k].find("<!--") + 4 :] if k == i else lines[k]):
            k += 1
        found.update(range(i, min(k, len(lines) - 1) + 1))
    return found


def _strip_containers(line: str) -> str:
    """The line without its indentation, quote markers and list markers."""
    while True:
        stripped = line.lstrip(" \u00a0>")
        m = re.match(r"(?:[*+-]|\d+[.)])[ ]+", stripped)
        if m:
            stripped = stripped[m.end() :]
        if stripped == line:
            return line
        line = stripped


def _source_line(lines: list[str], text: str, cursor: int, code: set[int]) -> tuple[int, str]:
    """Where the renderer's heading with this text stands: the next line from `cursor` that makes
    it, outside code as the line scan reads code, else anywhere (superfences pairs its own way)."""
    found = _line_making(lines, text, cursor, code) or _line_making(lines, text, cursor, set())
    return found or (min(cursor, max(len(lines) - 1, 0)), "nested")


def _line_making(lines: list[str], text: str, cursor: int, code: set[int]) -> tuple[int, str] | None:
    want = text.strip()
    for i in range(cursor, len(lines)):
        if i in code:
            continue
        line = lines[i]
        inner = _strip_containers(line)
        if inner.startswith("#"):
            m = _atx(inner)
            if m and _INLINE_HTML.sub("", m[1]).strip() == want:
                if inner != line:
                    return i, "nested"
                return i, "atx" if line[len(m[0]) : len(m[0]) + 1] in (" ", "") else "atx-no-space"
        elif _INLINE_HTML.sub("", inner).strip() == want and i + 1 < len(lines) and _SETEXT.match(_strip_containers(lines[i + 1]) or "x"):
            return i, "setext" if inner == line else "nested"
    return None


def _hidden(
    lines: list[str],
    notable: list[int],
    headings: list[Heading],
    code: set[int],
    comments: set[int],
    fences: list[_Fence],
    rejected: set[int],
    first_line: int,
) -> list[HiddenHeading]:
    """Heading-looking lines the site does not render as headings, each with its cause.

    A line inside code the author evidently meant (a fence CommonMark would pair, an indented
    block) or inside an HTML comment is no heading to anyone, and is not reported.
    """
    rendered = {h.line for h in headings}
    candidates = [i for i in notable if i not in rendered and i not in comments and _heading_like(lines[i])]
    if not candidates:
        return []
    intended = _intended_code(lines)
    fenced = _fence_lines(fences)
    causes = _Causes(lines, fences)
    hidden = []
    for i in candidates:
        if i in intended or (i in code and i not in fenced):
            continue
        level, title = _heading_like(lines[i]) or (2, "")
        cause, reason = _why_hidden(lines, i, fenced, fences, rejected, first_line, causes)
        hidden.append(HiddenHeading(title, level, i + first_line, cause + first_line, reason))
    return hidden


def _heading_like(line: str) -> tuple[int, str] | None:
    """(level, title) of a line a reader takes for a heading: `## Title` anywhere it is indented
    or nested, or `##Title` at the start of the line."""
    m = _HEADING_LIKE.match(line)
    if m is not None:
        return len(m.group(2)), line[m.end() :].strip().rstrip("#").strip()
    m = _NO_SPACE_HEADING.match(line)
    if m is not None:
        return len(m.group(1)), m.group(2).strip().rstrip("#").strip()
    return None


_NO_SPACE_HEADING = re.compile(r"(#{1,6})([^#\s].*)")


def _false_fences(
    lines: list[str], notable: list[int], code: set[int], fences: list[_Fence], rejected: set[int]
) -> list[tuple[int, str]]:
    """Fence openers as an author reads them (CommonMark) that fenced_code does not take, outside
    the site's code: the sample after such a line shows as a paragraph of text."""
    ends = {f.start for f in fences} | {f.end for f in fences}
    suspects = [
        i for i in notable
        if i not in ends and i not in code and _FENCE_LIKE.match(lines[i]) and len(lines[i]) - len(lines[i].lstrip(" ")) < 4
    ]  # fmt: skip
    if not suspects:
        return []
    intended = _intended_code(lines)
    return [
        (i, _why_not_fence(lines[i], i in rejected))
        for i in suspects
        if i in intended and (i == 0 or i - 1 not in intended) and lines[i].lstrip(" \u00a0")[:3] in ("```", "~~~")
    ]


def _intended_code(lines: list[str]) -> set[int]:
    """Code as an author reads it (CommonMark's pairing: any info string, up to 3 spaces of
    indentation, a closer of the same character at least as long)."""
    code: set[int] = set()
    fence = ""
    start = 0
    for i, line in enumerate(lines):
        lead = len(line) - len(line.lstrip(" "))
        if lead > 3:
            if fence:
                code.add(i)
            continue
        rest = line[lead:]
        if fence:
            code.add(i)
            if rest.startswith(fence) and not rest.strip(fence[0] + " "):
                fence = ""
            continue
        m = re.match(r"(`{3,}|~{3,})", rest)
        if m and not (m.group(1)[0] == "`" and "`" in rest[m.end() :]):
            fence, start = m.group(1), i
            code.add(i)
    if fence:  # never closed: CommonMark runs it to the end, but an author meant no such thing
        code -= set(range(start, len(lines)))
    return code


class _Causes:
    """Where each hidden heading's block starts and which line mis-paired its fence, found once
    for all of them: asked in line order, each walks back only to where the last one stopped.
    (Walking back from every heading was quadratic in a block of thousands of them.)"""

    def __init__(self, lines: list[str], fences: list[_Fence]) -> None:
        self.lines = lines
        self.fences = fences
        self._last = (-1, 0)  # (line, its block's first line)
        self._culprits: list[int | None] = []  # per fence, in order: the culprit before it

    def block_start(self, i: int) -> int:
        last, last_start = self._last
        start = i
        while start > 0 and self.lines[start - 1] and start - 1 > last:
            start -= 1
        if start > 0 and start - 1 == last and self.lines[last]:
            start = last_start  # the same block as the line asked before
        self._last = (i, start)
        return start

    def culprit(self, at: int) -> int | None:
        """The nearest fence-like line outside fences before fence number `at`."""
        while len(self._culprits) <= at:
            k = len(self._culprits)
            low = self.fences[k - 1].end if k else -1
            here = next((x for x in range(self.fences[k].start - 1, low, -1) if _FENCE_LIKE.match(self.lines[x])), None)
            self._culprits.append(here if here is not None else (self._culprits[k - 1] if k else None))
        return self._culprits[at]


def _why_hidden(
    lines: list[str], i: int, code: set[int], fences: list[_Fence], rejected: set[int], first_line: int, causes: _Causes
) -> tuple[int, str]:
    """(the index of the line where the fix belongs, why, naming file lines)."""
    n = first_line  # index + n: the file line
    line = lines[i]
    if i in code:
        at = _fence_index(fences, i)
        fence = fences[at] if at >= 0 and fences[at].start <= i <= fences[at].end else None
        if fence is None:
            return i, "the site shows it as indented code (4 or more spaces after a blank line); remove the indentation"
        pairing = f"the fence at line {fence.start + n} pairs with the one at line {fence.end + n} and lines {fence.start + 1 + n}-{fence.end - 1 + n} are code on the site"
        # What made it so: the nearest earlier fence-like line the site does not take as a fence.
        culprit = causes.culprit(at)
        if culprit is not None:
            why = _why_not_fence(lines[culprit], culprit in rejected)
            return culprit, f"this fence opener is not a fence on the site ({why}), so {pairing}"
        return fence.start, f"{pairing}; close the code block before the heading at line {i + n}"
    lead = len(line) - len(line.lstrip(" "))
    if line.lstrip(" ")[:1] == "\u00a0":
        return i, "it starts with a no-break space, so the site renders it as text; start the line with '#'"
    if line.lstrip(" ")[:1] != "#":
        return i, "it is inside a list item or quote, where the site does not make it a heading; start the line with '#' after a blank line"
    if 0 < lead < 4:
        return i, f"it starts with {lead} space{'s' if lead > 1 else ''}, so the site renders it as text; start the line with '#'"
    if lead >= 4:
        return i, "it is indented 4 or more spaces, so the site shows it as code or as part of the block above; start the line with '#'"
    start = causes.block_start(i)
    if start < i and "|" in lines[start]:
        return i, f"it follows the table at line {start + n} without a blank line, so the site makes it a table row; put a blank line before it"
    if start < i and lines[start].lstrip(" ").startswith("<"):
        return i, f"it is inside the HTML block that starts at line {start + n}; put a blank line before it"
    return i, "the site does not render it as a heading here; put a blank line before it and start the line with '#'"


def _fence_index(fences: list[_Fence], i: int) -> int:
    lo, hi = 0, len(fences)
    while lo < hi:  # fences are in order and never overlap
        mid = (lo + hi) // 2
        if fences[mid].start <= i:
            lo = mid + 1
        else:
            hi = mid
    return lo - 1


def _why_not_fence(line: str, attrs_rejected: bool) -> str:
    stripped = line.lstrip(" \t\u00a0")
    if line[:1] in "\t" or line.startswith("    "):
        return "it is indented 4 or more columns"
    if stripped != line:
        if "\u00a0" in line[: len(line) - len(stripped)]:
            return "it starts with a no-break space"
        return "fenced_code takes a fence only at the start of the line"
    if attrs_rejected:
        return "its {attributes} are not well-formed"
    info = stripped.lstrip("`~").strip()
    return f"fenced_code does not accept the info string {info!r}; write a plain language, or {{.lang key=\"value\"}}"
