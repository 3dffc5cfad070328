#include "render/platforms.hpp"

#include <fmt/format.h>

#include "plan/plan.hpp"
#include "plan/plan_inputs.hpp"
#include "plan/validate.hpp"
#include "render/common.hpp"

namespace wasmdeploy::detail {

std::string platform_root_id(const platform_context& c, const filter& f) {
  if (!f.root_id.empty()) return f.root_id;
  const resolved_filter& in = c.in.filters[static_cast<size_t>(&f - c.s.filters.data())];
  if (!in.runtime_config) return f.root_id;
  filter_plan fp;
  parse_runtime_config(c.s, f, *in.runtime_config, fp);
  return fp.root_id;
}

bool target_applies(const target& t, const filter& f) {
  if (t.filters.empty()) return true;
  for (const auto& n : t.filters) {
    if (n == f.name) return true;
  }
  return false;
}

void unsupported(const spec& s, const std::string& prefix, const std::string& path, const std::string& what) {
  reject(s, prefix + ".unsupported-field", path, what);
}

node config_any(const filter& f, bool struct_as_json) {
  if (f.config.is_null()) return node();
  if (f.config.is_string() || struct_as_json) {
    return make_mapping({{"@type", kStringValueType}, {"value", configuration_string(f)}});
  }
  return make_mapping({{"@type", "type.googleapis.com/google.protobuf.Struct"}, {"value", f.config}});
}

std::vector<document> render_platform(platform which, platform_context& c) {
  validate_spec(c.s, which);
  switch (which) {
    case platform::wasme: return render_filter_deployments(c);
    case platform::gloo: return render_gloo_gateway(c, false);
    case platform::envoy: return render_envoy_bootstrap(c);
    case platform::envoy_gateway: return render_envoy_extension_policies(c);
    case platform::higress: return render_higress_plugins(c);
    case platform::istio: break;
  }
  throw error(errc::usage, "platform.internal", "options.platform", "istio is rendered by the Istio pipeline");
}

}  // namespace wasmdeploy::detail
