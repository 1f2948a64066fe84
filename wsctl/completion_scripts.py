"""`python -m wsctl.completion_scripts` (the documented command): see `wsctl.cli.completion_scripts`."""

from __future__ import annotations

from wsctl.cli.completion_scripts import main

if __name__ == "__main__":
    raise SystemExit(main())
