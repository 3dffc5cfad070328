# Hand-written stubs for wasmdeploy._core. tests/test_stubs.py keeps them in step with the
# compiled module (names, parameter names, keyword-only markers and which parameters have defaults).
from typing import Any, Dict, Iterable, List, Literal, Optional, Tuple, Union, overload

__version__: str

# What render(target=...) accepts (the CLI's --target); the names are matched case-insensitively.
_Platform = Literal["istio", "wasme", "gloo", "envoy", "envoy-gateway", "higress"]

# The readers' limits by name ({"json_depth": 32}); README, section Limits.
_Limits = Optional[Dict[str, int]]

class WasmDeployError(ValueError):
    """A wasmdeploy error with a stable code, field path and source position."""
    code: str
    path: str
    line: int
    column: int
    file: str
    category: str
    def __init__(self, message: str, code: str = "", path: str = "", line: int = 0, column: int = 0,
                 file: str = "", category: str = "generic") -> None: ...

class MeshVersion:
    """An Istio release to render for."""
    def __init__(self, text: str) -> None: ...
    @property
    def major(self) -> int: ...
    @property
    def minor(self) -> int: ...
    @property
    def patch(self) -> int: ...
    @property
    def patch_given(self) -> bool: ...
    @staticmethod
    def oldest_supported() -> MeshVersion: ...
    @staticmethod
    def newest_supported() -> MeshVersion: ...
    def __lt__(self, other: MeshVersion) -> bool: ...
    def __le__(self, other: MeshVersion) -> bool: ...
    def __hash__(self) -> int: ...

class Workload:
    """A workload whose pods get the filters."""
    name: str
    kind: str
    labels: Dict[str, str]
    annotations: Dict[str, str]
    def __init__(self, name: str = "", *, kind: str = "Deployment", labels: Dict[str, str] = ...,
                 annotations: Dict[str, str] = ...) -> None: ...

class Filter:
    """A Wasm filter: the module and how Envoy runs it."""
    name: str
    module: str
    sha256: str
    module_sha256: str
    root_id: str
    vm_id: str
    config: Any
    runtime: str
    type: Optional[str]
    fail_strategy: Optional[str]
    env: Dict[str, str]
    host_env: List[str]
    image_pull_policy: Optional[str]
    image_pull_secret: str
    phase: Optional[str]
    priority: Optional[int]
    delivery: str
    resource: str
    runtime_config: str
    image_layout: str
    def __init__(self, name: str = "", module: str = "", *, sha256: str = "", module_sha256: str = "", root_id: str = "",
                 vm_id: str = "", config: Any = None, runtime: str = "v8", type: Optional[str] = None,
                 fail_strategy: Optional[str] = None, env: Dict[str, str] = ...,
                 host_env: List[str] = ..., image_pull_policy: Optional[str] = None,
                 image_pull_secret: str = "", phase: Optional[str] = None, priority: Optional[int] = None,
                 delivery: str = "auto", resource: str = "auto", runtime_config: str = "",
                 image_layout: str = "") -> None: ...

class Target:
    """Where filters go."""
    namespace: str
    name: str
    workloads: List[Workload]
    selector: Dict[str, str]
    context: Optional[str]
    revision: str
    filters: List[str]
    match: List[Dict[str, Any]]
    target_refs: List[Dict[str, str]]
    rules: List[Dict[str, Any]]
    istio_namespace: str
    all_workloads: bool
    def __init__(self, namespace: str = "default", *, name: str = "", workloads: List[Workload] = ...,
                 selector: Dict[str, str] = ..., context: Optional[str] = None, revision: str = "",
                 filters: List[str] = ..., match: Iterable[Dict[str, Any]] = ...,
                 target_refs: Iterable[Dict[str, str]] = ..., rules: Iterable[Dict[str, Any]] = ...,
                 istio_namespace: str = "", all_workloads: bool = False) -> None: ...

class Spec:
    """A deployment spec: filters and targets."""
    istio: str
    naming: str
    resource: str
    allow_incompatible_module: bool
    platform: Optional[str]
    gateway_version: str
    envoy: Dict[str, Any]
    gloo_gateway: str
    allow: List[str]
    filters: List[Filter]
    targets: List[Target]
    base_dir: str
    file: str
    def __init__(self, filters: List[Filter] = ..., targets: List[Target] = ..., *, istio: str = "",
                 naming: str = "auto", resource: str = "auto", allow_incompatible_module: bool = False,
                 base_dir: str = ".", file: str = "<input>", platform: Optional[str] = None,
                 gateway_version: str = "", envoy: Dict[str, Any] = ..., gloo_gateway: str = "",
                 allow: List[str] = ...) -> None: ...
    @staticmethod
    def from_string(text: str, file: str = "<input>", base_dir: str = ".", *, limits: _Limits = None) -> Spec: ...
    @staticmethod
    def from_file(path: str, *, limits: _Limits = None) -> Spec: ...
    def add_filter(self, filter: Filter) -> None: ...
    def add_target(self, target: Target) -> None: ...
    def copy(self) -> Spec: ...

