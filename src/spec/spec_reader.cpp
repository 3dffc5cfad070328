// Strict spec reading, streamed: libyaml's events (YAML, or JSON, which it reads too) go straight
// into the model, checked against the schema of wasmdeploy.v1alpha1.Spec (spec_schema.hpp, read
// from the descriptor). No node tree of the input exists at any point; the only per-field
// bookkeeping is a compact position entry, and field paths are formatted only for errors.
//
// Errors come out in the order a tree reader would give them: a syntax error anywhere in the
// document first (after a refusal the rest of the document is still parsed), then a second
// document, then the first schema error in reading order, then the first bad enum or module
// value in the order of the model's fields.
#include <wasmdeploy/limits.hpp>
#include <wasmdeploy/spec.hpp>

#include <array>
#include <charconv>
#include <iterator>
#include <cmath>
#include <limits>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "spec/spec_schema.hpp"
#include "spec/yaml_events.hpp"
#include "wasmdeploy/spec/v1alpha1/spec.pb.h"

namespace wasmdeploy {
namespace {

namespace v1 = wasmdeploy::v1alpha1;
using detail::field_kind;
using detail::schema_field;
using detail::schema_message;
using detail::yaml_event;
using event_kind = yaml_event::kind;

// Where a bad value ranks among conversion errors: the order convert_spec checked them in
// (apiVersion, kind, options, then filters and targets field by field).
using value_order = std::array<std::uint32_t, 4>;

struct mark {
  std::uint32_t line = 0, column = 0;
};

class reader {
 public:
  reader(detail::yaml_event_reader& in, const std::string& file, source_positions* positions)
      : in_(in), file_(file), positions_(positions) {}

  // ---- the spec --------------------------------------------------------------------------------

  void read_spec(const yaml_event& root, spec& out) {
    const auto& S = detail::the_spec_schema();
    // Spec fields at the top, a custom resource's `spec:` and `metadata:`, and whether the
    // fields being read are those under `spec:`.
    bool fields = false, resource = false, metadata = false, inside = false;
    const auto field = [&](const schema_field& f, const yaml_event& v, int d, mark k) {
      if (!inside && f.number != v1::Spec::kApiVersionFieldNumber && f.number != v1::Spec::kKindFieldNumber) {
        fields = true;
        if (resource) mixed_forms(v);
      }
      switch (f.number) {
        case v1::Spec::kApiVersionFieldNumber: {
          std::string s;
          if (string_field(v, s) && !s.empty() && s != "wasmdeploy.io/v1alpha1") {
            // Another tool's resource: say so now, before its fields read as unknown ones.
            if (!convert_hint(s).empty()) {
              throw error(errc::invalid, "spec.api-version", "apiVersion",
                          fmt::format("'{}' is not supported; use wasmdeploy.io/v1alpha1{}", s, convert_hint(s)),
                          source_position{file_, static_cast<int>(k.line), static_cast<int>(k.column)});
            }
            bad_value({0}, k, error(errc::invalid, "spec.api-version", "apiVersion",
                                    fmt::format("'{}' is not supported; use wasmdeploy.io/v1alpha1{}", s, convert_hint(s))));
          }
          break;
        }
        case v1::Spec::kKindFieldNumber: {
          std::string s;
          if (string_field(v, s) && !s.empty() && s != "WasmDeployment") {
            if (!convert_hint(s).empty()) {
              throw error(errc::invalid, "spec.kind", "kind",
                          fmt::format("'{}' is not supported; use WasmDeployment{}", s, convert_hint(s)),
                          source_position{file_, static_cast<int>(k.line), static_cast<int>(k.column)});
            }
            bad_value({1}, k, error(errc::invalid, "spec.kind", "kind",
                                    fmt::format("'{}' is not supported; use WasmDeployment{}", s, convert_hint(s))));
          }
          break;
        }
        case v1::Spec::kIstioFieldNumber:
          string_field(v, out.istio);
          break;
        case v1::Spec::kOptionsFieldNumber:
          read_options(v, d, out.options);
          break;
        case v1::Spec::kFiltersFieldNumber:
          list(v, d, [&](const yaml_event& item, std::uint32_t i, int dd) {
            filter& fl = out.filters.emplace_back();
            fl.path = fmt::format("filters[{}]", i);
            read_filter(item, dd, fl, i);
          });
          break;
        case v1::Spec::kTargetsFieldNumber:
          list(v, d, [&](const yaml_event& item, std::uint32_t i, int dd) {
            target& t = out.targets.emplace_back();
            t.path = fmt::format("targets[{}]", i);
            read_target(item, dd, t, i);
          });
          break;
        default:
          internal(v);
      }
    };
    // A WasmDeployment custom resource (what a GitOps repository stores, and what the controller
    // reads) is the spec under `spec:`, with Kubernetes `metadata` beside it: read it as such.
    // Field paths and positions stay those of the spec's own fields.
    const auto custom_resource = [&](const yaml_event& key, int d) {
      if (key.value == "metadata") {
        if (metadata) fail("spec.duplicate-field", "field given twice", key);
        metadata = true;
        (void)value(pull(), d);  // names the object in a cluster; nothing to render from
        return true;
      }
      if (key.value != "spec") return false;
      if (resource) fail("spec.duplicate-field", "field given twice", key);
      resource = true;
      if (fields) mixed_forms(key);
      inside = true;
      message(S.spec, pull(), d, field);
      inside = false;
      return true;
    };
    message(S.spec, root, 0, field, custom_resource);
  }

