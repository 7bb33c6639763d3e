"""Compilers, development headers and download tools that reach the final image."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from seawall.checks.dockerfile.engine import Context, Hit, check, rule
from seawall.checks.dockerfile.installs import OS_MANAGERS, package_name
from seawall.checks.dockerfile.parser import Instruction
from seawall.model import Severity

BUILD_TOOLS_IN_FINAL = rule(
    "SW-DF-006",
    "Build tools reach the final image",
    Severity.MEDIUM,
    rationale=(
        "Compilers, `-dev`/`-devel` header packages, git, curl and wget are needed to build, not to "
        "run. Left in the final image they add size and vulnerabilities, and they hand an attacker who "
        "gets code execution the means to download and build more tools. A multi-stage build keeps "
        "them in a build stage and copies only the result. Packages removed again in a later command "
        "of the same stage (`apt-get purge`, `apk del` of a `--virtual` group), and tools the image runs "
        "in its CMD, ENTRYPOINT or HEALTHCHECK (curl for a health check), are not reported."
    ),
    fix=(
        "Install build dependencies in a build stage (`FROM ... AS build`), build there, and "
        "`COPY --from=build` only the artifacts into a slim final stage. If a tool must stay (curl "
        "for a health check), suppress the finding with a reason."
    ),
    bad_example=(
        "FROM python:3.12-slim\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
        "COPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n"
    ),
    good_example=(
        "FROM python:3.12-slim AS build\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
        "COPY requirements.txt .\n"
        "RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt\n\n"
        "FROM python:3.12-slim\n"
        "COPY --from=build /wheels /wheels\n"
        "RUN pip install --no-cache-dir --no-index /wheels/*.whl && rm -rf /wheels\n"
    ),
    references=("https://docs.docker.com/build/building/multi-stage/",),
    tags=("cis-docker:4.3",),
)
TOOLS = frozenset(
    {
        "gcc",
        "g++",
        "gcc-c++",
        "cc",
        "clang",
        "llvm",
        "make",
        "cmake",
        "ninja-build",
        "build-essential",
        "build-base",
        "autoconf",
        "automake",
        "libtool",
        "pkg-config",
        "pkgconf",
        "gfortran",
        "bison",
        "flex",
        "musl-dev",
        "linux-headers",
        "golang",
        "golang-go",
        "go",
        "rust",
        "rustc",
        "cargo",
        "maven",
        "gradle",
        "git",
        "git-core",
        "curl",
        "wget",
        "@development tools",
        "@development",
    }
)
PREFIXES = ("gcc-", "g++-", "clang-", "llvm-", "golang-")
SUFFIXES = ("-dev", "-devel", "-headers")


def is_build_tool(name: str) -> bool:
    lowered = name.lower()
    if lowered in TOOLS or lowered.endswith(SUFFIXES):
        return True
    if lowered.startswith("openjdk-"):
        return "-jdk" in lowered and "-jre" not in lowered
    return lowered.startswith(PREFIXES)


def _runtime_programs(context: Context) -> set[str]:
    """Programs the final image runs (CMD, ENTRYPOINT, HEALTHCHECK): runtime needs, not build tools."""
    used: set[str] = set()
    for stage in context.shipped:
        for instruction in stage.instructions:
            if instruction.keyword not in ("CMD", "ENTRYPOINT", "HEALTHCHECK"):
                continue
            words = instruction.json_args if instruction.json_args is not None else instruction.args.split()
            used.update(posixpath.basename(word).lower() for word in words[:8])
    return used


@check
def build_tools_in_final(context: Context) -> Iterator[Hit]:
    installed: dict[str, Instruction] = {}
    groups: dict[str, list[str]] = {}
    for stage in reversed(context.shipped):
        for instruction in context.runs([stage], onbuild=False):
            here: list[str] = []
            for command in context.package_commands(instruction):
                if command.manager not in OS_MANAGERS:
                    continue
                if command.action == "install":
                    names = [
                        package_name(package).lower() for package in command.packages if "$" not in package
                    ]
                    virtual = command.value("--virtual", "-t") if command.manager == "apk" else None
                    if virtual:
                        groups[virtual] = names
                    for name in names:
                        if is_build_tool(name):
                            installed[name] = instruction
                            here.append(name)
                elif command.action == "remove":
                    targets = [package_name(package).lower() for package in command.packages]
                    if not targets or any("$" in package for package in command.packages):
                        for name in here:  # cannot tell what goes: assume this RUN cleans up after itself
                            installed.pop(name, None)
                    for target in targets:
                        for member in groups.pop(target, [target]):
                            installed.pop(member, None)
    used = _runtime_programs(context)
    by_instruction: dict[int, list[str]] = {}
    where: dict[int, Instruction] = {}
    for name, instruction in installed.items():
        if name in used:
            continue
        by_instruction.setdefault(id(instruction), []).append(name)
        where[id(instruction)] = instruction
    multi = len(context.dockerfile.stages) > 1
    advice = "install them in a build stage instead" if multi else "use a multi-stage build"
    for key, names in by_instruction.items():
        listed = ", ".join(sorted(names))
        verb = "stays" if len(names) == 1 else "stay"
        yield Hit(BUILD_TOOLS_IN_FINAL, where[key], f"{listed} {verb} in the final image: {advice}")
