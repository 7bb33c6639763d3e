"""Dockerfile linting: a parser for today's syntax, a rule catalogue (``SW-DF-NNN``), fixes.

``lint(text, path, config)`` is the pure entry point (:mod:`.lint`); ``parse`` the parser.
"""
