// What `render` would deploy, as the proxy receives it: for each filter the root id, vm id,
// env and the configuration bytes of the resource the plan chose for the Istio version.
#include <wasmdeploy/render.hpp>
#include <wasmdeploy/resolve.hpp>
#include <wasmdeploy/run.hpp>

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

#include "plan/plan.hpp"
#include "plan/plan_inputs.hpp"
#include "render/common.hpp"

namespace wasmdeploy {
namespace {

node sorted(const node& n) {
  if (n.is_sequence()) {
    node out = node::sequence();
    for (const auto& i : n.items()) out.push(sorted(i));
    return out;
  }
  if (!n.is_mapping()) return n;
  std::vector<const node::member*> members;
  for (const auto& m : n.members()) members.push_back(&m);
  std::stable_sort(members.begin(), members.end(), [](const auto* a, const auto* b) { return a->key < b->key; });
  node out = node::mapping();
  for (const auto* m : members) out.add(m->key, sorted(m->value));
  return out;
}

// The module bytes come from the resolve stage (a local module, or the one in an image layout),
// read under the same confinement as render's; nothing here touches the file system.
filter_run_input input_for(const detail::filter_plan& fp, const resolved_filter& read) {
  const filter& f = *fp.f;
  filter_run_input in;
  in.module_path = f.path + ".module";
  in.config_path = f.path + ".config";
  run_options& o = in.options;
  o.root_id = fp.root_id;
  o.vm_id = fp.vm_id;
  o.plugin_name = f.name;
  if (detail::is_plugin_kind(fp.kind)) {
    in.resource = fp.kind == resource_kind::traffic_extension ? "TrafficExtension" : "WasmPlugin";
    // istiod hands Envoy pluginConfig (a protobuf Struct) as its JSON text, which its JSON
    // marshaller writes compact with object keys sorted (pilot/pkg/model/extensions.go).
    if (f.config.is_mapping() && !f.config.empty()) o.plugin_config = to_json(sorted(f.config));
  } else {
    in.resource = "EnvoyFilter";
    o.plugin_config = detail::configuration_string(f);  // the StringValue the EnvoyFilter carries
  }
  for (const auto& e : f.env) {
    if (e.from == env_source::inline_value) {
      o.env.emplace_back(e.name, e.value);
    } else if (const char* v = std::getenv(e.name.c_str())) {  // valueFrom HOST: the proxy's own env
      o.env.emplace_back(e.name, v);
    }
  }
  if (!fp.module_bytes.empty()) {
    in.module_bytes = fp.module_bytes;
  } else if (read.module) {
    in.module_bytes = *read.module;
  } else if (read.layout && read.layout->module) {
    in.module_bytes = *read.layout->module;
  }
  return in;
}

struct planned {
  resolved_inputs read;
  detail::plan p;
};

planned plan_with_inputs(const spec& s, const render_options& options, const input_access& access) {
  resolve_options files;
  files.files = access;  // never the network: running needs bytes wasmdeploy has locally
  planned out{resolve_inputs(s, files), {}};
  out.p = detail::make_plan(s, options, out.read);
  return out;
}

const resolved_filter& read_for(const spec& s, const planned& pl, const detail::filter_plan& fp) {
  return pl.read.filters[static_cast<size_t>(fp.f - s.filters.data())];
}

}  // namespace

run_options filter_run_input::deployed_with(run_options traffic) const {
  traffic.root_id = options.root_id;
  traffic.vm_id = options.vm_id;
  traffic.plugin_name = options.plugin_name;
  traffic.plugin_config = options.plugin_config;
  traffic.vm_config = options.vm_config;
  traffic.env = options.env;
  traffic.node_metadata = options.node_metadata;
  return traffic;
}

std::vector<filter_run_input> run_inputs(const spec& s, const render_options& options, const input_access& access) {
  const planned pl = plan_with_inputs(s, options, access);
  std::vector<filter_run_input> out;
  for (const auto& fp : pl.p.filters) out.push_back(input_for(fp, read_for(s, pl, fp)));
  return out;
}

std::vector<filter_run_input> run_inputs(const spec& s, const render_options& options) {
  return run_inputs(s, options, input_access{});
}

filter_run_input run_input_for(const spec& s, const std::string& filter_name, const render_options& options) {
  return run_input_for(s, filter_name, options, input_access{});
}

filter_run_input run_input_for(const spec& s, const std::string& filter_name, const render_options& options,
                               const input_access& access) {
  const planned pl = plan_with_inputs(s, options, access);
  std::string names;
  for (const auto& fp : pl.p.filters) {
    if (fp.f->name != filter_name) {
      names += (names.empty() ? "" : ", ") + fp.f->name;
      continue;
    }
    filter_run_input in = input_for(fp, read_for(s, pl, fp));
    if (in.module_bytes.empty()) {
      throw error(errc::invalid, "run.module-not-local", in.module_path,
                  "the filter's module is remote; give it as a local .wasm file or an imageLayout from "
                  "`wasmdeploy build` so wasmdeploy can run it",
                  s.position_of(in.module_path));
    }
    return in;
  }
  throw error(errc::not_found, "run.no-such-filter", "--filter",
              fmt::format("the spec has no filter named '{}' (it has: {})", filter_name, names));
}

std::vector<diagnostic> run_check(const spec& s, const render_options& options) {
  return run_check(s, options, input_access{});
}

std::vector<diagnostic> run_check(const spec& s, const render_options& options, const input_access& access) {
  std::vector<diagnostic> notes;
  for (auto& in : run_inputs(s, options, access)) {
    if (in.module_bytes.empty()) continue;  // remote modules: nothing to run here
    in.options.send_request = false;
    const run_result r = run_module(in.module_bytes, in.options);
    const std::string name = in.module_path.substr(0, in.module_path.rfind('.'));
    auto refuse = [&](const char* code, const std::string& path, const std::string& why) {
      std::string logs;
      for (const auto& l : r.logs) logs += fmt::format("; guest {}: {}", l.level, l.message);
      throw error(errc::invalid, code, path, why + logs, s.position_of(path));
    };
    if (!r.loaded) refuse("host.load", in.module_path, "the module cannot run: " + r.trap.value_or("not loaded"));
    if (r.trap) refuse("host.trap", in.module_path, fmt::format("the module trapped in {}: {}", r.trap_phase, *r.trap));
    if (!r.vm_started) refuse("host.vm-start-failed", in.module_path, "proxy_on_vm_start returned false");
    if (!r.configured) {
      refuse("host.configure-rejected", in.config_path,
             fmt::format("the module's proxy_on_configure returned false for the configuration the {} delivers ({} "
                         "bytes{}); the proxy would refuse the plugin",
                         in.resource, in.options.plugin_config.size(),
                         in.options.plugin_config.empty() ? "" : ": " + in.options.plugin_config.substr(0, 200)));
    }
    notes.push_back({severity::note, "host.configured", in.module_path,
                     fmt::format("ran vm start and configure ({}, ABI {}): accepted", r.engine, r.abi), {}});
  }
  return notes;
}

}  // namespace wasmdeploy