  [[noreturn]] void mixed_forms(const yaml_event& at) {
    fail("spec.mixed-forms",
         "a WasmDeployment custom resource holds the spec's fields under spec:; give them there or at the top, "
         "not both",
         at);
  }

  static std::string convert_hint(const std::string& what) {
    for (const char* foreign : {"wasme.io/", "networking.istio.io/", "extensions.istio.io/", "FilterDeployment",
                                "EnvoyFilter", "WasmPlugin"}) {
      if (what.rfind(foreign, 0) == 0) {
        return "; read existing FilterDeployments, EnvoyFilters and WasmPlugins with `wasmdeploy convert -f FILE "
               "--to spec` (or --to wasmplugin, envoyfilter, ...)";
      }
    }
    return "";
  }

  /// Plugin configuration and other free values (YAML 1.2 core schema for plain scalars).
  node value(const yaml_event& v, int depth) {
    enter(v, depth);
    if (v.type == event_kind::scalar) {
      if (v.null) return node();
      const std::string_view s = text(v);
      return v.verbatim ? node(s) : resolve_plain(s, v);
    }
    if (v.type == event_kind::sequence_start) {
      node seq = node::sequence();
      for (std::uint32_t i = 0;; ++i) {
        const yaml_event& item = pull();
        if (item.type == event_kind::sequence_end) return seq;
        path_.push_back({step::an_index, i, nullptr});
        node& slot = seq.push(node());
        slot = value(item, depth + 1);
        path_.pop_back();
      }
    }
    if (v.type != event_kind::mapping_start) fail("spec.wrong-type", "expected a value", v);
    node map = node::mapping();
    std::set<std::string> many;  // used only for mappings too large to search
    for (;;) {
      const yaml_event& k = pull();
      if (k.type == event_kind::mapping_end) return map;
      std::string key(text(k));
      if (has_key(map, many, key)) {
        path_.push_back({step::a_key, 0, &key});
        fail("spec.duplicate-field", "key given twice", k);
      }
      node& slot = map.add(std::move(key), node());
      const std::string& stored = map.members().back().key;
      path_.push_back({step::a_key, 0, &stored});
      slot = value(pull(), depth + 1);
      path_.pop_back();
    }
  }

  /// The first bad enum or module value, when the document had one.
  const std::optional<error>& bad_value() const noexcept { return bad_; }

  std::string path_string() const {
    std::string p = base_path_;
    for (const step& s : path_) {
      if (s.kind == step::an_index) {
        fmt::format_to(std::back_inserter(p), "[{}]", s.index);
      } else {
        if (!p.empty()) p += '.';
        p += s.kind == step::a_field ? std::string_view(s.field->json_name) : std::string_view(*s.key);
      }
    }
    return p;
  }

  std::string base_path_;  ///< prefix of every path (parse_config_value's name for the value)

 private:
  struct step {
    enum kind_t : std::uint8_t { a_field, an_index, a_key } kind;
    std::uint32_t index;
    const std::string* key;
    const schema_field* field = nullptr;
  };

  // ---- events and errors -------------------------------------------------------------------------

  const yaml_event& pull() {
    try {
      return in_.next();
    } catch (const error& e) {
      // The event layer does not know the field path; a syntax error has none.
      if (e.category() == errc::parse || !e.path().empty()) throw;
      throw error(e.category(), e.code(), path_string(), e.message(), e.position());
    }
  }

