"""The scanner's contract: positions, redaction everywhere, fingerprints, bounds on hostile input."""

from __future__ import annotations

import hashlib
import time

import pytest

from seawall.secrets.allow import MAX_FILE_SIZE
from seawall.secrets.redact import redact
from seawall.secrets.rules import RULES_BY_ID
from seawall.secrets.scanner import MAX_FINDINGS, SecretScanner, scan, scan_text

GITHUB = "ghp_YUTxZYMloLvEdH4Nzc8slbi0zmnfs2Dwj5gI"
AWS_ID = "AKIAZ7SEAWALLTEST01X"
AWS_SECRET = "Oy/y3xtPX82RD+2ofEZXx8RfU7n9dJij0X57aaaZ"
PASSWORD = "Xk3p9-Qw2Lm!zz"
CONTENT = (
    f"# settings\nAWS_ACCESS_KEY_ID={AWS_ID}\nAWS_SECRET_ACCESS_KEY={AWS_SECRET}\n"
    f"  token:   {GITHUB}\nDB_PASSWORD={PASSWORD}\n"
).encode()
SECRETS = (GITHUB, AWS_ID, AWS_SECRET, PASSWORD)


def test_positions_are_one_based_lines_and_columns() -> None:
    found = [(f.rule.id, f.line, f.column) for f in scan("app/.env", CONTENT).findings]
    assert found == [
        ("SW-SECRET-001", 2, 19),
        ("SW-SECRET-002", 3, 1),  # the match starts at the setting's name
        ("SW-SECRET-003", 4, 12),
        ("SW-SECRET-023", 5, 4),
    ]


def test_crlf_and_a_missing_final_newline() -> None:
    content = CONTENT.replace(b"\n", b"\r\n").rstrip()
    assert [(f.rule.id, f.line) for f in scan("app/.env", content).findings] == [
        ("SW-SECRET-001", 2),
        ("SW-SECRET-002", 3),
        ("SW-SECRET-003", 4),
        ("SW-SECRET-023", 5),
    ]


def test_no_secret_in_any_output() -> None:
    findings = scan("app/.env", CONTENT).findings
    for finding in findings:
        result = finding.to_check_result(layer="sha256:abc")
        rendered = " ".join(
            [repr(finding), str(finding), finding.message, repr(result), str(result.properties)]
        )
        for secret in SECRETS:
            assert secret not in rendered
            assert secret[:8] not in rendered
        assert result.properties["match"] == finding.redacted
        assert result.location.layer == "sha256:abc"


def test_redaction_shows_at_most_four_characters_and_a_quarter_of_short_secrets() -> None:
    assert redact(GITHUB) == "ghp_****"
    assert redact("Xk3p9-Qw") == "Xk****"
    assert redact("abc") == "****"
    assert {f.redacted for f in scan("app/.env", CONTENT).findings} == {
        "AKIA****",
        "Oy/y****",
        "ghp_****",
        "Xk3****",
    }


def test_fingerprint_is_sha256_of_rule_path_and_secret() -> None:
    (finding,) = scan("app/.env", f"T={GITHUB}\n".encode()).findings
    expected = hashlib.sha256(f"SW-SECRET-003\x00app/.env\x00{GITHUB}\x00".encode()).hexdigest()
    assert finding.fingerprint == expected
    moved = scan("app/other.env", f"\n\nT={GITHUB}\n".encode()).findings[0]
    again = scan("app/.env", f"# moved down\n\nT={GITHUB}\n".encode()).findings[0]
    assert moved.fingerprint != finding.fingerprint  # another file
    assert again.fingerprint == finding.fingerprint  # same file, another line: still suppressed


def test_check_result_carries_rule_location_and_properties() -> None:
    (finding,) = scan("app/.env", f"T={GITHUB}\n".encode()).findings
    result = finding.to_check_result()
    assert result.rule is RULES_BY_ID["SW-SECRET-003"].meta
    assert (result.location.file, result.location.line, result.location.column) == ("app/.env", 1, 3)
    assert result.message == "GitHub token: ghp_****"
    assert result.properties == {"match": "ghp_****", "fingerprint": finding.fingerprint}


