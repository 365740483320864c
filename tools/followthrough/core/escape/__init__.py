"""Making text from postmortems, the people directory and trackers inert where we post it.

One module per destination, because each parses differently: `github` (GitHub Flavored
Markdown: issue bodies written by sync and the report issue), `slack` (mrkdwn in Block Kit
and the fallback text), `jira` (wiki markup; Atlassian documents need none). The site's
rules are `html` (Markdown and HTML for the pages). Whatever the destination, user text never mentions anyone,
never forms a link and never leaves the construct it was put in; the mentions and links
we build ourselves come from validated ids (`ids`) and URLs that `common.web_url` accepts.
"""
