"""The Scribe's timeline from an incident's Slack channel: messages -> the Scribe's record ->
timeline entries in the project's own format, and the channel's complete record as evidence."""
