"""The MkDocs plugin: a thin shell that hands the pages of `followthrough.pages` to MkDocs."""
