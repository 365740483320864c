"""Synthetic postmortems for the benchmarks: N realistic, lint-clean files and their people directory.

`generate(root, n, seed)` writes `root/people.yml` and `root/<YYYY>/<YYYY-MM-DD>-<slug>.md`
files shaped like the real thing (about 55 lines of front-matter, about 300 lines of body:
a timeline table, impact figures, a root-cause narrative with a config excerpt, lists of what
went well and poorly, action items). Every file follows the format and the role rules of the
foundation issue (staffing per severity, allowed role combinations, due dates inside the
follow-up window, no wishes as items, no blaming words), so `followthrough lint` and the site
plugin see valid postmortems. File i depends only on (seed, i): a corpus of 300 is the first
300 files of a corpus of 3,000 with the same seed.

    python benchmarks/gen_corpus.py OUT_DIR -n 1000 [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import textwrap
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

# A fixed reference day, so item statuses look like an organisation seen on that day,
# whatever the machine's clock says (the site is built with FOLLOWTHROUGH_TODAY=2026-11-23).
REFERENCE_DAY = date(2026, 11, 23)
FIRST_DAY = date(2019, 1, 7)

TEAMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "platform": ("Platform and SRE", ("api-gateway", "kubernetes", "dns", "edge-cdn", "service-mesh")),
    "payments": ("Payments", ("checkout", "payments-api", "ledger", "fraud-scoring")),
    "storefront": ("Storefront", ("web-storefront", "mobile-api", "product-search", "recommendations")),
    "fulfillment": ("Fulfillment", ("order-routing", "warehouse-sync", "delivery-tracking", "slot-booking")),
    "data": ("Data", ("event-stream", "data-warehouse", "reporting", "feature-store")),
    "identity": ("Identity and Security", ("login", "sso", "secrets-vault", "session-store")),
    "messaging": ("Messaging", ("notifications", "email-relay", "sms-gateway", "push-service")),
    "devex": ("Developer Experience", ("ci-pipeline", "deploy-service", "artifact-registry", "feature-flags")),
}

FIRST_NAMES = (
    "Amara", "Bram", "Chen", "Dalia", "Emeka", "Freya", "Goran", "Hiroko", "Ines", "Jonas", "Kalani", "Lior",
    "Mateo", "Nadia", "Oren", "Priya", "Quentin", "Rosa", "Soren", "Tamar", "Uma", "Vikram", "Wren", "Ximena",
    "Yusuf", "Zofia", "Aiko", "Bastian", "Celeste", "Dmitri", "Elif", "Farid", "Gwen", "Hamid", "Ingrid", "Jomo",
)  # fmt: skip
LAST_NAMES = (
    "Abara", "Bjork", "Castellano", "Dimitriou", "Eze", "Fischer", "Gallagher", "Horvath", "Ibsen", "Jovanovic",
    "Kimura", "Laurent", "Moreau", "Nakamura", "Ortega", "Pellegrini", "Quinn", "Rahman", "Svensson", "Tanaka",
    "Umarov", "Valdez", "Wojcik", "Yilmaz", "Zamora", "Achebe", "Brennan", "Costa", "Delgado", "Engel",
)  # fmt: skip
PEOPLE_PER_TEAM = 8
REGIONS = ("eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-southeast-2")
DEPENDENCIES = ("PostgreSQL primary", "Redis cluster", "Kafka brokers", "object storage", "the payment processor",
                "the CDN provider", "the internal DNS resolvers", "Elasticsearch", "the message queue", "etcd")  # fmt: skip

@dataclass(frozen=True)
class Scenario:
    """One failure story: slug words, a title pattern, and what the body tells about it."""

    slug: str
    title: str
    trigger: str
    metric: str
    tags: tuple[str, ...]
    cause: str
    config: tuple[str, ...]


_SCENARIO_DATA: tuple[dict[str, Any], ...] = (
    {
        "slug": "connection-pool-exhaustion", "title": "{service} requests failed as its database connection pool ran dry",
        "trigger": "a retry storm after a slow query", "metric": "connection wait time", "tags": ("database", "capacity"),
        "cause": "The pool size of {service} had been sized for the traffic of two years ago. A slow query on {dep} held "
                 "connections for seconds instead of milliseconds, and clients retried without backoff, so every "
                 "retry took another connection from a pool that was already empty.",
        "config": ("pool:", "  max_connections: 40", "  acquire_timeout: 30s", "retry:", "  attempts: 5", "  backoff: none"),
    },
    {
        "slug": "expired-certificate", "title": "TLS certificate of {service} expired and clients refused to connect",
        "trigger": "a certificate that nobody renewed", "metric": "TLS handshake failures", "tags": ("tls", "certificates"),
        "cause": "The certificate for {service} was issued by hand three years ago, outside the automated renewal job. "
                 "The renewal reminder went to a mailing list that had been archived when the team was reorganised, "
                 "so the expiry date passed without anyone seeing a warning.",
        "config": ("certificates:", "  - name: {service}-internal", "    issuer: manual", "    auto_renew: false",
                   "    notify: ops-certs@example.com"),
    },
    {
        "slug": "bad-config-push", "title": "A configuration push took {service} down in every region at once",
        "trigger": "a configuration change rolled out globally", "metric": "5xx error rate", "tags": ("config", "deploys"),
        "cause": "A configuration change for {service} was validated against the schema but not against live traffic. "
                 "The change system pushes configuration to every region within a minute, so the faulty value "
                 "reached all instances before the first health check could fail.",
        "config": ("rollout:", "  strategy: global", "  batch_percent: 100", "  health_gate: disabled",
                   "limits:", "  max_body_bytes: 0"),
    },
    {
        "slug": "disk-full", "title": "{service} stopped writing when its volumes filled up",
        "trigger": "log volume that grew tenfold after a release", "metric": "free disk space", "tags": ("storage", "logging"),
        "cause": "A release of {service} switched a noisy code path to debug logging. Log rotation kept seven days of "
                 "files, which had been fine at the old volume; at ten times the volume the data partition filled "
                 "in under a day and the write-ahead log could no longer be appended to.",
        "config": ("logging:", "  level: debug", "  rotate: daily", "  keep: 7", "  max_size: unlimited"),
    },
    {
        "slug": "dns-misconfiguration", "title": "Internal names stopped resolving for {service}",
        "trigger": "a DNS zone change with a typo", "metric": "resolution failures", "tags": ("dns", "networking"),
        "cause": "A change to the internal DNS zone replaced a record set instead of appending to it. The zone file "
                 "passed its syntax check, and the resolvers cached the empty answer for the full negative TTL, so "
                 "the rollback took effect only after the caches expired.",
        "config": ("zone: internal.example.net", "records:", "  - name: {service}", "    type: A",
                   "    ttl: 3600", "negative_ttl: 900"),
    },
    {
        "slug": "memory-leak", "title": "Memory leak in {service} caused rolling restarts under peak load",
        "trigger": "an unbounded cache introduced in a release", "metric": "resident memory", "tags": ("memory", "performance"),
        "cause": "An in-process cache added to {service} had no size bound. Under peak traffic the set of distinct keys "
                 "grew without limit, each instance reached its memory limit within forty minutes, and the "
                 "orchestrator restarted instances faster than the remaining ones could absorb their traffic.",
        "config": ("cache:", "  kind: in-process", "  max_entries: 0", "  ttl: 24h", "resources:", "  memory_limit: 2Gi"),
    },
    {
        "slug": "thundering-herd", "title": "Cache stampede overloaded {dep} behind {service}",
        "trigger": "many cache keys expiring at the same second", "metric": "backend queries per second", "tags": ("caching", "capacity"),
        "cause": "Every cache entry of {service} was written with the same TTL during a nightly warm-up job, so they "
                 "all expired together at peak. Each miss went straight to {dep}, which had capacity for a tenth of "
                 "the resulting load.",
        "config": ("cache:", "  ttl: 6h", "  jitter: 0", "  warmup: nightly", "  stale_while_revalidate: false"),
    },
    {
        "slug": "schema-migration-lock", "title": "Schema migration locked a hot table used by {service}",
        "trigger": "an ALTER TABLE that took an exclusive lock", "metric": "query latency", "tags": ("database", "migrations"),
        "cause": "A migration added a column with a default value to a table with four hundred million rows. On the "
                 "database version in use this rewrites the table under an exclusive lock, and every request of "
                 "{service} that touched the table queued behind it.",
        "config": ("migration: add_delivery_window_column", "online: false", "lock_timeout: none", "statement_timeout: none"),
    },
    {
        "slug": "dependency-timeout", "title": "Slow responses from {dep} cascaded into {service}",
        "trigger": "a dependency that slowed down rather than failing", "metric": "p99 latency", "tags": ("dependencies", "timeouts"),
        "cause": "{dep} slowed down during a maintenance window. {service} called it with a sixty-second timeout and "
                 "no circuit breaker, so worker threads piled up waiting, and the service stopped answering even "
                 "requests that did not need the dependency at all.",
        "config": ("client:", "  timeout: 60s", "  circuit_breaker: disabled", "  max_concurrent: unlimited",
                   "  bulkhead: none"),
    },
    {
        "slug": "queue-backlog", "title": "Message backlog delayed {service} by several hours",
        "trigger": "consumers that could not keep up after a partition rebalance", "metric": "consumer lag", "tags": ("queues", "latency"),
        "cause": "A rebalance of the consumer group of {service} left most partitions assigned to two instances. "
                 "The autoscaler watched CPU, not consumer lag, so it saw nothing wrong while the backlog grew to "
                 "several million messages.",
        "config": ("consumer:", "  group: {service}", "  max_poll_records: 500", "autoscaling:", "  metric: cpu",
                   "  target: 70"),
    },
    {
        "slug": "clock-skew", "title": "Clock skew made {service} reject valid tokens",
        "trigger": "hosts whose clocks drifted after an NTP change", "metric": "token validation failures", "tags": ("time", "authentication"),
        "cause": "A base image update replaced the NTP client configuration with an empty one. Hosts built from the "
                 "new image drifted by several seconds a day, and {service} rejected tokens whose issue time lay "
                 "in its future.",
        "config": ("ntp:", "  servers: []", "tokens:", "  leeway: 0s", "  max_age: 300s"),
    },
    {
        "slug": "rate-limit-misconfiguration", "title": "Rate limiter blocked legitimate traffic to {service}",
        "trigger": "a limit applied per region instead of per client", "metric": "429 responses", "tags": ("rate-limiting", "config"),
        "cause": "A new rate-limit rule for {service} was meant to cap each client. The key expression grouped "
                 "clients by region instead, so every client in a region shared one budget, and at the morning "
                 "peak most requests were refused.",
        "config": ("ratelimit:", "  rule: {service}-default", "  key: request.region", "  limit: 500", "  window: 1s"),
    },
    {
        "slug": "third-party-outage", "title": "Outage at a third-party provider degraded {service}",
        "trigger": "an outage at a provider with no fallback", "metric": "successful transactions", "tags": ("third-party", "resilience"),
        "cause": "{service} depends on one external provider for this step, with no second provider and no "
                 "degraded mode. When the provider had an outage of its own, {service} could only fail the requests "
                 "that needed it.",
        "config": ("providers:", "  primary: vendor-a", "  secondary: null", "  failover: manual"),
    },
    {
        "slug": "failed-failover", "title": "Failover of {dep} did not complete and {service} stayed read-only",
        "trigger": "a failover that had not been exercised in a year", "metric": "write errors", "tags": ("failover", "database"),
        "cause": "The failover of {dep} was triggered correctly, but the replica had fallen behind because its disk "
                 "throughput was lower than the primary's. Promotion waited for replay to finish, and {service} "
                 "kept its connections pointed at the old primary, which had gone read-only.",
        "config": ("replication:", "  mode: async", "  max_lag: unbounded", "failover:", "  promote_timeout: 30m",
                   "  client_redirect: dns"),
    },
    {
        "slug": "feature-flag-regression", "title": "A feature flag enabled an unfinished code path in {service}",
        "trigger": "a flag turned on for all users instead of one percent", "metric": "checkout conversion", "tags": ("feature-flags", "release"),
        "cause": "The flag for a new code path in {service} was created with a rollout of 100 instead of 1, because "
                 "the console reads the field as a percentage while the API reads it as a fraction. The code path "
                 "was not finished and failed for a large share of requests.",
        "config": ("flag: {service}-new-pricing-path", "rollout: 100", "audience: all", "kill_switch: manual"),
    },
    {
        "slug": "autoscaling-misfire", "title": "Autoscaler scaled {service} down during a traffic spike",
        "trigger": "a metrics gap that read as zero load", "metric": "ready instances", "tags": ("autoscaling", "capacity"),
        "cause": "The metrics pipeline that feeds the autoscaler of {service} dropped data for a few minutes. The "
                 "autoscaler treated missing data as zero load and scaled the service down to its minimum just as "
                 "the evening peak began.",
        "config": ("autoscaler:", "  min_replicas: 2", "  max_replicas: 60", "  missing_data: treat_as_zero",
                   "  scale_down_stabilization: 0s"),
    },
)  # fmt: skip

SCENARIOS = tuple(Scenario(**data) for data in _SCENARIO_DATA)
# Each scenario's contributing factors, as its cause describes them (names of the default vocabulary).
FACTORS = {
    "connection-pool-exhaustion": ("capacity", "change"), "expired-certificate": ("access", "alerting"),
    "bad-config-push": ("configuration", "change"), "disk-full": ("capacity", "monitoring-gap"),
    "dns-misconfiguration": ("configuration",), "memory-leak": ("change", "capacity"),
    "thundering-herd": ("capacity", "dependency"), "schema-migration-lock": ("data", "change"),
    "dependency-timeout": ("dependency",), "queue-backlog": ("capacity", "dependency"),
    "clock-skew": ("configuration", "hardware"), "rate-limit-misconfiguration": ("configuration", "capacity"),
    "third-party-outage": ("third-party",), "failed-failover": ("configuration", "process"),
    "feature-flag-regression": ("change", "configuration"), "autoscaling-misfire": ("capacity", "configuration"),
}

ITEM_TEMPLATES: tuple[tuple[str, str], ...] = (
    ("prevent", "Add a canary stage to the {service} deploy pipeline"),
    ("prevent", "Add a hard limit and a regression test for {metric} in {service}"),
    ("prevent", "Move {service} certificates to automated renewal"),
    ("prevent", "Add jitter to cache expiry in {service}"),
    ("prevent", "Run schema migrations for {service} online with a lock timeout"),
    ("prevent", "Set client timeouts and a circuit breaker for calls from {service} to {dep}"),
    ("prevent", "Validate {service} configuration against recorded traffic before rollout"),
    ("detect", "Alert on {metric} for {service} with a page at the SLO burn rate"),
    ("detect", "Add a synthetic check that exercises the {service} critical path every minute"),
    ("detect", "Page the owning team when {dep} lag exceeds five minutes"),
    ("detect", "Add a dashboard panel for {metric} next to the {service} error rate"),
    ("mitigate", "Write a runbook for restoring {service} after {trigger}"),
    ("mitigate", "Add a kill switch that disables the new {service} code path in one step"),
    ("mitigate", "Document and rehearse the failover of {dep}"),
    ("mitigate", "Make {service} degrade to read-only instead of failing requests"),
    ("process", "Investigate why the {service} alert did not page for twenty minutes"),
    ("process", "Add {service} to the quarterly game-day rotation"),
    ("process", "Review the on-call handover checklist with the {team} team"),
    ("process", "Publish the status page template for {service} incidents"),
)

GOOD = (
    "The incident was declared within minutes of the first alert, and the commander was named in the channel.",
    "The scribe kept the timeline in UTC from the first minute, which made this write-up fast to assemble.",
    "Status page updates went out on a thirty-minute cadence, even when there was nothing new to report.",
    "The rollback procedure for {service} worked the first time it was used.",
    "Subject matter experts reported findings to the commander instead of discussing them in the wide channel.",
    "The internal liaison kept executives informed, so nobody asked the commander for updates directly.",
    "Dashboards for {dep} showed the saturation clearly once someone looked at them.",
    "A hand-off between commanders at the shift change was done formally with a CAN report.",
    "The on-call engineer escalated early instead of working the problem alone.",
    "Feature flags let us switch the new behaviour off without a deploy.",
    "Customer support had a macro ready within the first hour, which kept ticket handling consistent.",
    "The decision to fail over was made quickly and written down with its reasons.",
)
POOR = (
    "The alert that would have caught this fired into a channel nobody watches at night.",
    "It took a long time to find who owned {dep}; the service catalogue entry was out of date.",
    "Two responders investigated the same hypothesis in parallel without knowing it.",
    "The runbook for {service} described a console that no longer exists.",
    "Our first status page update said the cause was known before it was.",
    "The deploy pipeline had no stage that exercised {service} with production-like traffic.",
    "Rollback required a manual database step that only two people knew how to perform.",
    "Metrics for {metric} were kept for only one day, so the slow build-up before the incident was lost.",
    "The severity was set too low at first and raised only after customers reported the problem.",
    "The incident channel filled with speculation until the commander asked for it to move to a thread.",
    "Paging the {dep} team went through a generic escalation path that added fifteen minutes.",
    "We had no load test that reproduced the traffic shape of the evening peak.",
)
LUCKY = (
    "The incident began outside the busiest hour of the week; at the Saturday peak the impact would have doubled.",
    "An engineer who had worked on the old {service} configuration happened to be online.",
    "A scheduled batch job that writes to {dep} was paused that day for unrelated maintenance.",
    "The backup taken that morning was recent enough that no data had to be recovered from logs.",
)
IMPACT = (
    "About {pct}% of requests to {service} failed or timed out during the worst {minutes} minutes.",
    "Roughly {orders} customer orders could not be placed; support received {tickets} contacts about the problem.",
    "Customers in {region} were affected most, because that region carries the evening peak at that hour.",
    "Internal teams lost access to {service} dashboards, which slowed down the diagnosis of the incident itself.",
    "No data was lost. Some writes were delayed and replayed after recovery, in order.",
    "Partners who call {service} through the public API saw elevated error rates and retried, adding load.",
    "The error budget of {service} for the quarter was spent by about {budget}% in this one incident.",
)
RESPONSE = (
    "The commander opened a bridge and asked {name} to take the scribe role while the SMEs split the investigation.",
    "A first CAN report went to the channel: conditions were degraded, actions were a rollback and a capacity check, "
    "the need was someone from the {dep} team.",
    "The team tried a rollback first; it did not change the error rate, which ruled out the most recent deploy.",
    "Once the saturation of {dep} was visible, the SMEs agreed on shedding load from batch clients first.",
    "The commander decided to keep the severity where it was and to re-evaluate at the next update.",
    "The comms lead posted an update to the status page and prepared the wording for the support team.",
    "After mitigation, the team watched the {metric} graph for an hour before calling the incident resolved.",
    "A second SME joined from the {team} team to confirm that the change was safe to revert.",
)


@dataclass(frozen=True)
class Person:
    handle: str
    name: str
    team: str


def people_directory(seed: int) -> list[Person]:
    """PEOPLE_PER_TEAM people per team, with unique handles; depends only on the seed."""
    rng = random.Random(f"people-{seed}")
    names = [(f, l) for f in FIRST_NAMES for l in LAST_NAMES]
    rng.shuffle(names)
    people: list[Person] = []
    seen: set[str] = set()
    it = iter(names)
    for team in TEAMS:
        while sum(p.team == team for p in people) < PEOPLE_PER_TEAM:
            first, last = next(it)
            handle = f"{first[0].lower()}.{last.lower()}"
            if handle in seen:
                continue
            seen.add(handle)
            people.append(Person(handle, f"{first} {last}", team))
    return people


def people_yaml(people: list[Person]) -> str:
    lines = ["# Synthetic people directory for the benchmarks (never published).", "people:"]
    for i, p in enumerate(people):
        lines.append(
            f"  {p.handle}: {{name: {p.name}, email: {p.handle}@example.com, github: {p.handle.replace('.', '-')}, "
            f"jira: {random.Random(p.handle).getrandbits(96):024x}, slack: U{i:010d}, team: {p.team}}}"
        )
    lines.append("teams:")
    for key, (name, _) in TEAMS.items():
        lines.append(f"  {key}: {{name: {name}}}")
    return "\n".join(lines) + "\n"


def _q(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML), so no value is read as a date or boolean."""
    return json.dumps(value, ensure_ascii=False)


