"""The pure half of `followthrough sync`: values in, values out, no request, file or clock.

`config` holds the typed tracker settings (read by the shell's `config.trackers`), `routing`
picks a destination per item, `markers` names each item's ticket so it is never created twice,
`plan` decides what to sync and whether to link or create, `tickets` is what goes to a tracker
and comes back, `reconcile` turns the answers into state entries (with the moves of a ticket's due date
made in the tracker) and drift, `push` decides which reviewed changes of the file (due date,
owner) are written to a ticket, `description` words a new ticket, and `api_url` checks a
tracker's URL. The shell (`trackers.engine`) runs the plan
against the clients and writes `ticket:` lines and the state file.
"""
