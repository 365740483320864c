"""`followthrough sync`: mirror action items to Jira and GitHub Issues and pull their status back.

`config` reads the `trackers` settings, `routing` picks a destination per item, `markers`
names each item's ticket so it is never created twice, `jira_tracker` / `github_tracker`
talk to the services through their official clients, `writeback` edits the one
`ticket:` line, and `engine` runs create, link and pull with `progress` showing it.
"""
