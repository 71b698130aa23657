"""Accord: the coordination system for team-of-teams organizations."""

__version__ = "0.1.0"
