"""The repo's rules as plain values: severity rubric, role rules, sections, priorities, rule levels.

`config` builds a Settings from the `followthrough` section of mkdocs.yml; everything in
the core takes a Settings, so lint, site and reports read one source. The defaults encode
the incident-management model Followthrough follows: the severity table, role combinations
(the commander never also debugs), minimum staffing, the postmortem structure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from followthrough.core.text.blocks import DEFAULT_DIALECT, Dialect
from followthrough.core.model import ROLES
from followthrough.core.levels import RuleLevels

# The people directory when mkdocs.yml names none; without it any single handle is accepted.
DEFAULT_PEOPLE_FILE = "people.yml"


@dataclass(frozen=True, slots=True)
class SeverityLevel:
    name: str
    title: str = ""
    triggers: str = ""
    response: str = ""
    followup_days: int | None = None  # due dates later than this after the incident: a warning
    required_roles: tuple[str, ...] = ()
    min_people: int = 0
    distinct_roles: bool = False  # no person may hold two roles at all
    review_required: bool = False  # a published postmortem must record its review meeting
    # The follow-up policy of its action items (guide/configuration.md, "Follow-up policies").
    remind_before_days: int = 3  # an open item due within this many days is in the reminders
    escalate_after_days: int | None = None  # days overdue past which the item escalates; None: never
    escalate_to: str = "manager"  # "manager": the owner's team's manager; else a person's handle
    non_negotiable: bool = False  # won't-do needs a recorded decision; a silent re-date is an error


@dataclass(frozen=True, slots=True)
class RoleCombination:
    roles: tuple[str, str]
    allowed_at: tuple[str, ...] = ()  # severity names; empty means never
    why: str = ""


@dataclass(frozen=True, slots=True)
class Factor:
    """One contributing factor of the vocabulary postmortems name in `factors:`."""

    name: str  # a slug, as written in front-matter
    definition: str  # one line, published on the process page


# Common postmortem practice's contributing factors. A factor is a condition that made the
# incident possible or worse, never a person: "change" is the deploy, not who deployed it.
DEFAULT_FACTORS: tuple[Factor, ...] = (
    Factor("change", "A code change or deploy introduced the fault or set it off."),
    Factor("configuration", "A configuration value, flag or infrastructure setting was wrong or changed."),
    Factor("capacity", "Load exceeded what a resource was provisioned for: CPU, memory, connections, quota, disk."),
    Factor("dependency", "An internal service or library this one relies on failed or behaved unexpectedly."),
    Factor("data", "Bad, missing, corrupt or unexpectedly shaped data, including a migration or backfill."),
    Factor("monitoring-gap", "No signal existed that would have shown the problem sooner."),
    Factor("alerting", "A signal existed but paged late, paged the wrong people, or was lost in noise."),
    Factor("process", "A runbook, checklist or process was missing, out of date or not followed as written."),
    Factor("access", "Permissions, credentials, certificates or keys were missing, expired or too broad."),
    Factor("third-party", "An outside vendor or provider (cloud, CDN, payment, DNS) failed or changed."),
    Factor("hardware", "A physical machine, disk, network device or data centre failed."),
)


DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024
# Files of docs_dir other than Markdown that the site publishes: pictures a browser shows and
# never runs. HTML, SVG, XML and scripts would run on the site's own origin.
DEFAULT_PUBLISH_FILES = ("*.png", "*.jpg", "*.jpeg", "*.gif", "*.webp", "*.avif", "*.ico", "CNAME")


@dataclass(frozen=True, slots=True)
class Settings:
    severities: tuple[SeverityLevel, ...]
    role_combinations: tuple[RoleCombination, ...]
    priorities: tuple[str, ...] = ("P1", "P2", "P3")
    sections: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    blame_phrases: tuple[str, ...] = ()  # added to the built-in list
    mirror_statuses: tuple[str, ...] = ("in-review", "published")
    people_file: str = DEFAULT_PEOPLE_FILE  # relative to docs_dir
    docs_dir: str = "postmortems"
    state_file: str = ".followthrough/state.json"  # relative to the config file's folder
    site_url: str = ""
    markdown: Dialect = DEFAULT_DIALECT  # the site's Markdown extensions: lint reads bodies as the site does
    rule_levels: RuleLevels = field(default_factory=RuleLevels)  # `rules` and `rules_per_path`
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES  # `max_file_mb`: larger files are not read (FT013)
    publish_files: tuple[str, ...] = DEFAULT_PUBLISH_FILES  # globs relative to docs_dir
    factors: tuple[Factor, ...] = DEFAULT_FACTORS  # `factors`: the contributing-factor vocabulary
    timeline_reaction: str = "memo"  # `timeline.reaction`: marks a Slack message for the Timeline
    timeline_prefix: str = "TL:"  # `timeline.prefix`: so does starting a message with it

    @property
    def factor_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.factors)

    def severity(self, name: str) -> SeverityLevel | None:
        for level in self.severities:
            if level.name == name:
                return level
        return None

    def severity_rank(self, name: str) -> int:
        """0 for the most severe level; len(severities) for an unknown one (sorts last)."""
        for i, level in enumerate(self.severities):
            if level.name == name:
                return i
        return len(self.severities)

    @property
    def severity_names(self) -> tuple[str, ...]:
        return tuple(level.name for level in self.severities)

    def combination(self, a: str, b: str) -> RoleCombination | None:
        pair = {a, b}
        for combo in self.role_combinations:
            if set(combo.roles) == pair:
                return combo
        return None


ROLE_TITLES: Mapping[str, str] = {
    "commander": "Incident Commander",
    "deputy": "Deputy Incident Commander",
    "scribe": "Scribe",
    "comms": "Communications Lead",
    "liaison": "Internal Liaison",
    "sme": "Subject Matter Expert",
}
assert set(ROLE_TITLES) == set(ROLES)

ROLE_DUTIES: Mapping[str, str] = {
    "commander": "Owns the response: declares, sets severity, assigns roles, decides, calls resolution. Coordinates; never executes.",
    "deputy": "Shadows the commander, tracks what the commander may miss, and takes over at hand-off.",
    "scribe": "Keeps the timeline of record in UTC: what happened, who did what, what was decided and why. Records; does not interpret.",
    "comms": "Writes to customers (status page, e-mail) on a set cadence, from what the commander has confirmed.",
    "liaison": "Writes to executives and adjacent teams on a set cadence, and keeps 'what's going on?' pings away from the commander.",
    "sme": "Diagnoses and fixes within one domain; reports findings to the commander, not to the channel at large.",
}

DEFAULT_SEVERITIES: tuple[SeverityLevel, ...] = (
    SeverityLevel(
        "SEV-0",
        "Company-existential",
        "Active data breach, ransomware or exfiltration; total platform outage with no workaround and no ETA; "
        "a regulatory disclosure clock running; a safety event affecting customers or employees.",
        "Full company mobilization: CEO, Legal and PR from minute one; every external statement legal-reviewed; "
        "disclosure clocks tracked by the commander.",
        followup_days=15,
        required_roles=ROLES,
        min_people=6,
        distinct_roles=True,
        review_required=True,
        escalate_after_days=0,
        non_negotiable=True,
    ),
    SeverityLevel(
        "SEV-1",
        "Major outage",
        "Major customer-visible outage; significant revenue impact; several regions or business units affected.",
        "All six roles, held by distinct people; executives notified at once; round-the-clock response until resolved.",
        followup_days=15,
        required_roles=ROLES,
        min_people=6,
        review_required=True,
        escalate_after_days=0,
        non_negotiable=True,
    ),
    SeverityLevel(
        "SEV-2",
        "Significant degradation",
        "Customer-visible degradation for a meaningful share of users, or a critical internal system down.",
        "All roles assigned, some combined; executives notified within an hour; business-hours-plus response.",
        followup_days=30,
        required_roles=ROLES,
        min_people=4,
        review_required=True,
        escalate_after_days=14,
    ),
    SeverityLevel(
        "SEV-3",
        "Limited impact",
        "Limited customer impact (one feature, region or segment), or significant internal degradation "
        "that does not block customer-facing systems.",
        "Commander, SME and Scribe; executives told at the next regular update; business-hours response.",
        required_roles=("commander", "sme", "scribe"),
        min_people=2,
    ),
    SeverityLevel(
        "SEV-4",
        "Minor",
        "Minor degradation, mostly internal, little or no customer impact.",
        "Commander and SME; asynchronous response; documented and tracked, no urgent paging.",
        required_roles=("commander", "sme"),
        min_people=2,
    ),
)

DEFAULT_ROLE_COMBINATIONS: tuple[RoleCombination, ...] = (
    RoleCombination(("commander", "sme"), (), "The commander who is also debugging is no longer commanding: the cardinal rule."),
    RoleCombination(("commander", "scribe"), (), "A commander keeping their own timeline misses things; pull in anyone as Scribe."),
    RoleCombination(("commander", "comms"), (), "The commander's audience is the response team, not customers."),
    RoleCombination(("comms", "sme"), (), "The person fixing the system does not write the status page."),
    RoleCombination(("commander", "deputy"), ("SEV-3", "SEV-4"), "Only for minor incidents: fatigue and a single point of failure."),
    RoleCombination(("deputy", "scribe"), ("SEV-1", "SEV-2", "SEV-3", "SEV-4"), "Common and safe; separate them in long SEV-1s."),
    RoleCombination(("comms", "liaison"), ("SEV-1", "SEV-2", "SEV-3", "SEV-4"), "Common in small orgs; split when both audiences need updates at once."),
    RoleCombination(("liaison", "scribe"), ("SEV-3", "SEV-4"), "Tolerable for short, minor incidents; internal updates crowd out the timeline."),
)

DEFAULT_SECTIONS: Mapping[str, tuple[str, ...]] = {
    "incident": ("Summary", "Timeline", "Impact", "Root cause", "What went well", "What went poorly", "Action items"),
    "game-day": ("Summary", "Timeline", "What went well", "What went poorly", "Action items"),
    # A near miss: the event that almost became an incident. What stopped it is the lesson.
    "near-miss": ("Summary", "Timeline", "What could have happened", "What stopped it", "Action items"),
}

DEFAULT_SETTINGS = Settings(
    severities=DEFAULT_SEVERITIES,
    role_combinations=DEFAULT_ROLE_COMBINATIONS,
    sections=DEFAULT_SECTIONS,
)
