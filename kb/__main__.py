"""``python -m kb``: the ``kb`` command, where the script is not on PATH."""

from kb.cli import main

main()
