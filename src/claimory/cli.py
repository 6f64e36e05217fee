"""The `claimory` console script: Django's management entry point with our settings."""

from __future__ import annotations

import os
import sys

# Commands spelled with a hyphen on the command line (a module name cannot hold one).
ALIASES = {"import-estimate": "import_estimate"}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claimory.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args:
        args[0] = ALIASES.get(args[0], args[0])
    execute_from_command_line(["claimory", *args])


if __name__ == "__main__":
    main()
