#include "plan/validate.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include <wasmdeploy/capabilities.hpp>
#include <wasmdeploy/digest.hpp>
#include <wasmdeploy/limits.hpp>

#include "utf8.hpp"

#include "plan/key_index.hpp"

namespace wasmdeploy::detail {
namespace {

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool alnum(char c) { return lower_alnum(c) || (c >= 'A' && c <= 'Z'); }

bool dns_label(std::string_view v) {
  if (v.empty() || v.size() > 63 || !lower_alnum(v.front()) || !lower_alnum(v.back())) return false;
  for (char c : v) {
    if (!lower_alnum(c) && c != '-') return false;
  }
  return true;
}

bool dns_subdomain(std::string_view v) {
  if (v.empty() || v.size() > 253) return false;
  size_t start = 0;
  while (start <= v.size()) {
    size_t dot = v.find('.', start);
    std::string_view part = v.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty() || !lower_alnum(part.front()) || !lower_alnum(part.back())) return false;
    for (char c : part) {
      if (!lower_alnum(c) && c != '-') return false;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

// Label names and values: at most 63 characters, alphanumerics with '-', '_', '.' inside.
bool label_name(std::string_view v, bool allow_empty) {
  if (v.empty()) return allow_empty;
  if (v.size() > 63 || !alnum(v.front()) || !alnum(v.back())) return false;
  for (char c : v) {
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

// The group/kind pairs istiod's validatePolicyTargetReference accepts, each gated by its row.
struct ref_kind {
  std::string_view group;  ///< "core" for the core group, which an empty group also means
  std::string_view kind;
  capability since;
};
constexpr ref_kind kRefKinds[] = {
    {"gateway.networking.k8s.io", "Gateway", capability::target_ref_kind_gateway},
    {"core", "Service", capability::target_ref_kind_service},
    {"networking.istio.io", "ServiceEntry", capability::target_ref_kind_service_entry},
    {"gateway.networking.k8s.io", "GatewayClass", capability::target_ref_kind_gateway_class},
};

std::string accepted_kinds() {
  std::string out;
  for (const auto& k : kRefKinds) {
    out += out.empty() ? "" : ", ";
    out += fmt::format("{}/{} ({})", k.group, k.kind, describe_support(k.since));
  }
  return out;
}

}  // namespace

void reject(const spec& s, const std::string& code, const std::string& path, const std::string& message, errc category) {
  throw error(category, code, path, message, s.position_of(path));
}

void check_dns_label(const spec& s, const std::string& value, const std::string& path, const char* what) {
  if (!dns_label(value)) {
    reject(s, "name.invalid", path,
           fmt::format("{} '{}' must be a DNS-1123 label: at most 63 lowercase letters, digits or '-', "
                       "starting and ending with a letter or digit", what, value));
  }
}

bool is_dns_subdomain(std::string_view value) { return value.size() <= 253 && dns_subdomain(value); }

void check_dns_subdomain(const spec& s, const std::string& value, const std::string& path, const char* what) {
  if (value.size() > 253) {
    reject(s, "name.too-long", path, fmt::format("{} '{}...' is {} characters; Kubernetes allows 253", what,
                                                 value.substr(0, 40), value.size()));
  }
  if (!dns_subdomain(value)) {
    reject(s, "name.invalid", path,
           fmt::format("{} '{}' must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.'", what, value));
  }
}

// The same rules as check_labels without building paths, for the loop over every workload.
bool labels_valid(const std::map<std::string, std::string>& labels) {
  for (const auto& [k, v] : labels) {
    if (k.find('*') != std::string::npos || v.find('*') != std::string::npos) return false;
    auto slash = k.find('/');
    std::string_view name = slash == std::string::npos ? std::string_view(k) : std::string_view(k).substr(slash + 1);
    if (slash != std::string::npos && !dns_subdomain(std::string_view(k).substr(0, slash))) return false;
    if (!label_name(name, false) || !label_name(v, true)) return false;
  }
  return true;
}

void check_labels(const spec& s, const std::map<std::string, std::string>& labels, const std::string& path) {
  for (const auto& [k, v] : labels) {
    const std::string p = path + "." + k;
    if (k.find('*') != std::string::npos || v.find('*') != std::string::npos) {
      reject(s, "label.wildcard", p, "label keys and values must not contain '*' (Istio rejects wildcard selectors)");
    }
    auto slash = k.find('/');
    std::string_view name = slash == std::string::npos ? std::string_view(k) : std::string_view(k).substr(slash + 1);
    if (slash != std::string::npos && !dns_subdomain(std::string_view(k).substr(0, slash))) {
      reject(s, "label.invalid-key", p, fmt::format("label key prefix of '{}' must be a DNS subdomain", k));
    }
    if (!label_name(name, false)) {
      reject(s, "label.invalid-key", p,
             fmt::format("label key '{}' must be at most 63 letters, digits, '-', '_' or '.', "
                         "beginning and ending with a letter or digit", k));
    }
    if (!label_name(v, true)) {
      reject(s, "label.invalid-value", p,
             fmt::format("label value '{}' must be at most 63 letters, digits, '-', '_' or '.', "
                         "beginning and ending with a letter or digit", v));
    }
  }
}

void check_sha256(const spec& s, const std::string& value, const std::string& path) {
  if (value.empty() || is_sha256_hex(value)) return;
  const std::string_view hex = value.rfind("sha256:", 0) == 0 ? std::string_view(value).substr(7) : value;
  if (hex.size() != 64) {
    reject(s, "sha256.length", path,
           fmt::format("sha256 must be 64 hex characters (optionally after sha256:), got {} in '{}'", hex.size(),
                       shorten(value)));
  }
  if (!normalized_sha256(value).empty()) {
    // render() writes such a value normalised; callers of validate_spec alone get the reason.
    reject(s, "sha256.format", path,
           fmt::format("'{}' has uppercase hex or a sha256: prefix; Istio accepts only [a-f0-9]{{64}}", shorten(value)));
  }
  reject(s, "sha256.format", path,
         fmt::format("'{}' is not a sha256: 64 hex characters [0-9a-f], optionally after sha256:", shorten(value)));
}

const spec& normalize_digests(const spec& s, std::optional<spec>& storage, std::vector<diagnostic>& notes) {
  const auto fix = [&](size_t i, std::string filter::*field, const char* name) {
    const std::string& value = s.filters[i].*field;
    if (value.empty() || is_sha256_hex(value)) return;
    std::string hex = normalized_sha256(value);
    if (hex.empty()) return;  // check_sha256 refuses it with the reason
    if (!storage) storage = s;
    storage->filters[i].*field = hex;
    const std::string path = s.filters[i].path + "." + name;
    notes.push_back({severity::note, "sha256.normalized", path,
                     fmt::format("using {} (Istio wants 64 lowercase hex characters{})", hex,
                                 value.size() > 64 ? " without the sha256: prefix" : ""),
                     s.position_of(path)});
  };
  for (size_t i = 0; i < s.filters.size(); ++i) {
    fix(i, &filter::sha256, "sha256");
    fix(i, &filter::module_sha256, "moduleSha256");
  }
  return storage ? *storage : s;
}

void check_target_ref_kinds(const spec& s, const mesh_version& v, const target& t, bool envoy_filter) {
  const char* resource = envoy_filter ? "an EnvoyFilter" : "a WasmPlugin or TrafficExtension";
  for (size_t i = 0; i < t.refs.size(); ++i) {
    const target_ref& r = t.refs[i];
    const std::string p = fmt::format("{}.targetRefs[{}]", t.path, i);
    const ref_kind* known = nullptr;
    for (const auto& k : kRefKinds) {
      if (k.kind == r.kind) known = &k;
    }
    if (!known) {
      reject(s, "target-ref.kind", p + ".kind",
             envoy_filter
                 ? fmt::format("istiod attaches an EnvoyFilter only to {}; a targetRef to '{}' would match nothing",
                               accepted_kinds(), r.kind)
                 : fmt::format("istiod rejects {} whose targetRef names '{}'; it accepts {}", resource, r.kind,
                               accepted_kinds()));
    }
    // istiod compares the group too (an empty one means core), so Gateway without its group is
    // a different kind to it.
    const std::string_view group = r.group.empty() ? std::string_view("core") : std::string_view(r.group);
    if (group != known->group) {
      reject(s, "target-ref.group", p + ".group",
             known->group == "core"
                 ? fmt::format("{} is in the core group: leave group empty or write core; istiod compares the "
                               "group and '{}' does not match", r.kind, r.group)
                 : fmt::format("{} is in group {}: write group: {}; istiod compares the group{}", r.kind,
                               known->group, known->group,
                               r.group.empty() ? ", and an empty one means core" : ""));
    }
    if (!supports(v, known->since)) {
      reject(s, "version.unsupported-field", p + ".kind",
             fmt::format("a targetRef to a {} needs {}; the target is Istio {}, whose istiod rejects {} naming it",
                         r.kind, describe_support(known->since), v.str(), resource),
             errc::version);
    }
  }
}

namespace {

// Counts first, before anything loops over them: specs built in code have no reader limits.
void check_counts(const spec& s) {
  const auto over = [&](std::size_t n, std::size_t limit, const std::string& path, const char* what) {
    if (n > limit) {
      reject(s, "spec.too-many", path, fmt::format("{} {}; the limit is {}", n, what, limit));
    }
  };
  over(s.filters.size(), active_limits().filters, "filters", "filters");
  over(s.targets.size(), active_limits().targets, "targets", "targets");
  for (const auto& f : s.filters) over(f.env.size(), active_limits().env_entries, f.path + ".env", "env entries");
  std::size_t placements = 0;
  for (const auto& t : s.targets) {
    over(t.workloads.size(), active_limits().workloads, t.path + ".workloads", "workloads");
    const std::size_t filters = t.filters.empty() ? s.filters.size() : t.filters.size();
    placements += filters * std::max<std::size_t>(1, t.workloads.size());
    if (placements > active_limits().placements) {
      reject(s, "spec.too-many", t.path,
             fmt::format("more than {} filter placements (filters x workloads) up to this target", active_limits().placements));
    }
  }
}

// Text that is not UTF-8 cannot be written as YAML or JSON without changing it (the emitters
// would have to substitute characters), so it is refused wherever it came from: spec files are
// checked by the reader, but CLI flags and specs built in code (C++, C API, Python bytes) reach
// the model directly.
class utf8_check {
 public:
  explicit utf8_check(const spec& s) : s_(s) {}

  // Paths are made by `path()` only for a refusal: every string of every workload is checked.
  template <typename Path>
  void text(const std::string& v, Path&& path) const {
    if (!is_valid_utf8(v)) reject(s_, "spec.invalid-utf8", path(), "value is not valid UTF-8");
  }

  template <typename Path>
  void map(const std::map<std::string, std::string>& m, Path&& path) const {
    // Not a structured binding: clang 14 cannot capture one in the lambda (C++17).
    for (const auto& kv : m) {
      if (!is_valid_utf8(kv.first)) reject(s_, "spec.invalid-utf8", path(), "a key is not valid UTF-8");
      text(kv.second, [&] { return path() + "." + kv.first; });
    }
  }

  template <typename Path>
  void list(const std::vector<std::string>& l, Path&& path) const {
    for (size_t i = 0; i < l.size(); ++i) text(l[i], [&] { return fmt::format("{}[{}]", path(), i); });
  }

  void value(const node& n, const std::string& path) const {
    if (n.is_string()) {
      text(n.as_string(), [&] { return path; });
    } else if (n.is_sequence()) {
      for (size_t i = 0; i < n.items().size(); ++i) value(n.items()[i], fmt::format("{}[{}]", path, i));
    } else if (n.is_mapping()) {
      for (const auto& m : n.members()) {
        if (!is_valid_utf8(m.key)) reject(s_, "spec.invalid-utf8", path, "a key is not valid UTF-8");
        value(m.value, path + "." + m.key);
      }
    }
  }

  void all() const {
    text(s_.options.gateway_version, [] { return std::string("options.gatewayVersion"); });
    text(s_.options.envoy_upstream, [] { return std::string("options.envoy.upstream"); });
    for (const auto& f : s_.filters) {
      text(f.name, [&] { return f.path + ".name"; });
      // Paths on this machine are only read, never written out, and may be any bytes.
      if (f.module.kind != module_source::scheme::local) text(f.module.text, [&] { return f.path + ".module"; });
      text(f.sha256, [&] { return f.path + ".sha256"; });
      text(f.module_sha256, [&] { return f.path + ".moduleSha256"; });
      text(f.root_id, [&] { return f.path + ".rootId"; });
      text(f.vm_id, [&] { return f.path + ".vmId"; });
      value(f.config, f.path + ".config");
      text(f.runtime, [&] { return f.path + ".runtime"; });
      text(f.pull_secret, [&] { return f.path + ".imagePullSecret"; });
      for (size_t i = 0; i < f.env.size(); ++i) {
        text(f.env[i].name, [&] { return fmt::format("{}.env[{}].name", f.path, i); });
        text(f.env[i].value, [&] { return fmt::format("{}.env[{}].value", f.path, i); });
      }
    }
    for (const auto& t : s_.targets) {
      text(t.name, [&] { return t.path + ".name"; });
      text(t.ns, [&] { return t.path + ".namespace"; });
      map(t.selector, [&] { return t.path + ".selector"; });
      text(t.revision, [&] { return t.path + ".revision"; });
      text(t.istio_namespace, [&] { return t.path + ".istioNamespace"; });
      list(t.filters, [&] { return t.path + ".filters"; });
      for (size_t i = 0; i < t.workloads.size(); ++i) {
        const auto& w = t.workloads[i];
        const auto p = [&] { return fmt::format("{}.workloads[{}]", t.path, i); };
        text(w.name, [&] { return p() + ".name"; });
        map(w.labels, [&] { return p() + ".labels"; });
        map(w.annotations, [&] { return p() + ".annotations"; });
      }
      for (size_t i = 0; i < t.refs.size(); ++i) {
        const auto p = [&] { return fmt::format("{}.targetRefs[{}]", t.path, i); };
        text(t.refs[i].group, [&] { return p() + ".group"; });
        text(t.refs[i].kind, [&] { return p() + ".kind"; });
        text(t.refs[i].name, [&] { return p() + ".name"; });
      }
      for (size_t i = 0; i < t.rules.size(); ++i) {
        const auto& r = t.rules[i];
        const auto p = [&] { return fmt::format("{}.rules[{}]", t.path, i); };
        list(r.ingress, [&] { return p() + ".ingress"; });
        list(r.domain, [&] { return p() + ".domain"; });
        list(r.service, [&] { return p() + ".service"; });
        value(r.config, p() + ".config");
      }
    }
  }

 private:
  const spec& s_;
};

}  // namespace

void validate_spec(const spec& s, platform which) {
  const bool istio = which == platform::istio;
  const bool needs_targets = istio || which == platform::wasme || which == platform::envoy_gateway;
  if (s.filters.empty()) reject(s, "spec.no-filters", "filters", "the spec names no filters");
  check_counts(s);
  utf8_check(s).all();
  if (needs_targets && s.targets.empty()) reject(s, "spec.no-targets", "targets", "the spec names no targets");
  std::set<std::string> names;
  for (const auto& f : s.filters) {
    check_dns_subdomain(s, f.name, f.path + ".name", "filter name");
    if (!names.insert(f.name).second) reject(s, "filter.duplicate", f.path + ".name", fmt::format("filter '{}' is defined twice", f.name));
    if (f.module.kind == module_source::scheme::none) {
      reject(s, "module.missing", f.path + ".module", "a module is required (oci://..., https://... or a .wasm file)");
    }
    check_sha256(s, f.sha256, f.path + ".sha256");
    check_sha256(s, f.module_sha256, f.path + ".moduleSha256");
    if (f.module.kind == module_source::scheme::oci && !f.module.digest.empty() && !f.sha256.empty() &&
        f.module.digest != f.sha256) {
      reject(s, "sha256.mismatch", f.path + ".sha256",
             fmt::format("sha256 {} differs from the digest in the module reference ({}); for oci:// both are the "
                         "image manifest digest and must match", f.sha256, f.module.digest));
    }
    if (f.root_id.size() > 256) reject(s, "filter.root-id-too-long", f.path + ".rootId", "root id longer than 256 characters");
    if (f.pull_secret.size() > 253) reject(s, "filter.pull-secret-too-long", f.path + ".imagePullSecret", "secret name longer than 253 characters");
    if (!f.pull_secret.empty()) check_dns_subdomain(s, f.pull_secret, f.path + ".imagePullSecret", "imagePullSecret");
    static const std::set<std::string> kRuntimes = {"v8", "wamr", "wasmtime", "wavm", "null"};
    if (!kRuntimes.count(f.runtime)) {
      reject(s, "filter.runtime", f.path + ".runtime", fmt::format("runtime '{}' is not one of v8, wamr, wasmtime, wavm, null", f.runtime));
    }
    if (!f.config.is_null() && !f.config.is_string() && !f.config.is_mapping()) {
      reject(s, "filter.config-type", f.path + ".config", "config must be a string or a mapping");
    }
    std::set<std::string> env_names;
    for (size_t i = 0; i < f.env.size(); ++i) {
      const auto& e = f.env[i];
      const std::string p = fmt::format("{}.env[{}]", f.path, i);
      if (e.name.empty()) reject(s, "env.empty-name", p + ".name", "env entries need a name");
      if (e.name.size() > 256) reject(s, "env.name-too-long", p + ".name", "env name longer than 256 characters");
      if (!env_names.insert(e.name).second) reject(s, "env.duplicate", p + ".name", fmt::format("duplicate env name '{}'", e.name));
      if (e.from == env_source::host && !e.value.empty()) {
        reject(s, "env.host-with-value", p + ".value",
               "a value may only be set when valueFrom is INLINE; HOST reads the proxy's own environment");
      }
      if (e.value.size() > 2048) reject(s, "env.value-too-long", p + ".value", "env value longer than 2048 characters");
    }
  }
  for (const auto& t : s.targets) {
    check_dns_label(s, t.ns, t.path + ".namespace", "namespace");
    if (!t.name.empty()) check_dns_subdomain(s, t.name, t.path + ".name", "target name");
    check_labels(s, t.selector, t.path + ".selector");
    // Runs once per workload: paths are formatted only for an error, and the duplicate check
    // keeps a hash per name instead of a copy.
    key_index wl_names;
    for (size_t i = 0; i < t.workloads.size(); ++i) {
      const auto& w = t.workloads[i];
      auto p = [&] { return fmt::format("{}.workloads[{}]", t.path, i); };
      if (!is_dns_subdomain(w.name)) check_dns_subdomain(s, w.name, p() + ".name", "workload name");
      key_ref first;
      if (wl_names.find_or_insert(w.name, key_ref{0, 0, static_cast<std::uint32_t>(i)}, first,
                                  [&](const key_ref& r) -> const std::string& { return t.workloads[r.c].name; })) {
        reject(s, "workload.duplicate", p() + ".name", fmt::format("workload '{}' is listed twice", w.name));
      }
      if (w.labels.empty()) {
        reject(s, "workload.no-labels", p() + ".labels",
               "list the workload's pod-template labels: they become the resource's selector");
      }
      if (!labels_valid(w.labels)) check_labels(s, w.labels, p() + ".labels");
    }
    if (istio && !t.all_workloads && t.workloads.empty() && t.selector.empty() && t.refs.empty()) {
      reject(s, "target.no-selector", t.path,
             "give workloads, a selector or targetRefs; an empty selector would match every workload in the namespace "
             "(set allWorkloads: true, or pass render --all-workloads, if that is what you want)");
    }
    if (t.all_workloads && (!t.selector.empty() || !t.workloads.empty() || !t.refs.empty())) {
      reject(s, "target.all-workloads-and-selector", t.path + ".allWorkloads",
             "allWorkloads means no selector; drop workloads, selector and targetRefs");
    }
    if (!t.refs.empty() && (!t.selector.empty() || !t.workloads.empty())) {
      reject(s, "target.selector-and-refs", t.path + ".targetRefs",
             "only one of targetRefs or a selector (workloads/selector) can be set");
    }
    if (t.refs.size() > 16) reject(s, "target.too-many-refs", t.path + ".targetRefs", "at most 16 targetRefs");
    for (size_t i = 0; i < t.refs.size(); ++i) {
      const auto& r = t.refs[i];
      const std::string p = fmt::format("{}.targetRefs[{}]", t.path, i);
      if (r.kind.empty()) reject(s, "target-ref.no-kind", p + ".kind", "targetRefs need a kind");
      if (r.name.empty()) reject(s, "target-ref.no-name", p + ".name", "targetRefs need a name");
    }
    for (size_t i = 0; i < t.match.size(); ++i) {
      for (size_t j = 0; j < t.match[i].ports.size(); ++j) {
        auto port = t.match[i].ports[j];
        if (port < 1 || port > 65535) {
          reject(s, "match.port-range", fmt::format("{}.match[{}].ports[{}]", t.path, i, j),
                 fmt::format("port {} is outside 1-65535", port));
        }
      }
    }
    for (size_t i = 0; i < t.filters.size(); ++i) {
      if (!names.count(t.filters[i])) {
        reject(s, "target.unknown-filter", fmt::format("{}.filters[{}]", t.path, i),
               fmt::format("no filter named '{}' in filters", t.filters[i]), errc::not_found);
      }
    }
    if (!t.revision.empty()) check_dns_label(s, t.revision, t.path + ".revision", "revision");
  }
}

}  // namespace wasmdeploy::detail
