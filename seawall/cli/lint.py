"""``seawall lint FILE...``: hardening checks for Dockerfiles (and workload files, when available).

Each file is routed to a linter by :func:`linters`: Dockerfiles by name (``Dockerfile``,
``Containerfile``, ``*.Dockerfile``, ``Dockerfile.*``) or, for a file named on the command line, by
content; workload files (Kubernetes YAML, Compose, OCI ``config.json``) by
``seawall.checks.workload.detect_workload`` when that module exists. Directories are walked
(hidden directories and ``node_modules`` skipped, links not followed).
"""

from __future__ import annotations

import difflib
import importlib
import logging
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import click

from seawall.checks.model import CheckResult
from seawall.cli.options import collect, global_options
from seawall.cli.output import write_output
from seawall.errors import SeawallError, UsageError
from seawall.model import Severity

if TYPE_CHECKING:  # imported lazily at run time: the YAML library is only needed for a config file
    from seawall.checks.dockerfile.config import LintConfig

log = logging.getLogger("seawall")
FORMATS = {
    "table": "seawall.report.checks_table",
    "json": "seawall.report.checks_json",
    "sarif": "seawall.report.sarif",
    "html": "seawall.report.checks_html",
}
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_WALK_FILES = 20_000
SKIP_DIRECTORIES = frozenset({"node_modules", "vendor", "__pycache__", "venv"})
_DOCKERFILE_CONTENT = re.compile(r"(?:#[^\n]*\n|\s)*(?:FROM|ARG)\s", re.I)

LintFunction = Callable[[str, str, "LintConfig"], list[CheckResult]]


@dataclass(frozen=True)
class Linter:
    """One kind of file: how to recognise it and how to lint it."""

    name: str
    by_name: Callable[[str], bool]
    by_content: Callable[[str, str], bool]
    lint: LintFunction


def is_dockerfile_name(path: str) -> bool:
    name = os.path.basename(path).lower()
    if name.endswith(".dockerignore"):
        return False
    return (
        name in ("dockerfile", "containerfile")
        or name.endswith((".dockerfile", ".containerfile"))
        or name.startswith(("dockerfile.", "containerfile."))
    )


def _lint_dockerfile(path: str, text: str, config: LintConfig) -> list[CheckResult]:
    from seawall.checks.dockerfile.lint import lint

    return lint(text, path, config)


def workload_module() -> ModuleType | None:
    """``seawall.checks.workload`` if it exists (it is written separately), else None."""
    try:
        return importlib.import_module("seawall.checks.workload")
    except ModuleNotFoundError as error:
        if error.name in ("seawall.checks.workload", "seawall.checks"):
            return None
        raise


def linters() -> list[Linter]:
    """The dispatch table by file type: Dockerfiles, then workload files if that module exists."""
    found = [
        Linter(
            "dockerfile",
            is_dockerfile_name,
            lambda path, text: bool(_DOCKERFILE_CONTENT.match(text)),
            _lint_dockerfile,
        )
    ]
    module = workload_module()
    if module is not None:
        detect = module.detect_workload
        lint_workload = module.lint_workload
        found.append(
            Linter(
                "workload",
                lambda path: path.lower().endswith((".yaml", ".yml", ".json")),
                lambda path, text: bool(detect(path, text)),
                lambda path, text, config: list(lint_workload(path, text)),
            )
        )
    return found


