"""Package-manager commands in ``RUN``: what each installs, removes or upgrades, and with which options.

One small parser per manager (apt, apk, yum/dnf/microdnf/tdnf, zypper, pip, npm/yarn/pnpm, gem)
turns a :class:`~seawall.checks.dockerfile.shell.Command` into a :class:`PackageCommand`. The rules
ask questions of these (is every package pinned? is ``--no-cache`` given?) instead of matching
text.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from seawall.checks.dockerfile.shell import Command

OS_MANAGERS = frozenset({"apt", "apk", "yum", "dnf", "zypper"})
LANGUAGE_MANAGERS = frozenset({"pip", "npm", "gem"})


@dataclass(frozen=True)
class PackageCommand:
    """``action`` is ``install``, ``remove`` or ``upgrade`` (a whole-system upgrade)."""

    manager: str  # "apt", "apk", "yum" (yum, dnf, microdnf, tdnf), "zypper", "pip", "npm", "gem"
    tool: str  # the program as written: "apt-get", "dnf", "pip3", "yarn" ...
    action: str
    packages: tuple[str, ...]
    options: tuple[str, ...]
    command: Command
    option_values: tuple[tuple[str, str], ...] = ()  # options that take a value: ("--virtual", ".deps")

    def has(self, *names: str) -> bool:
        """Whether any of the options ``names`` was given (``--opt`` or ``--opt=value``)."""
        for option in self.options:
            name = option.partition("=")[0]
            if name in names:
                return True
        return False

    def value(self, *names: str) -> str | None:
        for name, value in self.option_values:
            if name in names:
                return value
        for option in self.options:
            name, equals, value = option.partition("=")
            if equals and name in names:
                return value
        return None


def _split(
    words: Iterable[str], with_value: frozenset[str]
) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """Options, positional words, and the values of the options in ``with_value``."""
    options: list[str] = []
    positional: list[str] = []
    values: list[tuple[str, str]] = []
    iterator = iter(words)
    for word in iterator:
        if word == "--":
            positional.extend(iterator)
            break
        if word.startswith("-") and len(word) > 1:
            options.append(word)
            if word in with_value:
                value = next(iterator, "")
                values.append((word, value))
            continue
        positional.append(word)
    return options, positional, values


_APT_VALUE = frozenset(
    {"-o", "-t", "-c", "--option", "--target-release", "--default-release", "--config-file"}
)
_APT_ACTIONS = {
    "install": "install",
    "remove": "remove",
    "purge": "remove",
    "autoremove": "remove",
    "upgrade": "upgrade",
    "dist-upgrade": "upgrade",
    "full-upgrade": "upgrade",
}


def _apt(tool: str, args: tuple[str, ...], command: Command) -> PackageCommand | None:
    options, positional, values = _split(args, _APT_VALUE)
    if not positional or positional[0] not in _APT_ACTIONS:
        return None
    return PackageCommand(
        "apt",
        tool,
        _APT_ACTIONS[positional[0]],
        tuple(positional[1:]),
        tuple(options),
        command,
        tuple(values),
    )


_APK_VALUE = frozenset(
    {
        "-X",
        "--repository",
        "-t",
        "--virtual",
        "-p",
        "--root",
        "--arch",
        "--keys-dir",
        "--cache-dir",
        "--repositories-file",
        "--cache-max-age",
        "--timeout",
    }
)
_APK_ACTIONS = {"add": "install", "del": "remove", "upgrade": "upgrade"}


def _apk(tool: str, args: tuple[str, ...], command: Command) -> PackageCommand | None:
    options, positional, values = _split(args, _APK_VALUE)
    if not positional or positional[0] not in _APK_ACTIONS:
        return None
    action = _APK_ACTIONS[positional[0]]
    packages = positional[1:]
    if action == "upgrade" and packages:
        return None
    return PackageCommand("apk", tool, action, tuple(packages), tuple(options), command, tuple(values))


_YUM_VALUE = frozenset(
    {
        "-c",
        "--config",
        "--installroot",
        "--releasever",
        "--enablerepo",
        "--disablerepo",
        "-x",
        "--exclude",
        "--setopt",
        "--repo",
        "--repoid",
        "-d",
        "-e",
        "--downloaddir",
        "--destdir",
        "--forcearch",
        "--rpmverbosity",
    }
)
_YUM_ACTIONS = {
    "install": "install",
    "localinstall": "install",
    "reinstall": "install",
    "groupinstall": "install",
    "remove": "remove",
    "erase": "remove",
    "autoremove": "remove",
    "update": "upgrade",
    "upgrade": "upgrade",
    "distro-sync": "upgrade",
}


def _yum(tool: str, args: tuple[str, ...], command: Command) -> PackageCommand | None:
    options, positional, values = _split(args, _YUM_VALUE)
    if positional[:2] == ["module", "install"]:
        positional = positional[1:]
    if positional[:2] == ["group", "install"]:
        positional = ["groupinstall", *positional[2:]]
    if not positional or positional[0] not in _YUM_ACTIONS:
        return None
    action = _YUM_ACTIONS[positional[0]]
    packages = positional[1:]
    if positional[0] == "groupinstall":
        packages = [f"@{name}" for name in packages]
    if action == "upgrade" and packages:
        return None
    return PackageCommand("yum", tool, action, tuple(packages), tuple(options), command, tuple(values))


_ZYPPER_VALUE = frozenset({"-r", "--repo", "--root", "-R", "--from", "-t", "--type"})
_ZYPPER_ACTIONS = {
    "install": "install",
    "in": "install",
    "remove": "remove",
    "rm": "remove",
    "update": "upgrade",
    "up": "upgrade",
    "dist-upgrade": "upgrade",
    "dup": "upgrade",
}


def _zypper(tool: str, args: tuple[str, ...], command: Command) -> PackageCommand | None:
    options, positional, values = _split(args, _ZYPPER_VALUE)
    if not positional or positional[0] not in _ZYPPER_ACTIONS:
        return None
    action = _ZYPPER_ACTIONS[positional[0]]
    if action == "upgrade" and positional[1:]:
        return None
    return PackageCommand(
        "zypper", tool, action, tuple(positional[1:]), tuple(options), command, tuple(values)
    )


_PIP_VALUE = frozenset(
    {
        "-r",
        "--requirement",
        "-c",
        "--constraint",
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "-t",
        "--target",
        "--prefix",
        "--root",
        "--trusted-host",
        "--src",
        "--upgrade-strategy",
        "--platform",
        "--python-version",
        "--implementation",
        "--abi",
        "--only-binary",
        "--no-binary",
        "--progress-bar",
        "--log",
        "--cache-dir",
        "-e",
        "--editable",
        "--proxy",
        "--retries",
        "--timeout",
        "--exists-action",
        "--cert",
        "--client-cert",
        "--config-settings",
        "-C",
        "--global-option",
        "--report",
        "--root-user-action",
        "--python",
    }
)


def _pip(tool: str, args: tuple[str, ...], command: Command) -> PackageCommand | None:
    options, positional, values = _split(args, _PIP_VALUE)
    if not positional or positional[0] != "install":
        return None
    return PackageCommand(
        "pip", tool, "install", tuple(positional[1:]), tuple(options), command, tuple(values)
    )


_NPM_VALUE = frozenset(
    {"--prefix", "--registry", "--cache", "--userconfig", "--tag", "-w", "--workspace", "--omit", "--include"}
)
_NPM_ACTIONS = {"install": "install", "i": "install", "add": "install", "isntall": "install"}


def _npm(tool: str, args: tuple[str, ...], command: Command) -> PackageCommand | None:
    options, positional, values = _split(args, _NPM_VALUE)
    if tool == "yarn" and positional[:1] == ["global"]:
        positional = positional[1:]
    if not positional or positional[0] not in _NPM_ACTIONS:
        return None
    if tool in ("yarn", "pnpm") and positional[0] != "add":
        return None
    return PackageCommand(
        "npm", tool, "install", tuple(positional[1:]), tuple(options), command, tuple(values)
    )


_GEM_VALUE = frozenset(
    {"-v", "--version", "-i", "--install-dir", "-n", "--bindir", "--source", "-s", "--platform", "-P"}
)


def _gem(tool: str, args: tuple[str, ...], command: Command) -> PackageCommand | None:
    options, positional, values = _split(args, _GEM_VALUE)
    if not positional or positional[0] not in ("install", "i"):
        return None
    return PackageCommand(
        "gem", tool, "install", tuple(positional[1:]), tuple(options), command, tuple(values)
    )


Parser = Callable[[str, tuple[str, ...], Command], "PackageCommand | None"]
_PARSERS: dict[str, Parser] = {
    "apt-get": _apt,
    "apt": _apt,
    "aptitude": _apt,
    "apk": _apk,
    "yum": _yum,
    "dnf": _yum,
    "microdnf": _yum,
    "tdnf": _yum,
    "zypper": _zypper,
    "pip": _pip,
    "npm": _npm,
    "yarn": _npm,
    "pnpm": _npm,
    "gem": _gem,
}
_PIP = re.compile(r"pip(?:3(?:\.\d+)?)?")
_PYTHON = re.compile(r"python(?:\d(?:\.\d+)?)?")


def package_command(command: Command) -> PackageCommand | None:
    """The package-manager action ``command`` performs, or None."""
    argv = command.argv
    if not argv:
        return None
    tool = posixpath.basename(argv[0])
    args = argv[1:]
    if _PYTHON.fullmatch(tool) and args[:2] == ("-m", "pip"):
        tool, args = "pip", args[2:]
    elif tool == "uv" and args[:1] == ("pip",):
        tool, args = "pip", args[1:]
    elif _PIP.fullmatch(tool):
        tool = "pip"
    parser = _PARSERS.get(tool)
    return parser(posixpath.basename(argv[0]), args, command) if parser else None


def package_commands(commands: Iterable[Command]) -> list[PackageCommand]:
    found = []
    for command in commands:
        parsed = package_command(command)
        if parsed is not None:
            found.append(parsed)
    return found


# -- version pins ---------------------------------------------------------------------------------

_PIP_SPECIFIER = re.compile(r"(===|==|~=|!=|<=|>=|<|>|@)")
_LOCAL = re.compile(
    r"^(?:\.{1,2}$|\.{0,2}/|~/|[a-z][a-z0-9+.-]*://|git\+|file:)|\.(?:whl|tar\.gz|tgz|zip|gem|deb|rpm|apk)$"
)


def _name_only(package: str) -> str:
    return re.split(r"[=<>~!@:\[]", package, maxsplit=1)[0]


def unpinned(command: PackageCommand) -> list[str]:
    """The packages of an install that name no version (variables and local files are not judged)."""
    if command.action != "install":
        return []
    manager = command.manager
    if manager == "pip" and command.has("-r", "--requirement", "-c", "--constraint"):
        return []
    if manager == "gem" and command.has("-v", "--version"):
        return []
    found = []
    for package in command.packages:
        if not package or "$" in package or _LOCAL.search(package):
            continue
        if not _pinned(manager, package):
            found.append(package)
    return found


def _pinned(manager: str, package: str) -> bool:
    if manager == "apt":
        return "=" in package or package.endswith(".deb")
    if manager == "apk":
        return any(mark in package for mark in ("=", "~", "<", ">"))
    if manager == "yum":
        return package.startswith("@") or bool(re.search(r"-\d", package)) or package.endswith(".rpm")
    if manager == "zypper":
        return any(mark in package for mark in ("=", "<", ">")) or bool(re.search(r"-\d", package))
    if manager == "pip":
        return bool(_PIP_SPECIFIER.search(package))
    if manager == "npm":
        return package.rfind("@") > 0 or "#" in package
    if manager == "gem":
        return ":" in package
    return True


def package_name(package: str) -> str:
    """The bare name of a package argument: ``curl=7.88.1-10`` -> ``curl``, ``@types/node@20`` kept."""
    if package.startswith("@") and package.count("@") >= 1 and "/" in package:
        scope, _, rest = package[1:].partition("/")
        return "@" + scope + "/" + _name_only(rest)
    return _name_only(package)
