"""How registries are reached: insecure hosts, CA bundle, credentials, timeouts, retries.

The command line builds one :class:`RegistryOptions` from its global options and installs it with
:func:`configure`; services that open registry images without being handed options use
:func:`current`, which falls back to the environment (``SEAWALL_INSECURE_REGISTRY``,
``SEAWALL_REGISTRY_USERNAME`` / ``SEAWALL_REGISTRY_PASSWORD`` / ``SEAWALL_REGISTRY_TOKEN``,
``SEAWALL_CA_FILE``, ``SEAWALL_OFFLINE``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from seawall import __version__


@dataclass(frozen=True)
class RegistryOptions:
    """``insecure`` lists HOST[:PORT] names allowed plain HTTP (only those: loopback is not implied).
    Explicit credentials, when given, are offered to every registry this process contacts."""

    insecure: tuple[str, ...] = ()
    ca_file: Path | None = None
    username: str = field(default="", repr=False)
    password: str = field(default="", repr=False)
    token: str = field(default="", repr=False)
    docker_config: Path | None = None
    offline: bool = False
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    retries: int = 4
    backoff: float = 0.5
    max_wait: float = 30.0
    user_agent: str = f"seawall/{__version__}"

    def is_insecure(self, host: str) -> bool:
        return host.lower() in {h.lower().removeprefix("http://").rstrip("/") for h in self.insecure}

    @classmethod
    def from_environment(cls, **given: object) -> RegistryOptions:
        """Options from the environment, overridden by the keyword arguments given (the flags)."""
        env = os.environ
        found: dict[str, object] = {
            "insecure": tuple(h for h in re.split(r"[\s,]+", env.get("SEAWALL_INSECURE_REGISTRY", "")) if h),
            "username": env.get("SEAWALL_REGISTRY_USERNAME", ""),
            "password": env.get("SEAWALL_REGISTRY_PASSWORD", ""),
            "token": env.get("SEAWALL_REGISTRY_TOKEN", ""),
            "offline": env.get("SEAWALL_OFFLINE", "").lower() in ("1", "true", "yes", "on"),
        }
        if env.get("SEAWALL_CA_FILE"):
            found["ca_file"] = Path(env["SEAWALL_CA_FILE"])
        for key, value in given.items():
            if value is not None and value != () and value != "":
                found[key] = tuple(value) if isinstance(value, list) else value
        return cls(**found)  # type: ignore[arg-type]


_installed: RegistryOptions | None = None


def configure(options: RegistryOptions | None) -> None:
    """Install the options this process uses when none are passed explicitly (``None`` uninstalls)."""
    global _installed
    _installed = options


def current() -> RegistryOptions:
    return _installed if _installed is not None else RegistryOptions.from_environment()
