"""The reference implementations, each driven in one batch process per call.

- dpkg: ``dpkg --compare-versions`` (Debian package ``dpkg``), one call per pair inside one shell loop;
- rpm: rpm's own ``rpm.vercmp`` through ``rpm --eval`` and its Lua interpreter (package ``rpm``);
- node-semver: the ``semver`` package of the npm registry, run with ``node`` (packages ``nodejs``,
  ``npm``), installed into ``tests/versions/.node``;
- Maven: ``org.apache.maven.artifact.versioning.ComparableVersion``'s ``main`` in Debian's maven jars
  (package ``libmaven3-core-java``, pulled in by ``maven``), run with ``java``;
- RubyGems: ``Gem::Version`` and ``Gem::Requirement`` through ``ruby -e`` (package ``ruby``).

A missing tool raises :class:`OracleMissing` naming the package to install; the fixtures in
``conftest.py`` turn that into a failure, or a skip when ``SEAWALL_SKIP_ORACLES=1``.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

NODE_DIR = Path(__file__).parent / ".node"
MAVEN_JARS = (
    Path("/usr/share/maven/lib/maven-artifact-3.x.jar"),
    Path("/usr/share/java/maven3-artifact.jar"),
    Path("/usr/share/java/maven-artifact.jar"),
)
TIMEOUT = 120


class OracleMissing(Exception):
    """A reference tool is not installed; the message says which package provides it."""


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise OracleMissing(f"{name} is not installed: apt-get install -y {package}")
    return path


def _run(args: Sequence[str], stdin: str = "") -> str:
    done = subprocess.run(args, input=stdin, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    if done.returncode != 0:
        raise AssertionError(f"{args[0]} failed ({done.returncode}): {done.stderr.strip()[:2000]}")
    return done.stdout


# --- dpkg ---------------------------------------------------------------------------------------------

_DPKG_LOOP = """
while IFS="$(printf '\\t')" read -r a op b; do
  dpkg --compare-versions "$a" "$op" "$b" 2>/dev/null
  echo $?
