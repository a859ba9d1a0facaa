"""``python -m revintel.cli.reference`` prints the command-line reference page."""

from revintel.cli._reference import render_cli_reference

if __name__ == "__main__":
    print(render_cli_reference(), end="")