  source_position pos(const yaml_event& e) const {
    return {file_, static_cast<int>(e.line), static_cast<int>(e.column)};
  }

  [[noreturn]] void fail(const char* code, const std::string& msg, const yaml_event& at) const {
    throw error(errc::invalid, code, path_string(), msg, pos(at));
  }

  [[noreturn]] void internal(const yaml_event& at) const {
    fail("spec.internal", "unsupported field type in schema", at);
  }

  void enter(const yaml_event& e, int depth) {
    if (static_cast<std::uint64_t>(depth) > active_limits().spec_depth) fail("spec.too-deep", fmt::format("nesting deeper than {} levels", active_limits().spec_depth), e);
    if (++visited_ > active_limits().spec_nodes) {
      fail("spec.too-large", fmt::format("more than {} YAML nodes (alias expansion?)", active_limits().spec_nodes), e);
    }
  }

  // A bad enum or module value: kept (the first in value_order) and thrown once the document
  // has been read without a schema error, positioned at its key.
  void bad_value(value_order order, mark k, const error& e) {
    if (bad_ && !(order < bad_order_)) return;
    bad_order_ = order;
    bad_.emplace(e.category(), e.code(), e.path(), e.message(),
                 source_position{file_, static_cast<int>(k.line), static_cast<int>(k.column)});
  }
  template <typename F>
  void checked(value_order order, mark k, F&& parse) {
    try {
      parse(path_string());
    } catch (const error& e) {
      bad_value(order, k, e);
    }
  }

  // A named value (an enum, a module reference): parsed when given and not empty, a bad one held
  // by bad_value. Returns whether it was given.
  template <typename T>
  bool named_value(const yaml_event& v, value_order order, mark k, T& out, T (*parse)(std::string_view, const std::string&)) {
    std::string s;
    if (!string_field(v, s) || s.empty()) return false;
    checked(order, k, [&](const std::string& p) { out = parse(s, p); });
    return true;
  }

  // ---- scalars ---------------------------------------------------------------------------------

  std::string_view text(const yaml_event& v) const {
    if (!v.is_text()) fail("spec.wrong-type", "expected a string", v);
    if (v.value.size() > active_limits().string_bytes) fail("spec.too-large", "string value too long", v);
    if (v.invalid_utf8) fail("spec.invalid-utf8", "value is not valid UTF-8", v);
    return v.value;
  }

  // "key:" with no value leaves a field unset (false).
  bool string_field(const yaml_event& v, std::string& out) const {
    if (v.is_scalar() && v.null) return false;
    out.assign(text(v));
    return true;
  }

  template <typename T>
  T integer(const yaml_event& v) const {
    if (!v.is_text() || v.verbatim) fail("spec.wrong-type", "expected an integer", v);
    T out{};
    const char* b = v.value.data();
    const char* e = b + v.value.size();
    auto [p, ec] = std::from_chars(b, e, out);
    if (ec != std::errc() || p != e) fail("spec.wrong-type", fmt::format("'{}' is not an integer in range", v.value), v);
    return out;
  }
  template <typename T>
  bool integer_field(const yaml_event& v, T& out) const {
    if (v.is_scalar() && v.null) return false;
    out = integer<T>(v);
    return true;
  }

  bool bool_field(const yaml_event& v, bool& out) const {
    if (v.is_scalar() && v.null) return false;
    const std::string_view s = text(v);
    if (v.verbatim || (s != "true" && s != "false")) fail("spec.wrong-type", fmt::format("'{}' is not true or false", s), v);
    out = s == "true";
    return true;
  }

  // ---- containers --------------------------------------------------------------------------------

  // A message: keys checked against the schema, each field handed to `field` with its value's
  // first event, its depth and the key's position.
  template <typename F>
  void message(const schema_message& m, const yaml_event& first, int depth, F&& field) {
    message(m, first, depth, std::forward<F>(field), [](const yaml_event&, int) { return false; });
  }

