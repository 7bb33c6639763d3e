"""Package installs: version pins, caches left in layers, recommends, upgrades."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.checks.dockerfile.engine import Context, Hit, check, rule
from seawall.checks.dockerfile.installs import OS_MANAGERS, PackageCommand, unpinned
from seawall.checks.dockerfile.parser import Instruction
from seawall.checks.dockerfile.shell import Command
from seawall.model import Severity

OS_PINS = rule(
    "SW-DF-009",
    "OS packages installed without version pins",
    Severity.LOW,
    rationale=(
        "`apt-get install curl` installs whatever version the mirror has today. Two builds of the same "
        "Dockerfile differ, a rebuild can break, and a scan result cannot be tied back to a "
        "decision. Pinned versions change only when you change them (and then deliberately)."
    ),
    fix=(
        "Pin each package: apt `curl=7.88.1-10+deb12u7`, apk `curl=8.9.0-r0`, yum/dnf "
        "`curl-7.76.1-29.el9`, zypper `curl=8.6.0`. Rebuilding on a newer base refreshes the pins "
        "through your dependency bot."
    ),
    bad_example=(
        "FROM debian:12-slim\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends curl \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
    ),
    good_example=(
        "FROM debian:12-slim\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u7 \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
    ),
    references=("https://docs.docker.com/build/building/best-practices/#apt-get",),
    tags=("hadolint:DL3008", "hadolint:DL3018", "hadolint:DL3033", "hadolint:DL3037", "hadolint:DL3041"),
)
LANGUAGE_PINS = rule(
    "SW-DF-010",
    "Language packages installed without version pins",
    Severity.LOW,
    rationale=(
        "`pip install flask`, `npm install -g typescript` or `gem install rails` resolve to the newest "
        "release at build time: a compromised or broken release reaches your image on the next build "
        "without any change on your side."
    ),
    fix=(
        "Pin the version (`flask==3.0.3`, `typescript@5.5.3`, `rails:7.1.3`) or install from a lock "
        "file (`pip install -r requirements.txt` with pinned, hashed requirements; `npm ci`)."
    ),
    bad_example="FROM python:3.12-slim\nRUN pip install --no-cache-dir flask\n",
    good_example="FROM python:3.12-slim\nRUN pip install --no-cache-dir flask==3.0.3\n",
    references=("https://pip.pypa.io/en/stable/topics/repeatable-installs/",),
    tags=("hadolint:DL3013", "hadolint:DL3016", "hadolint:DL3028"),
)
CACHE_LEFT = rule(
    "SW-DF-011",
    "Package manager cache left in the image",
    Severity.LOW,
    rationale=(
        "`apt-get update` downloads package lists (tens of MB) into /var/lib/apt/lists; yum, dnf and "
        "zypper keep metadata and packages in /var/cache. Unless they are removed in the same RUN, they "
        "stay in that layer for good: later removal only hides them. Stale lists also make later "
        "installs in derived images use outdated versions. A `--mount=type=cache` on the cache "
        "directory keeps them out of the layer."
    ),
    fix=(
        "End the RUN that installs with `&& rm -rf /var/lib/apt/lists/*` (apt), `&& yum clean all` / "
        "`&& dnf clean all`, `&& zypper clean --all`; or use `RUN --mount=type=cache,target=/var/lib/apt`."
    ),
    bad_example=(
        "FROM debian:12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n"
    ),
    good_example=(
        "FROM debian:12-slim\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends curl \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
    ),
    references=("https://docs.docker.com/build/building/best-practices/#apt-get",),
    tags=("hadolint:DL3009", "hadolint:DL3032", "hadolint:DL3036", "hadolint:DL3040"),
)
RECOMMENDS = rule(
    "SW-DF-012",
    "apt installs recommended packages",
    Severity.LOW,
    rationale=(
        "By default apt also installs every 'Recommended' package: often dozens of packages nobody "
        "asked for, each one more thing to patch and more attack surface."
    ),
    fix="Add `--no-install-recommends` to `apt-get install` (and list what you really need).",
    bad_example=(
        "FROM debian:12-slim\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
    ),
    good_example=(
        "FROM debian:12-slim\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends curl \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
    ),
    references=("https://docs.docker.com/build/building/best-practices/#apt-get",),
    tags=("cis-docker:4.3", "hadolint:DL3015"),
)
APK_CACHE = rule(
    "SW-DF-013",
    "apk add without --no-cache",
    Severity.LOW,
    rationale=(
        "`apk add` without `--no-cache` leaves the package index in /var/cache/apk in the layer. "
        "`--no-cache` fetches the index on the fly and keeps nothing, so no `apk update` or cleanup "
        "is needed."
    ),
    fix="Use `apk add --no-cache <packages>` (and drop a separate `apk update`).",
    bad_example="FROM alpine:3.20\nRUN apk update && apk add curl\n",
    good_example="FROM alpine:3.20\nRUN apk add --no-cache curl\n",
    references=("https://github.com/gliderlabs/docker-alpine/blob/master/docs/usage.md",),
    tags=("hadolint:DL3019",),
)
UPGRADE = rule(
    "SW-DF-014",
    "Distribution upgrade inside the build",
    Severity.LOW,
    rationale=(
        "`apt-get upgrade` / `dist-upgrade` in a Dockerfile makes the image depend on the day it was "
        "built, can pull in packages the base image maintainers deliberately held back, and hides "
        "that the base image itself is out of date. Security fixes belong in a rebuilt base image."
    ),
    fix=(
        "Use a newer base image tag (rebuilt by its maintainers), or upgrade only the packages that "
        "need it: `apt-get install --only-upgrade openssl`."
    ),
    bad_example=(
        "FROM debian:12-slim\nRUN apt-get update && apt-get -y upgrade && rm -rf /var/lib/apt/lists/*\n"
    ),
    good_example="FROM debian:12.7-slim\n",
    references=("https://docs.docker.com/build/building/best-practices/#apt-get",),
)
PIP_CACHE = rule(
    "SW-DF-015",
    "pip install keeps its download cache",
    Severity.LOW,
    rationale=(
        "pip caches every downloaded wheel under ~/.cache/pip. In an image that cache is dead weight "
        "(often larger than the packages) that no later layer can remove."
    ),
    fix=(
        "Use `pip install --no-cache-dir`, set `ENV PIP_NO_CACHE_DIR=1`, or mount the cache: "
        "`RUN --mount=type=cache,target=/root/.cache/pip pip install ...`."
    ),
    bad_example="FROM python:3.12-slim\nRUN pip install flask==3.0.3\n",
    good_example="FROM python:3.12-slim\nRUN pip install --no-cache-dir flask==3.0.3\n",
    references=("https://pip.pypa.io/en/stable/topics/caching/",),
    tags=("hadolint:DL3042",),
)
# manager -> (directories whose removal or cache mount cleans up, clean-up commands as argv prefixes)
_CLEANUP: dict[str, tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]] = {
    "apt": (("/var/lib/apt",), ()),
    "yum": (
        ("/var/cache/yum", "/var/cache/dnf", "/var/cache/microdnf"),
        (
            ("yum", "clean", "all"),
            ("dnf", "clean", "all"),
            ("microdnf", "clean", "all"),
            ("tdnf", "clean", "all"),
        ),
    ),
    "zypper": (("/var/cache/zypp",), (("zypper", "clean"), ("zypper", "cc"))),
}


def _removes(commands: list[Command], prefixes: tuple[str, ...]) -> bool:
    for command in commands:
        if command.program != "rm":
            continue
        for word in command.argv[1:]:
            if word.startswith(prefixes):
                return True
    return False


def _mounted(instruction: Instruction, prefixes: tuple[str, ...]) -> bool:
    return any(
        mount.get("type") in ("cache", "tmpfs") and mount.get("target", "").startswith(prefixes)
        for mount in instruction.mounts()
    )


def _cleaned(manager: str, instruction: Instruction, commands: list[Command]) -> bool:
    directories, cleaners = _CLEANUP[manager]
    if _removes(commands, directories) or _mounted(instruction, directories):
        return True
    for command in commands:
        argv = (command.program, *command.argv[1:])
        if any(argv[: len(cleaner)] == cleaner for cleaner in cleaners):
            return True
    return False


def _apt_update(commands: list[Command]) -> bool:
    return any(command.program in ("apt-get", "apt") and "update" in command.argv[1:] for command in commands)


@check
def version_pins(context: Context) -> Iterator[Hit]:
    for instruction in context.runs():
        by_rule: dict[str, tuple[PackageCommand, list[str]]] = {}
        for command in context.package_commands(instruction):
            missing = unpinned(command)
            if not missing:
                continue
            key = "os" if command.manager in OS_MANAGERS else "language"
            if key not in by_rule:
                by_rule[key] = (command, [])
            by_rule[key][1].extend(missing)
        for key, (command, missing) in by_rule.items():
            chosen = OS_PINS if key == "os" else LANGUAGE_PINS
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            yield Hit(chosen, instruction, f"{command.tool} installs {shown} without a version pin")


@check
def caches_and_options(context: Context) -> Iterator[Hit]:
    recommends_configured = False
    for instruction in context.runs(context.shipped[::-1], onbuild=False):
        commands = context.commands(instruction)
        package_commands = context.package_commands(instruction)
        if "Install-Recommends" in instruction.args and any(
            value in instruction.args for value in ('"0"', '"false"', "=0", "=false")
        ):
            recommends_configured = True
        managers = {command.manager for command in package_commands if command.action == "install"}
        if _apt_update(commands):
            managers.add("apt")
        for manager in sorted(managers & _CLEANUP.keys()):
            if not _cleaned(manager, instruction, commands):
                what = "apt lists (/var/lib/apt/lists)" if manager == "apt" else f"the {manager} cache"
                yield Hit(CACHE_LEFT, instruction, f"{what} not removed in the same RUN")
        for command in package_commands:
            yield from _options(instruction, command, commands, recommends_configured, context)


def _options(
    instruction: Instruction,
    command: PackageCommand,
    commands: list[Command],
    recommends_configured: bool,
    context: Context,
) -> Iterator[Hit]:
    if command.manager == "apt" and command.tool in ("apt-get", "apt"):
        if command.action == "upgrade":
            upgrade = next((word for word in command.command.argv[1:] if "upgrade" in word), "upgrade")
            yield Hit(UPGRADE, instruction, f"{command.tool} {upgrade} in the build")
        elif command.action == "install" and not recommends_configured:
            option = command.value("-o", "--option") or ""
            if not command.has("--no-install-recommends") and "Install-Recommends" not in option:
                yield Hit(RECOMMENDS, instruction, f"{command.tool} install without --no-install-recommends")
    elif command.manager == "apk" and command.action == "install":
        cache = ("/var/cache/apk", "/etc/apk/cache")
        if not (command.has("--no-cache") or _removes(commands, cache) or _mounted(instruction, cache)):
            yield Hit(APK_CACHE, instruction, "apk add without --no-cache")
    elif command.manager == "pip" and command.action == "install" and command.tool != "uv":
        if command.has("--no-cache-dir") or _pip_cache_off(instruction, command, commands, context):
            return
        yield Hit(PIP_CACHE, instruction, "pip install without --no-cache-dir")


def _pip_cache_off(
    instruction: Instruction, command: PackageCommand, commands: list[Command], context: Context
) -> bool:
    if _mounted(instruction, ("/root/.cache", "/home/")) or any(
        "/.cache" in mount.get("target", "") for mount in instruction.mounts()
    ):
        return True
    if any(word.startswith("PIP_NO_CACHE_DIR=") for word in command.command.words):
        return True
    value = context.variables(instruction).get("PIP_NO_CACHE_DIR")
    if value:  # any value: pip's boolean parsing of this variable changed over the years
        return True
    if _removes(commands, ("/root/.cache", "~/.cache", "$HOME/.cache")):
        return True
    return any(
        command.program.startswith("pip") and command.argv[1:3] == ("cache", "purge") for command in commands
    )
