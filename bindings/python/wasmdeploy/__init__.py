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
    resolve,
    supports,
    with_live,
    host_available,
)
from . import _core
import warnings as _warnings

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
    "import_resources",
    "convert",
    "WasmDeployWarning",
    "supports",
    "with_live",
    "host_available",
    "run",
    "run_check",
    "RunResult",
    "HttpMessage",
    "LocalReply",
    "LogEntry",
    "HttpCall",
]


class WasmDeployWarning(UserWarning):
    """A wasmdeploy warning (what the CLI prints as `warning: ...`), issued through `warnings`.

    Attributes: diagnostic (the Diagnostic: code, path, line, column, message) and code.
    Acknowledge a code with allow=[code] (or the spec's options.allow) instead of filtering it.
    """

    def __init__(self, diagnostic):
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic
        self.code = diagnostic.code


def _surface(diagnostics, strict):
    """Issues every warning through `warnings`; with strict, refuses as the CLI's --strict does."""
    warned = [d for d in diagnostics if d.severity == "warning"]
    for d in warned:
        _warnings.warn(WasmDeployWarning(d), stacklevel=3)
    if strict and warned:
        raise WasmDeployError(f"[render.strict] strict: {len(warned)} warning(s); nothing was returned",
                              code="render.strict", path="strict", category="invalid")


def render(spec, *, istio=None, output="objects", allow_incompatible_module=False, target=None,
           gateway_version=None, strict=False, allow=(), resolve=False, registry=None, allow_paths=(),
           allow_outside_spec_dir=False, limits=None, live=None):
    """Renders a spec for an Istio version (str or MeshVersion; None uses the spec's).

    output is "objects" (list of dicts), "yaml" or "json" (the CLI's bytes). target ("istio",
    "wasme", "gloo", "envoy", "envoy-gateway", "higress") and gateway_version ("v1.3") are the
    CLI's --target and --gateway-version. Warnings are issued as WasmDeployWarning through the
    `warnings` module; strict=True raises WasmDeployError (code render.strict) when there is one,
    as --strict does; allow=[code, ...] acknowledges codes (--allow), recorded in the
    wasmdeploy.io/allowed annotation of every object. resolve=True asks the registry for each oci://
    module (render --resolve; registry: the settings dict of resolve()); allow_paths and
    allow_outside_spec_dir widen where the spec may name local files (--allow-path,
    --allow-outside-spec-dir). limits={"json_depth": 32, ...} overrides the readers' limits (the
    CLI's --limit; names and defaults in the README's Limits table). live is `kubectl get ... -o yaml` output (str or bytes) for the
    listed workloads, whose volume annotations the patches then merge into (--live; with_live()).
    """
    if live is not None:
        spec = with_live(spec, live, file="<live>")
    r = _core.render_result(spec, istio=istio, allow_incompatible_module=allow_incompatible_module, target=target,
                            gateway_version=gateway_version, allow=list(allow), resolve=resolve, registry=registry,
                            allow_paths=list(allow_paths), allow_outside_spec_dir=allow_outside_spec_dir,
                            limits=limits)
    _surface(r.diagnostics, strict)
    return r.output(output)


def render_result(spec, *, live=None, **options):
    """The render as a RenderResult (documents, diagnostics, version), with the options of
    _core.render_result (istio, target, allow, resolve, allow_paths, limits, ...) and live as for
    render(): the workloads' `kubectl get -o yaml` output, whose volume annotations the patches
    merge into. Warnings are in result.diagnostics, not issued."""
    if live is not None:
        spec = with_live(spec, live, file="<live>")
    return _core.render_result(spec, **options)


def undeploy(spec, *, istio=None, output="objects", target=None, gateway_version=None, restore=False, allow=(),
             limits=None, live=None, allow_paths=(), allow_outside_spec_dir=False):
    """The removal plan for what render() deploys, as `wasmdeploy undeploy [--restore]` (see _core.undeploy);
    live as for render() (--live). Local files are read under the same confinement as render():
    allow_paths, allow_outside_spec_dir."""
    if live is not None:
        spec = with_live(spec, live, file="<live>")
    return _core.undeploy(spec, istio=istio, output=output, target=target, gateway_version=gateway_version,
                          restore=restore, allow=list(allow), limits=limits, allow_paths=list(allow_paths),
                          allow_outside_spec_dir=allow_outside_spec_dir)


def import_resources(text, *, file="<input>", limits=None):
    """Reads FilterDeployments, EnvoyFilters and WasmPlugins (a YAML stream, str or bytes) into a Spec,
    as `wasmdeploy convert` (and the C API's wd_spec_import) do; what was not carried over or was
    assumed is issued as WasmDeployWarning."""
    spec, diagnostics = _core.import_resources(text, file=file, limits=limits)
    _surface(diagnostics, False)
    return spec


def convert(text, *, file="<input>", limits=None):
    """`wasmdeploy convert -f FILE --to spec`: the resources as a spec file's YAML (the same bytes)."""
    spec, diagnostics = _core.import_resources(text, file=file, limits=limits)
    _surface(diagnostics, False)
    return _core.spec_yaml(spec)
