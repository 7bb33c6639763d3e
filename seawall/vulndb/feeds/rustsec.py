"""RustSec advisory-db: ``crates/<crate>/RUSTSEC-*.md`` (and ``rust/<component>/CVE-*.md``).

Each file is Markdown that opens with a fenced TOML block (```` ```toml ````): ``[advisory]`` (id,
package, date, aliases, related, cvss, informational, withdrawn, url, references, categories,
keywords, license), ``[versions]`` (``patched`` and ``unaffected``: Cargo requirement strings) and
``[affected]`` (``os``, ``arch`` kept as properties; ``functions`` not needed). The Markdown title is
the summary, the rest the details.

Crates go to namespace ``cargo``; the advisories under ``rust/`` concern the Rust toolchain itself
(``std``, ``cargo``, ``rustdoc``, versioned like ``rustc``), so they go to namespace ``rust``: the
toolchain's ``cargo`` must never match the library crate named ``cargo``. Versions are one
REQUIREMENTS range in the ``cargo`` scheme: affected unless a version meets a patched or unaffected
requirement; the status is ``fixed`` when patched versions exist (``fixed`` lists the lowest version
of each), else ``affected``. Informational advisories (``unsound``, ``unmaintained``, ``notice``) are
kept and marked with the property ``("informational", KIND)``, so matching can leave them out by
default; withdrawn advisories are skipped and counted.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from collections.abc import Iterable
from typing import Any

from packageurl import PackageURL

from seawall.versions import InvalidVersion, scheme
from seawall.vulndb import cvss
from seawall.vulndb.errors import FeedError
from seawall.vulndb.feeds import Importer, ImportReport, register
from seawall.vulndb.feeds.osv import _cvss_rating
from seawall.vulndb.model import (
    Advisory,
    AffectedPackage,
    Range,
    RangeType,
    Rating,
    Record,
    Reference,
    Status,
)
from seawall.vulndb.namespace import normalize_name, scheme_of
from seawall.vulndb.parsing import mapping, requirement_strings, strings, text

SOURCE = "rustsec"
CRATES = "cargo"
TOOLCHAIN = "rust"  # advisories for the Rust toolchain (rust/std, rust/cargo, rust/rustdoc)
_FRONT = re.compile(r"\A\s*```toml[ \t]*\r?\n(.*?)\r?\n```[^\n]*(?:\n|\Z)", re.S)
_ID = re.compile(r"^[A-Z][A-Z0-9]*-[0-9A-Za-z-]+$")
_TITLE = re.compile(r"^#[ \t]+([^\n]+)", re.M)
_CRATE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
# Cargo comparators whose version is the lowest one a requirement admits: >=1.2.3, ^1.2.3, ~1.2.3,
# =1.2.3 and a bare 1.2.3 (which Cargo reads as ^1.2.3); a partial 1.2 stands for 1.2.0.
_FLOOR = re.compile(r"(?:^|,)\s*(?:(?:>=|\^|~|=)\s*)?(\d+(?:\.\d+){0,2}(?:-[0-9A-Za-z.-]+)?)\s*(?=,|$)")
_MAX_REQUIREMENTS = 100


def _full(version: str) -> str:
    release, dash, pre = version.partition("-")
    parts = release.split(".")
    return ".".join(parts + ["0"] * (3 - len(parts))) + dash + pre


def _fixed_versions(patched: tuple[str, ...]) -> tuple[str, ...]:
    """The first fixed version of each patched requirement (``">= 1.2.0, < 2"`` -> ``1.2.0``)."""
    cargo = scheme(scheme_of(CRATES))
    fixed: list[str] = []
    for requirement in patched:
        floors = [_full(v) for v in _FLOOR.findall(requirement)]
        if not floors:
            continue
        try:
            fixed.append(max(floors, key=cargo.key))
        except InvalidVersion:
            fixed.append(floors[-1])
    return tuple(dict.fromkeys(fixed))


def _requirements(value: Any, field: str) -> tuple[str, ...]:
    return requirement_strings(value, field, scheme_of(CRATES), _MAX_REQUIREMENTS)


def _collection(path: str) -> str:
    """``crates`` for ``crates/<crate>/X.md``, ``rust`` for ``rust/<component>/X.md``."""
    parts = path.split("/")
    return parts[-3] if len(parts) >= 3 else ""


def _reference_type(url: str) -> str:
    if "/issues/" in url:
        return "REPORT"
    if "/pull/" in url or "/commit/" in url:
        return "FIX"
    if "/advisories/" in url or "/security/" in url:
        return "ADVISORY"
    return "WEB"


def _date(value: Any) -> str:
    if isinstance(value, datetime.date):  # an unquoted TOML date
        return value.isoformat()
    return text(value, 40).strip()


def _front_matter(path: str, content: bytes) -> tuple[dict[str, Any], str]:
    """The TOML front block as a table, and the Markdown after it."""
    try:
        document = content.decode("utf-8")
    except UnicodeDecodeError:
        raise FeedError("not UTF-8 text") from None
    match = _FRONT.match(document)
    if match is None:
        raise FeedError("no ```toml front block")
    try:
        front = tomllib.loads(match.group(1))
    except (tomllib.TOMLDecodeError, RecursionError) as error:
        reason = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        raise FeedError(f"invalid TOML front block ({reason})") from None
    return front, document[match.end() :]


def _title_and_details(markdown: str) -> tuple[str, str]:
    title = _TITLE.search(markdown)
    if title is None:
        return "", text(markdown.strip())
    details = (markdown[: title.start()] + markdown[title.end() :]).strip()
    return text(title.group(1).strip(), 1000), text(details)


def _properties(advisory: dict[str, Any], affected: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    informational = text(advisory.get("informational"), 40).strip()
    if informational:
        found.append(("informational", informational))
    found += [("category", c) for c in strings(advisory.get("categories"), 50)]
    found += [("keyword", k) for k in strings(advisory.get("keywords"), 50)]
    found += [("os", o) for o in strings(affected.get("os"), 50)]
    found += [("arch", a) for a in strings(affected.get("arch"), 50)]
    license_ = text(advisory.get("license"), 40).strip()
    if license_:
        found.append(("license", license_))
    return tuple(sorted(dict.fromkeys(found)))


def _rating(vector: str, report: ImportReport, path: str) -> list[Rating]:
    if not vector:
        return []
    try:
        kind = {2: "CVSS_V2", 3: "CVSS_V3", 4: "CVSS_V4"}[cvss.version_of(vector)]
        return [_cvss_rating(SOURCE, kind, vector)]
    except cvss.CvssError as error:
        report.warn(path, f"cvss ignored: {error}")
        return []


def advisory_from_rustsec(path: str, content: bytes, report: ImportReport) -> Advisory | None:
    """One RustSec advisory file; None when it is withdrawn. FeedError when it is malformed."""
    front, markdown = _front_matter(path, content)
    advisory = mapping(front.get("advisory"))
    if not advisory:
        raise FeedError("no [advisory] table")
    advisory_id = text(advisory.get("id"), 200).strip()
    if not _ID.match(advisory_id):
        raise FeedError(f"invalid advisory id {advisory_id[:60]!r}")
    if _date(advisory.get("withdrawn")):
        report.count("withdrawn")
        return None
    package = text(advisory.get("package"), 200).strip()
    if not _CRATE.match(package):
        raise FeedError(f"{advisory_id}: invalid package name {package[:60]!r}")
    versions = front.get("versions")
    if not isinstance(versions, dict):
        raise FeedError(f"{advisory_id}: no [versions] table")
    patched = _requirements(versions.get("patched"), "[versions] patched")
    unaffected = _requirements(versions.get("unaffected"), "[versions] unaffected")
    namespace = TOOLCHAIN if _collection(path) == "rust" else CRATES
    fixed = _fixed_versions(patched)
    ranges = (Range(RangeType.REQUIREMENTS, scheme_of(CRATES), (), (), patched + unaffected),)
    name = normalize_name(CRATES, package)
    affected = AffectedPackage(
        namespace=namespace,
        name=name,
        status=Status.FIXED if patched else Status.AFFECTED,  # "> 1.2.3" names no version
        ranges=ranges if patched or unaffected else (),
        fixed=fixed,
        purl=PackageURL(type="cargo", name=package).to_string() if namespace == CRATES else "",
        properties=_properties(advisory, mapping(front.get("affected"))),
    )
    references = [Reference(_reference_type(u), u) for u in [text(advisory.get("url"), 2048).strip()] if u]
    references += [Reference(_reference_type(u), u) for u in strings(advisory.get("references"), 200)]
    summary, details = _title_and_details(markdown)
    return Advisory(
        id=advisory_id,
        summary=summary,
        details=details,
        aliases=tuple(a for a in strings(advisory.get("aliases"), 100) if a != advisory_id),
        related=tuple(r for r in strings(advisory.get("related"), 100) if r != advisory_id),
        published=_date(advisory.get("date")),
        references=tuple(dict.fromkeys(references)),
        ratings=tuple(_rating(text(advisory.get("cvss"), 200).strip(), report, path)),
        affected=(affected,),
    )


@register
class RustSecImporter(Importer):
    name = "rustsec"
    version = 1
    priority = 30
    max_size = 1024 * 1024  # an advisory is a few KiB

    def wants(self, path: str) -> bool:
        return path.endswith(".md") and _collection(path) in ("crates", "rust")

    def detect(self, path: str, content: bytes) -> bool:
        head = content[:4096].lstrip()
        return head.startswith(b"```toml") and b"[advisory]" in head

    def parse(self, path: str, content: bytes, report: ImportReport) -> Iterable[Record]:
        advisory = advisory_from_rustsec(path, content, report)
        return [advisory] if advisory is not None else []
