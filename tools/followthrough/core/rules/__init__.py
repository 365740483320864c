"""Lint rules over parsed postmortems. Each rule module yields Findings; `catalog` names them all."""
