"""``python -m stockade``."""

from stockade.cli.main import run

run()