def _iso(moment: datetime) -> str:
    text = moment.isoformat()
    return text.replace("+00:00", "Z")


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, width=100) or [""]


class _Writer:
    """Fills templates with the facts of one postmortem."""

    def __init__(self, rng: random.Random, facts: dict[str, object]) -> None:
        self.rng = rng
        self.facts = facts

    def fill(self, template: str) -> str:
        return template.format(**self.facts)

    def some(self, pool: tuple[str, ...], k: int) -> list[str]:
        return [self.fill(t) for t in self.rng.sample(pool, k)]


def _staff(rng: random.Random, severity: str, team_people: list[Person], others: list[Person]) -> tuple[dict[str, str], list[str]]:
    """(single roles by name, SMEs) that meet the severity's staffing minimum with only the
    role combinations it allows (Deputy+Scribe and Comms+Liaison at SEV-2, none above)."""
    pool = team_people + rng.sample(others, 10)
    rng.shuffle(pool)
    take = iter(dict.fromkeys(p.handle for p in pool))
    smes_count = rng.randint(1, 3)
    if severity in ("SEV-0", "SEV-1"):
        roles = {r: next(take) for r in ("commander", "deputy", "scribe", "comms", "liaison")}
    elif severity == "SEV-2":
        commander, deputy, comms = next(take), next(take), next(take)
        roles = {"commander": commander, "deputy": deputy, "scribe": deputy, "comms": comms, "liaison": comms}
    elif severity == "SEV-3":
        roles = {"commander": next(take), "scribe": next(take)}
        smes_count = min(smes_count, 2)
    else:
        roles = {"commander": next(take)}
        smes_count = min(smes_count, 2)
    return roles, [next(take) for _ in range(smes_count)]


