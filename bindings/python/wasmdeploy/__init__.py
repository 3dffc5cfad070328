"""Render Istio/Envoy manifests for proxy-wasm filters, deterministically.

Build a :class:`Spec` from :class:`Filter` and :class:`Target` objects (or parse one with
:func:`parse_spec` / :func:`load_spec`) and call :func:`render`::

    import wasmdeploy as wd
    spec = wd.Spec([wd.Filter("add-header", "oci://ghcr.io/acme/add-header:v1")],
                   [wd.Target("bookinfo", workloads=[wd.Workload("reviews-v1", labels={"app": "reviews"})])])
    docs = wd.render(spec, istio="1.12")            # list of dicts
    text = wd.render(spec, istio="1.12", output="yaml")

The output is byte-for-byte what the wasmdeploy CLI, the C++ API and the C API produce.
"""

from ._core import (
    Capability,
    Diagnostic,
    Filter,
    MeshVersion,
    RenderResult,
    Spec,
    Target,
    WasmDeployError,
    Workload,
    __version__,
    capabilities,
    first_release,
    load_spec,
    parse_spec,
    build_image,
    inspect_module,
    render,
    render_result,
    resolve,
    undeploy,
    supports,
    host_available,
)
from ._run import HttpCall, HttpMessage, LocalReply, LogEntry, RunResult, run, run_check

__all__ = [
    "Capability",
    "Diagnostic",
    "Filter",
    "MeshVersion",
    "RenderResult",
    "Spec",
    "Target",
    "WasmDeployError",
    "Workload",
    "__version__",
    "capabilities",
    "first_release",
    "load_spec",
    "parse_spec",
    "build_image",
    "inspect_module",
    "render",
    "render_result",
    "resolve",
    "undeploy",
    "supports",
    "host_available",
    "run",
    "run_check",
    "RunResult",
    "HttpMessage",
    "LocalReply",
    "LogEntry",
    "HttpCall",
]
