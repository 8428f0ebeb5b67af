"""``python -m doccheck``."""

from doccheck.cli import run

run()
