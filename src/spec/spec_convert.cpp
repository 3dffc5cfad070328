#include "spec/spec_convert.hpp"

#include <fmt/format.h>

#include "wasmdeploy/spec/v1alpha1/spec.pb.h"

namespace wasmdeploy::detail {
namespace {

namespace v1 = wasmdeploy::v1alpha1;

// Runs a parser and, on failure, re-throws with the value's file position.
template <typename F>
auto at(const spec& s, const std::string& path, F&& parse) -> decltype(parse(path)) {
  try {
    return parse(path);
  } catch (const error& e) {
    throw error(e.category(), e.code(), e.path(), e.message(), s.position_of(e.path().empty() ? path : e.path()));
  }
}

std::map<std::string, std::string> to_map(const google::protobuf::Map<std::string, std::string>& m) {
  return {m.begin(), m.end()};
}

filter convert_filter(const v1::Filter& f, const std::string& path, std::map<std::string, node>& values, const spec& s) {
  filter out;
  out.path = path;
  out.name = f.name();
  if (!f.module().empty()) {
    out.module = at(s, path + ".module", [&](const std::string& p) { return parse_module_source(f.module(), p); });
  }
  out.sha256 = f.sha256();
  out.module_sha256 = f.module_sha256();
  out.root_id = f.root_id();
  out.vm_id = f.vm_id();
  if (auto it = values.find(path + ".config"); it != values.end()) out.config = std::move(it->second);
  if (!f.runtime().empty()) out.runtime = f.runtime();
  if (!f.type().empty()) {
    out.type = at(s, path + ".type", [&](const std::string& p) { return parse_filter_type(f.type(), p); });
    out.type_set = true;
  }
  if (!f.fail_strategy().empty()) {
    out.fail = at(s, path + ".failStrategy", [&](const std::string& p) { return parse_fail_strategy(f.fail_strategy(), p); });
  }
  for (int i = 0; i < f.env_size(); ++i) {
    const auto& e = f.env(i);
    env_var v{e.name(), e.value(), env_source::inline_value};
    if (!e.value_from().empty()) {
      v.from = at(s, fmt::format("{}.env[{}].valueFrom", path, i),
                  [&](const std::string& p) { return parse_env_source(e.value_from(), p); });
    }
    out.env.push_back(std::move(v));
  }
  if (!f.image_pull_policy().empty()) {
    out.pull = at(s, path + ".imagePullPolicy", [&](const std::string& p) { return parse_pull_policy(f.image_pull_policy(), p); });
  }
  out.pull_secret = f.image_pull_secret();
  if (!f.phase().empty()) {
    out.phase = at(s, path + ".phase", [&](const std::string& p) { return parse_plugin_phase(f.phase(), p); });
  }
  if (f.has_priority()) out.priority = f.priority();
  if (!f.delivery().empty()) {
    out.how = at(s, path + ".delivery", [&](const std::string& p) { return parse_delivery(f.delivery(), p); });
  }
  if (!f.resource().empty()) {
    out.resource = at(s, path + ".resource", [&](const std::string& p) { return parse_resource_kind(f.resource(), p); });
  }
  out.runtime_config_path = f.runtime_config();
  out.image_layout = f.image_layout();
  return out;
}

target convert_target(const v1::Target& t, const std::string& path, std::map<std::string, node>& values,
                      const spec& s) {
  target out;
  out.path = path;
  out.name = t.name();
  if (!t.namespace_().empty()) out.ns = t.namespace_();
  for (int i = 0; i < t.workloads_size(); ++i) {
    const auto& w = t.workloads(i);
    workload wl;
    wl.name = w.name();
    if (!w.kind().empty()) {
      wl.kind = at(s, fmt::format("{}.workloads[{}].kind", path, i),
                   [&](const std::string& p) { return parse_workload_kind(w.kind(), p); });
    }
    wl.labels = to_map(w.labels());
    wl.annotations = to_map(w.annotations());
    out.workloads.push_back(std::move(wl));
  }
  out.selector = to_map(t.selector());
  if (!t.context().empty()) {
    out.context = at(s, path + ".context", [&](const std::string& p) { return parse_traffic_context(t.context(), p); });
    out.context_set = true;
  }
  for (int i = 0; i < t.match_size(); ++i) {
    const auto& m = t.match(i);
    traffic_match tm;
    if (!m.mode().empty()) {
      tm.mode = at(s, fmt::format("{}.match[{}].mode", path, i), [&](const std::string& p) { return parse_match_mode(m.mode(), p); });
    }
    tm.ports.assign(m.ports().begin(), m.ports().end());
    out.match.push_back(std::move(tm));
  }
  for (const auto& r : t.target_refs()) out.refs.push_back({r.group(), r.kind(), r.name()});
  out.revision = t.revision();
  out.filters.assign(t.filters().begin(), t.filters().end());
  for (int i = 0; i < t.rules_size(); ++i) {
    const auto& r = t.rules(i);
    higress_rule hr;
    hr.ingress.assign(r.ingress().begin(), r.ingress().end());
    hr.domain.assign(r.domain().begin(), r.domain().end());
    hr.service.assign(r.service().begin(), r.service().end());
    if (auto it = values.find(fmt::format("{}.rules[{}].config", path, i)); it != values.end()) {
      hr.config = std::move(it->second);
    }
    hr.config_disable = r.config_disable();
    out.rules.push_back(std::move(hr));
  }
  out.istio_namespace = t.istio_namespace();
  out.all_workloads = t.all_workloads();
  return out;
}

}  // namespace

void convert_spec(const v1::Spec& msg, std::map<std::string, node>& values, spec& out) {
  if (!msg.api_version().empty() && msg.api_version() != "wasmdeploy.io/v1alpha1") {
    throw error(errc::invalid, "spec.api-version", "apiVersion",
                fmt::format("'{}' is not supported; use wasmdeploy.io/v1alpha1", msg.api_version()),
                out.position_of("apiVersion"));
  }
  if (!msg.kind().empty() && msg.kind() != "WasmDeployment") {
    throw error(errc::invalid, "spec.kind", "kind", fmt::format("'{}' is not supported; use WasmDeployment", msg.kind()),
                out.position_of("kind"));
  }
  out.istio = msg.istio();
  if (msg.has_options()) {
    const auto& o = msg.options();
    if (!o.naming().empty()) {
      out.options.naming = at(out, "options.naming", [&](const std::string& p) { return parse_naming_scheme(o.naming(), p); });
    }
    if (!o.resource().empty()) {
      out.options.resource = at(out, "options.resource", [&](const std::string& p) { return parse_resource_kind(o.resource(), p); });
    }
    out.options.allow_incompatible_module = o.allow_incompatible_module();
    if (!o.platform().empty()) {
      out.options.target_platform =
          at(out, "options.platform", [&](const std::string& p) { return parse_platform(o.platform(), p); });
      out.options.platform_set = true;
    }
    out.options.gateway_version = o.gateway_version();
    if (o.has_envoy()) {
      if (o.envoy().listen_port() != 0) out.options.envoy_listen_port = o.envoy().listen_port();
      if (o.envoy().admin_port() != 0) out.options.envoy_admin_port = o.envoy().admin_port();
      if (!o.envoy().upstream().empty()) out.options.envoy_upstream = o.envoy().upstream();
    }
    out.options.gloo_gateway_file = o.gloo_gateway();
  }
  for (int i = 0; i < msg.filters_size(); ++i) {
    out.filters.push_back(convert_filter(msg.filters(i), fmt::format("filters[{}]", i), values, out));
  }
  for (int i = 0; i < msg.targets_size(); ++i) {
    out.targets.push_back(convert_target(msg.targets(i), fmt::format("targets[{}]", i), values, out));
  }
}

}  // namespace wasmdeploy::detail
