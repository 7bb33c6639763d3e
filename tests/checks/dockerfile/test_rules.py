"""Every rule, positive and negative.

Expected lines follow each rule's definition in the catalogue; for rules shared with hadolint the
cases mirror hadolint's rule documentation (github.com/hadolint/hadolint/wiki/DLxxxx), with the
differences the brief asks for (apt ``pkg=version`` is pinned, a cache mount makes cleanup
unnecessary, a USER of an earlier stage does not count for the final stage).
"""

from __future__ import annotations

import pytest

from seawall.checks.dockerfile.config import LintConfig
from seawall.checks.dockerfile.engine import catalogue
from seawall.checks.dockerfile.lint import lint

FINAL = 'USER 10001\nHEALTHCHECK CMD ["/app", "check"]\n'


def lines(text: str, rule_id: str, config: LintConfig | None = None) -> list[int]:
    return [
        r.location.line for r in lint(text, "Dockerfile", config) if r.rule.id == rule_id and not r.suppressed
    ]


CASES: list[tuple[str, str, list[int]]] = [
    # SW-DF-001 root user (hadolint DL3002 for the explicit case)
    ("SW-DF-001", "FROM debian:12\nUSER root\n", [2]),
    ("SW-DF-001", "FROM debian:12\nUSER 0:0\n", [2]),
    ("SW-DF-001", "FROM debian:12\nRUN true\n", [1]),
    ("SW-DF-001", "FROM scratch\nCOPY app /app\n", [1]),
    ("SW-DF-001", "FROM debian:12\nUSER root\nRUN x\nUSER app\n", []),
    ("SW-DF-001", "FROM debian:12 AS build\nUSER app\nFROM debian:12\nCOPY --from=build /a /a\n", [3]),
    ("SW-DF-001", "FROM debian:12 AS base\nUSER app\nFROM base\nRUN x\n", []),
    ("SW-DF-001", "FROM debian:12 AS build\nUSER root\nFROM debian:12\nUSER 1000\n", []),
    ("SW-DF-001", "FROM gcr.io/distroless/static-debian12:nonroot\nCOPY a /a\n", []),
    ("SW-DF-001", "FROM debian:12\nARG UID=0\nUSER ${UID}\n", [3]),
    ("SW-DF-001", "FROM debian:12\nUSER $APP_UID\n", []),
    # SW-DF-002 no tag (DL3006), SW-DF-003 latest (DL3007), SW-DF-004 digest
    ("SW-DF-002", "FROM debian\n", [1]),
    ("SW-DF-002", "FROM debian:12\nFROM localhost:5000/team/app\n", [2]),
    ("SW-DF-002", "FROM debian@sha256:" + "a" * 64 + "\n", []),
    ("SW-DF-002", "FROM golang:1.22 AS build\nFROM build\n", []),
    ("SW-DF-002", "FROM scratch\n", []),
    ("SW-DF-003", "FROM debian:latest\n", [1]),
    ("SW-DF-003", "ARG TAG=latest\nFROM debian:${TAG}\n", [2]),
    ("SW-DF-003", "ARG TAG\nFROM debian:${TAG}\n", []),
    ("SW-DF-003", "FROM debian:latest@sha256:" + "a" * 64 + "\n", []),
    ("SW-DF-004", "FROM debian:12\n", [1]),
    ("SW-DF-004", "FROM debian:12@sha256:" + "a" * 64 + "\n", []),
    ("SW-DF-004", "FROM debian\n", []),  # the more specific SW-DF-002 says it
    # SW-DF-006 build tools in the final image
    (
        "SW-DF-006",
        "FROM debian:12\nRUN apt-get install -y --no-install-recommends gcc=4:12 libssl-dev\n",
        [2],
    ),
    ("SW-DF-006", "FROM debian:12\nRUN apt-get install -y curl && apt-get purge -y curl\n", []),
    ("SW-DF-006", "FROM alpine:3\nRUN apk add --virtual .deps gcc make && make && apk del .deps\n", []),
    (
        "SW-DF-006",
        "FROM debian:12 AS build\nRUN apt-get install -y gcc\nFROM debian:12\nCOPY --from=build /a /a\n",
        [],
    ),
    ("SW-DF-006", "FROM debian:12 AS base\nRUN apt-get install -y git\nFROM base\n", [2]),
    ("SW-DF-006", "FROM fedora:40\nRUN dnf install -y python3-devel\n", [2]),
    (
        "SW-DF-006",
        "FROM debian:12\nRUN apt-get install -y $BUILD_DEPS && make && apt-get purge -y $BUILD_DEPS\n",
        [],
    ),
    ("SW-DF-006", "FROM debian:12\nRUN apt-get install -y ca-certificates libpq5 openjdk-17-jre\n", []),
    (
        "SW-DF-006",
        "FROM debian:12\nRUN apt-get install -y curl\nHEALTHCHECK CMD curl -fs http://localhost/\n",
        [],
    ),
    # SW-DF-007 ADD URL, SW-DF-008 ADD local non-archive (DL3020)
    ("SW-DF-007", "FROM a:1\nADD https://example.com/x.tgz /x\n", [2]),
    ("SW-DF-007", "FROM a:1\nADD --checksum=sha256:" + "a" * 64 + " https://example.com/x /x\n", []),
    ("SW-DF-007", "FROM a:1\nADD https://github.com/moby/buildkit.git#v0.14.1 /src\n", [2]),
    ("SW-DF-008", "FROM a:1\nADD app.py /app/\n", [2]),
    ("SW-DF-008", 'FROM a:1\nADD ["a b.txt", "/x/"]\n', [2]),
    ("SW-DF-008", "FROM a:1\nADD rootfs.tar.gz /\nADD https://example.com/x /x\nADD $SRC /x\n", []),
    # SW-DF-009 OS pins (DL3008, DL3018, DL3033, DL3037, DL3041)
    ("SW-DF-009", "FROM a:1\nRUN apt-get install -y --no-install-recommends curl\n", [2]),
    (
        "SW-DF-009",
        "FROM a:1\nRUN apt-get install -y --no-install-recommends curl=7.88.1-10 ./local.deb\n",
        [],
    ),
    ("SW-DF-009", "FROM a:1\nRUN apk add --no-cache curl\n", [2]),
    ("SW-DF-009", "FROM a:1\nRUN apk add --no-cache curl=8.9.0-r0 bash~5.2\n", []),
    ("SW-DF-009", "FROM a:1\nRUN yum install -y httpd && yum clean all\n", [2]),
    ("SW-DF-009", "FROM a:1\nRUN dnf install -y httpd-2.4.57 && dnf clean all\n", []),
    ("SW-DF-009", "FROM a:1\nRUN zypper install -y curl && zypper clean\n", [2]),
    ("SW-DF-009", "FROM a:1\nRUN apt-get install -y --no-install-recommends $PACKAGES\n", []),
    # SW-DF-010 language pins (DL3013, DL3016, DL3028)
    ("SW-DF-010", "FROM a:1\nRUN pip install --no-cache-dir flask\n", [2]),
    (
        "SW-DF-010",
        "FROM a:1\nRUN python3 -m pip install --no-cache-dir 'flask>=3' django==5.0 -r req.txt\n",
        [],
    ),
    ("SW-DF-010", "FROM a:1\nRUN pip install --no-cache-dir . ./pkg git+https://x/y.git@v1\n", []),
    ("SW-DF-010", "FROM a:1\nRUN npm install -g typescript\n", [2]),
    (
        "SW-DF-010",
        "FROM a:1\nRUN npm install -g typescript@5.5.3 @angular/cli@18.0.0 && npm ci && npm install\n",
        [],
    ),
    ("SW-DF-010", "FROM a:1\nRUN gem install rails\n", [2]),
    ("SW-DF-010", "FROM a:1\nRUN gem install rails:7.1.3 && gem install bundler -v 2.5.0\n", []),
    # SW-DF-011 caches (DL3009, DL3032, DL3036, DL3040)
    ("SW-DF-011", "FROM a:1\nRUN apt-get update && apt-get install -y --no-install-recommends x=1\n", [2]),
    ("SW-DF-011", "FROM a:1\nRUN apt-get update\n", [2]),
    (
        "SW-DF-011",
        "FROM a:1\nRUN apt-get update && apt-get install -y x=1 && rm -rf /var/lib/apt/lists/*\n",
        [],
    ),
    (
        "SW-DF-011",
        "FROM a:1\nRUN --mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update && "
        "apt-get install -y --no-install-recommends x=1\n",
        [],
    ),
    ("SW-DF-011", "FROM a:1 AS build\nRUN apt-get update && apt-get install -y x=1\nFROM a:1\n", []),
    ("SW-DF-011", "FROM a:1\nRUN yum install -y x-1.0\n", [2]),
    ("SW-DF-011", "FROM a:1\nRUN microdnf install -y x-1.0 && microdnf clean all\n", []),
    # SW-DF-012 --no-install-recommends (DL3015)
    ("SW-DF-012", "FROM a:1\nRUN apt-get install -y x=1 && rm -rf /var/lib/apt/lists/*\n", [2]),
    ("SW-DF-012", "FROM a:1\nRUN apt install -y -o APT::Install-Recommends=false x=1\n", []),
    (
        "SW-DF-012",
        "FROM a:1\nRUN echo 'APT::Install-Recommends \"0\";' > /etc/apt/apt.conf.d/01norec\n"
        "RUN apt-get install -y x\n",
        [],
    ),
    # SW-DF-013 apk --no-cache (DL3019)
    ("SW-DF-013", "FROM alpine:3\nRUN apk update && apk add curl=8.9.0-r0\n", [2]),
    ("SW-DF-013", "FROM alpine:3\nRUN apk add --no-cache curl=8.9.0-r0\n", []),
    ("SW-DF-013", "FROM alpine:3\nRUN apk add curl=8.9.0-r0 && rm -rf /var/cache/apk/*\n", []),
    ("SW-DF-013", "FROM alpine:3\nRUN --mount=type=cache,target=/var/cache/apk apk add curl=8.9.0-r0\n", []),
    # SW-DF-014 upgrade
    ("SW-DF-014", "FROM a:1\nRUN apt-get update && apt-get -y dist-upgrade\n", [2]),
    ("SW-DF-014", "FROM a:1\nRUN apt-get install -y --only-upgrade openssl\n", []),
    # SW-DF-015 pip cache (DL3042)
    ("SW-DF-015", "FROM a:1\nRUN pip3 install flask==3.0.3\n", [2]),
    ("SW-DF-015", "FROM a:1\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask==3.0.3\n", []),
    ("SW-DF-015", "FROM a:1\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask==3.0.3\n", []),
    # SW-DF-016 sudo (DL3004)
    ("SW-DF-016", "FROM a:1\nRUN sudo apt-get update\n", [2]),
    ("SW-DF-016", "FROM a:1\nRUN curl -fsSL https://x | sudo -E bash -\n", [2]),
    ("SW-DF-016", "FROM a:1\nRUN apt-get install -y sudo=1.9 && echo sudo\n", []),
    # SW-DF-017 pipe to shell
    ("SW-DF-017", "FROM a:1\nRUN curl -fsSL https://x/install.sh | sh\n", [2]),
    ("SW-DF-017", "FROM a:1\nRUN wget -qO- https://x | python3 -\n", [2]),
    ("SW-DF-017", 'FROM a:1\nRUN sh -c "$(curl -fsSL https://x)"\n', [2]),
    ("SW-DF-017", "FROM a:1\nRUN bash <(curl -fsSL https://x)\n", [2]),
    ("SW-DF-017", "FROM a:1\nRUN curl -fsSL https://x | tar xz -C /opt\n", []),
    ("SW-DF-017", "FROM a:1\nRUN curl -fsSLo /tmp/i.sh https://x && sha256sum -c s && sh /tmp/i.sh\n", []),
    # SW-DF-018 cd (DL3003)
    ("SW-DF-018", "FROM a:1\nRUN cd /app && make\n", [2]),
    ("SW-DF-018", "FROM a:1\nRUN cd /tmp && make && cd -\n", []),
    ("SW-DF-018", "FROM a:1\nRUN cd /usr/src/x && make install && cd / && rm -rf /usr/src/x\n", []),
    # SW-DF-019 chmod
    ("SW-DF-019", "FROM a:1\nRUN chmod -R 777 /app\n", [2]),
    ("SW-DF-019", "FROM a:1\nRUN chmod u+s /usr/bin/tool\n", [2]),
    ("SW-DF-019", "FROM a:1\nRUN chmod 2755 /usr/bin/tool\n", [2]),
    ("SW-DF-019", "FROM a:1\nRUN chmod o+w /data\n", [2]),
    ("SW-DF-019", "FROM a:1\nCOPY --chmod=777 a /a\n", [2]),
    (
        "SW-DF-019",
        "FROM a:1\nRUN chmod 1777 /scratch && chmod 755 /app && chmod +x /app/run && chmod g+w /d\n",
        [],
    ),
    ("SW-DF-019", "FROM a:1\nRUN chmod a+rwxt /shared\n", []),
    # SW-DF-031 password in RUN
    ("SW-DF-031", "FROM a:1\nRUN echo 'root:changeme' | chpasswd\n", [2]),
    ("SW-DF-031", "FROM a:1\nRUN useradd -m -p '$6$salt$hash' app\n", [2]),
    ("SW-DF-031", "FROM a:1\nRUN echo hunter22 | passwd --stdin app\n", [2]),
    ("SW-DF-031", 'FROM a:1\nRUN echo "app:$APP_PASSWORD" | chpasswd && useradd -m app\n', []),
    ("SW-DF-031", "FROM a:1\nRUN useradd --system --no-create-home app && passwd -l app\n", []),
    # SW-DF-020 TLS off
    ("SW-DF-020", "FROM a:1\nRUN curl -fsSLk https://x -o y\n", [2]),
    ("SW-DF-020", "FROM a:1\nRUN curl --insecure https://x\n", [2]),
    ("SW-DF-020", "FROM a:1\nRUN wget --no-check-certificate https://x\n", [2]),
    ("SW-DF-020", "FROM a:1\nRUN pip install --trusted-host mirror.example x==1\n", [2]),
    ("SW-DF-020", "FROM a:1\nRUN npm config set strict-ssl false\n", [2]),
    ("SW-DF-020", "FROM a:1\nRUN git config --global http.sslVerify false\n", [2]),
    ("SW-DF-020", "FROM a:1\nENV NODE_TLS_REJECT_UNAUTHORIZED=0\n", [2]),
    ("SW-DF-020", "FROM a:1\nENV PYTHONHTTPSVERIFY 0\n", [2]),
    ("SW-DF-020", "FROM a:1\nARG GIT_SSL_NO_VERIFY=1\n", [2]),
    ("SW-DF-020", "FROM a:1\nRUN NODE_TLS_REJECT_UNAUTHORIZED=0 npm ci\n", [2]),
    ("SW-DF-020", "FROM a:1\nRUN export PYTHONHTTPSVERIFY=0 && python x.py\n", [2]),
    ("SW-DF-020", "FROM a:1\nRUN apt-get -o Acquire::https::Verify-Peer=false update\n", [2]),
    ("SW-DF-020", "FROM a:1\nENV NODE_TLS_REJECT_UNAUTHORIZED=1\nRUN curl -fsSL -K cfg https://x\n", []),
    (
        "SW-DF-020",
        "FROM a:1\nRUN curl -fsSL --cacert /ca.pem https://x && git config http.sslVerify true\n",
        [],
    ),
    # SW-DF-021 signatures off
    ("SW-DF-021", "FROM a:1\nRUN apk add --allow-untrusted /tmp/x.apk\n", [2]),
    ("SW-DF-021", "FROM a:1\nRUN apt-get install -y --allow-unauthenticated x\n", [2]),
    ("SW-DF-021", "FROM a:1\nRUN apt-get -o Acquire::AllowInsecureRepositories=true update\n", [2]),
    ("SW-DF-021", "FROM a:1\nRUN rpm -i --nodigest x.rpm\n", [2]),
    ("SW-DF-021", "FROM a:1\nRUN dnf install -y --nogpgcheck x\n", [2]),
    ("SW-DF-021", "FROM a:1\nRUN yum-config-manager --add-repo x --setopt=gpgcheck=0\n", [2]),
    (
        "SW-DF-021",
        "FROM a:1\nRUN echo 'deb [trusted=yes] http://x stable main' > /etc/apt/sources.list.d/x.list\n",
        [2],
    ),
    ("SW-DF-021", "FROM a:1\nRUN rpm --import https://x/key && dnf install -y x\n", []),
    # SW-DF-022 secrets in ENV/ARG
    ("SW-DF-022", "FROM a:1\nENV DB_PASSWORD=hunter22\n", [2]),
    ("SW-DF-022", "FROM a:1\nARG GITHUB_TOKEN=abc123def\n", [2]),
    ("SW-DF-022", "FROM a:1\nENV awsSecretAccessKey=abcdef123\n", [2]),
    ("SW-DF-022", "FROM a:1\nENV API_KEY abcdef123\n", [2]),
    ("SW-DF-022", "FROM a:1\nENV DJANGO_SECRET_KEY=django-insecure-$0abc\n", [2]),
    ("SW-DF-022", "FROM a:1\nARG NPM_TOKEN\nENV NPM_TOKEN=${NPM_TOKEN}\n", []),
    ("SW-DF-022", "FROM a:1\nENV POSTGRES_PASSWORD_FILE=/run/secrets/pw TOKEN_URL=https://x/t\n", []),
    (
        "SW-DF-022",
        "FROM a:1\nENV TOKENIZERS_PARALLELISM=false GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D\n",
        [],
    ),
    ("SW-DF-022", 'FROM a:1\nENV DB_PASSWORD="" DISABLE_TOKEN=true AWS_ACCESS_KEY_ID=AKIAEXAMPLE\n', []),
    # SW-DF-023 EXPOSE 22
    ("SW-DF-023", "FROM a:1\nEXPOSE 22\n", [2]),
    ("SW-DF-023", "FROM a:1\nEXPOSE 8080 22/tcp\n", [2]),
    ("SW-DF-023", "FROM a:1\nEXPOSE 20-25\n", [2]),
    ("SW-DF-023", "FROM a:1\nARG SSH=22\nEXPOSE $SSH\n", [3]),
    ("SW-DF-023", "FROM a:1\nEXPOSE 2222 8022 22/udp\n", []),
    ("SW-DF-023", "FROM a:1 AS build\nEXPOSE 22\nFROM a:1\nEXPOSE 80\n", []),
    # SW-DF-024 HEALTHCHECK
    ("SW-DF-024", 'FROM a:1\nCMD ["x"]\n', [1]),
    ("SW-DF-024", "FROM a:1 AS build\nHEALTHCHECK CMD x\nFROM a:1\n", [3]),
    ("SW-DF-024", 'FROM a:1 AS base\nHEALTHCHECK CMD ["x"]\nFROM base\n', []),
    ("SW-DF-024", "FROM a:1\nHEALTHCHECK NONE\n", []),
    # SW-DF-025 WORKDIR (DL3000)
    ("SW-DF-025", "FROM a:1\nWORKDIR app\n", [2]),
    ("SW-DF-025", 'FROM a:1\nWORKDIR /app\nWORKDIR $HOME/x\nWORKDIR "/a b"\nWORKDIR C:\\\\app\n', []),
    # SW-DF-026 MAINTAINER (DL4000)
    ("SW-DF-026", "FROM a:1\nMAINTAINER me@example.com\n", [2]),
    ("SW-DF-026", "FROM a:1\nLABEL maintainer=me@example.com\n", []),
    # SW-DF-027 unknown instruction
    ("SW-DF-027", "FROM a:1\nRUN apk add curl\n    wget\n", [3]),
    ("SW-DF-027", "FROM a:1\nONBUILD RUNN x\n", [2]),
    ("SW-DF-027", "FROM a:1\nSTOPSIGNAL SIGTERM\nONBUILD RUN x\n", []),
    # SW-DF-028 several CMD/ENTRYPOINT/HEALTHCHECK (DL4003, DL4004, DL3012)
    ("SW-DF-028", 'FROM a:1\nCMD ["a"]\nCMD ["b"]\nENTRYPOINT ["c"]\n', [2]),
    ("SW-DF-028", 'FROM a:1 AS x\nCMD ["a"]\nFROM a:1\nCMD ["b"]\n', []),
    # SW-DF-029 shell form (DL3025)
    ("SW-DF-029", "FROM a:1\nCMD python app.py\n", [2]),
    ("SW-DF-029", "FROM a:1\nENTRYPOINT /entry.sh\n", [2]),
    ("SW-DF-029", 'FROM a:1\nCMD ["python", "app.py"]\nENTRYPOINT exec /entry.sh\n', []),
    ("SW-DF-029", "FROM a:1 AS build\nCMD make\nFROM a:1\n", []),
    # SW-DF-030 syntax problems
    ("SW-DF-030", "RUN echo\nFROM a:1\n", [1]),
    ("SW-DF-030", "FROM a:1\nRUN <<EOF\necho\n", [2]),
    ("SW-DF-030", "FROM a:1 AS\n", [1]),
    ("SW-DF-030", "ARG V=1\nFROM a:${V}\n", []),
]


