// The operator's manifests. The WasmDeployment schema is walked from the spec proto's
// descriptor, so it follows the reader (spec_reader.cpp) field by field: the same names (the
// proto JSON names), the same types, the enum names the model's parsers accept (matched the way
// they match: ignoring case, '_' and '-'), and plugin config as free-form values. The API server
// prunes and, under kubectl's default strict field validation, refuses unknown fields, which is
// what the reader does with them (structural schemas cannot combine properties with
// additionalProperties: false).
#include <wasmdeploy/crd.hpp>
#include <wasmdeploy/choices.hpp>
#include <wasmdeploy/error.hpp>

#include <algorithm>
#include <optional>
#include <regex>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <wasmdeploy/spec/v1alpha1/spec.pb.h>

namespace wasmdeploy {
namespace {

// The wasme node cache's namespace (src/render/wasme_cache.cpp renders every cache object there).
constexpr const char* kNodeCacheNamespace = "wasme";

namespace pb = google::protobuf;

// A pattern accepting exactly the strings value_of() in model.cpp accepts for these names:
// those equal to one of them after dropping '_' and '-' and folding case, or "" (unset).
std::string choice_pattern(const std::vector<std::string_view>& names) {
  std::string alts;
  for (std::string_view n : names) {
    if (!alts.empty()) alts += '|';
    for (char c : n) {
      if (c == '_' || c == '-') continue;
      const char lo = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      const char up = (lo >= 'a' && lo <= 'z') ? static_cast<char>(lo - 'a' + 'A') : lo;
      alts += lo == up ? std::string(1, lo) : fmt::format("[{}{}]", lo, up);
      alts += "[-_]*";
    }
  }
  return fmt::format("^$|^[-_]*(?:{})$", alts);
}

std::string choice_list(const std::vector<std::string_view>& names) {
  std::string out;
  for (std::string_view n : names) out += out.empty() ? std::string(n) : fmt::format(", {}", n);
  return out;
}

node any_value() { return make_mapping({{"x-kubernetes-preserve-unknown-fields", true}}); }

node scalar_schema(const pb::FieldDescriptor* f) {
  switch (f->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_STRING: {
      node s = make_mapping({{"type", "string"}});
      const auto names = choices_of(f->json_name());
      if (!names.empty()) {
        s.add("description", fmt::format("One of: {} (case, '_' and '-' are ignored).", choice_list(names)));
        s.add("pattern", choice_pattern(names));
      }
      return s;
    }
    case pb::FieldDescriptor::CPPTYPE_INT32:
      return make_mapping({{"type", "integer"}, {"format", "int32"}, {"minimum", -2147483648LL}, {"maximum", 2147483647LL}});
    case pb::FieldDescriptor::CPPTYPE_UINT32:
      return make_mapping({{"type", "integer"}, {"minimum", 0}, {"maximum", 4294967295LL}});
    case pb::FieldDescriptor::CPPTYPE_BOOL:
      return make_mapping({{"type", "boolean"}});
    default:
      throw error(errc::generic, "crd.unsupported-field", f->full_name(), "no OpenAPI form for this proto field type");
  }
}

node message_schema(const pb::Descriptor* d, bool root);

node field_schema(const pb::FieldDescriptor* f) {
  if (f->message_type() != nullptr && f->message_type()->full_name() == "google.protobuf.Value") return any_value();
  if (f->is_map()) {
    return make_mapping({{"type", "object"}, {"additionalProperties", make_mapping({{"type", "string"}})}});
  }
  node item = f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE ? message_schema(f->message_type(), false)
                                                                     : scalar_schema(f);
  if (f->is_repeated()) return make_mapping({{"type", "array"}, {"items", std::move(item)}});
  return item;
}

node message_schema(const pb::Descriptor* d, bool root) {
  node props = node::mapping();
  for (int i = 0; i < d->field_count(); ++i) {
    const pb::FieldDescriptor* f = d->field(i);
    if (root && f->json_name() == "apiVersion") {
      props.add("apiVersion", make_mapping({{"type", "string"}}));
    } else if (root && f->json_name() == "kind") {
      props.add("kind", make_mapping({{"type", "string"}}));
    } else {
      props.add(f->json_name(), field_schema(f));
    }
  }
  return make_mapping({{"type", "object"}, {"properties", std::move(props)}});
}

// Conditions as metav1.Condition, plus what a refusal carries: the wasmdeploy error id (code),
// field path and message.
node conditions_schema() {
  node cond = make_mapping({{"type", "object"},
                            {"required", make_sequence({"type", "status"})},
                            {"properties", make_mapping({{"type", make_mapping({{"type", "string"}})},
                                                         {"status", make_mapping({{"type", "string"}})},
                                                         {"reason", make_mapping({{"type", "string"}})},
                                                         {"message", make_mapping({{"type", "string"}})},
                                                         {"observedGeneration", make_mapping({{"type", "integer"}, {"format", "int64"}})},
                                                         {"lastTransitionTime", make_mapping({{"type", "string"}, {"format", "date-time"}})}})}});
  return make_mapping({{"type", "array"},
                       {"items", std::move(cond)},
                       {"x-kubernetes-list-type", "map"},
                       {"x-kubernetes-list-map-keys", make_sequence({"type"})}});
}

node refusal_schema() {
  return make_mapping({{"type", "object"},
                       {"properties", make_mapping({{"code", make_mapping({{"type", "string"}})},
                                                    {"status", make_mapping({{"type", "integer"}})},
                                                    {"path", make_mapping({{"type", "string"}})},
                                                    {"message", make_mapping({{"type", "string"}})}})}});
}

node string_schema() { return make_mapping({{"type", "string"}}); }

node crd(const char* group, const char* kind, const char* plural, const char* singular, const char* version,
         node schema, node printer_columns, const char* scope = "Namespaced") {
  node ver = make_mapping({{"name", version},
                           {"served", true},
                           {"storage", true},
                           {"subresources", make_mapping({{"status", node::mapping()}})},
                           {"schema", make_mapping({{"openAPIV3Schema", std::move(schema)}})}});
  if (!printer_columns.is_null()) ver.add("additionalPrinterColumns", std::move(printer_columns));
  return make_mapping(
      {{"apiVersion", "apiextensions.k8s.io/v1"},
       {"kind", "CustomResourceDefinition"},
       {"metadata", make_mapping({{"name", fmt::format("{}.{}", plural, group)},
                                  {"labels", make_mapping({{"app.kubernetes.io/part-of", "wasmdeploy"}})}})},
       {"spec", make_mapping({{"group", group},
                              {"names", make_mapping({{"kind", kind},
                                                      {"listKind", fmt::format("{}List", kind)},
                                                      {"plural", plural},
                                                      {"singular", singular}})},
                              {"scope", scope},
                              {"versions", make_sequence({std::move(ver)})}})}});
}

node ready_column() {
  return make_sequence({make_mapping({{"name", "Ready"}, {"type", "string"}, {"jsonPath", ".status.conditions[?(@.type==\"Ready\")].status"}}),
                        make_mapping({{"name", "Age"}, {"type", "date"}, {"jsonPath", ".metadata.creationTimestamp"}})});
}

node metadata_schema() { return make_mapping({{"type", "object"}}); }

node rule(std::initializer_list<const char*> groups, std::initializer_list<const char*> resources,
          std::initializer_list<const char*> verbs) {
  node g = node::sequence(), r = node::sequence(), v = node::sequence();
  for (const char* x : groups) g.push(x);
  for (const char* x : resources) r.push(x);
  for (const char* x : verbs) v.push(x);
  return make_mapping({{"apiGroups", std::move(g)}, {"resources", std::move(r)}, {"verbs", std::move(v)}});
}

node object_meta(const std::string& name, const std::string& ns) {
  node m = make_mapping({{"name", name}});
  if (!ns.empty()) m.add("namespace", ns);
  m.add("labels", make_mapping({{"app.kubernetes.io/name", kControllerName}, {"app.kubernetes.io/part-of", "wasmdeploy"}}));
  return m;
}

}  // namespace

namespace {

node wasmdeployment_schema() {
  node schema = message_schema(wasmdeploy::v1alpha1::Spec::descriptor(), true);
  node& props = *schema.find("properties");
  props.add("metadata", metadata_schema());
  props.add("status", make_mapping({{"type", "object"},
                                    {"properties", make_mapping({{"observedGeneration", make_mapping({{"type", "integer"}, {"format", "int64"}})},
                                                                 {"istio", string_schema()},
                                                                 {"conditions", conditions_schema()},
                                                                 {"refusal", refusal_schema()},
                                                                 {"resources", make_mapping({{"type", "array"}, {"items", string_schema()}})}})}}));
  return schema;
}

}  // namespace

node wasmdeployment_crd() {
  return crd("wasmdeploy.io", "WasmDeployment", "wasmdeployments", "wasmdeployment", "v1alpha1", wasmdeployment_schema(),
             ready_column());
}

node clusterwasmdeployment_crd() {
  // The same spec, cluster-scoped: only whoever may create cluster-scoped objects (an admin)
  // gets targets in any namespace, the Istio root namespace and the wasme node cache.
  return crd("wasmdeploy.io", "ClusterWasmDeployment", "clusterwasmdeployments", "clusterwasmdeployment", "v1alpha1",
             wasmdeployment_schema(), ready_column(), "Cluster");
}

node filterdeployment_crd() {
  // wasme's filter_deployment.proto (wasme.md §2), as its gogo jsonpb writes it: lowerCamelCase
  // keys except rootID, config an Any, the state enum by name, int64 observedGeneration as a
  // string (so both forms are accepted there).
  node pull = make_mapping({{"type", "object"},
                            {"properties", make_mapping({{"pullSecret", string_schema()},
                                                         {"insecureSkipVerify", make_mapping({{"type", "boolean"}})},
                                                         {"plainHttp", make_mapping({{"type", "boolean"}})}})}});
  node filter = make_mapping({{"type", "object"},
                              {"properties", make_mapping({{"id", string_schema()},
                                                           {"image", string_schema()},
                                                           {"config", any_value()},
                                                           {"rootID", string_schema()},
                                                           {"imagePullOptions", std::move(pull)},
                                                           {"patchContext", string_schema()}})}});
  node istio = make_mapping({{"type", "object"},
                             {"properties", make_mapping({{"kind", string_schema()},
                                                          {"labels", make_mapping({{"type", "object"}, {"additionalProperties", string_schema()}})},
                                                          {"istioNamespace", string_schema()}})}});
  node spec = make_mapping({{"type", "object"},
                            {"properties", make_mapping({{"filter", std::move(filter)},
                                                         {"deployment", make_mapping({{"type", "object"}, {"properties", make_mapping({{"istio", std::move(istio)}})}})}})}});
  node workload = make_mapping({{"type", "object"},
                                {"properties", make_mapping({{"state", make_mapping({{"type", "string"}, {"enum", make_sequence({"Pending", "Succeeded", "Failed"})}})},
                                                             {"reason", string_schema()}})}});
  node status = make_mapping({{"type", "object"},
                              {"properties", make_mapping({{"observedGeneration", make_mapping({{"x-kubernetes-int-or-string", true}})},
                                                           {"workloads", make_mapping({{"type", "object"}, {"additionalProperties", std::move(workload)}})},
                                                           {"reason", string_schema()},
                                                           {"istio", string_schema()},
                                                           {"conditions", conditions_schema()},
                                                           {"refusal", refusal_schema()},
                                                           {"resources", make_mapping({{"type", "array"}, {"items", string_schema()}})}})}});
  node schema = make_mapping({{"type", "object"},
                              {"properties", make_mapping({{"apiVersion", string_schema()},
                                                           {"kind", string_schema()},
                                                           {"metadata", metadata_schema()},
                                                           {"spec", std::move(spec)},
                                                           {"status", std::move(status)}})}});
  return crd("wasme.io", "FilterDeployment", "filterdeployments", "filterdeployment", "v1", std::move(schema),
             ready_column());
}

bool image_pinned(const std::string& image) {
  static const std::regex digest("@sha256:[0-9a-f]{64}$");
  return std::regex_search(image, digest);
}

const std::vector<std::string>& controller_flag_names() {
  // The controller's flags (controller/main.go, controller/resolve.go) an install may tune. Those
  // operator_manifests sets itself (leader election, metrics, --istio, --node-cache-namespaces,
  // --registry-ca-file through the ConfigMap) and the ones meant for running outside a cluster
  // (--kubeconfig, --service-account-dir) are not here.
  static const std::vector<std::string> names = {
      "istiod-name",     "istio-root-namespace", "workers",         "resync",
      "kube-api-qps",    "kube-api-burst",       "registry-hosts",  "registry-mirrors",
      "registry-timeout", "registry-retries",    "registry-resolve-interval", "registry-max-blob-bytes",
      "leader-elect-lease-duration", "leader-elect-renew-deadline", "leader-elect-retry-period"};
  return names;
}

namespace {

constexpr const char* kRegistryCaDir = "/etc/wasmdeploy/registry-ca";

struct configmap_key {
  std::string name, key;
};

configmap_key parse_ca_configmap(const std::string& text) {
  static const std::regex name("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$");
  static const std::regex key("^[-._a-zA-Z0-9]{1,253}$");
  const auto colon = text.find(':');
  configmap_key out{text.substr(0, colon), colon == std::string::npos ? "ca.crt" : text.substr(colon + 1)};
  if (!std::regex_match(out.name, name) || !std::regex_match(out.key, key) || out.key == "." || out.key == "..") {
    throw error(errc::usage, "operator.registry-ca-configmap", "--registry-ca-configmap",
                fmt::format("'{}' is not NAME or NAME:KEY (a ConfigMap name in the controller's namespace, and the key "
                            "holding the PEM bundle; default key ca.crt)",
                            text));
  }
  return out;
}

void add_controller_flags(node& args, const std::vector<std::string>& flags) {
  std::vector<std::string> seen;
  for (const auto& f : flags) {
    const auto eq = f.find('=');
    const std::string name = f.substr(0, eq);
    const auto& known = controller_flag_names();
    const bool ok = eq != std::string::npos && eq + 1 < f.size() &&
                    std::find(known.begin(), known.end(), name) != known.end() &&
                    std::none_of(f.begin(), f.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
    if (!ok) {
      throw error(errc::usage, "operator.controller-flag", "--controller-flag",
                  fmt::format("'{}' is not NAME=VALUE with NAME one of: {}", f, fmt::join(known, ", ")));
    }
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      throw error(errc::usage, "operator.controller-flag", "--controller-flag",
                  fmt::format("'{}' is given twice; give each controller flag once", name));
    }
    seen.push_back(name);
    args.push("--" + f);
  }
}

}  // namespace

std::vector<node> operator_manifests(const operator_options& o) {
  if (o.image.empty()) throw error(errc::usage, "operator.no-image", "--image", "give the controller image with --image");
  if (o.image.find('@') != std::string::npos && !image_pinned(o.image)) {
    throw error(errc::usage, "operator.image-digest", "--image",
                fmt::format("'{}' has a digest that is not sha256:<64 lowercase hex>; give repo@sha256:<hex> as "
                            "scripts/controller-image.sh prints it, or --image-layout",
                            o.image));
  }
  std::vector<node> out;
  out.push_back(wasmdeployment_crd());
  out.push_back(clusterwasmdeployment_crd());
  out.push_back(filterdeployment_crd());
  out.push_back(make_mapping({{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", object_meta(o.ns, "")}}));
  out.push_back(make_mapping({{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", object_meta(kControllerName, o.ns)}}));
  // Exactly what controller/ calls, cluster-wide only where any namespace may need it. Rendered
  // objects are applied server-side (patch, and create when the apply makes a new object), read
  // and listed by owner label for pruning, and deleted when no one else holds them; workloads are
  // listed by label, read, merge-patched and never created or deleted (the istiod Deployment is
  // read too). What only the wasme node cache uses (its ConfigMap, ServiceAccount, Role,
  // RoleBinding, DaemonSet) is granted by a Role in that namespace, which this install creates.
  node rules = make_sequence({
      rule({"wasme.io"}, {"filterdeployments"}, {"get", "list", "watch", "patch"}),
      rule({"wasme.io"}, {"filterdeployments/status"}, {"patch"}),
      rule({"wasmdeploy.io"}, {"wasmdeployments", "clusterwasmdeployments"}, {"get", "list", "watch", "patch"}),
      rule({"wasmdeploy.io"}, {"wasmdeployments/status", "clusterwasmdeployments/status"}, {"patch"}),
      // watch: drift on what it made and new workloads are seen at once (controller/live.go).
      rule({"networking.istio.io"}, {"envoyfilters"}, {"get", "list", "watch", "create", "patch", "delete"}),
      rule({"extensions.istio.io"}, {"wasmplugins"}, {"get", "list", "watch", "create", "patch", "delete"}),
      rule({"extensions.istio.io"}, {"trafficextensions"}, {"get", "list", "create", "patch", "delete"}),
      // The node cache's Namespace is read (this install creates it), never created, changed or deleted.
      rule({""}, {"namespaces"}, {"get"}),
      rule({"apps"}, {"deployments", "statefulsets", "daemonsets"}, {"get", "list", "watch", "patch"}),
      // Pull secrets named by an object, read by name in its own namespace (controller/resolve.go):
      // never listed or watched.
      rule({""}, {"secrets"}, {"get"}),
      // The wasme node cache's Role grants this; RBAC refuses to create a Role granting more
      // than its creator holds.
      rule({""}, {"events"}, {"create", "patch"}),
  });
  out.push_back(make_mapping({{"apiVersion", "rbac.authorization.k8s.io/v1"},
                              {"kind", "ClusterRole"},
                              {"metadata", object_meta(kControllerName, "")},
                              {"rules", std::move(rules)}}));
  const node subject = make_mapping({{"kind", "ServiceAccount"}, {"name", kControllerName}, {"namespace", o.ns}});
  out.push_back(make_mapping({{"apiVersion", "rbac.authorization.k8s.io/v1"},
                              {"kind", "ClusterRoleBinding"},
                              {"metadata", object_meta(kControllerName, "")},
                              {"roleRef", make_mapping({{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "ClusterRole"}, {"name", kControllerName}})},
                              {"subjects", make_sequence({subject})}}));
  // Leader election: one Lease, in the controller's own namespace only.
  out.push_back(make_mapping({{"apiVersion", "rbac.authorization.k8s.io/v1"},
                              {"kind", "Role"},
                              {"metadata", object_meta(kControllerName, o.ns)},
                              {"rules", make_sequence({rule({"coordination.k8s.io"}, {"leases"}, {"get", "create", "update"})})}}));
  out.push_back(make_mapping({{"apiVersion", "rbac.authorization.k8s.io/v1"},
                              {"kind", "RoleBinding"},
                              {"metadata", object_meta(kControllerName, o.ns)},
                              {"roleRef", make_mapping({{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", kControllerName}})},
                              {"subjects", make_sequence({subject})}}));
  // The wasme node cache, in its own namespace only.
  const std::string cache_role = std::string(kControllerName) + "-node-cache";
  out.push_back(make_mapping({{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", object_meta(kNodeCacheNamespace, "")}}));
  out.push_back(make_mapping(
      {{"apiVersion", "rbac.authorization.k8s.io/v1"},
       {"kind", "Role"},
       {"metadata", object_meta(cache_role, kNodeCacheNamespace)},
       {"rules", make_sequence({rule({""}, {"configmaps", "serviceaccounts"}, {"get", "list", "create", "patch", "delete"}),
                                rule({"rbac.authorization.k8s.io"}, {"roles", "rolebindings"}, {"get", "list", "create", "patch", "delete"}),
                                rule({"apps"}, {"daemonsets"}, {"create", "delete"})})}}));
  out.push_back(make_mapping({{"apiVersion", "rbac.authorization.k8s.io/v1"},
                              {"kind", "RoleBinding"},
                              {"metadata", object_meta(cache_role, kNodeCacheNamespace)},
                              {"roleRef", make_mapping({{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", cache_role}})},
                              {"subjects", make_sequence({subject})}}));
  node args = make_sequence({"--leader-elect", fmt::format("--leader-election-namespace={}", o.ns), "--metrics-bind-address=:8080"});
  if (!o.istio.empty()) args.push(fmt::format("--istio={}", o.istio));
  if (!o.node_cache_namespaces.empty()) args.push(fmt::format("--node-cache-namespaces={}", o.node_cache_namespaces));
  std::optional<configmap_key> ca;
  if (!o.registry_ca_configmap.empty()) {
    ca = parse_ca_configmap(o.registry_ca_configmap);
    args.push(fmt::format("--registry-ca-file={}/{}", kRegistryCaDir, ca->key));
  }
  add_controller_flags(args, o.controller_flags);
  node container = make_mapping(
      {{"name", "controller"},
       {"image", o.image},
       {"args", std::move(args)},
       {"ports", make_sequence({make_mapping({{"name", "metrics"}, {"containerPort", 8080}})})},
       {"readinessProbe", make_mapping({{"httpGet", make_mapping({{"path", "/healthz"}, {"port", "metrics"}})}})},
       {"resources", make_mapping({{"requests", make_mapping({{"cpu", "50m"}, {"memory", "64Mi"}})},
                                   {"limits", make_mapping({{"memory", "256Mi"}})}})},
       // Least privilege (the Pod Security "restricted" profile): no root, no new privileges,
       // no capabilities, nothing written to the image, the runtime's default seccomp filter.
       {"securityContext", make_mapping({{"runAsNonRoot", true},
                                         {"runAsUser", kControllerUser},
                                         {"runAsGroup", kControllerUser},
                                         {"allowPrivilegeEscalation", false},
                                         {"readOnlyRootFilesystem", true},
                                         {"capabilities", make_mapping({{"drop", make_sequence({"ALL"})}})},
                                         {"seccompProfile", make_mapping({{"type", "RuntimeDefault"}})}})}});
  node pod = make_mapping({{"serviceAccountName", kControllerName},
                           {"securityContext", make_mapping({{"runAsNonRoot", true},
                                                             {"runAsUser", kControllerUser},
                                                             {"runAsGroup", kControllerUser},
                                                             {"seccompProfile", make_mapping({{"type", "RuntimeDefault"}})}})},
                           {"terminationGracePeriodSeconds", 30}});
  if (ca) {
    container.add("volumeMounts", make_sequence({make_mapping({{"name", "registry-ca"}, {"mountPath", kRegistryCaDir}, {"readOnly", true}})}));
    pod.add("volumes", make_sequence({make_mapping(
                           {{"name", "registry-ca"},
                            {"configMap", make_mapping({{"name", ca->name},
                                                        {"items", make_sequence({make_mapping({{"key", ca->key}, {"path", ca->key}})})}})}})}));
  }
  pod.add("containers", make_sequence({std::move(container)}));
  const node selector = make_mapping({{"app.kubernetes.io/name", kControllerName}});
  out.push_back(make_mapping(
      {{"apiVersion", "apps/v1"},
       {"kind", "Deployment"},
       {"metadata", object_meta(kControllerName, o.ns)},
       {"spec", make_mapping({{"replicas", 2},
                              {"selector", make_mapping({{"matchLabels", selector}})},
                              {"template", make_mapping({{"metadata", make_mapping({{"labels", selector}})},
                                                         {"spec", std::move(pod)}})}})}}));
  return out;
}

}  // namespace wasmdeploy
