"""The pure core: text and values in, values out. No file, network, clock or environment.

`model` (the postmortem, people, ticket state), `settings`, `findings`/`catalog`/`levels`
(what lint says and how loudly), `text/` and `fields`/`parse`/`people` (a file's text to the
model), `rules/` and `lint`, `metrics` (every figure), `pages/` (the site's pages), `report/`
(the review's agenda), `sync/` (what to create, link and pull), `escape/` (text made inert
where it is shown or posted), and one home each for `dates` (the UTC date of an instant,
"due soon"), `urls` (a page's URL), `ticket_refs` (what a `ticket:` may say) and `slugs`. The shell hands in everything it read, including today's date
and the templates; `tests/test_boundary.py` keeps the core from reaching out.
"""
