"""``python -m revintel`` runs the command line."""

from revintel.cli import main

main()
