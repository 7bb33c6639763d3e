"""Session fixtures: the test images of :mod:`tests.images`, built once and cached between runs.

A fixture fails when its image cannot be built (a missing tool, no network); with
``SEAWALL_SKIP_IMAGE_BUILDS=1`` it uses a cached image or skips, and never builds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol, TypeVar

import pytest

from tests import images

T = TypeVar("T")


@contextmanager
def _uncaptured(config: pytest.Config) -> Iterator[None]:
    """Let the builders' timing lines reach the terminal although pytest captures output."""
    capture = config.pluginmanager.getplugin("capturemanager")
    if capture is None:
        yield
        return
    with capture.global_and_fixture_disabled():
        yield


def _provide(config: pytest.Config, build: Callable[[], T]) -> T:
    """``build()``; fail the test if that is impossible, skip it if builds are switched off."""
    try:
        with _uncaptured(config):
            return build()
    except images.BuildsDisabled as exc:
        skipped, failed = str(exc), ""
    except images.ImageBuildError as exc:
        skipped, failed = "", f"test image build failed: {exc}"
    if skipped:
        pytest.skip(skipped)
    pytest.fail(failed, pytrace=False)


class ImageProvider(Protocol):
    def __call__(self, build: Callable[[], T]) -> T: ...


@pytest.fixture(scope="session")
def provide_image(pytestconfig: pytest.Config) -> ImageProvider:
    """For images not covered below: ``provide_image(lambda: images.many_files_image(n=5000))``."""

    def provide(build: Callable[[], T]) -> T:
        return _provide(pytestconfig, build)

    return provide


@pytest.fixture(scope="session")
def bookworm_image(pytestconfig: pytest.Config) -> images.BuiltImage:
    """Debian 12 minbase, one layer: ``{"oci": layout dir, "docker_archive": tar}``."""
    return _provide(pytestconfig, images.bookworm_image)


@pytest.fixture(scope="session")
def app_image(pytestconfig: pytest.Config) -> images.BuiltImage:
    """The deliberately insecure six-layer app image: ``{"oci": ..., "docker_archive": ...}``."""
    return _provide(pytestconfig, images.app_image)


@pytest.fixture(scope="session")
def app_image_zstd(pytestconfig: pytest.Config) -> images.OciImage:
    """The app image with zstd layers: ``{"oci": layout dir}``."""
    return _provide(pytestconfig, images.app_image_zstd)


@pytest.fixture(scope="session")
def many_files_image(pytestconfig: pytest.Config) -> images.BuiltImage:
    """One layer of 200,000 small files plus a 3-package dpkg status."""
    return _provide(pytestconfig, images.many_files_image)
