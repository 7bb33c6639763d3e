"""``registry scan``: every repository and tag of a registry, each digest indexed once, then matched.

Tags are resolved to digests with HEAD requests only; a digest already in the results store is not
pulled again (its SBOM is there). Matching reads the stored SBOMs, so a database update re-matches
every image without touching the registry.
"""

from __future__ import annotations

import fnmatch
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from seawall.errors import SeawallError
from seawall.registry.client import RegistryClient
from seawall.registry.options import RegistryOptions, configure, current
from seawall.registry.reference import PATH_RE, TAG_RE
from seawall.watch.store import FindingRow, ResultsStore

log = logging.getLogger(__name__)


@dataclass
class ScanOutcome:
    """What one registry scan did (for the command's summary, logs and benchmarks)."""

    registry: str
    repositories: int = 0
    tags: int = 0
    digests: set[str] = field(default_factory=set)
    indexed: list[str] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)
    new_findings: int = 0
    db_digest: str = ""
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


def split_target(text: str) -> tuple[str, str]:
    """``HOST[:PORT][/REPO]`` -> (host, repository or "")."""
    host, _, repository = text.strip().partition("/")
    if not host:
        raise SeawallError(f"{text!r}: name a registry as HOST[:PORT][/REPOSITORY]")
    return host, repository.strip("/")


def selected(repository: str, tag: str, include: tuple[str, ...], exclude: tuple[str, ...]) -> bool:
    """Globs without ``:`` match the repository; with ``:``, ``REPOSITORY:TAG``."""

    def hits(pattern: str) -> bool:
        subject = f"{repository}:{tag}" if ":" in pattern else repository
        return fnmatch.fnmatchcase(subject, pattern)

    if include and not any(hits(p) for p in include):
        return False
    return not any(hits(p) for p in exclude)


@contextmanager
def _installed(options: RegistryOptions) -> Iterator[None]:
    """Image opening reads the process's registry options: install ours for the duration."""
    from seawall.registry import options as module

    previous = module._installed
    configure(options)
    try:
        yield
    finally:
        configure(previous)


def resolve_tags(
    client: RegistryClient,
    repository: str,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    warnings: list[str],
) -> dict[str, str]:
    """tag -> manifest digest, for the selected tags of a repository (HEAD requests only). A name the
    registry lists that is not a valid tag is skipped with a warning (it would not be a safe URL path)."""
    found: dict[str, str] = {}
    for tag in client.tags(repository):
        if not TAG_RE.fullmatch(tag):
            warnings.append(f"{client.registry}/{repository}: skipped the invalid tag {tag[:80]!r}")
            continue
        if selected(repository, tag, include, exclude):
            found[tag] = client.head_manifest(repository, tag).digest
    return found


def index_image(
    host: str, repository: str, digest: str, cache_dir: Path, options: RegistryOptions, jobs: int = 2
) -> str:
    """Build the inventory of ``HOST/REPO@DIGEST`` (cached layers are not downloaded) -> CycloneDX JSON."""
    from seawall.image.source import parse_target
    from seawall.inventory.build import InventoryBuilder
    from seawall.report import RenderOptions
    from seawall.report.cyclonedx import render

    builder = InventoryBuilder.create(cache_dir, jobs=jobs)
    with _installed(options):
        inventory = builder.build(parse_target(f"registry:{host}/{repository}@{digest}"))
    return render(inventory, RenderOptions())


def match_stored(
    store: ResultsStore, digests: list[str], db_path: Path | None, force: bool = False
) -> tuple[list[str], int, str]:
    """Match the stored SBOMs of these digests against the database: all of them with ``force``, else
    those not yet matched against this database's content. Returns (matched, new findings, DB digest)."""
    from seawall.match.matcher import Matcher
    from seawall.sbom_input import parse_sbom
    from seawall.vulndb import resolve_db_path
    from seawall.vulndb.store import VulnStore

    with VulnStore.open(resolve_db_path(db_path)) as vulns:
        db_digest = vulns.metadata().get("content_digest", "")
        todo = sorted(set(digests)) if force else store.stale(digests, db_digest)
        sboms = store.sboms(todo)
        matcher = Matcher(vulns)
        matched: list[str] = []
        new = 0
        for digest in todo:
            if digest not in sboms:
                continue  # tagged but not indexed (its indexing failed): the next run tries again
            report = matcher.match(parse_sbom(sboms[digest], digest))
            rows = [
                FindingRow(
                    digest,
                    f.advisory_id,
                    f.package.name,
                    f.installed_version,
                    f.severity.name,
                    f.fixed_version,
                )
                for f in report.findings
                if not f.suppressed
            ]
            new += store.replace_findings(digest, rows, db_digest)
            matched.append(digest)
    return matched, new, db_digest


def scan_registry(
    store: ResultsStore,
    host: str,
    repository: str = "",
    include: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    *,
    db_path: Path | None = None,
    cache_dir: Path | None = None,
    options: RegistryOptions | None = None,
    force_match: bool = True,
    jobs: int = 2,
) -> ScanOutcome:
    """List repositories (the catalog, or the one given) and their tags, record what each tag points at,
    index digests the store does not know, and match the SBOMs of the current tags.

    Listing errors (registry down, refused) raise and leave the store as it was for the repositories
    not reached; an image that cannot be indexed is a warning, and is tried again on the next run."""
    from seawall.inventory.cache import default_cache_dir

    started = time.monotonic()
    options = options if options is not None else current()
    outcome = ScanOutcome(host)
    client = RegistryClient(host, options)
    try:
        names = [repository] if repository else sorted(client.catalog())
        resolved: dict[str, dict[str, str]] = {}
        for name in names:
            if not PATH_RE.fullmatch(name) or len(name) > 255:
                outcome.warnings.append(f"{host}: skipped the invalid repository name {name[:80]!r}")
                continue
            if include and not any(":" in p for p in include) and not selected(name, "", include, ()):
                continue
            resolved[name] = resolve_tags(client, name, include, exclude, outcome.warnings)
    finally:
        client.close()
    known = store.known_digests()
    cache = cache_dir or default_cache_dir()
    for name, current_tags in resolved.items():
        for digest in sorted(set(current_tags.values())):
            if digest in known:
                continue
            try:
                sbom = index_image(host, name, digest, cache, options, jobs)
            except SeawallError as error:
                outcome.warnings.append(f"{host}/{name}@{digest}: {error}")
                log.warning("%s/%s@%s: not indexed: %s", host, name, digest, error)
                continue
            store.add_image(digest, sbom)
            known.add(digest)
            outcome.indexed.append(digest)
        store.set_tags(host, name, current_tags)
        outcome.repositories += 1
        outcome.tags += len(current_tags)
        outcome.digests.update(current_tags.values())
    if not repository and not include:
        store.prune_repositories(host, set(resolved))
    outcome.matched, outcome.new_findings, outcome.db_digest = match_stored(
        store, sorted(outcome.digests), db_path, force=force_match
    )
    outcome.seconds = time.monotonic() - started
    return outcome
