"""Merge per-layer results into the image's inventory.

Layers are applied bottom to top as an overlay filesystem would: a layer's opaque directories and
whiteouts remove what lower layers put there, then its own files replace the same paths. What is
left is the final view; its facts become the inventory. A package keeps the layer that introduced
it: the lowest layer from which the same package stood, unchanged, at the same path.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import replace

from seawall.inventory.analyzer import ALL_LAYERS
from seawall.inventory.layer_pass import LayerResult
from seawall.model import CheckResult, Facts, ImageInfo, Inventory, Location, OSInfo, Package

OS_PACKAGE_TYPES = frozenset({"deb", "apk", "rpm"})


class _View:
    """The overlay: path -> (layer index, facts per analyzer), with prefix removal."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple[int, dict[str, Facts]]] = {}
        self._sorted: list[str] = []

    def remove_tree(self, root: str, keep_layer: int | None = None) -> None:
        """Remove ``root`` and everything below it (all of the view when ``root`` is empty)."""
        start = bisect.bisect_left(self._sorted, root)
        doomed: list[str] = []
        for path in self._sorted[start:]:
            if root and not (path == root or path.startswith(root + "/")):
                if path > root + "/\uffff":
                    break
                continue
            if keep_layer is None or self.entries[path][0] != keep_layer:
                doomed.append(path)
        for path in doomed:
            del self.entries[path]
            self._sorted.remove(path)

    def put(self, path: str, layer: int, facts: dict[str, Facts]) -> None:
        if path not in self.entries:
            bisect.insort(self._sorted, path)
        self.entries[path] = (layer, facts)


def overlay(results: list[LayerResult]) -> dict[str, tuple[int, dict[str, Facts]]]:
    """The final view of wanted paths after applying every layer in order."""
    view = _View()
    for index, layer in enumerate(results):
        for directory in layer.opaque_dirs:
            view.remove_tree(directory)
        for path in layer.whiteouts:
            view.remove_tree(path)
        for path, facts in layer.facts.items():
            view.put(path, index, facts)
        for path, target in layer.hardlinks.items():
            if target in view.entries:  # the link shares the target's facts, except what its own header told
                own = view.entries[path][1]
                view.put(path, index, {**view.entries[target][1], **own})
    return view.entries


def _introduced_in(results: list[LayerResult], path: str, final: int, analyzer: str, key: object) -> int:
    """Walk down from the final layer while the same package stood at the same path."""
    introduced = final
    for index in range(final - 1, -1, -1):
        facts = results[index].facts.get(path)
        if facts is None:
            continue  # the path was not rewritten in this layer: keep looking lower
        found = facts.get(analyzer)
        if found is None or all(p.key != key for p in found.packages):
            break
        introduced = index
    return introduced


# rpm moved its database: an image may keep a stale old one beside the live one. Best first.
RPM_DATABASES = (
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/Packages.db",
    "usr/lib/sysimage/rpm/Packages",
    "var/lib/rpm/rpmdb.sqlite",
    "var/lib/rpm/Packages.db",
    "var/lib/rpm/Packages",
    "usr/share/rpm/rpmdb.sqlite",
    "usr/share/rpm/Packages.db",
    "usr/share/rpm/Packages",
)


def stale_package_databases(view: dict[str, tuple[int, dict[str, Facts]]]) -> set[str]:
    """Package databases that a better one in the same image supersedes (only one rpm database is live)."""
    present = [path for path in RPM_DATABASES if any(f.packages for f in view.get(path, (0, {}))[1].values())]
    return set(present[1:])


def pick_os(candidates: Iterable[OSInfo]) -> OSInfo | None:
    """The release file with the highest priority (ties: the more precise version)."""
    best: OSInfo | None = None
    for info in candidates:
        if best is None or (info.priority, len(info.version)) > (best.priority, len(best.version)):
            best = info
    return best


