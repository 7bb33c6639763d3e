"""Allow rules: what is not worth reporting, so that what is reported is worth reading.

Three kinds, applied by the scanner:

* paths: documentation, tests and examples (a key in ``tests/fixtures/server.key`` or in a README is
  there to be shown, not used);
* contents: binary files and files over the size cap are not scanned at all;
* values: the documented example keys of vendors (AWS's ``AKIAIOSFODNN7EXAMPLE``, jwt.io's sample
  token ...) and placeholders (``changeme``, ``<your-token>``, ``${TOKEN}``, ``xxxx``, one repeated
  character, an ascending run such as ``12345678``).
"""

from __future__ import annotations

import itertools
import re

MiB = 1024 * 1024
MAX_FILE_SIZE = MiB
BINARY_INVALID_RATIO = 0.25

# --- paths -----------------------------------------------------------------------------------------

# Directories holding documentation or tests of a system package or of a library.
SYSTEM_DOC_PREFIXES = (
    "usr/share/doc/",
    "usr/share/man/",
    "usr/share/info/",
    "usr/share/common-licenses/",
    "usr/share/licenses/",
    "usr/share/locale/",
    "usr/share/i18n/",
    "usr/share/zoneinfo/",
    "usr/include/",
)
# A path component with one of these names marks tests, examples or documentation.
ALLOWED_DIRECTORIES = frozenset(
    {
        "test",
        "tests",
        "testing",
        "testdata",
        "test-data",
        "test_data",
        "__tests__",
        "spec",
        "specs",
        "fixtures",
        "__fixtures__",
        "__mocks__",
        "example",
        "examples",
        "sample",
        "samples",
        "doc",
        "docs",
        "documentation",
    }
)
ALLOWED_SUFFIXES = (
    ".md",
    ".markdown",
    ".rst",
    ".adoc",
    ".example",
    ".sample",
    ".dist",
    ".template",
)
# Package metadata and project documentation, whatever the directory.
ALLOWED_BASENAMES = frozenset(
    {"pkg-info", "metadata", "changelog", "changes", "history", "news", "authors", "contributing", "license"}
)
# Third-party library trees: installed packages, language runtimes, vendored code.
LIBRARY_DIRECTORIES = frozenset(
    {"site-packages", "dist-packages", "node_modules", "bower_components", "vendor"}
)
_LIBRARY_PREFIX = re.compile(
    r"usr/(?:local/)?lib/(?:python[0-9.]*|ruby|go[0-9.-]*|jvm|node_modules)/|usr/local/go/"
    r"|usr/share/(?!nginx/)|var/lib/dpkg/"
)
_TEST_FILE = re.compile(
    r"(?:test_[^/]*\.py|[^/]*_test\.(?:py|go|rb|exs?)|conftest\.py|[^/]*_spec\.rb"
    r"|[^/]*\.(?:test|spec)\.[cm]?[jt]sx?|[^/]*Tests?\.(?:java|kt|cs|scala))"
)


def normalise(path: str) -> str:
    """A path relative to the image or scan root: no leading ``/`` or ``./``."""
    while path.startswith(("./", "/")):
        path = path[2:] if path.startswith("./") else path[1:]
    return path


def allowed_path(path: str) -> str:
    """Why ``path`` is not scanned (``"documentation"``, ``"test or example"``), or ``""``."""
    path = normalise(path)
    if path.startswith(SYSTEM_DOC_PREFIXES):
        return "documentation"
    directory, _, name = path.rpartition("/")
    lowered = name.lower()
    if lowered.endswith(ALLOWED_SUFFIXES) or lowered in ALLOWED_BASENAMES or lowered.startswith("readme"):
        return "documentation or example file"
    if directory and not ALLOWED_DIRECTORIES.isdisjoint(directory.lower().split("/")):
        return "test, example or documentation directory"
    if _TEST_FILE.fullmatch(name):
        return "test file"
    return ""


def in_library_tree(path: str) -> bool:
    """Whether ``path`` belongs to third-party or OS-packaged code and data (``site-packages``,
    ``node_modules``, a language runtime under ``usr/lib``, ``usr/share`` but for web roots under
    ``usr/share/nginx``): generic rules stay silent there, where every ``password = "..."`` is a
    docstring example or a test value, not the image builder's secret."""
    path = normalise(path)
    if _LIBRARY_PREFIX.match(path):
        return True
    directory = path.rpartition("/")[0]
    return bool(directory) and not LIBRARY_DIRECTORIES.isdisjoint(directory.split("/"))


