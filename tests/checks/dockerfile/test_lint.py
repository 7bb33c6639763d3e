"""lint(): inline ignores, the configuration file, result locations and fingerprints."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from seawall.checks.dockerfile.config import ConfigError, LintConfig, apply_config, load_config, parse_config
from seawall.checks.dockerfile.lint import lint
from seawall.checks.dockerfile.parser import DockerfileError
from seawall.checks.model import CheckResult
from seawall.model import Severity

TODAY = date(2026, 6, 1)


def by_rule(results: list[CheckResult], rule_id: str) -> list[CheckResult]:
    return [r for r in results if r.rule.id == rule_id]


def test_ignore_on_the_line_above_with_reason() -> None:
    text = (
        "FROM a:1\n# seawall:ignore=SW-DF-016,SW-DF-018 the vendor script needs it\n"
        "RUN cd /app && sudo make\n"
    )
    results = lint(text)
    sudo, cd = by_rule(results, "SW-DF-016")[0], by_rule(results, "SW-DF-018")[0]
    assert sudo.suppressed and cd.suppressed
    assert sudo.suppression_reason == "the vendor script needs it"
    assert sudo.properties["suppressed_by"] == "inline"


def test_ignore_at_the_end_of_the_instruction_is_not_part_of_it() -> None:
    results = lint("FROM a:1\nUSER root # seawall:ignore=SW-DF-001 binds port 80; sudo later\n")
    assert by_rule(results, "SW-DF-001")[0].suppressed
    assert not by_rule(results, "SW-DF-016")  # the reason text is not read as a command


def test_ignore_inside_a_continuation_and_in_a_comment_block() -> None:
    text = (
        "FROM a:1\n# seawall:ignore=SW-DF-012\n# a second comment line\nRUN apt-get install -y \\\n"
        "    # seawall:ignore=SW-DF-009 pinned by the snapshot mirror\n    curl\n"
    )
    results = lint(text)
    assert by_rule(results, "SW-DF-012")[0].suppressed
    assert by_rule(results, "SW-DF-009")[0].suppressed


def test_ignore_does_not_cross_a_blank_line_or_other_ids() -> None:
    results = lint(
        "FROM a:1\n# seawall:ignore=SW-DF-016\n\nRUN sudo ls\n# seawall:ignore=SW-DF-001\nRUN sudo ls\n"
    )
    assert [r.suppressed for r in by_rule(results, "SW-DF-016")] == [False, False]


def test_stage_results_are_suppressed_on_the_from_line() -> None:
    results = lint(
        "FROM debian:12 # seawall:ignore=SW-DF-001,SW-DF-024 runs only in Kubernetes as uid 1000\n"
    )
    assert all(r.suppressed for r in results if r.rule.id in ("SW-DF-001", "SW-DF-024"))
    assert not by_rule(results, "SW-DF-004")[0].suppressed


def test_onbuild_ignore_applies_to_the_inner_instruction() -> None:
    assert by_rule(lint("FROM a:1\nONBUILD RUN sudo x # seawall:ignore=SW-DF-016\n"), "SW-DF-016")[
        0
    ].suppressed


def test_locations_and_order() -> None:
    results = lint("FROM a:1\nRUN <<EOF\nsudo x\nEOF\nUSER root\n", "dir/Dockerfile")
    sudo = by_rule(results, "SW-DF-016")[0]
    assert (sudo.location.file, sudo.location.line, sudo.location.end_line) == ("dir/Dockerfile", 2, 4)
    assert sudo.object_name == "stage 0"
    assert [r.location.line for r in results] == sorted(r.location.line for r in results)


def test_fingerprints_survive_moved_lines_and_differ_for_repeats() -> None:
    before = by_rule(lint("FROM a:1\nRUN sudo x\nRUN sudo x\n"), "SW-DF-016")
    after = by_rule(lint("FROM a:1\n\n# comment\nRUN sudo x\nRUN sudo x\n"), "SW-DF-016")
    assert [r.properties["fingerprint"] for r in before] == [r.properties["fingerprint"] for r in after]
    assert before[0].properties["fingerprint"] != before[1].properties["fingerprint"]


def test_not_a_dockerfile() -> None:
    with pytest.raises(DockerfileError):
        lint("\x00\x01binary")


CONFIG = """
scan: {anything: goes}       # other commands' sections are left alone
lint:
  trusted_registries: [registry.example.com]
  severity:
    sw-df-004: high
  ignore:
    - SW-DF-024
    - id: SW-DF-009
      paths: ["legacy/*"]
      reason: pinned by the snapshot mirror
      expires: 2027-01-01
    - id: SW-DF-012
      expires: 2026-01-01
