"""``python -m guardrail`` runs the command line."""

from .cli import main

main()