  // As above; `extra(key event, depth)` may take a key the schema does not have (and its value).
  template <typename F, typename X>
  void message(const schema_message& m, const yaml_event& first, int depth, F&& field, X&& extra) {
    enter(first, depth);
    if (first.type == event_kind::scalar && first.null) return;
    if (first.type != event_kind::mapping_start) fail("spec.wrong-type", "expected a mapping", first);
    std::uint64_t seen = 0;
    for (;;) {
      const yaml_event& k = pull();
      if (k.type == event_kind::mapping_end) return;
      if (!k.is_text()) fail("spec.wrong-type", "mapping keys must be strings", k);
      const schema_field* f = m.find(k.value);
      if (f == nullptr && extra(k, depth + 1)) continue;
      if (f == nullptr) {
        const std::string key(k.value);
        path_.push_back({step::a_key, 0, &key});
        fail("spec.unknown-field", m.unknown_field_message(key), k);
      }
      path_.push_back({step::a_field, 0, nullptr, f});
      if (seen & (std::uint64_t{1} << f->bit)) fail("spec.duplicate-field", "field given twice", k);
      seen |= std::uint64_t{1} << f->bit;
      const mark at{k.line, k.column};
      const std::uint32_t id = record_field(f->id, at);
      const std::uint32_t parent = parent_;
      parent_ = id;
      field(*f, pull(), depth + 1, at);
      parent_ = parent;
      close(id);
      path_.pop_back();
    }
  }

  // A list: `item(first event, index, depth)` for each item, each item's position recorded.
  template <typename F>
  void list(const yaml_event& first, int depth, F&& item) {
    enter(first, depth);
    if (first.type == event_kind::scalar && first.null) return;
    if (first.type != event_kind::sequence_start) fail("spec.wrong-type", "expected a list", first);
    for (std::uint32_t i = 0;; ++i) {
      const yaml_event& e = pull();
      if (e.type == event_kind::sequence_end) return;
      path_.push_back({step::an_index, i, nullptr});
      const std::uint32_t id = positions_ != nullptr ? positions_->add_index(parent_, i, e.line, e.column) : 0;
      const std::uint32_t parent = parent_;
      parent_ = id;
      item(e, i, depth + 1);
      parent_ = parent;
      close(id);
      path_.pop_back();
    }
  }

  void string_list(const yaml_event& first, int depth, std::vector<std::string>& out) {
    list(first, depth, [&](const yaml_event& e, std::uint32_t, int) { out.emplace_back(text(e)); });
  }

  void string_map(const yaml_event& first, int depth, std::map<std::string, std::string>& out) {
    enter(first, depth);
    if (first.type == event_kind::scalar && first.null) return;
    if (first.type != event_kind::mapping_start) fail("spec.wrong-type", "expected a mapping of strings", first);
    for (;;) {
      const yaml_event& k = pull();
      if (k.type == event_kind::mapping_end) return;
      auto [it, fresh] = out.try_emplace(std::string(text(k)));
      path_.push_back({step::a_key, 0, &it->first});
      if (!fresh) fail("spec.duplicate-field", "key given twice", k);
      const std::uint32_t id = positions_ != nullptr ? positions_->add_key(parent_, it->first, k.line, k.column) : 0;
      it->second.assign(text(pull()));
      close(id);
      path_.pop_back();
    }
  }

  std::uint32_t record_field(std::uint32_t field_id, mark at) {
    return positions_ != nullptr ? positions_->add_field(parent_, field_id, at.line, at.column) : 0;
  }
  void close(std::uint32_t id) {
    if (positions_ != nullptr) positions_->close(id);
  }

  static bool has_key(const node& map, std::set<std::string>& many, const std::string& key) {
    constexpr size_t kLinear = 16;
    const auto& members = map.members();
    if (members.size() < kLinear) {
      for (const auto& m : members) {
        if (m.key == key) return true;
      }
      return false;
    }
    if (many.empty()) {
      for (const auto& m : members) many.insert(m.key);
    }
    return !many.insert(key).second;
  }

  // ---- the model -------------------------------------------------------------------------------

  void read_options(const yaml_event& first, int depth, spec_options& o) {
    const auto& S = detail::the_spec_schema();
    message(S.options, first, depth, [&](const schema_field& f, const yaml_event& v, int d, mark k) {
      switch (f.number) {
        case v1::Options::kNamingFieldNumber: named_value(v, {2, 0}, k, o.naming, parse_naming_scheme); break;
        case v1::Options::kResourceFieldNumber: named_value(v, {2, 1}, k, o.resource, parse_resource_kind); break;
        case v1::Options::kAllowIncompatibleModuleFieldNumber:
          bool_field(v, o.allow_incompatible_module);
          break;
        case v1::Options::kPlatformFieldNumber:
          if (named_value(v, {2, 2}, k, o.target_platform, parse_platform)) o.platform_set = true;
          break;
        case v1::Options::kGatewayVersionFieldNumber:
          string_field(v, o.gateway_version);
          break;
        case v1::Options::kEnvoyFieldNumber:
          read_envoy(v, d, o);
          break;
        case v1::Options::kGlooGatewayFieldNumber:
          string_field(v, o.gloo_gateway_file);
          break;
        case v1::Options::kAllowFieldNumber:
          string_list(v, d, o.allow);
          break;
        default:
          internal(v);
      }
    });
  }

