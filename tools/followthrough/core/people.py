"""The people directory (`people.yml`): who may own items and hold roles, and their tracker ids."""

from __future__ import annotations

from followthrough.core.findings import Finding
from followthrough.core.ids import is_github_login, is_slack_channel, is_slack_member
from followthrough.core.model import Directory, Person, Team
from followthrough.core.fields import Collector, Fields, did_you_mean, type_name, unknown_keys
from followthrough.core.text.safeyaml import YMap, load

PERSON_FIELDS = ("name", "email", "github", "jira", "slack", "team")
TEAM_FIELDS = ("name", "manager", "slack_channel")


def parse_directory(text: str, path: str) -> tuple[Directory, list[Finding]]:
    out = Collector(path)
    data, problems = load(text)
    out.add_yaml(data, problems)
    if data is None:
        if not problems:
            out.add("FT004", 1, "the people directory is empty; expected 'people:' and 'teams:' mappings")
        return Directory(present=True, path=path), out.findings
    if not isinstance(data, YMap):
        out.add("FT004", 1, f"expected a mapping with 'people:' and 'teams:', not {type_name(data)}")
        return Directory(present=True, path=path), out.findings
    unknown_keys(data, ("people", "teams"), out)
    teams: dict[str, Team] = {}
    managed: list[tuple[str, Fields]] = []  # teams naming a manager, checked once the people are read
    raw_teams = data.get("teams")
    if isinstance(raw_teams, YMap):
        for handle, value in raw_teams.items():
            line = raw_teams.line_of(handle)
            if isinstance(value, str):
                teams[handle] = Team(handle, value, line)
                continue
            if not isinstance(value, YMap):
                out.add("FT103", line, f"teams.{handle}: expected a mapping such as {{name: Platform}}")
                continue
            unknown_keys(value, TEAM_FIELDS, out, f"teams.{handle}: ")
            tf = Fields(value, out, f"teams.{handle}.")
            teams[handle] = Team(handle, tf.text("name") or handle, line, tf.text("manager"), _slack_channel(tf, handle))
            if teams[handle].manager:
                managed.append((handle, tf))
    elif raw_teams is not None:
        out.add("FT103", data.line_of("teams"), "teams: expected a mapping of team handles")
    people: dict[str, Person] = {}
    raw_people = data.get("people")
    if isinstance(raw_people, YMap):
        for handle, value in raw_people.items():
            line = raw_people.line_of(handle)
            if not isinstance(value, YMap):
                out.add("FT103", line, f"people.{handle}: expected a mapping such as {{name: An Nguyen, github: anguyen}}")
                continue
            unknown_keys(value, PERSON_FIELDS, out, f"people.{handle}: ")
            f = Fields(value, out, f"people.{handle}.")
            name = f.text("name")
            if name is None and "name" not in value:
                out.add("FT102", line, f"people.{handle}.name: missing")
            team = f.text("team")
            if team is not None and teams and team not in teams:
                out.add("FT104", value.line_of("team"), f"people.{handle}.team: {team!r} is not a team listed under 'teams'")
            if handle in teams:
                out.add("FT106", line, f"people.{handle}: the same handle is also a team; handles must say which one they mean")
            people[handle] = Person(
                handle=handle,
                name=name or handle,
                email=f.text("email"),
                github=_github_login(f, handle),
                jira=f.text("jira"),
                slack=_slack_member(f, handle),
                team=team,
                line=line,
            )
    elif raw_people is not None:
        out.add("FT103", data.line_of("people"), "people: expected a mapping of person handles")
    for handle, tf in managed:
        _known_manager(tf, handle, teams[handle].manager or "", people, teams)
    return Directory(people=people, teams=teams, present=True, path=path), out.findings


# An id that is not one is dropped after its finding: the report would otherwise print it as a
# mention (`@acme/everyone`) and Slack would read `U1><!channel` as two mentions.
def _github_login(f: Fields, handle: str) -> str | None:
    login = f.text("github")
    if login is None or is_github_login(login):
        return login
    hint = f"; write it without the '@': github: {login.lstrip('@')}" if login.startswith("@") and is_github_login(login.lstrip("@")) else ""
    f.report("FT601", "github", f"people.{handle}.github: {login!r} is not a GitHub login (1-39 letters, digits or single hyphens, no hyphen at either end){hint}")
    return None


def _slack_member(f: Fields, handle: str) -> str | None:
    member = f.text("slack")
    if member is None or is_slack_member(member):
        return member
    f.report("FT602", "slack", f"people.{handle}.slack: {member!r} is not a Slack member id (U or W, then capital letters and digits, e.g. U0123ABC; Slack shows it under the profile's 'Copy member ID')")
    return None


def _slack_channel(f: Fields, handle: str) -> str | None:
    channel = f.text("slack_channel")
    if channel is None or is_slack_channel(channel):
        return channel
    f.report("FT603", "slack_channel", f"teams.{handle}.slack_channel: {channel!r} is not a Slack channel id (C, G or D, then capital letters and digits, e.g. C0123ABC; Slack shows it at the bottom of the channel's details), so the team's review is not posted there")
    return None


def _known_manager(f: Fields, handle: str, manager: str, people: dict[str, Person], teams: dict[str, Team]) -> None:
    """A team's manager is whom its overdue items escalate to: a person the report can name and mention."""
    if manager in people:
        return
    if manager in teams:
        why = "is a team; a manager is one person"
    else:
        why = f"is not a person of this directory{did_you_mean(manager, people)}"
    f.report("FT604", "manager", f"teams.{handle}.manager: {manager!r} {why}; add them under 'people:' (escalations of the team's overdue items name and mention them)")