# --- contents --------------------------------------------------------------------------------------


def decode_text(content: bytes) -> str | None:
    """The text of a text file, or ``None`` for binary content.

    Binary: a NUL byte anywhere, or more than a quarter of the characters not valid UTF-8 (a
    Latin-1 file with accents is still text; its odd bytes become U+FFFD).
    """
    if b"\x00" in content:
        return None
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        text = content.decode("utf-8", errors="replace")
    if text.count("\ufffd") > BINARY_INVALID_RATIO * max(len(text), 1):
        return None
    return text


# --- values ----------------------------------------------------------------------------------------

# Example credentials that vendors publish in their documentation, exactly as published.
WELL_KNOWN_EXAMPLES = frozenset(
    {
        # AWS documentation ("Managing access keys for IAM users", "Configuration basics")
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AKIAI44QH8DHBEXAMPLE",
        "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
        # Stripe API reference (the shared test-mode key of its examples)
        "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
        # RFC 6749 (OAuth 2.0) example access and refresh tokens
        "2YotnFZFEjr1zCsicMWpAA",
        "tGzv3JOkF0XG5Qx2TlKWIA",
        # jwt.io's sample HS256 token (signature part and the whole token)
        "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ",
    }
)
# jwt.io's sample payload {"sub":"1234567890","name":"John Doe","iat":1516239022}, whatever the signature.
JWT_IO_SAMPLE_PAYLOADS = frozenset(
    {
        "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ",
        "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiYWRtaW4iOnRydWUsImlhdCI6MTUxNjIzOTAyMn0",
    }
)
PLACEHOLDER_WORDS = (
    "example",
    "changeme",
    "change_me",
    "change-me",
    "changeit",
    "placeholder",
    "dummy",
    "your_",
    "your-",
    "yourpass",
    "yoursecret",
    "yourtoken",
    "redacted",
    "replace_",
    "replace-",
    "replaceme",
    "insert_",
    "insert-",
    "fixme",
    "todo",
    "xxxx",
    "****",
    "....",
)
_VARIABLE = re.compile(r"\$[A-Za-z_(]|%[A-Za-z_][A-Za-z0-9_]*%")
# Template and interpolation syntax: {{ x }}, ${X}, #{x}, {self.x} (str.format, f-strings), %(x)s,
# <% x %>, <your-token>
_TEMPLATE = re.compile(
    r"\{\{.{0,200}?\}\}|\$\{[^}]{1,100}\}|#\{[^}]{1,100}\}|\{[A-Za-z_][A-Za-z0-9_.]{0,60}\}"
    r"|%\([A-Za-z0-9_]{1,60}\)[sd]|<%.{0,200}?%>|<[A-Za-z0-9 _.-]{1,40}>"
)
_REPEATED_RUN = re.compile(r"(.)\1{5}")  # one character six times in a row


def _ascending_share(value: str) -> float:
    """The share of neighbouring characters that step up by one (``abcd``, ``1234``)."""
    if len(value) < 2:
        return 0.0
    steps = sum(1 for a, b in itertools.pairwise(value) if ord(b) - ord(a) == 1)
    return steps / (len(value) - 1)


def is_placeholder(value: str) -> bool:
    """Whether ``value`` is a template, a variable reference or an obviously made-up value."""
    if _REPEATED_RUN.search(value) or len(set(value)) <= 2:
        return True
    lowered = value.lower()
    if any(word in lowered for word in PLACEHOLDER_WORDS):
        return True
    if _VARIABLE.match(value) or _TEMPLATE.search(value):
        return True
    return len(value) >= 8 and _ascending_share(value) >= 0.6


def is_well_known_example(value: str) -> bool:
    """A vendor's documented example credential (or contains AWS's ``EXAMPLE`` marker); a JWT whose
    header and payload, or whose payload alone, is jwt.io's sample."""
    if value in WELL_KNOWN_EXAMPLES or "EXAMPLE" in value:
        return True
    if value.count(".") == 2:
        header, payload, signature = value.split(".")
        return (
            payload in JWT_IO_SAMPLE_PAYLOADS
            or f"{header}.{payload}" in WELL_KNOWN_EXAMPLES
            or signature in WELL_KNOWN_EXAMPLES
        )
    return False


def allowed_value(value: str) -> str:
    """Why the secret ``value`` is not reported (``"example"``, ``"placeholder"``), or ``""``."""
    if is_well_known_example(value):
        return "well-known example"
    if is_placeholder(value):
        return "placeholder"
    return ""
