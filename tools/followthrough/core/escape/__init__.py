"""Making text from postmortems, the people directory and trackers inert where we post it.

One module per destination, because each parses differently: `html` (the site: HTML and
the Markdown Python-Markdown renders), `github` (GitHub Flavored Markdown: issue bodies
written by sync and the report issue), `slack` (mrkdwn in Block Kit and the fallback text),
`jira` (wiki markup; Atlassian documents need none), `actions` (GitHub Actions workflow
commands), with what they share in `common`. Whatever the destination, user text never
mentions anyone, never forms a link and never leaves the construct it was put in; the
mentions and links we build ourselves come from validated ids (`ids`) and URLs that
`common.web_url` accepts.
"""