def render_postmortem(i: int, seed: int, people: list[Person]) -> tuple[str, str]:
    """(relative path, text) of postmortem number i of the corpus with this seed."""
    rng = random.Random(f"postmortem-{seed}-{i}")
    span = (REFERENCE_DAY - timedelta(days=5) - FIRST_DAY).days
    day = FIRST_DAY + timedelta(days=rng.randrange(span))
    start_utc = datetime(day.year, day.month, day.day, rng.randrange(24), rng.randrange(60), tzinfo=timezone.utc)
    # Some authors write local time with its offset; the file is still named after the UTC date.
    offset = timezone(timedelta(hours=rng.choice((0, 0, 0, 1, 2, -5))))
    scenario = SCENARIOS[rng.randrange(len(SCENARIOS))]
    team = rng.choice(list(TEAMS))
    services = [rng.choice(TEAMS[team][1])]
    if rng.random() < 0.4:
        other = rng.choice([s for t in TEAMS.values() for s in t[1] if s not in services])
        services.append(other)
    teams = [team] + ([t for t in TEAMS if services[-1] in TEAMS[t][1] and t != team][:1])
    game_day = rng.random() < 0.05
    severity = rng.choices(("SEV-0", "SEV-1", "SEV-2", "SEV-3", "SEV-4"), weights=(1, 6, 18, 40, 35))[0]
    if game_day:
        severity = rng.choice(("SEV-3", "SEV-4"))
    service = services[0]
    dep = rng.choice(DEPENDENCIES)
    facts: dict[str, object] = {
        "service": service, "dep": dep, "metric": scenario.metric, "trigger": scenario.trigger,
        "team": TEAMS[team][0], "region": rng.choice(REGIONS), "pct": rng.randint(3, 60), "minutes": rng.randint(8, 90),
        "orders": rng.randint(40, 9000), "tickets": rng.randint(5, 700), "budget": rng.randint(10, 90),
    }  # fmt: skip
    team_people = [p for p in people if p.team in teams]
    others = [p for p in people if p.team not in teams]
    roles, smes = _staff(rng, severity, team_people, others)
    name_of = {p.handle: p.name for p in people}
    facts["name"] = name_of[roles.get("scribe") or roles["commander"]]
    w = _Writer(rng, facts)

    minutes = [rng.randint(2, 25), rng.randint(10, 240), rng.randint(15, 600)]
    started = start_utc.astimezone(offset)
    detected = started + timedelta(minutes=minutes[0])
    mitigated = detected + timedelta(minutes=minutes[1])
    resolved = mitigated + timedelta(minutes=minutes[2])
    age = (REFERENCE_DAY - day).days
    status = "published" if age > 30 else rng.choice(("draft", "in-review", "published"))

    slug = f"{service}-{scenario.slug}"
    title = w.fill(scenario.title)
    if game_day:
        slug = f"game-day-{service}-{scenario.slug}"
        title = f"Game day: {w.fill(scenario.trigger)} in {service}"
    rel = f"{day.year}/{start_utc.date().isoformat()}-{slug}-{i:05d}.md"

    fm = ["---", f"title: {_q(title[0].upper() + title[1:])}", f"status: {status}"]
    if game_day:
        fm.append("kind: game-day")
    fm.append(f"severity: {severity}")
    fm.append("services:")
    fm += [f"  - {s}" for s in services]
    fm.append(f"teams: [{', '.join(teams)}]")
    fm.append(f"tags: [{', '.join(scenario.tags)}]")
    fm += [f"started: {_iso(started)}", f"detected: {_iso(detected)}"]
    if status == "published" or rng.random() < 0.7:
        fm += [f"mitigated: {_iso(mitigated)}", f"resolved: {_iso(resolved)}"]
    fm.append("roles:")
    fm += [f"  {role}: {holder}" for role, holder in roles.items()]
    fm.append("  sme:")
    fm += [f"    - {h}" for h in smes]
    authors = list(dict.fromkeys([roles.get("scribe") or roles["commander"], *smes[:1]]))
    fm.append("authors:")
    fm += [f"  - {a}" for a in authors]
    fm.append(f"factors: [{', '.join(FACTORS[scenario.slug])}]")
    if status == "published" and (severity in ("SEV-0", "SEV-1", "SEV-2") or rng.random() < 0.5):
        fm.append(f"reviewed: {(day + timedelta(days=rng.randint(1, 6))).isoformat()}")

    window = {"SEV-0": 15, "SEV-1": 15, "SEV-2": 30}.get(severity, 60)
    item_count = rng.randint(3, 5)
    templates = rng.sample(ITEM_TEMPLATES, item_count)
    owners_pool = [p.handle for p in team_people] or [p.handle for p in people]
    fm.append("action_items:")
    items: list[tuple[str, str, str, date, str]] = []
    for n, (kind, template) in enumerate(templates, 1):
        due = day + timedelta(days=rng.randint(3, window))
        owner = rng.choice(owners_pool)
        item_title = w.fill(template)
        if due < REFERENCE_DAY - timedelta(days=60):
            item_status = rng.choices(("done", "wont-do", "open"), weights=(86, 6, 8))[0]
        elif due < REFERENCE_DAY:
            item_status = rng.choices(("done", "in-progress", "open", "wont-do"), weights=(55, 15, 25, 5))[0]
        else:
            item_status = rng.choices(("open", "in-progress", "done"), weights=(60, 30, 10))[0]
        if item_status == "wont-do" and severity in ("SEV-0", "SEV-1"):
            item_status = "done"  # non-negotiable: a won't-do needs a recorded decision (FT313); the draw stays the same
        item_id = f"{kind}-{n}"
        fm += [
            f"  - id: {item_id}",
            f"    title: {_q(item_title)}",
            f"    owner: {owner}",
            f"    due: {due.isoformat()}",
            f"    priority: P{rng.choice((1, 1, 2, 2, 2, 3))}",
            f"    type: {kind}",
            f"    status: {item_status}",
        ]
        if item_status == "wont-do":
            # A won't-do item records who decided it (lint's FT313); no draw from rng, so the rest
            # of the corpus stays what it was.
            fm += ["    decision:", f"      by: {roles['commander']}", f"      on: {due.isoformat()}", "      reason: covered by the platform migration, which removes the component"]
        if status != "draft" and rng.random() < 0.75:
            if rng.random() < 0.7:
                fm.append(f"    ticket: OPS-{rng.randint(100, 29999)}")
            else:
                fm.append(f"    ticket: example-org/{service}#{rng.randint(1, 4000)}")
        items.append((item_id, item_title, owner, due, item_status))
    fm.append("---")

    body: list[str] = [""]
    h = body.append

    def para(text: str) -> None:
        body.extend(_wrap(text))
        h("")

    h("## Summary")
    h("")
    para(
        f"On {started.strftime('%A %d %B %Y')}, {service} was degraded for "
        f"{int((resolved - started).total_seconds() // 60)} minutes after {w.fill(scenario.trigger)}. "
        + w.fill(scenario.cause).split(". ")[0]
        + "."
    )
    para(" ".join(w.some(IMPACT, 2)))
    para(
        f"The incident was declared as {severity} by {name_of[roles['commander']]}, who served as incident commander. "
        f"Detection took {minutes[0]} minutes, mitigation {minutes[1]} more, and full resolution {minutes[2]} after that."
    )

    h("## Timeline")
    h("")
    para("All times are UTC. Entries before the start of impact describe the change that led to it.")
    h("| Time (UTC) | Event |")
    h("| --- | --- |")
    events = [
        f"A change to {service} is merged and begins its rollout.",
        f"Rollout of the change reaches all regions of {service}.",
        f"Impact begins: {scenario.metric} starts to climb.",
        f"First alert fires for {service}; the on-call engineer acknowledges it.",
        "The on-call engineer declares an incident and takes the commander role until one is assigned.",
    ]
    middle = [
        "The commander assigns roles and asks for a first CAN report in ten minutes.",
        f"SMEs look at the {dep} dashboards; saturation is visible on two nodes.",
        "The comms lead posts the first status page update: investigating.",
        f"A rollback of the latest {service} deploy is started as a precaution.",
        "The rollback completes; the error rate does not change.",
        f"The {dep} team joins the bridge.",
        f"An SME finds the {scenario.metric} graph diverging from the usual daily shape.",
        "The commander confirms the working hypothesis and asks for a mitigation plan.",
        "Load shedding for batch clients is enabled.",
        "The internal liaison sends the hourly update to executives.",
        "The status page is updated: a fix is being applied.",
        f"A configuration change for {service} is prepared and reviewed by a second engineer.",
        "The configuration change is applied in one region as a canary.",
        "The canary region recovers; the change is rolled out to the remaining regions.",
        "Error rates return to the baseline; the incident is mitigated.",
        "The comms lead posts a monitoring update on the status page.",
        "Backlogged writes are replayed in order.",
        f"The team confirms {service} is fully healthy across regions.",
        "The commander declares the incident resolved and schedules the review.",
    ]
    lead_in = timedelta(minutes=rng.randint(30, 600))
    moments = [
        start_utc - lead_in,
        start_utc - lead_in / 2,
        start_utc,
        detected.astimezone(timezone.utc),
        detected.astimezone(timezone.utc) + timedelta(minutes=rng.randint(1, 5)),
    ]
    for moment, text in zip(moments, events):
        h(f"| {moment.strftime('%Y-%m-%d %H:%M')} | {text} |")
    end = resolved.astimezone(timezone.utc)
    step = max((end - moment) / (len(middle) * 2 + 1), timedelta(minutes=1))
    asides = [w.fill(t).split(";")[0].rstrip(".") + "." for t in rng.sample(RESPONSE, len(RESPONSE))]
    for k, text in enumerate(middle):
        moment = moment + step
        h(f"| {moment.strftime('%Y-%m-%d %H:%M')} | {text} |")
        if k % 2 and asides:
            moment = moment + step
            h(f"| {moment.strftime('%Y-%m-%d %H:%M')} | {asides.pop()} |")
    h("")

    if not game_day:
        h("## Impact")
        h("")
        para(" ".join(w.some(IMPACT, 4)))
        h("| Measure | Value |")
        h("| --- | --- |")
        h(f"| Time to detect | {minutes[0]} min |")
        h(f"| Time to mitigate | {minutes[0] + minutes[1]} min |")
        h(f"| Time to resolve | {sum(minutes)} min |")
        h(f"| Peak {scenario.metric} | {rng.randint(2, 40)}x baseline |")
        h(f"| Failed requests | {rng.randint(1000, 900000):,} |")
        h(f"| Support contacts | {facts['tickets']} |")
        h("")
        para(w.fill(IMPACT[-1]) + " " + w.fill(IMPACT[2]))

        h("## Root cause")
        h("")
        para(w.fill(scenario.cause))
        para(
            f"The relevant part of the {service} configuration at the time of the incident was the following. "
            "It had not changed in months; what changed was the load it met."
        )
        h("```yaml")
        body.extend(w.fill(line) for line in scenario.config)
        h("```")
        h("")
        h("### Contributing factors")
        h("")
        for text in w.some(POOR, 4):
            body.extend(_wrap(f"- {text}"))
        h("")
        para(
            "None of these factors alone would have caused the incident. Together they turned a routine change into "
            "an outage, and each of them is addressed by an action item below."
        )

    h("## Detection")
    h("")
    para(
        f"The first signal was an alert on {scenario.metric} for {service}, {minutes[0]} minutes after impact began. "
        "Customer reports through support arrived a few minutes later."
    )
    para(w.fill(rng.choice(POOR)))

    h("## Response")
    h("")
    for text in w.some(RESPONSE, 6):
        para(text)

    h("## What went well")
    h("")
    for text in w.some(GOOD, 6):
        body.extend(_wrap(f"- {text}"))
    h("")
    h("## What went poorly")
    h("")
    for text in w.some(POOR, 6):
        body.extend(_wrap(f"- {text}"))
    h("")
    h("## Where we got lucky")
    h("")
    for text in w.some(LUCKY, 2):
        body.extend(_wrap(f"- {text}"))
    h("")

    h("## Action items")
    h("")
    para("Each item has one owner and a due date; the list in the front-matter is the one tracked.")
    h("| Item | Owner | Due | Status |")
    h("| --- | --- | --- | --- |")
    for item_id, item_title, owner, due, item_status in items:
        h(f"| {item_title} | {name_of[owner]} | {due.isoformat()} | {item_status} |")
    h("")

    h("## Appendix")
    h("")
    para(f"Queries used during the investigation, kept for the next time someone looks at {service}.")
    h("```sql")
    h("SELECT date_trunc('minute', created_at) AS minute, count(*) AS failures")
    h(f"FROM request_log WHERE service = '{service}' AND status >= 500")
    h(f"  AND created_at BETWEEN '{(start_utc - timedelta(hours=1)).strftime('%Y-%m-%d %H:%M')}'")
    h(f"  AND '{end.strftime('%Y-%m-%d %H:%M')}'")
    h("GROUP BY 1 ORDER BY 1;")
    h("```")
    h("")
    h("### Glossary")
    h("")
    glossary = (
        ("CAN report", "Conditions, Actions, Needs: the status format the commander posts on a cadence."),
        ("SLO burn rate", "How fast the error budget is being spent compared with the rate that exhausts it exactly."),
        ("Canary", "A small share of traffic or one region that receives a change first."),
        ("Load shedding", "Refusing low-priority work so that high-priority work keeps being served."),
        ("Negative TTL", "How long a resolver caches the answer that a name does not exist."),
        ("Consumer lag", "How far a consumer group is behind the newest message of a partition."),
    )
    for term, meaning in glossary:
        h(f"{term}")
        h(f":   {meaning}")
        h("")

    # Pad the narrative to a realistic length with more reflections from the review meeting.
    h("## Notes from the review meeting")
    h("")
    while len(body) < 300:
        pool = GOOD + POOR + RESPONSE + IMPACT
        para(" ".join(w.some(pool, 3)))
    return rel, _with_hinted_factors(rel, "\n".join(fm + body).rstrip() + "\n")


