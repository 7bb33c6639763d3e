"""Git repositories (a ``.git`` directory) left in the image.

A ``.git`` directory is recognised by its ``HEAD`` or ``config`` file; the finding names the
directory. Header-only: no content is read (credentials in ``.git/config`` are the credential-file
rule's business, see :mod:`.audit_credentials`).
"""

from __future__ import annotations

from typing import ClassVar

from seawall.inventory.analyzer import ALL_LAYERS, Analyzer, FileInfo, FileKind, register
from seawall.inventory.analyzers.audit_common import finding, image_rule
from seawall.model import Facts, Severity

GIT_DIRECTORY = image_rule(
    "SW-IMG-019",
    "Git repository (.git) in the image",
    Severity.MEDIUM,
    rationale=(
        "A .git directory holds the whole history of the source: deleted files, old configuration, "
        "credentials once committed and removed, internal URLs. In an image it is usually an accident "
        "of `COPY . .` and it makes the image larger as well."
    ),
    fix="Add `.git` to .dockerignore (or copy only what the build needs) and rebuild.",
    bad_example="FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n",
    good_example="# .dockerignore\n.git\n.gitignore\n",
    references=("https://docs.docker.com/build/concepts/context/#dockerignore-files",),
    tags=("cwe:527", ALL_LAYERS),
)
RULES = (GIT_DIRECTORY,)

_MARKERS = frozenset({"HEAD", "config"})


@register
class GitDirectoryAnalyzer(Analyzer):
    name = "audit-git"
    version = 1
    scanner: ClassVar[str] = "config"
    header_only: ClassVar[bool] = True
    basenames: ClassVar[frozenset[str]] = _MARKERS

    def wants(self, path: str, info: FileInfo) -> bool:
        directory, _, base = path.rpartition("/")
        return (
            base in _MARKERS
            and (directory == ".git" or directory.endswith("/.git"))
            and info.kind is FileKind.REGULAR
        )

    def analyze(self, path: str, content: bytes) -> Facts:
        return Facts()  # header-only: everything happens in analyze_entry

    def analyze_entry(self, info: FileInfo) -> Facts:
        repository = info.path.rpartition("/")[0]
        message = f"git repository {repository} is in the image, with its history"
        return Facts(findings=(finding(GIT_DIRECTORY, message, repository),))
