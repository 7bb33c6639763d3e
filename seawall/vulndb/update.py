"""``db update``: fetch the configured upstream sources over HTTPS into a download cache, then build.

Sources are ``NAME`` + ``URL`` (+ an optional importer ``FORMAT``): ``--source NAME=URL`` on the command
line, else the ``sources`` list of the database settings file, else :data:`DEFAULT_SOURCES` (those whose
importer exists). A URL may also be a local path (an air-gapped copy), which is used as it is.

Downloads go to ``CACHE/db-sources/NAME/FILE``. A file already there is revalidated
(``If-None-Match`` / ``If-Modified-Since``: a 304 costs no transfer, and an unchanged file is not
imported again by the build). A download that breaks off is resumed from the bytes received
(``Range`` with ``If-Range``), in the same run after a dropped connection and in the next run after an
interruption. Proxy variables are honoured (httpx reads them), TLS uses the system trust store plus
``SEAWALL_CA_FILE``; plain HTTP only for hosts named with ``--insecure-registry``. Answers 429 and 5xx,
timeouts and broken connections are retried with backoff; an unreachable source fails the update with
one line naming it, and the database in use is not touched.

The settings file (``$SEAWALL_DB_CONFIG``, else ``$XDG_CONFIG_HOME/seawall/db.yaml``)::

    sources:                      # replaces the default list
      - {name: osv-pypi, url: "https://.../PyPI/all.zip", format: osv}
      - {name: cisa-kev, url: "https://.../known_exploited_vulnerabilities.json"}
    mirrors:                      # db pull tries these in order
      - oci://registry.example.com/security/seawall-db:1
    max_age: 7d                   # db status warns past this age
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

from seawall.errors import UsageError
from seawall.registry.options import RegistryOptions, current
from seawall.registry.session import RETRY_STATUSES, redact, retry_after, ssl_context
from seawall.vulndb.build import BuildResult, SourceSpec, build_database
from seawall.vulndb.errors import SourceError
from seawall.vulndb.namespace import RUST_OSV_ECOSYSTEM

log = logging.getLogger("seawall")

CONFIG_ENV = "SEAWALL_DB_CONFIG"
CACHE_FOLDER = "db-sources"
STATE_FILE = "state.json"
MAX_DOWNLOAD_BYTES = 16 * 1024**3
CHUNK = 1024 * 1024
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_OSV = "https://osv-vulnerabilities.storage.googleapis.com"
_KEV = "https://www.cisa.gov/sites/default/files/feeds"


@dataclass(frozen=True)
class FeedSource:
    """One upstream source: its name in the database, where it is, and its format when forced."""

    name: str
    url: str
    format: str = ""

    @property
    def is_remote(self) -> bool:
        return self.url.startswith(("https://", "http://"))


DEFAULT_SOURCES: tuple[FeedSource, ...] = (
    *(
        FeedSource(f"osv-{name}", f"{_OSV}/{ecosystem}/all.zip", "osv")
        for name, ecosystem in (
            ("pypi", "PyPI"),
            ("go", "Go"),
            ("cargo", RUST_OSV_ECOSYSTEM),
            ("rubygems", "RubyGems"),
            ("npm", "npm"),
            ("maven", "Maven"),
            ("nuget", "NuGet"),
            ("packagist", "Packagist"),
            ("almalinux", "AlmaLinux"),
            ("rocky", "Rocky%20Linux"),
            ("alpine", "Alpine"),
            ("debian", "Debian"),
            ("ubuntu", "Ubuntu"),
        )
    ),
    FeedSource("debian-tracker", "https://security-tracker.debian.org/tracker/data/json", "debian-tracker"),
    FeedSource(
        "cisa-kev",
        "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json",
        "kev",
    ),
    FeedSource("epss", "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz", "epss"),
)


class FetchError(SourceError):
    """A source could not be fetched: unreachable, refused, or answered with an error."""


# --- settings -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DbSettings:
    """The database settings file: sources for ``db update``, mirrors for ``db pull``, the age limit."""

    path: Path | None = None
    sources: tuple[FeedSource, ...] = ()
    mirrors: tuple[str, ...] = ()
    max_age: str = ""


def settings_path() -> Path:
    explicit = os.environ.get(CONFIG_ENV, "")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or ""
    root = Path(base) if os.path.isabs(base) else Path.home() / ".config"
    return root / "seawall" / "db.yaml"


def load_settings(path: Path | None = None) -> DbSettings:
    """The settings file, or empty settings when there is none (an explicit file must exist)."""
    explicit = path is not None or bool(os.environ.get(CONFIG_ENV))
    path = path if path is not None else settings_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if explicit:
            raise UsageError(f"no database settings file at {path}") from None
        return DbSettings()
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read {path}: {error}") from None
    import yaml

    try:
        document = yaml.safe_load(text) if len(text) < 1024 * 1024 else None
    except yaml.YAMLError as error:
        raise UsageError(f"{path}: not valid YAML ({str(error).splitlines()[0]})") from None
    if document is None:
        return DbSettings(path)
    if not isinstance(document, dict):
        raise UsageError(f"{path}: expected a mapping with sources, mirrors, max_age")
    unknown = sorted(str(k) for k in document if k not in ("sources", "mirrors", "max_age"))
    if unknown:
        raise UsageError(f"{path}: unknown setting {unknown[0]!r} (known: sources, mirrors, max_age)")
    sources = document.get("sources") or []
    mirrors = document.get("mirrors") or []
    max_age = document.get("max_age", "")
    if not isinstance(sources, list) or not isinstance(mirrors, list) or not isinstance(max_age, str | int):
        raise UsageError(f"{path}: sources and mirrors are lists, max_age is text like 7d")
    parsed = []
    for item in sources:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item.get("url"):
            raise UsageError(f"{path}: each source needs a name and a url")
        parsed.append(_checked(FeedSource(item["name"], str(item["url"]), str(item.get("format") or ""))))
    if not all(isinstance(m, str) for m in mirrors):
        raise UsageError(f"{path}: mirrors are oci://REGISTRY/REPO:TAG strings")
    return DbSettings(path, tuple(parsed), tuple(mirrors), str(max_age))


def _checked(source: FeedSource) -> FeedSource:
    if not _NAME.fullmatch(source.name):
        raise UsageError(f"bad source name {source.name!r}: letters, digits, '.', '_' and '-'")
    if "://" in source.url and not source.is_remote:
        raise UsageError(f"source {source.name}: {source.url[:100]!r} is not an https:// URL or a local path")
    return source


def parse_source_option(text: str) -> FeedSource:
    """``NAME=URL`` or ``NAME=FORMAT:URL`` (FORMAT a registered importer), URL may be a local path."""
    from seawall.vulndb.feeds import all_importers

    name, sep, value = text.partition("=")
    if not sep or not name or not value:
        raise UsageError(f"bad --source {text!r}: use NAME=URL")
    prefix, colon, rest = value.partition(":")
    if colon and not rest.startswith("//") and prefix in {i.name for i in all_importers()}:
        return _checked(FeedSource(name, rest, prefix))
    return _checked(FeedSource(name, value))


def configured_sources(given: list[FeedSource], settings: DbSettings) -> list[FeedSource]:
    """``--source`` flags, else the settings file's list, else the defaults whose importer exists."""
    if given:
        chosen = given
    elif settings.sources:
        chosen = list(settings.sources)
    else:
        from seawall.vulndb.feeds import all_importers

        known = {i.name for i in all_importers()}
        chosen = [s for s in DEFAULT_SOURCES if s.format in known]
        for source in DEFAULT_SOURCES:
            if source.format not in known:
                log.info("source %s skipped: no %s importer in this Seawall", source.name, source.format)
    names = [s.name for s in chosen]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise UsageError(f"two sources named {duplicates[0]!r}")
    return chosen


