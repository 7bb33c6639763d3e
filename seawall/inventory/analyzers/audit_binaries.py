"""Tools a production image should not carry: shells, package managers, network tools.

Found by name in the ``bin``/``sbin`` directories of the default PATH, as files or as links (busybox
images link every applet to one binary). Header-only: no content is read.
"""

from __future__ import annotations

from typing import ClassVar

from seawall.inventory.analyzer import Analyzer, FileInfo, FileKind, register
from seawall.inventory.analyzers.audit_common import BIN_DIRECTORIES, finding, image_rule, printable
from seawall.model import Facts, Severity

DISTROLESS = "https://github.com/GoogleContainerTools/distroless"

SHELL = image_rule(
    "SW-IMG-014",
    "Shell present (not distroless-ready)",
    Severity.LOW,
    rationale=(
        "A shell is what an attacker who gets code execution in a container reaches for first: to "
        "explore, download tools and pivot. An application image rarely needs one at run time. Images "
        "without a shell (distroless, scratch, Chainguard) leave far less to work with. busybox counts: "
        "it is a multi-call binary with a built-in shell."
    ),
    fix=(
        "Build in one stage and copy only the application and its runtime into a distroless or scratch "
        "final stage; debug with ephemeral containers (`kubectl debug`) instead of a shell in the image."
    ),
    bad_example='FROM python:3.12-slim\nCOPY app /app\nCMD ["python", "/app/main.py"]\n',
    good_example=(
        "FROM python:3.12-slim AS build\nCOPY app /app\n"
        "RUN pip install --target /deps -r /app/requirements.txt\n"
        "FROM gcr.io/distroless/python3-debian12\nCOPY --from=build /app /app\n"
        "COPY --from=build /deps /deps\n"
        'ENV PYTHONPATH=/deps\nCMD ["/app/main.py"]\n'
    ),
    references=(DISTROLESS,),
)
PACKAGE_MANAGER = image_rule(
    "SW-IMG-015",
    "Package manager present (not distroless-ready)",
    Severity.LOW,
    rationale=(
        "A package manager in the final image lets anyone with code execution in the container install "
        "whatever tools they need, and its databases and caches add size and attack surface. Packages "
        "belong in the build; the running image needs only their files."
    ),
    fix=(
        "Install in a build stage and copy the result into a final stage without the package manager "
        "(distroless, scratch), or remove it at the end of the build where the base allows."
    ),
    bad_example='FROM node:20\nCOPY . /app\nRUN npm ci\nCMD ["node", "/app/index.js"]\n',
    good_example=(
        "FROM node:20 AS build\nCOPY . /app\nWORKDIR /app\nRUN npm ci --omit=dev\n"
        'FROM gcr.io/distroless/nodejs20-debian12\nCOPY --from=build /app /app\nCMD ["/app/index.js"]\n'
    ),
    references=(DISTROLESS,),
)
NETWORK_TOOL = image_rule(
    "SW-IMG-016",
    "Network tool present",
    Severity.LOW,
    rationale=(
        "curl, wget, netcat, socat, ssh and telnet turn code execution into downloads of further tools, "
        "reverse shells and exfiltration. They are often left over from the build (fetching a "
        "release, a health check script) and are rarely needed by the running application."
    ),
    fix=(
        "Download in a build stage and copy only the result; for health checks use the application's "
        "own endpoint or a tiny static probe. Remove the package (`apt-get purge curl`) if a single "
        "stage must stay."
    ),
    bad_example="FROM debian:12\nRUN apt-get update && apt-get install -y curl && curl -fsSLO https://example.com/app\n",
    good_example=(
        "FROM debian:12 AS fetch\nRUN apt-get update && apt-get install -y curl && curl -fsSLO https://example.com/app\n"
        "FROM gcr.io/distroless/base-debian12\nCOPY --from=fetch /app /app\n"
    ),
)
RULES = (SHELL, PACKAGE_MANAGER, NETWORK_TOOL)

SHELLS = frozenset(
    {"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "pdksh", "csh", "tcsh", "fish", "busybox"}
)
PACKAGE_MANAGERS = frozenset(
    {
        "apt",
        "apt-get",
        "aptitude",
        "dpkg",
        "apk",
        "dnf",
        "dnf5",
        "yum",
        "microdnf",
        "tdnf",
        "rpm",
        "zypper",
        "pacman",
        "pip",
        "pip2",
        "pip3",
        *(f"pip3.{minor}" for minor in range(6, 16)),
        "pipx",
        "uv",
        "npm",
        "yarn",
        "pnpm",
        "gem",
        "composer",
        "conda",
        "mamba",
        "micromamba",
    }
)
NETWORK_TOOLS = frozenset(
    {
        "curl",
        "wget",
        "nc",
        "netcat",
        "nc.openbsd",
        "nc.traditional",
        "ncat",
        "socat",
        "ssh",
        "sshd",
        "scp",
        "sftp",
        "telnet",
        "ftp",
        "tftp",
    }
)
NOT_DISTROLESS = ": the image is not distroless-ready"
_CATEGORIES = (
    (SHELLS, SHELL, "shell", NOT_DISTROLESS),
    (PACKAGE_MANAGERS, PACKAGE_MANAGER, "package manager", NOT_DISTROLESS),
    (NETWORK_TOOLS, NETWORK_TOOL, "network tool", ""),
)
_KINDS = (FileKind.REGULAR, FileKind.SYMLINK, FileKind.HARDLINK)


@register
class ToolsAnalyzer(Analyzer):
    name = "audit-tools"
    version = 1
    scanner: ClassVar[str] = "config"
    header_only: ClassVar[bool] = True
    basenames: ClassVar[frozenset[str]] = SHELLS | PACKAGE_MANAGERS | NETWORK_TOOLS

    def wants(self, path: str, info: FileInfo) -> bool:
        directory, _, base = path.rpartition("/")
        return directory in BIN_DIRECTORIES and base in self.basenames and info.kind in _KINDS

    def analyze(self, path: str, content: bytes) -> Facts:
        return Facts()  # header-only: everything happens in analyze_entry

    def analyze_entry(self, info: FileInfo) -> Facts:
        path = info.path
        base = path.rpartition("/")[2]
        link = printable(info.link_target) if info.kind is not FileKind.REGULAR else ""
        shown = path
        if link:
            shown = f"{path} -> {link}" if info.kind is FileKind.SYMLINK else f"{path} (hard link to {link})"
        found = []
        for names, rule, what, why in _CATEGORIES:
            if base in names:
                extra = " (busybox has a built-in shell)" if base == "busybox" else ""
                message = f"{what} {shown} is present{extra}{why}"
                properties = {"binary": base, "category": what}
                if link:
                    properties["link_target"] = link
                found.append(finding(rule, message, path, properties=properties))
        return Facts(findings=tuple(found))
