"""Typed results of the embedded proxy-wasm host (:func:`run`), built from the JSON the C++ core
writes for ``wasmdeploy run -o json``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union

from . import _core

Headers = List[Tuple[str, str]]


@dataclass(frozen=True)
class HttpMessage:
    """A request or response as the filter left it: headers (lower-case names, pseudo-headers
    first) and body."""

    headers: Headers
    body: str

    def header(self, name: str) -> Optional[str]:
        """The first value of a header (names are lower-case), or None."""
        return next((v for k, v in self.headers if k == name.lower()), None)


@dataclass(frozen=True)
class LocalReply:
    """What the filter sent with proxy_send_local_response."""

    status: int
    details: str
    headers: Headers
    body: str
    grpc_status: int


@dataclass(frozen=True)
class LogEntry:
    """One message the filter logged (proxy_log, or stdout/stderr through WASI fd_write)."""

    level: str
    message: str


@dataclass(frozen=True)
class HttpCall:
    """An outbound call the filter made (recorded, answered from the run's options)."""

    kind: str
    upstream: str
    headers: Headers
    body: str
    timeout_ms: int


@dataclass(frozen=True)
class RunResult:
    """The outcome of :func:`run`: the fields of ``wasmdeploy run -o json``."""

    engine: str
    abi: Optional[str]
    loaded: bool
    vm_start: bool
    configure: bool
    request: Optional[HttpMessage]
    response: Optional[HttpMessage]
    local_reply: Optional[LocalReply]
    actions: List[str]
    logs: List[LogEntry]
    http_calls: List[HttpCall]
    trap: Optional[str]
    trap_phase: Optional[str]
    missing_imports: List[str]
    diagnostics: List[Dict[str, str]]

    @property
    def ok(self) -> bool:
        """Loaded, configured and did not trap: what `wasmdeploy run` exits 0 for."""
        return self.loaded and self.configure and self.trap is None


def _pairs(items: Iterable[Any]) -> Headers:
    return [(k, v) for k, v in items]


def _message(d: Optional[Dict[str, Any]]) -> Optional[HttpMessage]:
    return None if d is None else HttpMessage(_pairs(d["headers"]), d["body"])


def _result_from_json(text: str) -> RunResult:
    d = json.loads(text)
    reply = d["local_reply"]
    return RunResult(
        engine=d["engine"], abi=d["abi"], loaded=d["loaded"], vm_start=d["vm_start"], configure=d["configure"],
        request=_message(d["request"]), response=_message(d["response"]),
        local_reply=None if reply is None else LocalReply(reply["status"], reply["details"], _pairs(reply["headers"]),
                                                          reply["body"], reply["grpc_status"]),
        actions=list(d["actions"]), logs=[LogEntry(l["level"], l["message"]) for l in d["logs"]],
        http_calls=[HttpCall(c["kind"], c["upstream"], _pairs(c["headers"]), c["body"], c["timeout_ms"])
                    for c in d["http_calls"]],
        trap=d["trap"], trap_phase=d.get("trap_phase"), missing_imports=list(d["missing_imports"]),
        diagnostics=list(d["diagnostics"]))


def run(module: Optional[bytes] = None, *, spec: Optional["_core.Spec"] = None, filter: Optional[str] = None,
        istio: Optional[str] = None, root_id: Optional[str] = None, config: Union[str, bytes, None] = None,
        config_json: Union[str, Mapping[str, Any], None] = None, vm_config: Optional[str] = None,
        env: Optional[Mapping[str, str]] = None, request: str = "GET /",
        request_headers: Iterable[Tuple[str, str]] = (), request_body: str = "", response_status: int = 200,
        response_headers: Iterable[Tuple[str, str]] = (), response_body: str = "", http_call_status: int = 200,
        http_call_body: str = "", max_memory_mib: int = 64, instruction_budget: int = 10**9,
        timeout_ms: int = 10000, max_value_mib: int = 16, limits: Optional[Mapping[str, int]] = None) -> RunResult:
    """Runs a proxy-wasm module in the embedded host, like ``wasmdeploy run``.

    Either ``module`` (the .wasm bytes) with ``root_id``/``config``/``config_json``/``vm_config``/
    ``env``, or ``spec`` and ``filter`` (and ``istio``): then the module gets exactly the
    configuration :func:`render` deploys for that version. The request/response keywords are
    the traffic pushed through it. A trap or a refused configuration is in the result
    (``result.ok`` is False), not an exception; bad arguments raise WasmDeployError.
    ``limits`` overrides the readers' limits (``{"json_depth": 32}``: config_json's nesting).
    """
    options: Dict[str, str] = {
        "request": request, "request_body": request_body, "response_status": str(response_status),
        "response_body": response_body, "http_call_status": str(http_call_status), "http_call_body": http_call_body,
        "max_memory_mib": str(max_memory_mib), "instruction_budget": str(instruction_budget),
        "timeout_ms": str(timeout_ms), "max_value_mib": str(max_value_mib),
    }
    additions = [("request", k, v) for k, v in request_headers] + [("response", k, v) for k, v in response_headers]
    if spec is not None or filter is not None:
        if spec is None or filter is None or module is not None:
            raise ValueError("give module=..., or spec=... with filter=...")
        if any(x is not None for x in (root_id, config, config_json, vm_config, env)):
            raise ValueError("with spec= the configuration comes from the spec, as render deploys it")
        return _result_from_json(_core.run_spec_filter(spec, filter, istio=istio or "", options=options,
                                                      additions=additions, limits=limits))
    if module is None:
        raise ValueError("give module=..., or spec=... with filter=...")
    if config is not None and config_json is not None:
        raise ValueError("give config or config_json, not both")
    if root_id is not None:
        options["root_id"] = root_id
    if vm_config is not None:
        options["vm_config"] = vm_config
    if config_json is not None:
        options["config_json"] = config_json if isinstance(config_json, str) else json.dumps(config_json)
    for k, v in (env or {}).items():
        additions.append(("env", k, v))
    raw = config.encode() if isinstance(config, str) else config
    return _result_from_json(_core.run_module(bytes(module), options=options, additions=additions, config=raw,
                                             limits=limits))


def run_check(spec: "_core.Spec", *, istio: Optional[str] = None,
              limits: Optional[Mapping[str, int]] = None) -> List[str]:
    """``render --run-check``: vm start + configure of every module the spec names locally. Raises
    WasmDeployError (code host.configure-rejected, path filters[i].config, ...) when one rejects its
    configuration; returns the notes for those that accept it."""
    return _core.run_check(spec, istio=istio or "", limits=limits)
