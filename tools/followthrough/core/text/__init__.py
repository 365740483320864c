"""A Markdown file's text as the site renders it: front-matter split off and read as safe YAML,
the body's headings, code and timeline as Python-Markdown sees them, and the bounds that keep
that rendering linear."""