"""


def test_config_file() -> None:
    config = parse_config(CONFIG, ".seawall.yaml", TODAY)
    assert config.trusted_registries == ("registry.example.com",)
    assert config.severities == {"SW-DF-004": Severity.HIGH}
    assert config.warnings == ("ignore of SW-DF-012 in .seawall.yaml expired on 2026-01-01",)
    text = "FROM debian:12\nRUN apt-get install -y curl\n"
    results = lint(text, "legacy/Dockerfile", config)
    assert by_rule(results, "SW-DF-004")[0].effective_severity == Severity.HIGH
    assert by_rule(results, "SW-DF-005")  # debian from docker.io is not trusted
    assert by_rule(results, "SW-DF-024")[0].suppressed
    pin = by_rule(results, "SW-DF-009")[0]
    assert pin.suppressed and pin.suppression_reason == "pinned by the snapshot mirror"
    assert pin.properties["suppressed_by"] == "config"
    assert not by_rule(results, "SW-DF-012")[0].suppressed  # the expired entry no longer applies
    assert not by_rule(lint(text, "app/Dockerfile", config), "SW-DF-009")[0].suppressed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lint: [1]", "'lint' must be a mapping"),
        ("lint:\n  ignores: []", "unknown key lint.ignores"),
        ("lint:\n  severity: {SW-DF-001: urgent}", "unknown severity"),
        ("lint:\n  ignore: [{id: SW-DF-001, expires: soon}]", "not YYYY-MM-DD"),
        ("lint:\n  ignore: [{id: SW-DF-001, path: x}]", "unknown key 'path'"),
        ("lint: {trusted_registries: [1]}", "list of strings"),
        ("lint: {a: [}", "not valid YAML"),
        ("- 1", "mapping at the top"),
    ],
)
def test_config_errors(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(text, "c.yaml", TODAY)


def test_load_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.yaml")
    big = tmp_path / "big.yaml"
    big.write_text("#" * (1024 * 1024 + 1))
    with pytest.raises(ConfigError, match="larger than"):
        load_config(big)


def test_apply_config_keeps_inline_suppressions() -> None:
    results = lint("FROM a:1\nRUN sudo x # seawall:ignore=SW-DF-016 inline reason\n")
    config = LintConfig(ignores=parse_config("lint: {ignore: [SW-DF-016]}", "c", TODAY).ignores)
    sudo = by_rule(apply_config(results, config), "SW-DF-016")[0]
    assert sudo.suppression_reason == "inline reason"


FUZZ_WORDS = (
    "FROM RUN COPY ADD ENV ARG USER ONBUILD HEALTHCHECK CMD EXPOSE WORKDIR SHELL <<EOF <<-'E' EOF E",
    "\\ ` && || | ; ( ) $( ${ } ' \" # --mount=type=cache,target=/x apt-get install apk add pip npm -y",
    'curl -k sh sudo chmod 777 u+s = AS build [ ] "a" , scratch a:1 @sha256: 22 root 0 $VAR ${A:-b}',
    "rm -rf /var/lib/apt/lists/* cd /tmp <<< 2>&1 > <",
)
FUZZ_TOKENS = [
    *" ".join(FUZZ_WORDS).split(),
    *("\n", "\n", " ", "\t", "\r", "\x0b", "\u2028", "# seawall:ignore=SW-DF-001", "# escape=`"),
]


def test_random_token_soup_never_raises() -> None:
    """Hostile input: a seeded soup of Dockerfile and shell tokens; lint and fix never fail."""
    import random

    from seawall.checks.dockerfile.fix import fix

    rng = random.Random(20261128)
    for _ in range(300):
        text = "".join(
            rng.choice(FUZZ_TOKENS) + rng.choice(("", " ", "\n")) for _ in range(rng.randint(1, 120))
        )
        results = lint(text)
        assert all(r.location.line >= 0 for r in results)
        fixed, _ = fix(text, resolve_digest=lambda reference: "sha256:" + "a" * 64)
        assert isinstance(fixed, str)


def test_large_hostile_files_stay_linear() -> None:
    """Shapes that would be quadratic with a naive implementation (scopes, stage chains, regexes)."""
    import time

    from seawall.checks.dockerfile.fix import fix

    cases = [
        "FROM a:1\n" + "ENV P=22\nEXPOSE $P\n" * 1500,
        "FROM a:1 AS s0\n" + "".join(f"FROM s{i} AS s{i + 1}\nEXPOSE $X\n" for i in range(1500)),
        "FROM a:1\nRUN apt-get " + "--a " * 50_000 + "\n",
        "FROM a:1\nRUN echo " + "[" * 250_000 + "\n",
        "FROM a:1\nENV X_TOKEN=" + "${A:-" * 50_000 + "\nFROM " + "${A:-" * 25_000 + "\n",
        "# a=" + " \t" * 250_000 + "x\nFROM a:1\n",
    ]
    start = time.perf_counter()
    for text in cases:
        assert lint(text)
        fix(text)
    assert time.perf_counter() - start < 10