  void read_envoy(const yaml_event& first, int depth, spec_options& o) {
    const auto& S = detail::the_spec_schema();
    message(S.envoy, first, depth, [&](const schema_field& f, const yaml_event& v, int, mark) {
      std::uint32_t port = 0;
      std::string s;
      switch (f.number) {
        case v1::EnvoyBootstrap::kListenPortFieldNumber:
          if (integer_field(v, port) && port != 0) o.envoy_listen_port = port;
          break;
        case v1::EnvoyBootstrap::kAdminPortFieldNumber:
          if (integer_field(v, port) && port != 0) o.envoy_admin_port = port;
          break;
        case v1::EnvoyBootstrap::kUpstreamFieldNumber:
          if (string_field(v, s) && !s.empty()) o.envoy_upstream = std::move(s);
          break;
        default:
          internal(v);
      }
    });
  }

  void read_filter(const yaml_event& first, int depth, filter& fl, std::uint32_t i) {
    const auto& S = detail::the_spec_schema();
    message(S.filter, first, depth, [&](const schema_field& f, const yaml_event& v, int d, mark k) {
      std::string s;
      const auto at = [&](std::uint32_t rank) { return value_order{3, i, rank, 0}; };
      switch (f.number) {
        case v1::Filter::kNameFieldNumber: string_field(v, fl.name); break;
        case v1::Filter::kModuleFieldNumber:
          named_value(v, at(0), k, fl.module, parse_module_source);
          break;
        case v1::Filter::kSha256FieldNumber: string_field(v, fl.sha256); break;
        case v1::Filter::kRootIdFieldNumber: string_field(v, fl.root_id); break;
        case v1::Filter::kVmIdFieldNumber: string_field(v, fl.vm_id); break;
        case v1::Filter::kConfigFieldNumber: fl.config = value(v, d); break;
        case v1::Filter::kRuntimeFieldNumber:
          if (string_field(v, s) && !s.empty()) fl.runtime = std::move(s);
          break;
        case v1::Filter::kTypeFieldNumber:
          if (named_value(v, at(1), k, fl.type, parse_filter_type)) fl.type_set = true;
          break;
        case v1::Filter::kFailStrategyFieldNumber:
          named_value(v, at(2), k, fl.fail, parse_fail_strategy);
          break;
        case v1::Filter::kEnvFieldNumber:
          list(v, d, [&](const yaml_event& item, std::uint32_t j, int dd) {
            read_env(item, dd, fl.env.emplace_back(), {3, i, 3, j});
          });
          break;
        case v1::Filter::kImagePullPolicyFieldNumber:
          named_value(v, at(4), k, fl.pull, parse_pull_policy);
          break;
        case v1::Filter::kImagePullSecretFieldNumber: string_field(v, fl.pull_secret); break;
        case v1::Filter::kPhaseFieldNumber:
          named_value(v, at(5), k, fl.phase, parse_plugin_phase);
          break;
        case v1::Filter::kPriorityFieldNumber: {
          std::int32_t n = 0;
          if (integer_field(v, n)) fl.priority = n;
          break;
        }
        case v1::Filter::kDeliveryFieldNumber:
          named_value(v, at(6), k, fl.how, parse_delivery);
          break;
        case v1::Filter::kResourceFieldNumber:
          named_value(v, at(7), k, fl.resource, parse_resource_kind);
          break;
        case v1::Filter::kRuntimeConfigFieldNumber: string_field(v, fl.runtime_config_path); break;
        case v1::Filter::kModuleSha256FieldNumber: string_field(v, fl.module_sha256); break;
        case v1::Filter::kImageLayoutFieldNumber: string_field(v, fl.image_layout); break;
        default: internal(v);
      }
    });
  }

  void read_env(const yaml_event& first, int depth, env_var& e, value_order order) {
    const auto& S = detail::the_spec_schema();
    message(S.env, first, depth, [&](const schema_field& f, const yaml_event& v, int, mark k) {
      switch (f.number) {
        case v1::EnvVar::kNameFieldNumber: string_field(v, e.name); break;
        case v1::EnvVar::kValueFieldNumber: string_field(v, e.value); break;
        case v1::EnvVar::kValueFromFieldNumber: named_value(v, order, k, e.from, parse_env_source); break;
        default: internal(v);
      }
    });
  }