@pytest.mark.parametrize(("rule_id", "text", "expected"), CASES)
def test_rule(rule_id: str, text: str, expected: list[int]) -> None:
    assert lines(text, rule_id) == expected


def test_every_rule_has_a_positive_and_a_negative_case() -> None:
    positive = {rule_id for rule_id, _, expected in CASES if expected}
    negative = {rule_id for rule_id, _, expected in CASES if not expected}
    covered = positive & negative
    missing = set(catalogue()) - covered - {"SW-DF-005"}  # SW-DF-005 needs a config: tested below
    assert not missing


@pytest.mark.parametrize("rule_id", sorted(catalogue()))
def test_documentation_examples(rule_id: str) -> None:
    """The bad example of each rule's page triggers it; the good example does not."""
    rule = catalogue()[rule_id]
    config = LintConfig(trusted_registries=("registry.example.com",))
    assert lines(rule.bad_example, rule_id, config), rule.bad_example
    assert not lines(rule.good_example, rule_id, config), rule.good_example


def test_trusted_registries() -> None:
    # hadolint DL3026: only registries in the list are allowed; scratch, stages and localhost pass.
    config = LintConfig(trusted_registries=("docker.io", "registry.example.com/base"))
    text = (
        "FROM python:3.12 AS a\nFROM quay.io/x/y:1\nFROM registry.example.com/base/py:1\n"
        "FROM registry.example.com/other/py:1\nFROM localhost/x:1\nFROM a\nFROM scratch\n"
        "FROM index.docker.io/library/debian:12\n"
    )
    assert lines(text, "SW-DF-005", config) == [2, 4]
    assert lines(text, "SW-DF-005") == []  # inactive without trusted_registries


def test_secret_values_are_never_in_messages() -> None:
    results = lint("FROM a:1\nENV DB_PASSWORD=hunter22-very-secret\nARG API_KEY=zz-secret-zz\n")
    messages = " ".join(r.message for r in results)
    assert "hunter22" not in messages and "zz-secret-zz" not in messages
    assert [r.location.line for r in results if r.rule.id == "SW-DF-022"] == [2, 3]


def test_windows_shell_runs_are_not_read_as_posix_shell() -> None:
    text = (
        "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        'SHELL ["powershell", "-Command"]\nRUN curl -k https://x | sh\n'
    )
    assert lines(text, "SW-DF-020") == [] and lines(text, "SW-DF-017") == []


def test_heredoc_scripts_are_read_and_data_is_not() -> None:
    text = (
        "FROM a:1\nRUN <<EOF\ncurl -k https://x\nEOF\nRUN python3 <<EOF\nprint('curl -k https://y')\nEOF\n"
        "COPY <<EOF /etc/x.sh\nsudo rm -rf /\nEOF\n"
        "RUN <<EOF\n#!/usr/bin/env python3\nimport os  # curl -k\nEOF\n"
    )
    assert lines(text, "SW-DF-020") == [2]
    assert lines(text, "SW-DF-016") == []
