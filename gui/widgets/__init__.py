"""Reusable widgets shared by panels."""

__all__: list[str] = []
