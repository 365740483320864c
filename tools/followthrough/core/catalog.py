"""Every lint rule: its code, level, one-line summary, and how far a repo may change it.

The docs page lists exactly these. Codes are grouped by what they look at: FT0xx the file,
its YAML and the suppression comments, FT1xx fields, FT2xx times, FT3xx action items,
FT4xx roles, FT5xx the body (FT510 is a hint: level info), FT6xx the people directory; FT000 is a bug of ours met while checking a file.
"""

from __future__ import annotations

from dataclasses import dataclass

from followthrough.core.findings import Level

E, W, I = Level.ERROR, Level.WARNING, Level.INFO


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    level: Level
    summary: str
    # Why `rules`/`rules_per_path` may not change it (and no comment may suppress it); empty
    # when it may be changed. Read by the config check and quoted in its error.
    locked: str = ""
    # Its findings point at a line of the Markdown body, so a suppression comment there can
    # reach them; front-matter and whole-file findings are configured in mkdocs.yml only.
    inline: bool = False


# A locked rule guards the site itself: its finding means there is no postmortem to show, the
# file is unsafe to read, or a value the site, sync and reports use was dropped. Letting such
# a file through would build pages from a postmortem that is not the one the author wrote.
UNREADABLE = "without a readable front-matter mapping there is no postmortem to build a page from"
UNSAFE = "it keeps untrusted YAML from running code or exhausting memory, whoever wrote the file"
BOUNDED = "it keeps one file from making lint or the site build take minutes or crash, whoever wrote it"
DROPPED = "the value was not read, so the site, sync and reports would work from a postmortem without it"


RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule("FT000", "internal-error", E, "Checking the file met a bug in Followthrough; the other files are still checked. Please report it.",
             "a bug of ours must be seen, never silenced"),
        Rule("FT001", "front-matter-missing", E, "The file does not start with a `---` YAML front-matter block.", UNREADABLE),
        Rule("FT002", "front-matter-unterminated", E, "The front-matter has no closing `---` line.", UNREADABLE),
        Rule("FT003", "yaml-syntax", E, "The front-matter is not valid YAML (reported at the parser's own line and column).", UNREADABLE),
        Rule("FT004", "front-matter-not-mapping", E, "The front-matter is empty or not a mapping of fields.", UNREADABLE),
        Rule("FT005", "yaml-unsafe-tag", E, "A YAML tag such as `!!python/object/apply` would build objects; it is refused, never run.", UNSAFE),
        Rule("FT006", "yaml-alias", E, "Anchors' aliases (`*name`, `<<: *name`) are refused, so a billion-laughs file cannot blow up.", UNSAFE),
        Rule("FT007", "yaml-duplicate-key", E, "The same key appears twice in one mapping; YAML would silently keep the last.",
             "which of the two values the site shows would be a guess"),
        Rule("FT008", "yaml-too-deep", E, "Nesting deeper than 32 levels.", UNSAFE),
        Rule("FT009", "unreadable-file", E, "The file cannot be read as UTF-8 text.", UNREADABLE),
        Rule("FT010", "suppression-invalid", E, "A `<!-- followthrough: ignore ... -->` comment has no reason, names no rule or a rule it cannot reach.",
             "a suppression is accepted only with its reason; switching this off would make the reason optional"),
        Rule("FT011", "suppression-unused", W, "A suppression comment suppressed nothing: the finding it was for is gone (or was never on those lines)."),
        Rule("FT012", "link-refused", E, "A symbolic link, or a device, FIFO or socket, in docs_dir: never followed, read or published.",
             "a link could publish the build machine's files or secrets, or read without end"),
        Rule("FT013", "file-too-large", E, "A Markdown file (or the people directory) is larger than `max_file_mb` (10 MB by default); it is not read.",
             "a file too large to read has no postmortem to build a page from; raise max_file_mb instead"),
        Rule("FT101", "unknown-field", E, "A field the format does not define (usually a typo; a did-you-mean is given)."),
        Rule("FT102", "missing-field", E, "A required field is missing.", DROPPED),
        Rule("FT103", "wrong-type", E, "A field has the wrong type (text, list, mapping, date...).", DROPPED),
        Rule("FT104", "not-allowed-value", E, "A value outside its allowed set (status, kind, severity, priority...); the allowed list is shown.", DROPPED),
        Rule("FT105", "yaml-1.1-trap", E, "YAML read an unquoted value as a boolean or date (`status: no`, `title: 2024-03-05`); quote it.", DROPPED),
        Rule("FT106", "duplicate-id", E, "Two postmortems share an `id`, or two action items of one postmortem share an `id`.",
             "two postmortems or items with one id would share a page, a ticket and a tracker state entry"),
        Rule("FT107", "file-name", E, "The file is not named `<YYYY>/<YYYY-MM-DD>-<slug>.md` after `started`'s UTC date."),
        Rule("FT108", "empty-value", E, "A required text or list is empty.", DROPPED),
        Rule("FT109", "list-too-long", E, "A front-matter list (`services`, `teams`, `tags`, `authors`, `sme`, `related`, `factors`, `action_items`) has more than 200 entries.", BOUNDED),
        Rule("FT110", "id-not-a-slug", E, "A postmortem's or an action item's `id` (or the file name it defaults to) is not a slug of lowercase letters, digits, `-`, `_` and `.`.",
             "the id names the page, the tickets' markers and the tracker state entries; one that is not a slug would break them"),
        Rule("FT111", "related-unknown", E, "A `related:` id is not a postmortem of the repo, or is the postmortem itself (a did-you-mean is given)."),
        Rule("FT112", "recurrence-invalid", E, "`recurrence_of:` names no postmortem of the repo, the postmortem itself, a game day, or one that did not start before this one."),
        Rule("FT113", "factor-unknown", E, "A `factors:` entry is not a contributing factor of the vocabulary (the `factors` setting; a did-you-mean is given)."),
        Rule("FT114", "factor-repeated", W, "A `factors:` entry is listed twice."),
        Rule("FT201", "time-without-offset", E, "A date-time without an explicit UTC offset; it is never guessed.", DROPPED),
        Rule("FT202", "times-out-of-order", E, "`started <= detected <= mitigated <= resolved` does not hold.",
             "the response metrics would show negative durations"),
        Rule("FT203", "detected-missing", W, "A published postmortem does not say when the incident was detected."),
        Rule("FT204", "resolved-missing", W, "A published postmortem does not say when the incident was resolved."),
        Rule("FT301", "owner-not-one-person", E, "An action item's owner is missing, a list, or a team: one named person owns it.", DROPPED),
        Rule("FT302", "owner-unknown", E, "An owner, role holder, re-date approver or decider is not in the people directory (a did-you-mean is given)."),
        Rule("FT303", "due-not-a-date", E, "An action item's due date is missing or not a calendar date (`Q3`, `next sprint`, `ASAP`).", DROPPED),
        Rule("FT304", "due-before-incident", E, "An action item is due before the incident started."),
        Rule("FT305", "wish-not-commitment", E, "An action item's title is a wish (`we should...`, `be more careful`, `remind engineers...`), not who-does-what."),
        Rule("FT306", "due-beyond-window", W, "A due date later than the severity's follow-up window after the incident."),
        Rule("FT307", "bad-ticket", E, "A `ticket` is neither a Jira key (`OPS-123`), a GitHub reference (`owner/repo#45`, `#45`) nor a URL."),
        Rule("FT308", "published-without-items", E, "A published postmortem has no action items."),
        Rule("FT309", "redate-chain-broken", E, "The `redated:` entries do not chain: each `from` is the previous entry's `to`, `from` differs from `to`, entries go oldest first, and `due` is the last entry's `to`."),
        Rule("FT310", "reason-not-given", E, "A re-date's or a decision's `reason` says nothing (`TBD`, `n/a`, `delay`, `slipped`): write at least three different words that say why."),
        Rule("FT311", "followup-date-in-future", E, "A re-date's `on`, a decision's `on`, an item's `done_on` or its `verified.on` is after today: it records what was decided or done."),
        Rule("FT312", "followup-date-before-incident", E, "A re-date's `on`, a decision's `on`, an item's `done_on` or its `verified.on` is before the incident started."),
        Rule("FT313", "wont-do-without-decision", E, "An item of a severity whose items are non-negotiable (SEV-0/1 by default) is `wont-do` with no `decision: {by, on, reason}`."),
        Rule("FT314", "field-for-another-status", W, "A `decision` on an item that is not `wont-do`, or a `done_on` or `verified` on an item that is not `done`."),
        Rule("FT315", "redate-unrecorded", E, "With `--base`: an item's `due` moved without a new `redated:` entry for the move (a warning below the non-negotiable severities)."),
        Rule("FT316", "redate-history-rewritten", E, "With `--base`: an earlier `redated:` entry was edited or removed, or the first entry's `from` is not the due date first committed to."),
        Rule("FT317", "item-removed", E, "With `--base`: an action item (or a whole postmortem) that was `in-review` or `published` is gone; close it as `wont-do` instead."),
        Rule("FT318", "owner-changed", W, "With `--base`: an action item's owner changed (reported so the pull request's reviewers see the hand-over)."),
        Rule("FT401", "commander-missing", E, "No Incident Commander is named under `roles`."),
        Rule("FT402", "roles-combined", E, "One person holds two roles that must never be combined, or not at this severity."),
        Rule("FT403", "understaffed", W, "Fewer roles or people than the severity's minimum staffing."),
        Rule("FT501", "section-missing", E, "A required body section is missing."),
        Rule("FT502", "timeline-out-of-order", E, "Timeline entries go back in time (write the date where the timeline crosses midnight).", inline=True),
        Rule("FT503", "blame-language", W, "Wording that blames a person (`human error`, `X's fault`, `should have known`, `careless`).", inline=True),
        Rule("FT504", "review-missing", W, "A published postmortem of a severity that requires a review meeting has no `reviewed` date."),
        Rule("FT505", "placeholder-left", E, "A `TODO` placeholder is still in a field, or the template's guidance in the body of a postmortem past draft.",
             "a `TODO` value is not read, and template guidance would be published as the postmortem's own words"),
        Rule("FT506", "heading-without-space", W, "A heading written `##Title`: the site renders it, GitHub and most editors do not.", inline=True),
        Rule("FT507", "heading-hidden", W, "A line that reads as a heading is not one on the site (inside a mis-paired fence, indented, under a table...); the cause is named.", inline=True),
        Rule("FT508", "fence-not-a-fence", W, "A code fence GitHub and editors accept that the site does not (```` ```py title=\"x\" ````, or indented): its sample shows as text.", inline=True),
        Rule("FT509", "markdown-too-complex", E, "The body (of a postmortem or any other Markdown page) nests lists, quotes or `markdown` HTML elements more than 20 deep, has more than 1,000 headings, or holds a construct the site's Markdown renderer is slow on (the line and the construct are named).", BOUNDED),
        Rule("FT510", "factors-suggested", I, "A hint, never a failure: the body mentions words of a contributing factor the front-matter does not list (`deploy`, `rollback`: `change`).", inline=True),
        Rule("FT601", "people-bad-github-login", E, "A `github:` in the people directory is not a GitHub login (1-39 letters, digits or single hyphens, no hyphen at either end).",
             "the people directory is read before rule settings apply; a value that is not a login is never mentioned or assigned"),
        Rule("FT602", "people-bad-slack-id", E, "A `slack:` in the people directory is not a Slack member id such as `U0123ABC`.",
             "the people directory is read before rule settings apply; a value that is not a member id is never mentioned"),
        Rule("FT603", "people-bad-slack-channel", E, "A team's `slack_channel:` in the people directory is not a Slack channel id such as `C0123ABC`.",
             "the people directory is read before rule settings apply; a value that is not a channel id is never posted to"),
        Rule("FT604", "people-unknown-manager", E, "A team's `manager:` in the people directory is not a person of the directory.",
             "the people directory is read before rule settings apply; escalations would go to a handle nobody can be reached by"),
            )
}
