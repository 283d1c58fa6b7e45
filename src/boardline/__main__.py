"""``python -m boardline``: the same as the ``boardline`` command."""

from boardline.cli import main

main()