  void read_target(const yaml_event& first, int depth, target& t, std::uint32_t i) {
    const auto& S = detail::the_spec_schema();
    message(S.target, first, depth, [&](const schema_field& f, const yaml_event& v, int d, mark k) {
      std::string s;
      switch (f.number) {
        case v1::Target::kNameFieldNumber: string_field(v, t.name); break;
        case v1::Target::kNamespaceFieldNumber:
          if (string_field(v, s) && !s.empty()) t.ns = std::move(s);
          break;
        case v1::Target::kWorkloadsFieldNumber:
          list(v, d, [&](const yaml_event& item, std::uint32_t j, int dd) {
            read_workload(item, dd, t.workloads.emplace_back(), {4, i, 0, j});
          });
          break;
        case v1::Target::kSelectorFieldNumber: string_map(v, d, t.selector); break;
        case v1::Target::kContextFieldNumber:
          if (named_value(v, {4, i, 1, 0}, k, t.context, parse_traffic_context)) t.context_set = true;
          break;
        case v1::Target::kMatchFieldNumber:
          list(v, d, [&](const yaml_event& item, std::uint32_t j, int dd) {
            read_match(item, dd, t.match.emplace_back(), {4, i, 2, j});
          });
          break;
        case v1::Target::kTargetRefsFieldNumber:
          list(v, d, [&](const yaml_event& item, std::uint32_t, int dd) { read_ref(item, dd, t.refs.emplace_back()); });
          break;
        case v1::Target::kRevisionFieldNumber: string_field(v, t.revision); break;
        case v1::Target::kFiltersFieldNumber: string_list(v, d, t.filters); break;
        case v1::Target::kRulesFieldNumber:
          list(v, d, [&](const yaml_event& item, std::uint32_t, int dd) { read_rule(item, dd, t.rules.emplace_back()); });
          break;
        case v1::Target::kIstioNamespaceFieldNumber: string_field(v, t.istio_namespace); break;
        case v1::Target::kAllWorkloadsFieldNumber: bool_field(v, t.all_workloads); break;
        default: internal(v);
      }
    });
  }

  void read_workload(const yaml_event& first, int depth, workload& w, value_order order) {
    const auto& S = detail::the_spec_schema();
    message(S.workload, first, depth, [&](const schema_field& f, const yaml_event& v, int d, mark k) {
      switch (f.number) {
        case v1::Workload::kNameFieldNumber: string_field(v, w.name); break;
        case v1::Workload::kKindFieldNumber: named_value(v, order, k, w.kind, parse_workload_kind); break;
        case v1::Workload::kLabelsFieldNumber: string_map(v, d, w.labels); break;
        case v1::Workload::kAnnotationsFieldNumber: string_map(v, d, w.annotations); break;
        default: internal(v);
      }
    });
  }

  void read_match(const yaml_event& first, int depth, traffic_match& m, value_order order) {
    const auto& S = detail::the_spec_schema();
    message(S.match, first, depth, [&](const schema_field& f, const yaml_event& v, int d, mark k) {
      switch (f.number) {
        case v1::TrafficMatch::kModeFieldNumber: named_value(v, order, k, m.mode, parse_match_mode); break;
        case v1::TrafficMatch::kPortsFieldNumber:
          list(v, d, [&](const yaml_event& e, std::uint32_t, int) { m.ports.push_back(integer<std::uint32_t>(e)); });
          break;
        default: internal(v);
      }
    });
  }

  void read_ref(const yaml_event& first, int depth, target_ref& r) {
    const auto& S = detail::the_spec_schema();
    message(S.ref, first, depth, [&](const schema_field& f, const yaml_event& v, int, mark) {
      switch (f.number) {
        case v1::TargetRef::kGroupFieldNumber: string_field(v, r.group); break;
        case v1::TargetRef::kKindFieldNumber: string_field(v, r.kind); break;
        case v1::TargetRef::kNameFieldNumber: string_field(v, r.name); break;
        default: internal(v);
      }
    });
  }

