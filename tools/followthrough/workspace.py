"""A repo as the shell sees it, and the one way to load it: `load_workspace`.

find mkdocs.yml -> `LoadedConfig` (`config.load`, or the site build's own config) -> the people
directory and the postmortems, linted (`files.repo`) -> the tracker state file. The plugin,
`pages`, `report` and `sync` all start here, so they see the same repo the same way; "today" is
always handed in (see `today.py`), never read here. `lint` needs only the findings: it reads the
same config (from its cache, without importing MkDocs) and lints the same files with the same
`files.repo` code, on worker processes when there are many, and never reads the state file.

The layers: `core` (pure) < `files` (disk; `files.repo` also holds `LoadedConfig`, what a repo's
settings are) < `config` (mkdocs.yml) < this module < `site`, `trackers`, `cli`. Nothing here is
imported by `config` or `files`, so no import goes round a loop.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence

from followthrough.core.errors import LintFailed
from followthrough.core.findings import Finding
from followthrough.core.lint import lint_texts
from followthrough.files.repo import LintTexts, LoadedConfig, Repo, load_repo
from followthrough.core.model import PendingCreate, Postmortem
from followthrough.files.state import TicketState, load_state

if TYPE_CHECKING:
    from followthrough.core.pages import Site
    from followthrough.core.pages.data import LinkForm

SHOWN_ERRORS = 10  # a repo with hundreds of errors: the first ones, and how many more


def invalid_postmortems(errors: Sequence[Finding], consequence: str) -> LintFailed:
    """The one message for "postmortems have errors": how many, what is not done, the first ones."""
    shown = "\n".join(f"  {f}" for f in errors[:SHOWN_ERRORS])  # a Finding prints as one safe line
    more = f"\n  ...and {len(errors) - SHOWN_ERRORS} more" if len(errors) > SHOWN_ERRORS else ""
    return LintFailed(f"{len(errors)} error(s) in postmortems or pages; {consequence} (run `followthrough lint`):\n{shown}{more}")


@dataclass(frozen=True)
class Workspace:
    repo: Repo  # the people directory, the postmortems and every finding
    states: Mapping[str, TicketState]  # the tracker state file
    pending: Mapping[str, PendingCreate] = field(default_factory=dict)  # its creates of unknown outcome

    @property
    def config(self) -> LoadedConfig:
        return self.repo.config

    @property
    def today(self) -> date:
        return self.repo.today

    def site_inputs(self, templates: str, link_form: LinkForm = "url") -> tuple[object, ...]:
        """Everything `site()`'s generated pages are made of, comparable with `==` (`templates`:
        a digest of the template folders), so a build can reuse the last build's pages when it is
        equal. Postmortems come without their bodies: only a postmortem's own page shows the
        body (`Site.postmortem_markdown`), so an edit of the body alone changes no generated page.
        Kept beside `site()` so the two name the same inputs."""
        from followthrough.config.load import site_of

        valid = self.repo.valid_postmortems()
        return (
            self.config.root,  # another repo in the same process (tests) never shares pages
            tuple(without_body(pm) for pm in valid),
            self.repo.directory,
            self.config.settings,
            dict(self.states),
            self.today,
            site_of(self.config),
            tuple(pm.path for pm in valid),  # where each page is (docs_path follows from it, without resolving)
            self.config.use_directory_urls,
            templates,
            link_form,
        )

    def site(self, link_form: LinkForm = "url") -> Site:
        """The site's pages of the valid postmortems, as of `today`, with the site's settings;
        `link_form` "source" for files another engine builds (pages.generate.Links)."""
        from followthrough.config.load import site_of
        from followthrough.core.pages import Site
        from followthrough.files.templates import loader

        valid = self.repo.valid_postmortems()
        return Site.create(
            valid,
            self.repo.directory,
            self.config.settings,
            self.states,
            self.today,
            templates=loader(self.config.root, self.config.settings.max_file_bytes),
            options=site_of(self.config),
            doc_paths={pm.id: self.repo.docs_path(pm) for pm in valid},
            use_directory_urls=self.config.use_directory_urls,
            link_form=link_form,
        )


# The fields a postmortem's body fills in (see `Workspace.site_inputs`).
_BODY_FIELDS: dict[str, object] = {
    "body": "",
    "body_line": 0,
    "sections": (),
    "hidden_headings": (),
    "code_lines": frozenset(),
    "comment_lines": frozenset(),
    "false_fences": (),
    "too_complex": (),
    "timeline": (),
}


def without_body(pm: Postmortem) -> Postmortem:
    return dataclasses.replace(pm, **_BODY_FIELDS)  # type: ignore[arg-type]


def load_workspace(
    config: LoadedConfig | Path | None,
    *,
    today: date,
    paths: Sequence[Path] | None = None,
    start: Path | None = None,
    refuse_errors: str | None = None,
    lint: LintTexts = lint_texts,
) -> Workspace:
    """Load the repo of `config` (a LoadedConfig, a config file, or None: found from `start`).

    `refuse_errors`: what is not done when a postmortem has errors (`"no pages written"`); the
    LintFailed raised then lists them. Without it, the errors are in `repo.findings`. `lint`: what
    parses and checks the texts (the site build's previews hand in one that remembers them)."""
    if not isinstance(config, LoadedConfig):
        from followthrough.config.load import load_config

        config = load_config(config, start=start)
    repo = load_repo(config, paths, today=today, lint=lint)
    if refuse_errors and repo.errors:
        raise invalid_postmortems(repo.errors, refuse_errors)
    stored = load_state(config.root, config.settings)
    return Workspace(repo, stored.items, stored.pending)
