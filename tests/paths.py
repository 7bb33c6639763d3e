"""Where the tests find their inputs."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FIXTURES = SHARED / "fixtures"
IMAGES = SHARED / "images"
TRIVY_FIXTURES = FIXTURES / "trivy" / "pkg"
SYFT_CATALOGERS = FIXTURES / "syft" / "syft" / "pkg" / "cataloger"
GO_RPMDB = FIXTURES / "go-rpmdb" / "pkg"