  void read_rule(const yaml_event& first, int depth, higress_rule& r) {
    const auto& S = detail::the_spec_schema();
    message(S.rule, first, depth, [&](const schema_field& f, const yaml_event& v, int d, mark) {
      switch (f.number) {
        case v1::HigressRule::kIngressFieldNumber: string_list(v, d, r.ingress); break;
        case v1::HigressRule::kDomainFieldNumber: string_list(v, d, r.domain); break;
        case v1::HigressRule::kServiceFieldNumber: string_list(v, d, r.service); break;
        case v1::HigressRule::kConfigFieldNumber: r.config = value(v, d); break;
        case v1::HigressRule::kConfigDisableFieldNumber: bool_field(v, r.config_disable); break;
        default: internal(v);
      }
    });
  }

  // Plain scalars under the core schema. What looks like a number but has no faithful value is
  // refused rather than silently kept as a string: an integer beyond 64 bits, a float beyond
  // double's range, and .nan/.inf, which the JSON a proxy receives cannot carry.
  node resolve_plain(std::string_view s, const yaml_event& at) const {
    node n = resolve_core(s);
    if (n.kind() == node::type::real && !std::isfinite(n.as_real())) {
      fail("spec.non-finite-number",
           fmt::format("'{}': the JSON a proxy receives its configuration in has no NaN or infinity; quote it to pass "
                       "a string",
                       s),
           at);
    }
    if (n.kind() == node::type::string && looks_numeric(s)) {
      fail("spec.number-range",
           fmt::format("'{}' does not fit a 64-bit integer or double; quote it to pass it as a string", s), at);
    }
    return n;
  }

  // [+-]digits, or a decimal/exponent float: what resolve_core would have made a number had it
  // been in range.
  static bool looks_numeric(std::string_view s) {
    std::size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
    bool digits = false, dot = false, exp = false;
    for (; i < s.size(); ++i) {
      const char c = s[i];
      if (std::isdigit(static_cast<unsigned char>(c))) digits = true;
      else if (c == '.' && !dot && !exp) dot = true;
      else if ((c == 'e' || c == 'E') && digits && !exp) {
        exp = true;
        if (i + 1 < s.size() && (s[i + 1] == '+' || s[i + 1] == '-')) ++i;
      } else return false;
    }
    return digits && std::isdigit(static_cast<unsigned char>(s.back()));
  }

  static node resolve_core(std::string_view s) {
    if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return node();
    if (s == "true" || s == "True" || s == "TRUE") return node(true);
    if (s == "false" || s == "False" || s == "FALSE") return node(false);
    const char* b = s.data();
    const char* e = b + s.size();
    std::int64_t i = 0;
    const char* ib = (*b == '+') ? b + 1 : b;
    if (auto [p, ec] = std::from_chars(ib, e, i); ec == std::errc() && p == e) return node(static_cast<long long>(i));
    // Core schema ints in base 16 (0x1f) and 8 (0o17); no sign.
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o') && s[2] != '-') {
      if (auto [p, ec] = std::from_chars(b + 2, e, i, s[1] == 'x' ? 16 : 8); ec == std::errc() && p == e && i >= 0) {
        return node(static_cast<long long>(i));
      }
    }
    if (s.find_first_of(".eE") != std::string_view::npos) {
      double d = 0;
      if (auto [p, ec] = std::from_chars(ib, e, d);
          ec == std::errc() && p == e && std::isdigit(static_cast<unsigned char>(s.back()))) {
        return node(d);
      }
    }
    const std::string_view unsigned_part = (s[0] == '+' || s[0] == '-') ? s.substr(1) : s;
    if (unsigned_part == ".inf" || unsigned_part == ".Inf" || unsigned_part == ".INF") {
      return node(s[0] == '-' ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity());
    }
    if (s == ".nan" || s == ".NaN" || s == ".NAN") return node(std::numeric_limits<double>::quiet_NaN());
    return node(s);
  }

