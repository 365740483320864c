"""Text made safe for one line of a log: a job summary, a build log, a terminal.

A file name or a message may hold a newline or another control character. Printed raw,
a newline breaks the code fence of a job summary and starts a new log line, where GitHub
Actions reads `::notice::...` as a workflow command; other controls move a terminal's
cursor or hide text, and bidirectional overrides make a name read differently from what
it is. `safe_line` escapes all of them, visibly and one-to-one, like a Python string literal.
"""

from __future__ import annotations

import re

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# C0, DEL and C1 controls; the line and paragraph separators; bidirectional marks,
# embeddings, overrides and isolates ("Trojan Source"); the byte-order mark.
# Every other place that blanks such characters (escape.common, the Slack timeline) uses this class.
UNSAFE_CHARS = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff"
_UNSAFE = re.compile(f"[{UNSAFE_CHARS}]")
# Actions also treats a line that starts with `::` (after blanks) as a command.
_COMMAND_START = re.compile(r"^(\s*):")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def safe_line(text: str) -> str:
    """`text` with control characters escaped (`\\n`, `\\x1b`, `\\u2028`), so it stays on one line
    and cannot start a workflow command; printable text, backslashes included, is unchanged."""
    text = _UNSAFE.sub(_escape, text)
    if text.lstrip().startswith("::"):
        text = _COMMAND_START.sub(lambda m: m.group(1) + "\\x3a", text, count=1)
    return text


def safe_lines(text: str) -> str:
    """A message of several lines, each made safe: its own line breaks kept, no other."""
    return "\n".join(safe_line(line) for line in text.split("\n"))
