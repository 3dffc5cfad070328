// ConfigMap holding a module as binaryData, mounted into istio-proxy through the pod's
// sidecar.istio.io/userVolume annotation (the plan refuses modules over 1 MiB).
#include "render/common.hpp"
#include "render/renderers.hpp"

namespace wasmdeploy::detail {

document render_config_map(const plan& p, const spec& s, const configmap_unit& cm) {
  (void)s;
  const filter_plan& fp = p.filters[cm.filter];
  node body = make_mapping({{"apiVersion", "v1"},
                            {"kind", "ConfigMap"},
                            {"metadata", owned_metadata(fp.configmap_name, cm.ns, fp.f->name, "")},
                            {"binaryData", make_mapping({{"plugin.wasm", base64(fp.module_bytes)}})}});
  return make_document(document::role::resource, "v1", "ConfigMap", cm.ns, fp.configmap_name, std::move(body));
}

}  // namespace wasmdeploy::detail
