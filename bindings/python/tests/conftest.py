"""Shared fixtures. The package under test is whatever `import wasmdeploy` finds: the build tree
(PYTHONPATH, fast ctest) or a venv's site-packages (the install ctest)."""

import os
import pathlib

import pytest

import wasmdeploy


def pytest_report_header(config):
    return f"wasmdeploy {wasmdeploy.__version__} from {pathlib.Path(wasmdeploy.__file__).parent}"


@pytest.fixture(scope="session")
def source_dir() -> pathlib.Path:
    return pathlib.Path(__file__).resolve().parents[3]


@pytest.fixture
def bookinfo_spec() -> wasmdeploy.Spec:
    """The bookinfo scenario built from objects: one filter on two workloads."""
    return wasmdeploy.Spec(
        [
            wasmdeploy.Filter(
                "add-header",
                "oci://webassemblyhub.io/tanjunchen20/add-header:v0.1",
                sha256="6b0e5e8d4b7c0a3f1b2d9c8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a",
                module_sha256="0295d929353976266ab721389ec859b2fe012d63ce2e58815469ab85c123b510",
                root_id="add_header",
                config={"name": "hello", "value": "world"},
            )
        ],
        [
            wasmdeploy.Target(
                "bookinfo",
                workloads=[
                    wasmdeploy.Workload("details-v1", labels={"app": "details", "version": "v1"}),
                    wasmdeploy.Workload("reviews-v1", labels={"app": "reviews", "version": "v1"}),
                ],
            )
        ],
        istio="1.12",
    )


BOOKINFO_YAML = """\
istio: "1.12"
filters:
  - name: add-header
    module: oci://webassemblyhub.io/tanjunchen20/add-header:v0.1
    sha256: 6b0e5e8d4b7c0a3f1b2d9c8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a
    moduleSha256: 0295d929353976266ab721389ec859b2fe012d63ce2e58815469ab85c123b510
    rootId: add_header
    config:
      name: hello
      value: world
targets:
  - namespace: bookinfo
    workloads:
      - name: details-v1
        labels: {app: details, version: v1}
      - name: reviews-v1
        labels: {app: reviews, version: v1}
"""


@pytest.fixture
def bookinfo_yaml() -> str:
    return BOOKINFO_YAML


@pytest.fixture(autouse=True, scope="session")
def _check_import_location():
    """The install ctest sets WD_EXPECT_INSTALLED=1: then the package must come from site-packages,
    never from the source tree that pytest's rootdir points at."""
    if os.environ.get("WD_EXPECT_INSTALLED") == "1":
        location = pathlib.Path(wasmdeploy.__file__).resolve()
        assert "site-packages" in location.parts, location
