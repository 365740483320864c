"""Lint rules over parsed postmortems; each rule module adds Findings. What rules exist is `core.catalog`."""
