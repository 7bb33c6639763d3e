"""The vulnerability database: feed importers (``feeds/``) -> one SQLite file (``store``), built by ``build``.

Where the database is: :func:`resolve_db_path` is the one place that decides it.
"""

from __future__ import annotations

import os
from pathlib import Path

DB_ENV = "SEAWALL_DB"
DB_FILE_NAME = "vuln.db"


def default_db_path() -> Path:
    """``$XDG_DATA_HOME/seawall/vuln.db`` (``~/.local/share/seawall/vuln.db`` when XDG_DATA_HOME is unset)."""
    base = os.environ.get("XDG_DATA_HOME") or ""
    root = Path(base) if os.path.isabs(base) else Path.home() / ".local" / "share"
    return root / "seawall" / DB_FILE_NAME


def resolve_db_path(option: Path | None = None) -> Path:
    """The database to use: the ``--db`` option, else ``$SEAWALL_DB``, else :func:`default_db_path`."""
    if option is not None and str(option):
        return option
    env = os.environ.get(DB_ENV, "")
    return Path(env) if env else default_db_path()
