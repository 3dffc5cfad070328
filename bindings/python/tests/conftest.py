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
