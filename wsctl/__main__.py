"""Entry point for the `wsctl` console script and `python -m wsctl`."""

from __future__ import annotations

import sys


def main() -> None:
    # `--version` is answered before Typer (and everything else) is imported: it is what
    # scripts call to probe for the tool, so it should cost no more than the interpreter.
    if sys.argv[1:] == ["--version"]:
        from wsctl import __version__

        sys.stdout.write(f"wsctl {__version__}\n")
        return
    from wsctl.cli.app import run

    run()


if __name__ == "__main__":
    main()
