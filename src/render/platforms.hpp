// Renderers for the non-Istio platforms (wasme operator, Gloo Edge, local Envoy, Envoy Gateway,
// Higress). Each validates what it needs and throws before returning, so render() can hand the
// documents to the sink only once the whole platform render has succeeded.
#pragma once

#include <string>
#include <vector>

#include <wasmdeploy/render.hpp>
#include <wasmdeploy/resolve.hpp>

namespace wasmdeploy::detail {

/// Shared state of one platform render.
struct platform_context {
  const spec& s;
  const render_options& options;
  std::vector<diagnostic>& diagnostics;
  /// What the resolve stage read (runtime configs, local modules, the Gloo Gateway): the
  /// renderers read nothing themselves.
  const resolved_inputs& in;
  std::string version_text;  ///< the platform version used (EG), for the summary

  void note(severity level, const std::string& code, const std::string& path, const std::string& msg) const {
    diagnostics.push_back({level, code, path, msg, s.position_of(path)});
  }
};

/// The filter's root id: the spec's, else the first root id of its runtime-config.json.
std::string platform_root_id(const platform_context& c, const filter& f);
/// Whether the target applies the filter (empty target.filters = every filter).
bool target_applies(const target& t, const filter& f);
/// Refuses a field the platform cannot express: error code `<prefix>.unsupported-field`.
[[noreturn]] void unsupported(const spec& s, const std::string& prefix, const std::string& path,
                              const std::string& what);
/// google.protobuf.Any JSON for plugin configuration: a string as StringValue; a mapping as
/// StringValue holding its JSON (`struct_as_json`) or as google.protobuf.Struct.
node config_any(const filter& f, bool struct_as_json);

std::vector<document> render_filter_deployments(platform_context& c);
/// The Gloo Gateway with our filters put in (remove=false) or taken out (remove=true).
std::vector<document> render_gloo_gateway(platform_context& c, bool remove);
std::vector<document> render_envoy_bootstrap(platform_context& c);
std::vector<document> render_envoy_extension_policies(platform_context& c);
std::vector<document> render_higress_plugins(platform_context& c);

/// Dispatches to the platform's renderer. Throws before returning anything on any problem.
std::vector<document> render_platform(platform which, platform_context& c);

}  // namespace wasmdeploy::detail
