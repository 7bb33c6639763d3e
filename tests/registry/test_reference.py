"""References: the cases of the distribution project's own tests (``reference/reference_test.go`` and
``reference/normalize_test.go`` of distribution/distribution), with the normalised forms they expect."""

from __future__ import annotations

import pytest

from seawall.errors import UsageError
from seawall.registry.reference import looks_like_reference, parse_reference

HEX64 = "f" * 64
BUSYBOX = "sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa"
ID64 = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a"


@pytest.mark.parametrize(
    ("text", "registry", "repository", "tag", "digest"),
    [
        # reference_test.go TestReferenceParse (normalised as ParseNormalizedNamed does)
        ("test_com", "docker.io", "library/test_com", "latest", ""),
        ("test.com:tag", "docker.io", "library/test.com", "tag", ""),
        ("test.com:5000", "docker.io", "library/test.com", "5000", ""),
        ("test.com/repo:tag", "test.com", "repo", "tag", ""),
        ("test:5000/repo", "test:5000", "repo", "latest", ""),
        ("test:5000/repo@sha256:" + HEX64, "test:5000", "repo", "", "sha256:" + HEX64),
        ("test:5000/repo:tag@sha256:" + HEX64, "test:5000", "repo", "tag", "sha256:" + HEX64),
        ("a/" * 127 + "a:tag-puts-this-over-max", "docker.io", "a/" * 127 + "a",
         "tag-puts-this-over-max", ""),
        ("sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com", "bar/baz/quux",
         "some-long-tag", ""),
        ("b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io", "test.example.com/my-app",
         "test.example.com", ""),
        ("xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com", "myimage", "xn--n3h.com", ""),
        ("foo_bar.com:8080", "docker.io", "library/foo_bar.com", "8080", ""),
        ("foo/foo_bar.com:8080", "docker.io", "foo/foo_bar.com", "8080", ""),
        ("test.com:8000/foo:TAG5", "test.com:8000", "foo", "TAG5", ""),
        # normalize_test.go TestParseRepositoryInfo, TestNormalizedSplitHostname
        ("fooo/bar", "docker.io", "fooo/bar", "latest", ""),
        ("index.docker.io/fooo/bar", "docker.io", "fooo/bar", "latest", ""),
        ("ubuntu", "docker.io", "library/ubuntu", "latest", ""),
        ("library/ubuntu", "docker.io", "library/ubuntu", "latest", ""),
        ("docker.io/library/ubuntu", "docker.io", "library/ubuntu", "latest", ""),
        ("127.0.0.1:8000/private/moonbase", "127.0.0.1:8000", "private/moonbase", "latest", ""),
        ("127.0.0.1:8000/privatebase", "127.0.0.1:8000", "privatebase", "latest", ""),
        ("example.com:8000/privatebasee", "example.com:8000", "privatebasee", "latest", ""),
        ("ubuntu-12.04-base", "docker.io", "library/ubuntu-12.04-base", "latest", ""),
        ("docker.io/foo", "docker.io", "library/foo", "latest", ""),
        ("docker.io/library/foo/bar", "docker.io", "library/foo/bar", "latest", ""),
        ("test_com/foo", "docker.io", "test_com/foo", "latest", ""),
        ("test-com:8080/foo", "test-com:8080", "foo", "latest", ""),
        ("docker.io/" + ID64, "docker.io", "library/" + ID64, "latest", ""),
        ("thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "docker.io",
         "library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "latest", ""),
        ("docker---rules/docker", "docker.io", "docker---rules/docker", "latest", ""),
        ("dock__er/docker", "docker.io", "dock__er/docker", "latest", ""),
        (f"busybox:latest@{BUSYBOX}", "docker.io", "library/busybox", "latest", BUSYBOX),
        ("localhost/app", "localhost", "app", "latest", ""),
    ],
)  # fmt: skip
def test_valid(text: str, registry: str, repository: str, tag: str, digest: str) -> None:
    reference = parse_reference(text)
    assert (reference.registry, reference.repository, reference.tag, reference.digest) == (
        registry,
        repository,
        tag,
        digest,
    )


@pytest.mark.parametrize(
    "text",
    [
        # reference_test.go and normalize_test.go: invalid names
        "",
        ":justtag",
        "@sha256:" + HEX64,
        "validname@invaliddigest:" + HEX64,
        "a/" * 128 + "a:tag",
        "aa/asdf$$^/aa",
        "https://github.com/docker/docker",
        "docker/Docker",
        "-docker",
        "-docker/docker",
        "-docker.io/docker/docker",
        "docker///docker",
        "docker.io/docker/Docker",
        "docker.io/docker///docker",
        ID64,
        "docker-/docker",
        "-docker-/docker",
        "____/____",
        "_docker/_docker",
        "dock..er/docker",
        "dock_.er/docker",
        "dock-.er/docker",
        "docker/",
        "this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255" * 4 + "/docker",
        "busybox:-foo",
        # ours: digests we could not verify, bad ports, padding
        "app@sha256:" + "f" * 63,
        "app@md5:" + "f" * 32,
        "app@sha256:" + "F" * 64,
        "host:99999/app",
        " app",
    ],
)
def test_invalid(text: str) -> None:
    with pytest.raises(UsageError, match="bad image reference"):
        parse_reference(text)


def test_string_form_and_identifier() -> None:
    tagged = parse_reference("busybox")
    assert str(tagged) == "docker.io/library/busybox:latest"
    assert (tagged.api_host, tagged.identifier) == ("registry-1.docker.io", "latest")
    pinned = parse_reference("host:5000/a/b:1.0@sha256:" + HEX64)
    assert str(pinned) == "host:5000/a/b:1.0@sha256:" + HEX64
    assert (pinned.api_host, pinned.identifier) == ("host:5000", "sha256:" + HEX64)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alpine", True),
        ("alpine:3.19", True),
        ("ghcr.io/org/app", True),
        ("127.0.0.1:5000/app.tar", True),
        ("image.tar", False),
        ("image.tar.gz", False),
        ("./alpine", False),
        ("/no/such/path", False),
        ("Upper", False),
    ],
)
def test_looks_like_reference(text: str, expected: bool) -> None:
    assert looks_like_reference(text) is expected
