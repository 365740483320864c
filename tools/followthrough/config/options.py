"""`PluginConfig`: the whole `followthrough` section of mkdocs.yml, typed with MkDocs' config options.

The MkDocs plugin (as its `config_class`) and every command (through `config.load`) validate the
section with this class, so a setting means the same in a site build and on the command line,
and MkDocs itself refuses a bad or misspelt setting, naming its path (see `config.strict`).
"""

from __future__ import annotations

from typing import Any, Iterable

from mkdocs.config import config_options as c

from followthrough.config.report import ReportSection
from followthrough.config.rubric import rubric_problems
from followthrough.config.site import SiteSection
from followthrough.config.strict import Number, Problem, Section, SectionList, Strict
from followthrough.config.timeline import TimelineSection
from followthrough.config.trackers import TrackersSection
from followthrough.core.model import ROLES, STATUSES
from followthrough.core.settings import DEFAULT_FACTORS, DEFAULT_MAX_FILE_BYTES, DEFAULT_PEOPLE_FILE, DEFAULT_PUBLISH_FILES, DEFAULT_ROLE_COMBINATIONS, DEFAULT_SECTIONS, DEFAULT_SEVERITIES
from followthrough.files.safefiles import MB

PLUGIN_NAME = "followthrough"


class SeverityOption(Strict):
    name = c.Type(str)
    title = c.Type(str, default="")
    triggers = c.Type(str, default="")
    response = c.Type(str, default="")
    followup_days = c.Optional(Number(int))
    required_roles = c.ListOfItems(c.Choice(ROLES), default=[])
    min_people = Number(int, default=0)
    distinct_roles = c.Type(bool, default=False)
    review_required = c.Type(bool, default=False)
    remind_before_days = Number(int, default=3)
    escalate_after_days = c.Optional(Number(int))
    escalate_to = c.Type(str, default="manager")
    non_negotiable = c.Type(bool, default=False)


class CombinationOption(Strict):
    roles = c.ListOfItems(c.Choice(ROLES))
    allowed_at = c.ListOfItems(c.Type(str), default=[])
    why = c.Type(str, default="")


def _severity_dicts() -> list[dict[str, Any]]:
    return [
        {
            "name": s.name,
            "title": s.title,
            "triggers": s.triggers,
            "response": s.response,
            "followup_days": s.followup_days,
            "required_roles": list(s.required_roles),
            "min_people": s.min_people,
            "distinct_roles": s.distinct_roles,
            "review_required": s.review_required,
            "remind_before_days": s.remind_before_days,
            "escalate_after_days": s.escalate_after_days,
            "escalate_to": s.escalate_to,
            "non_negotiable": s.non_negotiable,
        }
        for s in DEFAULT_SEVERITIES
    ]


def _combination_dicts() -> list[dict[str, Any]]:
    return [{"roles": list(x.roles), "allowed_at": list(x.allowed_at), "why": x.why} for x in DEFAULT_ROLE_COMBINATIONS]


class PluginConfig(Strict):
    enabled = c.Type(bool, default=True)
    people = c.Type(str, default=DEFAULT_PEOPLE_FILE)
    severities = SectionList(SeverityOption, default=_severity_dicts())
    role_combinations = SectionList(CombinationOption, default=_combination_dicts())
    priorities = c.ListOfItems(c.Type(str), default=["P1", "P2", "P3"])
    sections = c.DictOfItems(c.ListOfItems(c.Type(str)), default={k: list(v) for k, v in DEFAULT_SECTIONS.items()})
    blame_phrases = c.ListOfItems(c.Type(str), default=[])
    mirror_statuses = c.ListOfItems(c.Choice(STATUSES), default=["in-review", "published"])
    state_file = c.Type(str, default=".followthrough/state.json")
    max_file_mb = c.Type((int, float), default=DEFAULT_MAX_FILE_BYTES / MB)  # true/false: the rubric's own message
    publish_files = c.ListOfItems(c.Type(str), default=list(DEFAULT_PUBLISH_FILES))
    # The contributing-factor vocabulary, name -> one-line definition; a repo's own replaces the defaults.
    factors = c.DictOfItems(c.Type(str), default={f.name: f.definition for f in DEFAULT_FACTORS})
    # Any value here: the rubric's checks name the code and suggest one, where a typed
    # option would only say "expected a dict".
    rules = c.Type(object, default={})
    rules_per_path = c.Type(object, default={})
    trackers = Section(TrackersSection)
    report = Section(ReportSection)
    site = Section(SiteSection)
    timeline = Section(TimelineSection)

    def checks(self) -> Iterable[Problem]:
        return rubric_problems(self)
