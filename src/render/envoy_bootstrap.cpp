// A complete Envoy v3 bootstrap for running filters locally (`envoy -c bootstrap.yaml`): an
// admin listener on 127.0.0.1, one HTTP listener whose connection manager runs the Wasm
// filters (in spec order) before the router, and a route to one upstream cluster. Modules are
// read from local paths. This replaces `wasme deploy envoy`, whose bootstrap used xDS v2 types
// that current Envoy rejects.
#include <charconv>

#include <fmt/format.h>


#include "plan/validate.hpp"
#include "render/common.hpp"
#include "render/platforms.hpp"

namespace wasmdeploy::detail {
namespace {

constexpr const char* kPrefix = "envoy";

node socket(const std::string& address, std::uint32_t port) {
  return make_mapping({{"socket_address", make_mapping({{"address", address}, {"port_value", port}})}});
}

std::string module_path(const platform_context& c, const filter& f) {
  const spec& s = c.s;
  if (f.module.in_proxy()) return f.module.url;
  if (!f.module.is_local()) {
    reject(s, "envoy.module-source", f.path + ".module",
           "the local Envoy bootstrap loads the module from a file: give a .wasm path (or file:///path)");
  }
  std::string path = f.module.url;
  if (path[0] != '/' && !s.base_dir.empty() && s.base_dir != ".") path = s.base_dir + "/" + path;
  // The resolve stage has read it (confined, bounded): a missing module fails now, not when Envoy starts.
  if (path[0] != '/') {
    c.note(severity::note, "envoy.relative-path", f.path + ".module",
           fmt::format("{} is relative: Envoy resolves it against its working directory", path));
  }
  return path;
}

node wasm_filter(const platform_context& c, const filter& f) {
  const spec& s = c.s;
  if (f.type == filter_type::network) unsupported(s, kPrefix, f.path + ".type", "the bootstrap runs HTTP filters");
  if (f.fail == fail_strategy::fail_reload) unsupported(s, kPrefix, f.path + ".failStrategy", "FAIL_RELOAD is Istio's");
  if (!f.pull_secret.empty()) unsupported(s, kPrefix, f.path + ".imagePullSecret", "modules are local files");
  node cfg = wasm_plugin_config(f, platform_root_id(c, f), f.vm_id.empty() ? f.name : f.vm_id,
                                make_mapping({{"local", make_mapping({{"filename", module_path(c, f)}})}}));
  return make_mapping({{"name", f.name}, {"typed_config", make_mapping({{"@type", kWasmHttpType}, {"config", std::move(cfg)}})}});
}

}  // namespace

std::vector<document> render_envoy_bootstrap(platform_context& c) {
  const spec& s = c.s;
  const auto& o = s.options;
  const std::string& up = o.envoy_upstream;
  auto colon = up.rfind(':');
  std::uint32_t port = 0;
  if (colon == std::string::npos || colon == 0 ||
      std::from_chars(up.data() + colon + 1, up.data() + up.size(), port).ec != std::errc() || port == 0 ||
      port > 65535) {
    reject(s, "envoy.upstream", "options.envoy.upstream", fmt::format("'{}' is not host:port", up));
  }
  for (auto [p, path] : {std::pair{o.envoy_listen_port, "options.envoy.listenPort"}, {o.envoy_admin_port, "options.envoy.adminPort"}}) {
    if (p < 1 || p > 65535) reject(s, "envoy.port-range", path, fmt::format("port {} is outside 1-65535", p));
  }
  if (o.envoy_listen_port == o.envoy_admin_port) {
    reject(s, "envoy.port-conflict", "options.envoy.adminPort", "the admin and listener ports must differ");
  }
  const std::string host = up.substr(0, colon);

  node http_filters = node::sequence();
  for (const auto& f : s.filters) http_filters.push(wasm_filter(c, f));
  http_filters.push(make_mapping(
      {{"name", "envoy.filters.http.router"},
       {"typed_config", make_mapping({{"@type", "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}})}}));
  node route_config = make_mapping(
      {{"name", "local_route"},
       {"virtual_hosts",
        make_sequence({make_mapping({{"name", "upstream"},
                                     {"domains", make_sequence({"*"})},
                                     {"routes", make_sequence({make_mapping({{"match", make_mapping({{"prefix", "/"}})},
                                                                             {"route", make_mapping({{"cluster", "upstream"}})}})})}})})}});
  node hcm = make_mapping(
      {{"name", "envoy.filters.network.http_connection_manager"},
       {"typed_config",
        make_mapping({{"@type", "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"},
                      {"stat_prefix", "ingress_http"},
                      {"route_config", std::move(route_config)},
                      {"http_filters", std::move(http_filters)}})}});
  node listener = make_mapping({{"name", "listener_0"},
                                {"address", socket("0.0.0.0", o.envoy_listen_port)},
                                {"filter_chains", make_sequence({make_mapping({{"filters", make_sequence({std::move(hcm)})}})})}});
  node endpoint = make_mapping({{"endpoint", make_mapping({{"address", socket(host, port)}})}});
  node cluster = make_mapping(
      {{"name", "upstream"},
       {"type", "STRICT_DNS"},
       {"connect_timeout", "5s"},
       {"load_assignment", make_mapping({{"cluster_name", "upstream"},
                                         {"endpoints", make_sequence({make_mapping({{"lb_endpoints", make_sequence({std::move(endpoint)})}})})}})}});
  node bootstrap = make_mapping(
      {{"admin", make_mapping({{"address", socket("127.0.0.1", o.envoy_admin_port)}})},
       {"static_resources", make_mapping({{"listeners", make_sequence({std::move(listener)})},
                                          {"clusters", make_sequence({std::move(cluster)})}})}});
  document d;
  d.what = document::role::file;
  d.kind = "EnvoyBootstrap";
  d.name = "envoy";
  d.body = node(to_yaml(bootstrap));
  d.file_name = "envoy-bootstrap.yaml";
  return {d};
}

}  // namespace wasmdeploy::detail
