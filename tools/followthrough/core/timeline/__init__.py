"""The Scribe's timeline from an incident's Slack channel: messages -> the Scribe's record ->
timeline entries in the project's own format, and the channel's complete record as evidence."""

# A postmortem's Slack record is kept beside it as <stem>.slack.md: a page of its own, which
# discovery never reads as a postmortem. Here, so that discovery imports nothing else of this package.
EVIDENCE_SUFFIX = ".slack.md"