done
"""


def dpkg_check(claims: Sequence[tuple[str, str, str]], jobs: int = 2) -> list[int]:
    """For each ``(a, op, b)`` (op ``lt``, ``eq``, ``gt``...) dpkg's exit code: 0 true, 1 false, 2 error.

    The claims are split over ``jobs`` shell loops running side by side (one dpkg process per claim).
    """
    _tool("dpkg", "dpkg")
    for claim in claims:
        assert not any("\t" in part or "\n" in part for part in claim), claim
    size = -(-len(claims) // jobs) or 1
    chunks = [claims[i : i + size] for i in range(0, len(claims), size)]
    procs = [
        subprocess.Popen(["sh", "-c", _DPKG_LOOP], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for _ in chunks
    ]
    codes: list[int] = []
    outputs = []
    for proc, chunk in zip(procs, chunks, strict=True):
        assert proc.stdin is not None
        proc.stdin.write("".join(f"{a}\t{op}\t{b}\n" for a, op, b in chunk))
        proc.stdin.close()
    for proc in procs:
        assert proc.stdout is not None
        outputs.append(proc.stdout.read())
        proc.wait(timeout=TIMEOUT)
    for out in outputs:
        codes.extend(int(line) for line in out.split())
    return codes


# --- rpm ----------------------------------------------------------------------------------------------

_RPM_LUA = """
local out = {}
for line in io.lines(os.getenv("SEAWALL_PAIRS")) do
  local a, b = line:match("^([^\\t]*)\\t([^\\t]*)$")
  out[#out + 1] = tostring(rpm.vercmp(a, b))
end
print(table.concat(out, " "))
"""


def rpm_vercmp(pairs: Sequence[tuple[str, str]]) -> list[int]:
    """rpm's ``rpm.vercmp(a, b)`` for each pair, in one ``rpm --eval`` run."""
    rpm = _tool("rpm", "rpm")
    with tempfile.TemporaryDirectory() as tmp:
        pairs_file, script = Path(tmp, "pairs"), Path(tmp, "vercmp.lua")
        pairs_file.write_text("".join(f"{a}\t{b}\n" for a, b in pairs))
        script.write_text(_RPM_LUA)
        env = {**os.environ, "SEAWALL_PAIRS": str(pairs_file)}
        done = subprocess.run(
            [rpm, "--eval", f'%{{lua: dofile("{script}")}}'],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            env=env,
            check=False,
        )
    if done.returncode != 0:
        raise AssertionError(f"rpm failed: {done.stderr.strip()[:2000]}")
    return [int(word) for word in done.stdout.split()]


# --- node-semver --------------------------------------------------------------------------------------

_NODE_SCRIPT = """
const semver = require(process.argv[1]);
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = {compare: [], satisfies: [], valid: [], validRange: []};
for (const [a, b, loose] of input.compare) {
  try { out.compare.push(semver.compare(a, b, {loose})); } catch (e) { out.compare.push(null); }
}
for (const [v, r, loose] of input.satisfies) {
  const range = semver.validRange(r, {loose});
  const version = semver.valid(v, {loose});
  out.satisfies.push(range === null || version === null ? null : semver.satisfies(v, r, {loose}));
}
for (const [v, loose] of input.valid) out.valid.push(semver.valid(v, {loose}) !== null);
for (const [r, loose] of input.validRange) out.validRange.push(semver.validRange(r, {loose}) !== null);
process.stdout.write(JSON.stringify(out));
"""


def node_semver_dir() -> Path:
    """The installed ``semver`` package; installs ``semver@7`` with npm into ``tests/versions/.node``."""
    target = NODE_DIR / "node_modules" / "semver"
    if (target / "package.json").is_file():
        return target
    npm = _tool("npm", "npm")
    _tool("node", "nodejs")
    NODE_DIR.mkdir(exist_ok=True)
    with open(NODE_DIR / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one installer at a time across pytest-xdist workers
        if not (target / "package.json").is_file():
            done = subprocess.run(
                [npm, "install", "--no-audit", "--no-fund", "--prefix", str(NODE_DIR), "semver@7"],
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            if done.returncode != 0 or not (target / "package.json").is_file():
                raise OracleMissing(
                    f"npm could not install semver@7 into {NODE_DIR} (the semver package from the npm "
                    f"registry is the oracle): {done.stderr.strip()[-500:]}"
                )
    return target


def node_semver(
    compare: Sequence[tuple[str, str, bool]] = (),
    satisfies: Sequence[tuple[str, str, bool]] = (),
    valid: Sequence[tuple[str, bool]] = (),
    valid_range: Sequence[tuple[str, bool]] = (),
) -> dict[str, list[object]]:
    """node-semver's answers: ``compare`` -1/0/1 or None if either is invalid; ``satisfies`` True/False,
    None when the version or range is invalid; ``valid`` and ``validRange`` booleans."""
    package = node_semver_dir()
    node = _tool("node", "nodejs")
    payload = {
        "compare": [list(c) for c in compare],
        "satisfies": [list(s) for s in satisfies],
        "valid": [list(v) for v in valid],
        "validRange": [list(r) for r in valid_range],
    }
    result: dict[str, list[object]] = json.loads(
        _run([node, "-e", _NODE_SCRIPT, str(package)], json.dumps(payload))
    )
    return result


# --- Maven --------------------------------------------------------------------------------------------


def maven_jar() -> Path:
    for jar in MAVEN_JARS:
        if jar.is_file():
            return jar
    raise OracleMissing("Maven's maven-artifact jar is not installed: apt-get install -y libmaven3-core-java")


def maven_compare_chain(versions: Sequence[str]) -> list[int]:
    """ComparableVersion's verdict on each neighbouring pair of ``versions`` (``len - 1`` results)."""
    java = _tool("java", "default-jre-headless")
    for version in versions:
        assert version and not any(c.isspace() for c in version), version
    out = _run(
        [java, "-cp", str(maven_jar()), "org.apache.maven.artifact.versioning.ComparableVersion", *versions]
    )
    results: list[int] = []
    for line in out.splitlines():
        if line.startswith("   "):  # "   <a> <op> <b>" for versions[i], versions[i + 1]
            op = line.strip()[len(versions[len(results)]) :].split(" ", 2)[1]
            results.append({"<": -1, "==": 0, ">": 1}[op])
    assert len(results) == len(versions) - 1, (len(results), len(versions))
    return results


# --- RubyGems -----------------------------------------------------------------------------------------

_RUBY_SCRIPT = """
require "json"
input = JSON.parse($stdin.read)
out = {"compare" => [], "satisfies" => [], "correct" => []}
input["compare"].each do |a, b|
  out["compare"] << (Gem::Version.new(a) <=> Gem::Version.new(b) rescue nil)
end
input["satisfies"].each do |v, r|
  out["satisfies"] << (Gem::Requirement.new(*r.split(",")).satisfied_by?(Gem::Version.new(v)) rescue nil)
end
input["correct"].each do |v|
  out["correct"] << (Gem::Version.correct?(v) && !v.strip.empty? ? true : false)
end
$stdout.write(JSON.generate(out))
"""


def ruby_gems(
    compare: Sequence[tuple[str, str]] = (),
    satisfies: Sequence[tuple[str, str]] = (),
    correct: Sequence[str] = (),
) -> dict[str, list[object]]:
    """``Gem::Version#<=>`` and ``Gem::Requirement#satisfied_by?`` (None where Ruby raises)."""
    ruby = _tool("ruby", "ruby")
    payload = {
        "compare": [list(c) for c in compare],
        "satisfies": [list(s) for s in satisfies],
        "correct": list(correct),
    }
    result: dict[str, list[object]] = json.loads(_run([ruby, "-e", _RUBY_SCRIPT], json.dumps(payload)))
    return result
