"""The vulnerability database: feed importers (``feeds/``) -> one SQLite file (``store``), built by ``build``.

Where the database is: :func:`resolve_db_path` is the one place that decides it. When there is no
database there yet, the offline bundle shipped with Seawall (``seawall/data/vulndb.bundle``, see
``tools/build_bundle.py``) is installed there on first use, so that a fresh machine scans offline.
"""

from __future__ import annotations

import os
from pathlib import Path

DB_ENV = "SEAWALL_DB"
DB_FILE_NAME = "vuln.db"
BUNDLE_ENV = "SEAWALL_DEFAULT_BUNDLE"  # another bundle to install on first use; "off" installs none
SHIPPED_BUNDLE = Path(__file__).resolve().parent.parent / "data" / "vulndb.bundle"


def default_db_path() -> Path:
    """``$XDG_DATA_HOME/seawall/vuln.db`` (``~/.local/share/seawall/vuln.db`` when XDG_DATA_HOME is unset)."""
    base = os.environ.get("XDG_DATA_HOME") or ""
    root = Path(base) if os.path.isabs(base) else Path.home() / ".local" / "share"
    return root / "seawall" / DB_FILE_NAME


def shipped_bundle() -> Path | None:
    """The bundle installed on first use: ``$SEAWALL_DEFAULT_BUNDLE``, else the one shipped, if any."""
    value = os.environ.get(BUNDLE_ENV)
    if value is not None:
        return None if value.strip().lower() in ("", "off", "none", "0") else Path(value)
    return SHIPPED_BUNDLE if SHIPPED_BUNDLE.is_file() else None


def resolve_db_path(option: Path | None = None, install_default: bool = True) -> Path:
    """The database to use: the ``--db`` option, else ``$SEAWALL_DB``, else :func:`default_db_path`.

    With ``install_default``, a missing database is replaced by the shipped bundle's (saying so on
    stderr); commands that write the database themselves (build, import, pull, update) pass False.
    """
    if option is not None and str(option):
        path = option
    else:
        env = os.environ.get(DB_ENV, "")
        path = Path(env) if env else default_db_path()
    if install_default and not path.exists():
        bundle = shipped_bundle()
        if bundle is not None:
            from seawall.vulndb.bundle import install_default as install

            install(bundle, path)
    return path
