"""Limits on Markdown constructs that make the site's renderer slow or make it crash.

Python-Markdown's time is not linear in every input: its block parser re-reads the rest of a
block after each heading, underline or admonition line in it; its inline pass scans from every
unmatched backtick run, `[` or `<` to the end of the paragraph, and nests one call per level of
emphasis; and it nests one call per level of list, quote or admonition, so deep nesting ends in
a RecursionError. So does `md_in_html`, one call per element with a `markdown` attribute inside
another. Its table of contents and mkdocs-material's search index take time that grows with the
square of the number of headings on a page. Lint measures each of those in one pass over the body and reports the first
place past a limit (FT509), so an invalid file stops the build before the renderer sees it and
lint itself never hands such a body to the renderer's block parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Generous for real writing; far below where the renderer takes seconds or overflows its stack.
NESTING_LIMIT = 20  # lists, quotes and admonitions inside each other
BACKTICK_RUN_LIMIT = 32  # backticks in a row outside code (a code span needs a few)
EMPHASIS_LIMIT = 200  # `*` and `_` that may open or close emphasis, in one paragraph
INLINE_WORK_LIMIT = 1_000_000  # one paragraph: (backtick runs + `[` + `<`) x its characters
INLINE_AVERAGE_LIMIT = 50  # the body: that work summed over paragraphs, per character of text
BLOCK_WORK_LIMIT = 5_000_000  # the body: for each heading-like line in a block, the block's text after it
HTML_WORK_LIMIT = 5_000_000  # the body: for each `<tag` or `<![CDATA[`, the text up to its end
HEADING_LIMIT = 1_000  # headings on one page (a long postmortem has a few dozen)


@dataclass(frozen=True, slots=True)
class TooComplex:
    index: int  # the line's index in the body
    message: str
    block_level: bool  # the renderer's block parser would be slow or crash on it, too


def _is_list_marker(line: str, at: int) -> int:
    """The length of a list marker (`-`, `*`, `+`, `1.`, `1)`) and its space at `at`, else 0."""
    n = len(line)
    if at < n and line[at] in "*+-":
        end = at + 1
    else:
        end = at
        while end < n and end - at < 10 and line[end].isdigit():
            end += 1
        if end == at or end >= n or line[end] not in ".)":
            return 0
        end += 1
    return end + 1 - at if end < n and line[end] == " " else 0


def nesting(line: str) -> int:
    """How many containers a line opens or continues, at most: its indentation in steps of 4 plus
    each quote, list or admonition marker in a row at its start. 0 for a line with no marker."""
    at = len(line) - len(line.lstrip(" "))
    indent = at // 4
    markers = 0
    n = len(line)
    while at < n:
        c = line[at]
        if c == " ":
            at += 1
        elif c == ">":
            markers += 1
            at += 1
        elif line.startswith(("!!!", "???"), at):
            markers += 1
            break
        elif size := _is_list_marker(line, at):
            markers += 1
            at += size
        else:
            break
    return indent + markers if markers else 0


def _is_table_separator(line: str) -> bool:
    return "-" in line and not line.strip(" |:-")


def _emphasis_markers(text: str) -> int:
    """`*` anywhere and `_` not inside a word (smart emphasis ignores `snake_case`)."""
    count = text.count("*")
    at = text.find("_")
    while at >= 0:
        if not (0 < at < len(text) - 1 and text[at - 1].isalnum() and text[at + 1].isalnum()):
            count += 1
        at = text.find("_", at + 1)
    return count


def _backtick_runs(text: str) -> tuple[int, int]:
    """(how many runs of backticks, the longest)."""
    runs = longest = 0
    at = text.find("`")
    while at >= 0:
        end = at
        while end < len(text) and text[end] == "`":
            end += 1
        runs += 1
        longest = max(longest, end - at)
        at = text.find("`", end)
    return runs, longest


def _paragraphs(lines: list[str], start: int, end: int) -> list[tuple[int, int]]:
    """The spans of lines the inline pass reads as one text: a table's rows one by one, else the
    block cut at each list item."""
    if end - start > 1 and _is_table_separator(lines[start + 1]):
        return [(i, i + 1) for i in range(start, end)]
    spans = []
    first = start
    for i in range(start + 1, end):
        if _is_list_marker(lines[i], len(lines[i]) - len(lines[i].lstrip(" >"))):
            spans.append((first, i))
            first = i
    spans.append((first, end))
    return spans


def _inline(lines: list[str], start: int, end: int, total: list[int]) -> TooComplex | None:
    """FT509 for one paragraph, if it is past a limit; `total` sums (work, characters) of all."""
    text = "\n".join(lines[start:end])
    runs, longest = _backtick_runs(text)
    if longest > BACKTICK_RUN_LIMIT:
        at = next(i for i in range(start, end) if "`" * longest in lines[i])
        return TooComplex(at, f"a run of {longest:,} backticks (at most {BACKTICK_RUN_LIMIT} outside code); Python-Markdown's code-span pattern (3.7 and earlier releases) takes time that grows with the cube of its length; shorten it or put it in a code block", False)
    emphasis = _emphasis_markers(text)
    if emphasis > EMPHASIS_LIMIT:
        return TooComplex(start, f"this paragraph holds {emphasis:,} '*' and '_' that may open emphasis (at most {EMPHASIS_LIMIT}); the site's Markdown renderer nests a call for each and can run out of stack; put the text in a code block or split the paragraph", False)
    work = (runs + text.count("[") + text.count("<")) * len(text)
    total[0] += work
    total[1] += len(text)
    if work > INLINE_WORK_LIMIT:
        openers = runs + text.count("[") + text.count("<")
        return TooComplex(start, f"this paragraph of {len(text):,} characters holds {openers:,} backtick runs, '[' and '<'; the site's Markdown renderer takes time that grows with their product ({work:,}, at most {INLINE_WORK_LIMIT:,}); split the paragraph with blank lines or put the text in a code block", False)
    return None


def html_work(text: str) -> tuple[int, int]:
    """(work, offset of the costliest opener): the text the HTML parser Python-Markdown uses reads
    from each `<tag` (to the next `>`) and `<![CDATA[` (to the next `]]>`), to the end if there is
    none. It reads again from each opener that does not close, so unclosed ones add up."""
    work = worst = worst_at = 0
    gt = cdata = -2  # the next `>` / `]]>` at or after the current opener (-1: none)
    size = len(text)
    at = text.find("<")
    while at >= 0:
        nxt = text[at + 1 : at + 2]
        if text.startswith("<![CDATA[", at):
            if cdata != -1 and cdata < at:
                cdata = text.find("]]>", at)
            cost = (cdata if cdata >= 0 else size) - at
        elif nxt.isascii() and nxt.isalpha():
            if gt != -1 and gt < at:
                gt = text.find(">", at)
            cost = (gt if gt >= 0 else size) - at
        else:
            cost = 0
        work += cost
        if cost > worst:
            worst, worst_at = cost, at
        at = text.find("<", at + 1)
    return work, worst_at


# A line nested past the limit starts with more than NESTING_LIMIT characters that can only be
# indentation or markers; lines that split a block (the block parser re-reads the rest after each).
# Both open with the newline before the line, a literal the engine skips to at memchr speed;
# they are searched in the text with a newline put in front, so a match's start is its line's.
_DEEP_PREFIX = re.compile("\n[ >*+\\-.)!?0-9]{%d}" % (NESTING_LIMIT + 1))
_SPLIT_LINE = re.compile(r"\n[ >]*(?:#|!!!|\?\?\?|: |(?:=+|-+|\*+|_+)[ ]*(?=\n|$))")


# `<tag ...>` and `</tag>`: `[^<>]*` stops at the next `<`, so an opener that never closes is
# read to the next `<` only, and every character is read a bounded number of times.
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)([^<>]*)>")
_MARKDOWN_ATTR = re.compile(r"(?:^|\s)markdown(?:\s|=|/|$)", re.I)  # HTML's names know no case
# A heading line: `#` after quote and list markers (an ATX heading, in a container or not),
# or a setext underline under a line of text. Both start at a newline, as in _DEEP_PREFIX.
_HEADING_LINE = re.compile(r"\n[ >*+\-.)0-9]*#|(?<=[^\n])\n(?:=+|-+)[ ]*(?=\n|$)")


def markdown_html_depth(text: str) -> tuple[int, int]:
    """(deepest, offset of its opener): how many elements with a `markdown` attribute are open
    inside each other at once, counted up to one past NESTING_LIMIT. Only those make `md_in_html` nest a call; other raw HTML is
    stored as it is, however deep. A closer ends the innermost open element of its name."""
    if "markdown" not in text.lower():
        return 0, 0  # the common case, at C speed
    stack: list[str] = []
    deepest = deepest_at = 0
    for m in _TAG.finditer(text):
        name = m.group(2).lower()
        if m.group(1):
            if name in stack:
                while stack.pop() != name:
                    pass
        elif _MARKDOWN_ATTR.search(m.group(3)) and not m.group(3).rstrip().endswith("/"):
            stack.append(name)
            if len(stack) > deepest:
                deepest, deepest_at = len(stack), m.start()
                if deepest > NESTING_LIMIT:
                    break  # the first past the limit is the finding; a short stack keeps `in` cheap
    return deepest, deepest_at


def heading_lines(text: str) -> tuple[int, int]:
    """(how many heading lines, offset of the newline before the one past HEADING_LIMIT, or -1).
    An over-count on purpose (a `#` line of an indented code block counts): cheap and safe."""
    count, past = 0, -1
    for m in _HEADING_LINE.finditer("\n" + text):
        count += 1
        if count == HEADING_LIMIT + 1:
            past = m.start()
    return count, past


def check(lines: list[str], code: set[int] | frozenset[int]) -> list[TooComplex]:
    """The first place past each limit in the body's normalized lines (`code`: their indices in
    fenced code blocks, whose text the renderer sets aside before it parses the rest)."""
    found: list[TooComplex] = []
    # Code lines emptied: they end a block, as the stashed code block does for the renderer.
    kept = list(lines)
    for i in code:
        if i < len(kept):
            kept[i] = ""
    text = "\n".join(kept)
    i = counted = 0  # the line index at offset `counted`, advanced match by match
    for m in _DEEP_PREFIX.finditer("\n" + text):
        i += text.count("\n", counted, m.start())
        counted = m.start()
        if (depth := nesting(lines[i])) > NESTING_LIMIT:
            found.append(TooComplex(i, f"lists, quotes or admonitions nested {depth:,} levels deep (at most {NESTING_LIMIT}); the site's Markdown renderer nests a call for each level and runs out of stack; flatten the list", True))
            break
    depth, offset = markdown_html_depth(text)
    if depth > NESTING_LIMIT:
        found.append(TooComplex(text.count("\n", 0, offset), f"HTML elements with a 'markdown' attribute nested {depth:,} deep (at most {NESTING_LIMIT}); md_in_html nests a call for each and the site's Markdown renderer runs out of stack; close them or drop the inner 'markdown' attributes", True))
    # Every heading line holds a '#' or starts with '=' or '-' (setext): when the text has no more
    # of those than the limit, neither has it more headings, and the line-by-line count is skipped.
    bound = text.count("#") + text.count("\n=") + text.count("\n-") + (text[:1] in ("=", "-"))
    count, past = heading_lines(text) if bound > HEADING_LIMIT else (0, -1)
    if count > HEADING_LIMIT:
        found.append(TooComplex(text.count("\n", 0, past), f"the page holds {count:,} headings (at most {HEADING_LIMIT:,}; this line is the first past the limit); the site's table of contents and search index take time that grows with the square of their number; split the page or write the lines as text", True))
    work, offset = html_work(text)
    if work > HTML_WORK_LIMIT:
        found.append(TooComplex(text.count("\n", 0, offset), f"the body holds '<' tags or '<![CDATA[' that do not close (no '>' or ']]>' after them); the HTML parser of the site's Markdown renderer reads the rest of the text again from each (work {work:,}, at most {HTML_WORK_LIMIT:,}); this line's reads the most: close it, write '&lt;' or put the text in a code block", True))
    block = _block_work(text)
    if block is not None:
        found.append(block)
    inline = _inline_limits(text, lines, code)
    if inline is not None:
        found.append(inline)
    return sorted(found, key=lambda t: t.index)


def _block_work(text: str) -> TooComplex | None:
    """Each split line re-reads what follows it in its block (up to a blank line): their sum."""
    total = 0
    worst = (0, 0, 0, 0)  # (work, first split's offset, block characters, split lines)
    block_end = -1
    block_work = block_splits = block_first = 0
    for m in _SPLIT_LINE.finditer("\n" + text):
        at = m.start()
        if at > block_end:
            if block_work > worst[0]:
                worst = (block_work, block_first, block_end - block_first, block_splits)
            block_end = text.find("\n\n", at)
            block_end = len(text) if block_end < 0 else block_end
            block_work = block_splits = 0
            block_first = at
        block_work += block_end - at
        block_splits += 1
        total += block_end - at
    if block_work > worst[0]:
        worst = (block_work, block_first, block_end - block_first, block_splits)
    if total <= BLOCK_WORK_LIMIT:
        return None
    _, at, chars, splits = worst
    first = text.rfind("\n\n", 0, at)
    at = 0 if first < 0 else first + 2  # the block's first line, which the message names
    chars = worst[1] + chars - at
    return TooComplex(text.count("\n", 0, at), f"the body's blocks hold headings, underlines or admonition lines with no blank line between them, this one {splits:,} in {chars:,} characters; the site's Markdown renderer re-reads the rest of a block after each (work {total:,}, at most {BLOCK_WORK_LIMIT:,}); put blank lines between them", True)


def _inline_limits(text: str, lines: list[str], code: set[int] | frozenset[int]) -> TooComplex | None:
    openers = text.count("`") + text.count("[") + text.count("<")
    longest_block = max((len(b) for b in text.split("\n\n")), default=0) if openers else 0
    if ("`" * (BACKTICK_RUN_LIMIT + 1)) not in text and text.count("*") + text.count("_") <= EMPHASIS_LIMIT \
            and openers * longest_block <= INLINE_WORK_LIMIT:
        return None  # no paragraph can be past a limit: the common case, at C speed
    inline: TooComplex | None = None
    totals = [0, 0]  # inline work, characters
    densest: tuple[int, int] = (0, 0)  # (work, first line) of the paragraph with most inline work
    n = len(lines)
    i = 0
    while i < n:
        if not lines[i] or i in code:
            i += 1
            continue
        start = i
        while i < n and lines[i] and i not in code:
            i += 1
        for a, b in _paragraphs(lines, start, i):
            before = totals[0]
            problem = _inline(lines, a, b, totals)
            inline = inline or problem
            if totals[0] - before > densest[0]:
                densest = (totals[0] - before, a)
    if inline is None and totals[0] > max(INLINE_WORK_LIMIT, INLINE_AVERAGE_LIMIT * totals[1]):
        # Each paragraph is within its limit, but together they would keep the renderer busy for minutes.
        inline = TooComplex(densest[1], f"the body's paragraphs hold {totals[0] // max(totals[1], 1):,} backtick runs, '[' and '<' each, on average weighted by their length (at most {INLINE_AVERAGE_LIMIT}); the site's Markdown renderer scans from each to the end of its paragraph; this paragraph holds the most: split it or put it in a code block", False)
    return inline
