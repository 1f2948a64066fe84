"""wsctl: Amazon WorkSpaces fleets from the terminal."""

__version__ = "0.1.0"
