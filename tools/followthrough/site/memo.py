"""What the plugin remembers from one build to the next in the same process (`mkdocs serve`
rebuilds after every save): each postmortem's parse and lint by its exact text, and the
generated pages by everything they are made of. Nothing here is trusted across processes.
"""

from __future__ import annotations

from typing import Any, Iterable

import jinja2
import jinja2.bccache

from followthrough.core.lint import IdRecord, LintResult, Others, across_files, lint_file
from followthrough.core.model import Postmortem
from followthrough.core.rules.context import Context


class LintMemo:
    """`lint_texts` that remembers each file's result by its path and exact text. The rules also
    read the people directory, the settings and today (the Context): a different Context
    forgets everything. The checks across files (duplicate ids, links between postmortems) run
    on every call: an edit to one file re-checks the links of every other."""

    def __init__(self) -> None:
        self.context: Context | None = None
        self.results: dict[str, tuple[str, Postmortem | None, list[Any]]] = {}
        self.hits = 0  # files answered from memory in the last call (the tests read it)

    def __call__(self, files: Iterable[tuple[str, str]], ctx: Context, *, reraise: bool = False, others: Others | None = None) -> LintResult:
        if ctx != self.context:
            self.context, self.results = ctx, {}
        seen: dict[str, tuple[str, Postmortem | None, list[Any]]] = {}
        postmortems: list[Postmortem] = []
        findings: list[Any] = []
        self.hits = 0
        for path, text in files:
            known = self.results.get(path)
            if known is not None and known[0] == text:
                self.hits += 1
                pm, found = known[1], known[2]
            else:
                pm, found = lint_file(path, text, ctx, reraise=reraise)
            seen[path] = (text, pm, found)
            findings.extend(found)
            if pm is not None:
                postmortems.append(pm)
        self.results = seen  # a deleted or renamed file is forgotten
        findings.extend(across_files([IdRecord.of(pm) for pm in postmortems], ctx.settings.rule_levels, others))
        return LintResult(tuple(postmortems), tuple(sorted(findings)))


class PagesMemo:
    """The generated pages of the last build, and what they were made of: handed back when a
    new build's inputs are equal (a postmortem's body edited, nothing else)."""

    def __init__(self) -> None:
        self.inputs: tuple[Any, ...] | None = None
        self.pages: dict[str, str] = {}
        self.hit = False

    def get(self, inputs: tuple[Any, ...]) -> dict[str, str] | None:
        self.hit = self.inputs is not None and inputs == self.inputs
        return self.pages if self.hit else None

    def put(self, inputs: tuple[Any, ...], pages: dict[str, str]) -> None:
        self.inputs, self.pages = inputs, pages


class TemplateBytecode(jinja2.BytecodeCache):
    """The theme's compiled templates, kept between rebuilds: MkDocs makes a new Jinja
    environment for every build, and compiling mkdocs-material's templates again costs more than
    rebuilding a page. Jinja keys each entry by the template's name and a checksum of its source,
    so an edited template is compiled anew."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.compiled.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()
