"""The MkDocs plugin: a thin shell that hands the pages of `core.pages` to MkDocs, and builds
into a hidden folder swapped in only when the build succeeded."""
