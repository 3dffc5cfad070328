// wasme's runtime-config.json, the config blob of a wasme image: compact camelCase JSON.
#include "render/common.hpp"
#include "render/renderers.hpp"

namespace wasmdeploy::detail {

document render_runtime_config(const plan& p, const spec& s, size_t filter_index) {
  (void)s;
  const filter_plan& fp = p.filters[filter_index];
  node abi = node::sequence();
  for (const auto& a : fp.abi_versions) abi.push(a);
  node roots = node::sequence();
  if (!fp.root_id.empty()) roots.push(fp.root_id);
  node cfg = make_mapping({{"type", "envoy_proxy"},
                           {"abiVersions", std::move(abi)},
                           {"config", make_mapping({{"rootIds", std::move(roots)}})}});
  document d;
  d.what = document::role::file;
  d.kind = "RuntimeConfig";
  d.name = fp.f->name;
  d.body = node(to_json(cfg));
  d.file_name = "runtime-config-" + fp.f->name + ".json";
  return d;
}

}  // namespace wasmdeploy::detail
