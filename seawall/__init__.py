"""Seawall: container security from build to runtime."""

__version__ = "0.1.0"
