"""``python -m seawall``."""

from seawall.cli.main import main

main()
