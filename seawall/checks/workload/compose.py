"""Compose files (the Compose specification): each service's settings, checked as a container."""

from __future__ import annotations

from typing import Any

from seawall.checks.workload.common import Emitter
from seawall.checks.workload.container import (
    ContainerSettings,
    Mount,
    Value,
    check_container,
    port_host_address,
)
from seawall.checks.workload.loader import Path, mapping, sequence
from seawall.checks.workload.rules.compose import BY_KEY

NAMESPACE_KEYS = {
    "network_mode": "network",
    "pid": "pid",
    "ipc": "ipc",
    "uts": "uts",
    "userns_mode": "userns",
}


def _value(service: dict[str, Any], key: str, base: Path) -> Value | None:
    return Value(service[key], (*base, key)) if service.get(key) is not None else None


def _list(service: dict[str, Any], key: str, base: Path) -> list[Value]:
    raw = service.get(key)
    if isinstance(raw, str):
        return [Value(raw, (*base, key))]
    return [Value(item, (*base, key, i)) for i, item in enumerate(sequence(raw)) if item is not None]


def _short_volume(text: str, path: Path) -> Mount:
    parts = text.split(":")
    if len(parts) == 1:
        return Mount("volume", "", parts[0], path)
    source, target = parts[0], parts[1]
    bind = source.startswith(("/", ".", "~", "$"))
    return Mount("bind" if bind else "volume", source, target, path)


def _mounts(service: dict[str, Any], base: Path) -> list[Mount]:
    mounts: list[Mount] = []
    for position, item in enumerate(sequence(service.get("volumes"))):
        path = (*base, "volumes", position)
        if isinstance(item, str):
            mounts.append(_short_volume(item, path))
        elif isinstance(item, dict):
            kind = str(item.get("type", "volume"))
            mounts.append(Mount(kind, str(item.get("source", "")), str(item.get("target", "")), path))
    for tmpfs in _list(service, "tmpfs", base):
        target = str(tmpfs.value).split(":", 1)[0]
        mounts.append(Mount("tmpfs", "", target, tmpfs.path))
    return mounts


def _sysctls(service: dict[str, Any], base: Path) -> list[Value]:
    raw = service.get("sysctls")
    if isinstance(raw, dict):
        return [Value(name, (*base, "sysctls", name)) for name in raw]
    return [Value(str(v.value).split("=", 1)[0].strip(), v.path) for v in _list(service, "sysctls", base)]


def _environment(service: dict[str, Any], base: Path) -> list[tuple[str, Any, Path]]:
    raw = service.get("environment")
    if isinstance(raw, dict):
        return [(str(k), v, (*base, "environment", k)) for k, v in raw.items()]
    found: list[tuple[str, Any, Path]] = []
    for item in _list(service, "environment", base):
        name, sep, value = str(item.value).partition("=")
        if sep:
            found.append((name.strip(), value, item.path))
    return found


def _limits(service: dict[str, Any], base: Path) -> tuple[Value | None, Value | None]:
    limits_path = (*base, "deploy", "resources", "limits")
    limits = mapping(mapping(mapping(service.get("deploy")).get("resources")).get("limits"))
    memory = _value(service, "mem_limit", base)
    if memory is None and limits.get("memory") is not None:
        memory = Value(limits["memory"], (*limits_path, "memory"))
    pids = _value(service, "pids_limit", base)
    if pids is None and limits.get("pids") is not None:
        pids = Value(limits["pids"], (*limits_path, "pids"))
    return memory, pids


def _ports(service: dict[str, Any], base: Path) -> list[Value]:
    ports: list[Value] = []
    for position, item in enumerate(sequence(service.get("ports"))):
        path = (*base, "ports", position)
        if isinstance(item, dict):
            if item.get("published") is not None:
                address = str(item.get("host_ip") or "")
                ports.append(Value("" if address in ("0.0.0.0", "::") else address, path))
        elif item is not None:
            ports.append(Value(port_host_address(str(item)), path))
    return ports


def service_settings(name: str, service: dict[str, Any], base: Path) -> ContainerSettings:
    """One Compose service (at ``base`` = ("services", name)) as container settings."""
    memory, pids = _limits(service, base)
    namespaces = {
        ns: v for key, ns in NAMESPACE_KEYS.items() if (v := _value(service, key, base)) is not None
    }
    if service.get("cgroup") is not None:
        namespaces["cgroup"] = Value(service["cgroup"], (*base, "cgroup"))
    return ContainerSettings(
        name=name,
        anchor=base,
        image=_value(service, "image", base),
        builds_image=service.get("build") is not None,
        privileged=_value(service, "privileged", base),
        user=_value(service, "user", base),
        cap_add=_list(service, "cap_add", base),
        cap_drop=_list(service, "cap_drop", base),
        read_only=_value(service, "read_only", base),
        security_opt=_list(service, "security_opt", base),
        namespaces=namespaces,
        mounts=_mounts(service, base),
        devices=_list(service, "devices", base),
        sysctls=_sysctls(service, base),
        env=_environment(service, base),
        memory_limit=memory,
        pids_limit=pids,
        ports=_ports(service, base),
    )


def check_compose(emit: Emitter) -> None:
    """Every service of a Compose document."""
    services = mapping(mapping(emit.document.data).get("services"))
    for name, service in services.items():
        if not isinstance(service, dict):
            continue
        settings = service_settings(str(name), service, ("services", name))
        check_container(settings, BY_KEY, emit, f"service {name}")
