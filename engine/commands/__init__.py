"""Subcommands of the ``convstudio`` command line (see :mod:`engine.cli`)."""

__all__: list[str] = []
