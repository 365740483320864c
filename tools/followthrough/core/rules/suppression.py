"""Suppression comments in a postmortem's body, and the rule settings applied to findings.

`<!-- followthrough: ignore FT503,FT502 "reason" -->` on a line of its own covers that line
and the block after it (up to a blank line); at the end of a line, that line alone. It is
applied to the findings after every rule ran, so it works for each rule without the rule
knowing. The site drops exactly the comments read here (`strip_directives`), so what lint
honoured is never shown as text on the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from followthrough.core.text import body as md
from followthrough.core.findings import Finding
from followthrough.core.model import Postmortem
from followthrough.core.fields import Collector
from followthrough.core.catalog import RULES
from followthrough.core.rules.codes import code_hint
from followthrough.core.levels import RuleLevels, apply_levels

_DIRECTIVE = re.compile(r"<!--\s*followthrough\s*:(.*?)-->")
_DIRECTIVE_OPEN = re.compile(r"<!--\s*followthrough\s*:")
_OPEN_QUOTE, _CLOSE_QUOTE = '"\u201c', '"\u201d'  # typographic quotes, as editors type them
SHAPE = "ignore CODE[,CODE...] \"reason\""
# `<!-- followthrough ignore ...` without its colon, `Followthrough:`, or a comment not closed on its line.
_NEAR_MISS = re.compile(r"<!--\s*followthrough\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Directive:
    line: int  # file line of the comment
    column: int
    end_column: int  # the column just after its `-->`
    codes: tuple[str, ...]
    first: int  # the file lines it covers
    last: int
    problem: str = ""  # why it suppresses nothing; empty when it is valid


def directives(body: str, first_line: int, code: frozenset[int] = frozenset()) -> list[Directive]:
    """The suppression comments of a body outside code, with the lines each one covers."""
    if "ollowthrough" not in body and "OLLOWTHROUGH" not in body:  # any case, at the cost of no lower()
        return []
    raw = body.split("\n")
    found: list[Directive] = []
    for line in md.lines_outside_code(body, first_line, code):
        matches = _matches(line.text)
        if not matches:
            near = _NEAR_MISS.search(line.text)
            if near is not None and line.text.count("`", 0, near.start()) % 2 == 0:
                # Meant as a suppression but not one: say so rather than leave the finding unexplained.
                found.append(
                    Directive(line.number, near.start() + 1, near.start() + 1, (), line.number, line.number,
                              f"not read as a suppression comment; write it on one line as <!-- followthrough: {SHAPE} -->")
                )  # fmt: skip
            continue
        last = line.number
        if not _without(line.text, matches).strip():  # a line of its own: the next block too
            i = line.number - first_line + 1
            while i < len(raw) and raw[i].strip():
                i += 1
            last = first_line + i - 1
        found.extend(_read(m, line.number, last) for m in matches)
    return found


def apply_rule_settings(findings: Iterable[Finding], postmortems: Sequence[Postmortem], levels: RuleLevels) -> list[Finding]:
    """Findings after `rules`/`rules_per_path` and the suppression comments: the levels first
    (a rule switched off leaves its comments idle, and they say so), then the comments, whose
    own findings follow the configured levels too."""
    kept = apply_levels(findings, levels)
    # Only files whose front-matter was read: the body rules did not run on the others.
    comments: dict[str, list[Directive]] = {}
    for pm in postmortems:
        if pm.lines and (read := directives(pm.body, pm.body_line, pm.code_lines)):
            comments[pm.path] = read
    if not comments:
        return kept
    used: set[tuple[str, int, str]] = set()  # (path, comment index, code)
    remaining = []
    for f in kept:
        here = comments.get(f.path, [])
        # The site never shows the comment, so words inside it (a reason quoting the blaming
        # phrase) are not findings at all.
        if any(d.line == f.line and d.column <= f.column < d.end_column for d in here):
            continue
        covering = [i for i, d in enumerate(here) if not d.problem and f.code in d.codes and d.first <= f.line <= d.last]
        used.update((f.path, i, f.code) for i in covering)
        if not covering:
            remaining.append(f)
    own: list[Finding] = []
    for path, here in comments.items():
        out = Collector(path)
        configured = levels.for_path(path)
        for i, d in enumerate(here):
            if d.problem:
                out.add("FT010", d.line, d.problem, d.column)
                continue
            for code in d.codes:
                if (path, i, code) in used:
                    continue
                if code in configured and configured[code] is None:
                    why = "the rule is off for this file in mkdocs.yml, so there is nothing to suppress"
                else:
                    lines = f"line {d.first}" if d.first == d.last else f"lines {d.first}-{d.last}"
                    why = f"no {code} finding on the lines this comment covers ({lines})"
                out.add("FT011", d.line, f"ignore {code}: {why}; remove {code} from the comment", d.column)
        own.extend(out.findings)
    return remaining + apply_levels(own, levels)


def strip_directives(body: str, code: frozenset[int] = frozenset()) -> str:
    """The body without its suppression comments, for the site; a comment's own line goes too.
    `code` holds the body's code lines, counted from 0."""
    return strip_directives_mapped(body, code)[0]