def merge(image: ImageInfo, results: list[LayerResult]) -> Inventory:
    """Build the inventory from layer results given in image order."""
    view = overlay(results)
    superseded = stale_package_databases(view)
    diff_ids = [layer.diff_id for layer in image.layers] or [r.diff_id for r in results]
    os_info = pick_os(f.os for _, facts in view.values() for f in facts.values() if f.os is not None)
    owned: set[str] = set()
    for _, facts in view.values():
        for found in facts.values():
            for paths in found.owned_files.values():
                owned.update(paths)
    by_key: dict[tuple[str, str, str, str, str], Package] = {}
    warnings: list[str] = []
    if os_info is None and any(
        p.type == "deb" for _, fs in view.values() for f in fs.values() for p in f.packages
    ):
        os_info = OSInfo(family="debian", version="", source="var/lib/dpkg", priority=-1)
        warnings.append(
            "no OS release file: Debian-based (distroless?) by its dpkg database, release unknown"
        )
    for result in results:
        warnings.extend(result.warnings)
    for path, (_, facts) in sorted(view.items()):
        warnings.extend(f"{path}: {w}" for found in facts.values() for w in found.warnings)
    for path in sorted(view):
        if path in superseded:
            continue
        layer_index, facts = view[path]
        for analyzer, found in sorted(facts.items()):
            for package in found.packages:
                introduced = _introduced_in(results, path, layer_index, analyzer, package.key)
                layer = diff_ids[introduced] if introduced < len(diff_ids) else ""
                locations = package.locations or (Location(path),)
                locations = tuple(replace(loc, layer=loc.layer or layer) for loc in locations)
                updated = replace(
                    package,
                    locations=locations,
                    found_by=package.found_by or analyzer,
                    distro=package.distro
                    or (os_info.distro if os_info and package.type in OS_PACKAGE_TYPES else ""),
                    os_managed=package.os_managed
                    or (
                        package.type not in OS_PACKAGE_TYPES
                        and any(loc.path.split("!/")[0] in owned for loc in locations)
                    ),
                )
                previous = by_key.get(updated.key)
                if previous is not None:
                    merged_locations = tuple(sorted(set(previous.locations) | set(updated.locations)))
                    updated = replace(
                        previous,
                        locations=merged_locations,
                        os_managed=previous.os_managed or updated.os_managed,
                    )
                by_key[updated.key] = updated
    packages = tuple(sorted(by_key.values(), key=lambda p: (p.type, p.namespace, p.name, p.version, p.arch)))
    findings = collect_findings(results, view, diff_ids)
    owners = file_owners(view, {r.location.file for r in findings}, superseded)
    return Inventory(
        image=image,
        os=os_info,
        packages=packages,
        warnings=tuple(warnings),
        findings=findings,
        file_owners=owners,
    )


# Merged-/usr images keep files under usr/ while package databases may still name the old place.
_USR_ALIASES = ("bin/", "sbin/", "lib/", "lib32/", "lib64/", "libx32/")


def _aliases(path: str) -> tuple[str, ...]:
    if path.startswith("usr/") and path[4:].startswith(_USR_ALIASES):
        return (path, path[4:])
    if path.startswith(_USR_ALIASES):
        return (path, "usr/" + path)
    return (path,)


def file_owners(
    view: dict[str, tuple[int, dict[str, Facts]]], paths: set[str], superseded: set[str]
) -> dict[str, str]:
    """The OS package that installed each of ``paths``, by the package databases in the final view."""
    wanted = {alias: path for path in paths if path for alias in _aliases(path)[1:]}
    wanted.update((path, path) for path in paths if path)  # a path itself beats another path's alias
    owners: dict[str, str] = {}
    if not wanted:
        return owners
    for database in sorted(view):
        if database in superseded:
            continue
        for found in view[database][1].values():
            for package, files in found.owned_files.items():
                for file in files:
                    path = wanted.get(file)
                    if path is not None:
                        owners.setdefault(path, package)
    return owners


def collect_findings(
    results: list[LayerResult], view: dict[str, tuple[int, dict[str, Facts]]], diff_ids: list[str]
) -> tuple[CheckResult, ...]:
    """Findings about files: those in the final view, plus every secret found in any layer.

    A file hidden by a later layer is gone from the container, but a secret in it is still in the
    image for anyone who pulls the layer: secrets (and results of rules tagged ``ALL_LAYERS``, such
    as a private key file) count wherever they were found, marked ``hidden`` when not in the final view.
    """
    found: dict[tuple[str, str, int, str], CheckResult] = {}

    def add(result: CheckResult, layer: int) -> None:
        located = result
        if not result.location.layer and layer < len(diff_ids):
            located = replace(result, location=replace(result.location, layer=diff_ids[layer]))
        key = (located.rule.id, located.location.file, located.location.line, located.location.layer)
        found.setdefault(key, located)

    for layer, facts in view.values():
        for fact in facts.values():
            for result in fact.findings:
                add(result, layer)
    for index, result_set in enumerate(results):
        for path, facts in result_set.facts.items():
            hidden = view.get(path, (-1, {}))[0] != index
            for fact in facts.values():
                for result in fact.findings:
                    if result.rule.family == "secret" or ALL_LAYERS in result.rule.tags:
                        add(
                            replace(result, properties={**result.properties, "hidden": "true"})
                            if hidden
                            else result,
                            index,
                        )
    return tuple(sorted(found.values(), key=lambda r: (r.rule.id, r.location.file, r.location.line)))