# --- downloading ----------------------------------------------------------------------------------


@dataclass
class Fetched:
    """One source after fetching: the local file, and how it got there."""

    source: FeedSource
    path: Path
    outcome: str  # downloaded | resumed | not-modified | local
    received: int = 0


def _host(url: str) -> str:
    """``HOST[:PORT]`` of a URL (never its user information)."""
    return urlsplit(url).netloc.rpartition("@")[2]


def _file_name(url: str) -> str:
    segment = unquote(urlsplit(url).path.rstrip("/").rpartition("/")[2])
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", segment).lstrip(".")[:100]
    return cleaned or "download"


def _http_date(stamp: float) -> str:
    return format_datetime(datetime.fromtimestamp(stamp, UTC), usegmt=True)


class _State:
    """What the cache knows about one source's file: URL, validators, size; saved atomically."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / STATE_FILE
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            loaded = {}
        self.data: dict[str, Any] = loaded if isinstance(loaded, dict) else {}

    def get(self, key: str) -> str:
        value = self.data.get(key, "")
        return value if isinstance(value, str) else ""

    def save(self, **values: Any) -> None:
        self.data.update(values)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.data, indent=2), encoding="utf-8")
        os.replace(temporary, self.path)


class _Dropped(Exception):
    """The transfer broke off after ``received`` bytes; resume from what the partial file holds."""

    def __init__(self, received: int) -> None:
        super().__init__(received)
        self.received = received


class Downloader:
    """Fetches sources into ``cache_dir/db-sources``, one HTTP client for the whole update."""

    def __init__(self, cache_dir: Path, options: RegistryOptions) -> None:
        self.root = cache_dir / CACHE_FOLDER
        self.options = options
        self._client: httpx.Client | None = None
        self._partial_this_run: set[str] = set()  # sources whose partial file this run wrote

    def __enter__(self) -> Downloader:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()

    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                verify=ssl_context(self.options),
                timeout=httpx.Timeout(self.options.read_timeout, connect=self.options.connect_timeout),
                follow_redirects=True,
                max_redirects=5,
                trust_env=True,
                headers={"User-Agent": self.options.user_agent, "Accept-Encoding": "identity"},
            )
        return self._client

    def fetch(self, source: FeedSource) -> Fetched:
        if not source.is_remote:
            path = Path(source.url.removeprefix("file://"))
            if not path.exists():
                raise FetchError(f"source {source.name}: {path} does not exist")
            return Fetched(source, path, "local")
        parts = urlsplit(source.url)
        if self.options.offline:
            raise FetchError(
                f"source {source.name} ({_host(source.url)}) cannot be fetched: offline mode is on "
                "(use seawall db import FILE, or db pull from a mirror)"
            )
        if parts.scheme == "http" and not self.options.is_insecure(_host(source.url)):
            raise FetchError(
                f"source {source.name}: plain HTTP refused for {_host(source.url)} "
                "(use https://, or allow the host with --insecure-registry)"
            )
        directory = self.root / source.name
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise FetchError(f"cannot create {directory}: {error.strerror}") from None
        state = _State(directory)
        name = _file_name(source.url)
        if state.get("url") != source.url or state.get("file") != name:
            for old in directory.iterdir():
                if old.name != STATE_FILE:
                    with contextlib.suppress(OSError):
                        old.unlink()
            state.data = {}
            state.save(url=source.url, file=name)
        try:
            return self._download(source, directory / name, state)
        except OSError as error:
            raise FetchError(f"source {source.name}: cannot write {directory}: {error.strerror}") from None

    def _download(self, source: FeedSource, final: Path, state: _State) -> Fetched:
        partial = final.with_name(final.name + ".part")
        attempts = 1 + max(0, self.options.retries)
        resumed = False
        received = 0
        attempt = 0
        while True:
            attempt += 1
            headers = self._conditions(final, partial, state, source.name in self._partial_this_run)
            try:
                outcome, count = self._transfer(source, final, partial, state, headers)
                received += count
                if outcome == "not-modified":
                    return Fetched(source, final, outcome, received)
                return Fetched(source, final, "resumed" if resumed else outcome, received)
            except _Dropped as dropped:
                received += dropped.received
                if attempt >= attempts:
                    raise FetchError(
                        f"source {source.name}: the download of {self._where(source.url)} kept breaking off "
                        f"({partial.stat().st_size if partial.exists() else 0} bytes kept for the next run)"
                    ) from None
                resumed = resumed or partial.exists()
                time.sleep(self._backoff(attempt))
            except httpx.TransportError as error:
                if isinstance(error, httpx.ConnectError) or attempt >= attempts:
                    where, reason = self._where(source.url), self._reason(error)
                    raise FetchError(f"cannot reach source {source.name} at {where}: {reason}") from None
                time.sleep(self._backoff(attempt))
            except _Retry as retry:
                if attempt >= attempts:
                    raise FetchError(
                        f"source {source.name}: {self._where(source.url)} answered {retry.status} "
                        f"after {attempt} attempts"
                    ) from None
                wait = retry.wait if retry.wait is not None else self._backoff(attempt)
                time.sleep(min(wait, self.options.max_wait))
            except (httpx.HTTPError, httpx.InvalidURL) as error:  # redirects, bad URLs
                reason = redact(str(error)).strip()[:200] or type(error).__name__
                raise FetchError(f"source {source.name}: {self._where(source.url)}: {reason}") from None

    @staticmethod
    def _where(url: str) -> str:
        """The URL without credentials or query (which may hold tokens)."""
        parts = urlsplit(url)
        return f"{parts.scheme}://{_host(url)}{parts.path}"

    @staticmethod
    def _reason(error: httpx.TransportError) -> str:
        text = redact(str(error)).strip() or type(error).__name__
        return text.splitlines()[0][:200]

    def _backoff(self, attempt: int) -> float:
        delay: float = self.options.backoff * 2 ** (attempt - 1) * random.uniform(1.0, 1.25)
        return min(delay, self.options.max_wait)

    @staticmethod
    def _conditions(final: Path, partial: Path, state: _State, this_run: bool) -> dict[str, str]:
        """Resume a partial file (``Range``, with ``If-Range`` when a validator is known; without one,
        only a file this run began), or revalidate a complete one."""
        headers: dict[str, str] = {}
        if partial.exists() and partial.stat().st_size > 0:
            validator = state.get("partial_etag") or state.get("partial_last_modified")
            if validator or this_run:
                headers["Range"] = f"bytes={partial.stat().st_size}-"
                if validator:
                    headers["If-Range"] = validator
                return headers
            partial.unlink()
        if final.exists():
            if state.get("etag"):
                headers["If-None-Match"] = state.get("etag")
            modified = state.get("last_modified") or _http_date(final.stat().st_mtime)
            headers["If-Modified-Since"] = modified
        return headers

    def _transfer(
        self, source: FeedSource, final: Path, partial: Path, state: _State, headers: dict[str, str]
    ) -> tuple[str, int]:
        """One request: (outcome, bytes received). Raises _Dropped, _Retry or httpx errors to retry."""
        with self.client().stream("GET", source.url, headers=headers) as response:
            status = response.status_code
            if status == 304:
                return "not-modified", 0
            if response.url.scheme != "https" and not self.options.is_insecure(response.url.netloc.decode()):
                raise FetchError(
                    f"source {source.name}: redirected to plain HTTP ({response.url.host}); refused"
                )
            if status in RETRY_STATUSES:
                raise _Retry(status, retry_after(response.headers))
            if status == 416 and "Range" in headers:
                partial.unlink(missing_ok=True)  # the partial file does not fit what is there now
                raise _Dropped(0)
            if status not in (200, 206):
                raise FetchError(f"source {source.name}: {self._where(source.url)} answered {status}")
            offset = 0
            if status == 206:
                offset = self._range_start(response, partial, source)
            total = self._total(response, offset)
            etag = response.headers.get("etag", "")
            modified = response.headers.get("last-modified", "")
            state.save(
                partial_etag=etag if etag and not etag.startswith("W/") else "",
                partial_last_modified=modified,
            )
            self._partial_this_run.add(source.name)
            count = 0
            with partial.open("ab" if offset else "wb") as out:
                try:
                    for chunk in response.iter_raw():  # as received: a break loses nothing read
                        out.write(chunk)
                        count += len(chunk)
                        if offset + count > MAX_DOWNLOAD_BYTES:
                            raise FetchError(f"source {source.name}: larger than {MAX_DOWNLOAD_BYTES} bytes")
                except httpx.TransportError as error:
                    log.debug("%s: %s after %d bytes; resuming", source.name, self._reason(error), count)
                    out.flush()
                    raise _Dropped(count) from None
                out.flush()
                os.fsync(out.fileno())
            if total is not None and offset + count != total:
                raise _Dropped(count)
            os.replace(partial, final)
            stamp = _parse_http_date(modified)
            if stamp is not None:
                os.utime(final, (stamp, stamp))
            state.save(
                etag=etag,
                last_modified=modified,
                size=final.stat().st_size,
                fetched_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                partial_etag="",
                partial_last_modified="",
            )
            return ("resumed" if offset else "downloaded"), count

    @staticmethod
    def _range_start(response: httpx.Response, partial: Path, source: FeedSource) -> int:
        answered = response.headers.get("content-range", "")
        match = re.fullmatch(r"bytes (\d+)-\d+/(\d+|\*)", answered.strip())
        have = partial.stat().st_size if partial.exists() else 0
        if not match or int(match.group(1)) != have:
            partial.unlink(missing_ok=True)
            raise FetchError(
                f"source {source.name}: the server resumed at the wrong offset ({answered[:60]!r})"
            )
        return have

    @staticmethod
    def _total(response: httpx.Response, offset: int) -> int | None:
        if response.status_code == 206:
            total = response.headers.get("content-range", "").rpartition("/")[2]
            return int(total) if total.isdigit() else None
        length = response.headers.get("content-length", "")
        return int(length) if length.isdigit() else None


class _Retry(Exception):
    def __init__(self, status: int, wait: float | None) -> None:
        super().__init__(status)
        self.status = status
        self.wait = wait


def _parse_http_date(text: str) -> float | None:
    from email.utils import parsedate_to_datetime

    if not text:
        return None
    try:
        return parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError):
        return None


# --- the service ----------------------------------------------------------------------------------


@dataclass
class UpdateResult:
    fetched: list[Fetched] = field(default_factory=list)
    build: BuildResult | None = None


def fetch_sources(
    sources: list[FeedSource], cache_dir: Path, options: RegistryOptions | None = None
) -> Iterator[Fetched]:
    """Fetch each source in turn (the first that fails ends the update)."""
    chosen = options if options is not None else current()
    with Downloader(cache_dir, chosen) as downloader:
        for source in sources:
            log.info("fetching %s from %s", source.name, source.url)
            yield downloader.fetch(source)


def update_database(
    target: Path, sources: list[FeedSource], cache_dir: Path, options: RegistryOptions | None = None
) -> UpdateResult:
    """Fetch every source, then build the database at ``target`` from exactly these sources."""
    if not sources:
        raise UsageError("no sources to update from (see seawall db update --help)")
    result = UpdateResult()
    for fetched in fetch_sources(sources, cache_dir, options):
        result.fetched.append(fetched)
    specs = [SourceSpec(f.path, f.source.name, f.source.format) for f in result.fetched]
    result.build = build_database(target, specs)
    return result