def test_scan_text_returns_the_findings_as_a_list() -> None:
    assert [f.rule.id for f in scan_text("app/.env", CONTENT)][:1] == ["SW-SECRET-001"]
    assert scan_text("usr/share/doc/x/README", CONTENT) == []


def test_skips_binary_oversized_and_allowed_files() -> None:
    assert scan("app/x.bin", b"\x00" + CONTENT).skipped == "binary"
    assert scan("app/x.bin", bytes(range(128, 256)) * 10 + CONTENT).skipped == "binary"
    big = CONTENT + b"#" * MAX_FILE_SIZE
    assert "size cap" in scan("app/.env", big).skipped
    assert scan("app/.env", big).findings == ()
    assert scan("app/tests/.env", CONTENT).skipped
    assert scan("app/.env", CONTENT).skipped == ""


def test_latin1_text_is_text() -> None:
    content = "# réglages: clé\npassword = Clé-Xk3p9Qw2\n".encode("latin-1")
    assert [(f.rule.id, f.line) for f in scan("app/app.cfg", content).findings] == [("SW-SECRET-023", 2)]


def test_generic_rules_skip_overlong_lines_but_tokens_do_not() -> None:
    line = "x=1;" * 3000 + f'password:"{PASSWORD}";t="{GITHUB}"'
    assert [f.rule.id for f in scan("app/bundle.js", line.encode()).findings] == ["SW-SECRET-003"]


def test_generic_rules_are_silent_in_library_code() -> None:
    content = f'PASSWORD = "{PASSWORD}"\nT = "{GITHUB}"\n'.encode()
    assert [f.rule.id for f in scan("app/settings.py", content).findings] == [
        "SW-SECRET-023",
        "SW-SECRET-003",
    ]
    path = "usr/local/lib/python3.11/site-packages/lib/settings.py"
    assert [f.rule.id for f in scan(path, content).findings] == ["SW-SECRET-003"]


def test_a_generic_match_gives_way_to_a_specific_one() -> None:
    content = f"GITHUB_TOKEN={GITHUB}\nurl = https://bot:{GITHUB}@github.com\n".encode()
    assert [f.rule.id for f in scan("app/.env", content).findings] == ["SW-SECRET-003", "SW-SECRET-003"]


def test_findings_per_file_are_capped() -> None:
    content = "".join(
        f"TOKEN_{i}=ghp_{i:06d}YUTxZYMloLvEdH4Nzc8slbi0zmnfs2\n" for i in range(MAX_FINDINGS + 5)
    )
    result = scan("app/.env", content.encode())
    assert len(result.findings) == MAX_FINDINGS
    assert any("more than" in warning for warning in result.warnings)


def test_time_budget_stops_and_warns() -> None:
    result = SecretScanner().scan("app/.env", CONTENT * 2000, time_budget=0.0)
    assert result.warnings and "time budget" in result.warnings[0]


HOSTILE = {
    "pem headers without bodies": "-----BEGIN RSA PRIVATE KEY-----\n" * 34000,
    "jwt-like runs": ("eyJ" + "a" * 1990 + ".") * 500,
    "assignments with long values": ("password: " + "a" * 199 + "b\n") * 5000,
    "url userinfo runs": ("://" + "a" * 60 + ":" + "b" * 120 + "\n") * 5000,
    "token prefixes": ("ghp_" + "a" * 250 + "!") * 4000,
    "AWS prefixes": "AKIA" * 250000,
    "aws secret names": "aws_secret_access_key=" * 45000,
    "one base64 line": "QUJD" * 250000,
    "slack digits": ("xoxb-" + "1234567-" * 3) * 30000,
    "xml elements": ("<password>" + "a" * 300) * 3000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_is_scanned_in_linear_time(name: str) -> None:
    content = HOSTILE[name].encode()[:MAX_FILE_SIZE]
    start = time.perf_counter()
    result = scan("app/hostile.env", content)
    elapsed = time.perf_counter() - start
    assert not result.skipped
    assert elapsed < 1.5, f"{name}: {elapsed:.2f} s for {len(content)} bytes"