class Diagnostic:
    """A warning or note from a render."""
    @property
    def severity(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...

class RenderResult:
    """A finished render."""
    @property
    def version(self) -> MeshVersion: ...
    @property
    def diagnostics(self) -> List[Diagnostic]: ...
    @property
    def file_names(self) -> List[str]: ...
    def output(self, output: Literal["objects", "yaml", "json"] = "objects") -> Union[str, List[Dict[str, Any]]]: ...
    def write_directory(self, directory: str, *, force: bool = False) -> None: ...
    def __len__(self) -> int: ...

class Capability:
    """One row of the capability table."""
    @property
    def key(self) -> str: ...
    @property
    def since(self) -> str: ...
    @property
    def until(self) -> Optional[str]: ...
    @property
    def support(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def source(self) -> str: ...

def parse_spec(text: str, file: str = "<input>", base_dir: str = ".", *, limits: _Limits = None) -> Spec: ...
def load_spec(path: str, *, limits: _Limits = None) -> Spec: ...
@overload
def render(spec: Spec, *, istio: Union[str, MeshVersion, None] = None, output: Literal["objects"] = "objects",
           allow_incompatible_module: bool = False, target: Optional[_Platform] = None,
           gateway_version: Optional[str] = None, resolve: bool = False,
           registry: Optional[Dict[str, Any]] = None, allow_paths: List[str] = ...,
           allow_outside_spec_dir: bool = False, limits: _Limits = None) -> List[Dict[str, Any]]: ...
@overload
def render(spec: Spec, *, istio: Union[str, MeshVersion, None] = None, output: Literal["yaml", "json"],
           allow_incompatible_module: bool = False, target: Optional[_Platform] = None,
           gateway_version: Optional[str] = None, resolve: bool = False,
           registry: Optional[Dict[str, Any]] = None, allow_paths: List[str] = ...,
           allow_outside_spec_dir: bool = False, limits: _Limits = None) -> str: ...
def render_result(spec: Spec, *, istio: Union[str, MeshVersion, None] = None,
                  allow_incompatible_module: bool = False, target: Optional[_Platform] = None,
                  gateway_version: Optional[str] = None, allow: List[str] = ..., resolve: bool = False,
                  registry: Optional[Dict[str, Any]] = None, allow_paths: List[str] = ...,
                  allow_outside_spec_dir: bool = False, limits: _Limits = None) -> RenderResult: ...
@overload
def undeploy(spec: Spec, *, istio: Union[str, MeshVersion, None] = None,
             output: Literal["objects"] = "objects", target: Optional[_Platform] = None,
             gateway_version: Optional[str] = None, restore: bool = False,
             allow: List[str] = ..., limits: _Limits = None, allow_paths: List[str] = ...,
             allow_outside_spec_dir: bool = False) -> List[Dict[str, Any]]: ...
@overload
def undeploy(spec: Spec, *, istio: Union[str, MeshVersion, None] = None, output: Literal["yaml", "json"],
             target: Optional[_Platform] = None, gateway_version: Optional[str] = None,
             restore: bool = False, allow: List[str] = ..., limits: _Limits = None, allow_paths: List[str] = ...,
             allow_outside_spec_dir: bool = False) -> str: ...
def resolve(reference: str, *, registry: Optional[Dict[str, Any]] = None) -> Dict[str, Any]: ...
def import_resources(text: Union[str, bytes], *, file: str = "<input>", limits: _Limits = None) -> Tuple[Spec, List[Diagnostic]]: ...
def spec_yaml(spec: Spec) -> str: ...
def with_live(spec: Spec, text: Union[str, bytes], *, file: str = "<live>") -> Spec: ...
def inspect_module(data: bytes, *, istio: Union[str, MeshVersion, None] = None, limits: _Limits = None) -> Dict[str, Any]: ...
def build_image(data: bytes, *, root_id: str, output_dir: str, variant: str = "oci", force: bool = False) -> str: ...
def capabilities() -> List[Capability]: ...
def host_available() -> bool: ...
def run_module(data: bytes, *, options: Dict[str, str] = {}, additions: List[Tuple[str, str, str]] = [],
               config: Optional[bytes] = None, limits: _Limits = None) -> str: ...
def run_spec_filter(spec: Spec, filter: str, *, istio: str = "", options: Dict[str, str] = {},
                    additions: List[Tuple[str, str, str]] = [], limits: _Limits = None) -> str: ...
def run_check(spec: Spec, *, istio: str = "", limits: _Limits = None) -> List[str]: ...
def supports(istio: Union[str, MeshVersion], capability: str) -> bool: ...
def first_release(capability: str) -> str: ...
