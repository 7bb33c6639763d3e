"""The SW-IMG rule catalogue: stable, unique IDs, each rule documented; the audit analyzers' contract."""

from __future__ import annotations

import re

from seawall.checks.image import RULES, RULES_BY_ID
from seawall.inventory.analyzer import all_analyzers


def test_every_rule_is_documented() -> None:
    assert len(RULES) == 22 and list(RULES_BY_ID) == sorted(RULES_BY_ID)
    for rule in RULES:
        assert re.fullmatch(r"SW-IMG-\d{3}", rule.id)
        assert rule.family == "image"
        assert rule.title and len(rule.rationale) > 80 and rule.fix
        assert rule.bad_example and rule.good_example and rule.bad_example != rule.good_example


def test_audit_analyzers_serve_the_config_scanner() -> None:
    config = [a for a in all_analyzers(("config",)) if a.scanner == "config"]
    assert sorted(a.name for a in config) == [
        "audit-accounts",
        "audit-credentials",
        "audit-env-files",
        "audit-git",
        "audit-modes",
        "audit-private-keys",
        "audit-tools",
    ]
    assert not [a for a in all_analyzers() if a.scanner == "config"]  # a vuln scan does not run them


def test_prefilters_never_hide_a_wanted_entry() -> None:
    from seawall.inventory.layer_pass import Dispatch
    from seawall.model import FileInfo, FileKind
    from tests.inventory.test_dispatch import TRICKY, _image_paths

    ours = [
        "root/.aws/credentials",
        "a/.git/HEAD",
        "x/.env.production",
        "x/app.env",
        "etc/shadow-",
        "root/.ssh/id_ed25519",
        "etc/ssh/ssh_host_rsa_key",
        "a/b.PEM",
        "usr/local/bin/pip3.12",
        "root/.config/gcloud/legacy_credentials/me/adc.json",
    ]
    analyzers = [a for a in all_analyzers(("config",)) if a.scanner == "config"]
    dispatch = Dispatch(analyzers)
    wanted = 0
    for path in TRICKY + ours + _image_paths():
        for mode in (0o644, 0o755, 0o4755, 0o666):
            for kind in (FileKind.REGULAR, FileKind.SYMLINK):
                info = FileInfo(path, 100, mode, kind)
                expected = [a.name for a in analyzers if a.wants(path, info)]
                assert [a.name for a in dispatch.candidates(path, info) if a.wants(path, info)] == expected, (
                    path
                )
                wanted += bool(expected)
    assert wanted > 1000