def _with_hinted_factors(rel: str, text: str) -> str:
    """The factors the body's random sentences describe added, as an author who read lint's
    hint (FT510) would: the corpus stays free of findings, hints included."""
    from followthrough.core.parse import parse_postmortem
    from followthrough.core.rules.factors import suggested
    from followthrough.core.settings import DEFAULT_SETTINGS

    for _ in range(len(DEFAULT_SETTINGS.factors)):
        pm, _findings = parse_postmortem(text, rel, DEFAULT_SETTINGS)
        more = [factor for factor, _words, _line in suggested(pm, DEFAULT_SETTINGS.factor_names)]
        if not more:
            break
        old = f"factors: [{', '.join(pm.factors)}]"
        text = text.replace(old, f"factors: [{', '.join((*pm.factors, *more))}]", 1)
    return text


def generate(root: Path, n: int, seed: int = 1) -> list[Path]:
    """Write n postmortems and people.yml under root (a docs_dir); return the postmortem paths, sorted."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    people = people_directory(seed)
    (root / "people.yml").write_text(people_yaml(people), encoding="utf-8")
    written = []
    for i in range(n):
        rel, text = render_postmortem(i, seed, people)
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return sorted(written)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write into (a docs_dir); created if missing")
    parser.add_argument("-n", type=int, default=1000, help="how many postmortems (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("-n must be 0 or more")
    paths = generate(args.out, args.n, args.seed)
    print(f"wrote {len(paths)} postmortems and people.yml to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
