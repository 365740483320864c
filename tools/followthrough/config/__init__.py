"""The `followthrough` section of mkdocs.yml: one set of MkDocs config classes for the site build
and every command.

- `strict`: unknown settings are errors with a did-you-mean; every problem named by its path.
- `options`: `PluginConfig`, the whole section; `site`, `report`, `trackers`: its typed sections
  and the plain values the core takes (`SiteOptions`, `ReportSettings`, `Trackers`).
- `rubric`: severities, role combinations and rule levels turned into the core's `Settings`.
- `load`: mkdocs.yml (or MkDocs' own config) into a `files.repo.LoadedConfig`.
- `cache`: lint's copy of a LoadedConfig, read back without importing MkDocs.

A package rather than one module: the sections with their checks are some 600 lines, and
`cache` must stay importable without MkDocs, so nothing is imported here.
"""