  detail::yaml_event_reader& in_;
  const std::string& file_;
  source_positions* positions_;
  std::uint32_t parent_ = source_positions::root;
  std::vector<step> path_;
  std::size_t visited_ = 0;
  std::optional<error> bad_;
  value_order bad_order_{};
};

void check_size(std::string_view text, const std::string& file) {
  if (text.size() > active_limits().spec_bytes) {
    throw error(errc::invalid, "spec.too-large", "", fmt::format("spec is larger than {} bytes", active_limits().spec_bytes),
                {file, 0, 0});
  }
}

spec empty_spec(const std::string& file, const std::string& base_dir) {
  spec s;
  s.file = file;
  s.base_dir = base_dir;
  s.positions.file = file;
  return s;
}

// Reads the document whose start was just pulled into `out`. A refusal is held until the rest of
// the document has been parsed, so that a syntax error further down wins; returns it, or
// nothing. Returns false in `content` for an empty document.
std::optional<error> read_document(detail::yaml_event_reader& in, const std::string& file, spec& out, bool& content) {
  const yaml_event& root = in.next();
  content = !(root.type == event_kind::scalar && root.null);
  if (!content) {
    in.next();  // document end
    return std::nullopt;
  }
  reader r(in, file, &out.positions);
  try {
    r.read_spec(root, out);
  } catch (const error& e) {
    if (e.category() == errc::parse) throw;
    std::optional<error> held(e);
    in.skip_to_document_end();
    return held;
  }
  in.next();  // document end
  return r.bad_value();
}

void refuse_stray_invalid_utf8(const detail::yaml_event_reader& in, const std::string& path = "") {
  if (in.first_invalid_line() == 0) return;
  throw error(errc::invalid, "spec.invalid-utf8", path, "the text is not valid UTF-8",
              {in.file(), static_cast<int>(in.first_invalid_line()), static_cast<int>(in.first_invalid_column())});
}

}  // namespace

spec parse_spec(std::string_view text, const std::string& file, const std::string& base_dir) {
  check_size(text, file);
  detail::yaml_event_reader in(text, file, "spec.syntax");
  spec out = empty_spec(file, base_dir);
  const yaml_event* e = &in.next();
  if (e->type == event_kind::stream_end) throw error(errc::invalid, "spec.empty", "", "the spec is empty", {file, 1, 1});
  bool content = false;
  std::optional<error> refused = read_document(in, file, out, content);
  e = &in.next();
  if (e->type == event_kind::document_start) {
    // A second document: what a reader taking the first would silently drop.
    const yaml_event& second = in.next();
    const source_position at{file, static_cast<int>(second.line), static_cast<int>(second.column)};
    if (second.type != event_kind::document_end) in.skip_to_document_end();
    throw error(errc::invalid, "spec.multiple-documents", "", "a spec file holds exactly one YAML document", at);
  }
  if (refused) throw *refused;
  if (!content) throw error(errc::invalid, "spec.empty", "", "the spec is empty", {file, 1, 1});
  refuse_stray_invalid_utf8(in);
  return out;
}

spec parse_spec(std::string_view text, const std::string& file, const std::string& base_dir, const limits& bounds) {
  const limits_scope scope(bounds);
  return parse_spec(text, file, base_dir);
}

std::vector<spec> parse_spec_documents(std::string_view text, const std::string& file, const std::string& base_dir) {
  check_size(text, file);
  detail::yaml_event_reader in(text, file, "spec.syntax");
  std::vector<spec> out;
  std::optional<error> refused;
  std::size_t documents = 0;
  for (;;) {
    const yaml_event& e = in.next();
    if (e.type == event_kind::stream_end) break;
    if (++documents > active_limits().filters && !refused) {
      refused.emplace(errc::invalid, "spec.too-many", "", fmt::format("more than {} documents", active_limits().filters),
                      source_position{file, static_cast<int>(e.line), static_cast<int>(e.column)});
    }
    if (refused) {
      in.skip_to_document_end();  // later syntax errors still win
      continue;
    }
    spec s = empty_spec(file, base_dir);
    bool content = false;
    refused = read_document(in, file, s, content);
    if (!refused && content) out.push_back(std::move(s));
  }
  if (refused) throw *refused;
  if (out.empty()) throw error(errc::invalid, "spec.empty", "", "the spec is empty", {file, 1, 1});
  refuse_stray_invalid_utf8(in);
  return out;
}

node parse_config_value(std::string_view text, const std::string& path) {
  if (text.size() > active_limits().spec_bytes) {
    throw error(errc::invalid, "spec.too-large", path, fmt::format("value is larger than {} bytes", active_limits().spec_bytes));
  }
  // The first document only, as a tree reader's Load gives it.
  detail::yaml_event_reader in(text, "", "config.syntax", path);
  const std::string no_file;
  reader r(in, no_file, nullptr);
  r.base_path_ = path;
  const yaml_event* e = &in.next();
  if (e->type == event_kind::stream_end) return node();
  node v = r.value(in.next(), 0);
  refuse_stray_invalid_utf8(in, path);
  return v;
}

}  // namespace wasmdeploy