def read_text(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise UsageError(f"{path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    if b"\x00" in data:
        raise UsageError(f"{path}: not a text file")
    return data.decode("utf-8", errors="surrogateescape")


def walk(directory: Path) -> Iterator[Path]:
    """Regular files under ``directory`` in a stable order, without following links."""
    count = 0
    for root, directories, files in os.walk(directory, followlinks=False):
        directories[:] = sorted(d for d in directories if not d.startswith(".") and d not in SKIP_DIRECTORIES)
        for name in sorted(files):
            path = Path(root) / name
            if path.is_symlink() or not path.is_file():
                continue
            count += 1
            if count > MAX_WALK_FILES:
                log.warning("%s: more than %d files, the rest is not linted", directory, MAX_WALK_FILES)
                return
            yield path


def _pick(path: Path, text: str, table: Sequence[Linter], explicit: bool) -> Linter | None:
    """Dockerfiles by name; other kinds by name and content; a named file also by content alone."""
    for linter in table:
        if linter.by_name(str(path)) and (linter.name == "dockerfile" or linter.by_content(str(path), text)):
            return linter
    if explicit:
        for linter in table:
            if linter.by_content(str(path), text):
                return linter
    return None


def targets(arguments: Sequence[Path], table: Sequence[Linter]) -> Iterator[tuple[Path, str, Linter, bool]]:
    """(path, text, linter, named) for every file to lint; UsageError for a named file we cannot lint.

    Files found by walking a directory that cannot be read are skipped with a warning.
    """
    for argument in arguments:
        if argument.is_dir():
            for path in walk(argument):
                if not any(linter.by_name(str(path)) for linter in table):
                    continue
                try:
                    text = read_text(path)
                except UsageError as error:
                    log.warning("%s", error)
                    continue
                linter = _pick(path, text, table, explicit=False)
                if linter is not None:
                    yield path, text, linter, False
            continue
        text = read_text(argument)
        linter = _pick(argument, text, table, explicit=True)
        if linter is None:
            raise UsageError(f"{argument}: cannot tell what kind of file this is (not a Dockerfile)")
        yield argument, text, linter, True


def parse_severities(text: str | None) -> frozenset[Severity]:
    if not text:
        return frozenset(Severity)
    chosen = set()
    for part in text.split(","):
        name = part.strip().upper()
        if name not in Severity.__members__:
            raise UsageError(f"unknown severity {part.strip()!r} (use {', '.join(Severity.__members__)})")
        chosen.add(Severity[name])
    return frozenset(chosen)


def load_lint_config(path: Path | None) -> LintConfig:
    from seawall.checks.dockerfile.config import LintConfig, find_config, load_config

    if path is None:
        path = find_config(Path.cwd())
        if path is None:
            return LintConfig()
    config = load_config(path)
    for warning in config.warnings:
        log.warning("%s", warning)
    return config


def _write_in_place(path: Path, text: str) -> None:
    """Replace ``path`` atomically, keeping its permission bits and line endings."""
    mode = stat.S_IMODE(path.stat().st_mode)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _fix(path: Path, text: str, config: LintConfig, write: bool, workload: bool = False) -> tuple[str, str]:
    """(unified diff, fixed text) for one Dockerfile, or one workload file (a hardened copy)."""
    if workload:
        module = workload_module()
        assert module is not None
        fixed = module.fix_workload(str(path), text)
    else:
        from seawall.checks.dockerfile.fix import fix
        from seawall.registry.resolve import resolve_digest

        fixed, fixes = fix(text, str(path), config, resolve_digest=resolve_digest)
        for item in fixes:
            log.info("%s:%d: %s (%s)", path, item.line, item.description, item.rule_id)
    if fixed == text:
        return "", text
    diff = "".join(
        difflib.unified_diff(
            text.splitlines(keepends=True),
            fixed.splitlines(keepends=True),
            fromfile=f"a/{path.as_posix()}",
            tofile=f"b/{path.as_posix()}",
        )
    )
    if write:
        _write_in_place(path, fixed)
    return diff, fixed


def _levels_table(levels: list[Any]) -> str:
    """Each Kubernetes workload with the Pod Security Standards level it satisfies."""
    lines = ["", "Pod Security Standards (the highest level each workload satisfies):"]
    for item in levels:
        blocked = item.failed_restricted if item.level.label == "baseline" else item.failed_baseline
        why = f" (fails: {', '.join(blocked[:4])}{' ...' if len(blocked) > 4 else ''})" if blocked else ""
        lines.append(f"  {item.file}:{item.line}  {item.object_name}  {item.level.label}{why}")
    return "\n".join(lines) + "\n"


@click.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, exists=True))
@click.option(
    "--docker-run",
    "docker_runs",
    multiple=True,
    metavar="COMMAND",
    help="Check a docker/podman run command line (repeatable).",
)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(tuple(FORMATS)),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE.")
@click.option("--severity", "-s", help="Only these severities, comma-separated (e.g. HIGH,CRITICAL).")
@click.option(
    "--exit-code",
    type=click.IntRange(0, 255),
    default=1,
    show_default=True,
    help="Exit status when results (not suppressed) remain.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Config file [default: .seawall.yaml in the current directory].",
)
@click.option(
    "--fix", "apply_fix", is_flag=True, help="Apply safe fixes to Dockerfiles; print them as a diff."
)
@click.option("--diff", "diff_only", is_flag=True, help="With --fix: only print the diff, change no file.")
@click.option("--show-suppressed", is_flag=True, help="List suppressed results with their reason.")
@global_options
@click.pass_context
def lint(
    ctx: click.Context,
    /,
    files: tuple[Path, ...],
    docker_runs: tuple[str, ...],
    fmt: str,
    output: Path | None,
    severity: str | None,
    exit_code: int,
    config_path: Path | None,
    apply_fix: bool,
    diff_only: bool,
    show_suppressed: bool,
    **kwargs: Any,
) -> None:
    """Check Dockerfiles (and workload files) for hardening problems.

    FILE may be a directory: Dockerfile, Containerfile, *.Dockerfile and Dockerfile.* files in it
    are linted. Inline ignores: `# seawall:ignore=SW-DF-001 reason` on or above an instruction.

    \b
    Examples:
      seawall lint Dockerfile
      seawall lint . --format sarif -o seawall-lint.sarif --severity MEDIUM,HIGH,CRITICAL
      seawall lint Dockerfile --fix --diff
      seawall lint k8s/ compose.yaml --fix          # hardened copies (PSS restricted), comments kept
      seawall lint --docker-run 'docker run --privileged -v /var/run/docker.sock:/var/run/docker.sock app'
    """
    collect(ctx, kwargs)
    if diff_only and not apply_fix:
        raise UsageError("--diff needs --fix")
    if not files and not docker_runs:
        raise UsageError("give FILE... or --docker-run COMMAND")
    chosen = parse_severities(severity)
    config = load_lint_config(config_path)
    from seawall.checks.dockerfile.config import apply_config

    results: list[CheckResult] = []
    diffs: list[str] = []
    skipped = 0
    levels: list[Any] = []
    for path, text, linter, named in targets(files, linters()):
        try:
            if apply_fix:
                diff, text = _fix(path, text, config, write=not diff_only, workload=linter.name == "workload")
                diffs.append(diff)
            module = workload_module() if linter.name == "workload" else None
            if module is not None and hasattr(module, "analyze_workload"):
                report = module.analyze_workload(str(path), text)
                found, levels = list(report.results), levels + list(report.levels)
            else:
                found = linter.lint(str(path), text, config)
        except SeawallError as error:
            if named:
                raise UsageError(f"{path}: {error}") from None
            log.warning("%s: skipped: %s", path, error)
            skipped += 1
            continue
        results.extend(found if linter.name == "dockerfile" else apply_config(found, config))
    if docker_runs:
        module = workload_module()
        if module is None:
            raise UsageError("--docker-run needs the workload checks")
        for command in docker_runs:
            results.extend(apply_config(module.lint_docker_run(command), config))
    if skipped:
        log.warning("%d file%s could not be linted", skipped, "" if skipped == 1 else "s")
    shown = [result for result in results if result.effective_severity in chosen]
    from seawall.report import RenderOptions

    if apply_fix:
        write_output("".join(diffs), output)
        remaining = sum(1 for result in shown if not result.suppressed)
        if remaining:
            log.warning("%d result%s remain after the fixes", remaining, "" if remaining == 1 else "s")
    else:
        renderer = importlib.import_module(FORMATS[fmt])
        text_out = renderer.render_checks(shown, RenderOptions(), show_suppressed)
        if fmt == "table" and levels:
            text_out += _levels_table(levels)
        write_output(text_out, output)
    if any(not result.suppressed for result in shown) and exit_code:
        ctx.exit(exit_code)