def strip_directives_mapped(body: str, code: frozenset[int] = frozenset()) -> tuple[str, frozenset[int]]:
    """`strip_directives`, and the code lines of what it returns (lines dropped before a code
    line move it up), so the result can be read with the same code lines as the original."""
    if "followthrough" not in body:
        return body, code
    lines = body.split("\n")
    dropped: set[int] = set()
    for line in md.lines_outside_code(body, 0, code):
        matches = _matches(line.text)
        if not matches:
            continue
        rest = _without(line.text, matches, with_space=True)
        if rest.strip():
            lines[line.number] = rest
        else:
            dropped.add(line.number)
    if not dropped:
        return "\n".join(lines), code
    kept = [i for i in range(len(lines)) if i not in dropped]
    return "\n".join(lines[i] for i in kept), frozenset(j for j, i in enumerate(kept) if i in code)


def _matches(text: str) -> list[re.Match[str]]:
    if "<!--" not in text:
        return []
    # Inside a code span the comment is text that Markdown shows, not a comment: an odd
    # number of backticks before it means it is in one.
    found = []
    last_close = text.rfind("-->")
    ticks = 0  # backticks before `pos`, counted once along the line
    counted = 0
    pos = text.find("<!--")
    # The comment is only tried where a `-->` still follows: `.*?` searched from every unclosed
    # opener to the end of the line made a line of `<!-- followthrough:` repeated quadratic.
    while 0 <= pos < last_close:
        m = _DIRECTIVE.match(text, pos) if _DIRECTIVE_OPEN.match(text, pos) else None
        if m is None:
            pos = text.find("<!--", pos + 1)
            continue
        ticks += text.count("`", counted, pos)
        counted = pos
        if ticks % 2 == 0:
            found.append(m)
        pos = text.find("<!--", m.end())
    return found


def _without(text: str, matches: list[re.Match[str]], with_space: bool = False) -> str:
    pieces = []
    pos = 0
    for m in matches:
        start = m.start()
        while with_space and start > pos and text[start - 1] in " \t":
            start -= 1  # the space that only separated the comment from the text
        pieces.append(text[pos:start])
        pos = m.end()
    pieces.append(text[pos:])
    return "".join(pieces)


def _read(m: re.Match[str], line: int, last: int) -> Directive:
    column, end = m.start() + 1, m.end() + 1
    verb, args = (m.group(1).split(None, 1) + ["", ""])[:2]
    if verb != "ignore":
        return Directive(line, column, end, (), line, last, f"expected '{SHAPE}' after 'followthrough:'")
    cut = min((i for i in (args.find(q) for q in _OPEN_QUOTE) if i >= 0), default=-1)
    if cut < 0 and ("'" in args or "\u2018" in args):
        return Directive(line, column, end, (), line, last, "put the reason in double quotes (\"...\"), not single ones")
    codes_text, quoted = (args, "") if cut < 0 else (args[:cut], args[cut:])
    codes = tuple(c for c in re.split(r"[\s,]+", codes_text) if c)
    if not codes:
        return Directive(line, column, end, (), line, last, f"name the rules to ignore, as in '{SHAPE}'")
    closing = max(quoted.rfind(q) for q in _CLOSE_QUOTE)
    reason = quoted[1:closing].strip() if closing > 0 else ""
    problems = []
    if not reason:
        listed = ",".join(codes)
        problems.append(f'ignore {listed} needs a reason in double quotes, e.g. <!-- followthrough: ignore {listed} "why this stays" -->')
    for code in codes:
        rule = RULES.get(code)
        if rule is None:
            problems.append(f"{code!r} is not a rule code{code_hint(code)}")
        elif rule.locked:
            problems.append(f"{code} cannot be suppressed: {rule.locked}")
        elif not rule.inline:
            problems.append(f"{code} is not reported in the body, where a comment could reach it; set it for this file with rules_per_path in mkdocs.yml")
    return Directive(line, column, end, codes, line, last, "; ".join(problems))
