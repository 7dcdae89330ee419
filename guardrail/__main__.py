"""``python -m guardrail`` runs the command line."""

from guardrail.cli import main

main()
