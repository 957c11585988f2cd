"""Trainyard training program: one process per run, driven by spec.json, reporting JSON-line events."""

__version__ = "0.1.0"
