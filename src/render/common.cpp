#include "render/common.hpp"

#include <cctype>

#include <openssl/evp.h>

namespace wasmdeploy::detail {

node owned_metadata(const std::string& name, const std::string& ns, const std::string& filter,
                    const std::string& revision) {
  node labels = make_mapping({{kManagedByLabel, "wasmdeploy"}, {kFilterLabel, filter}});
  if (!revision.empty()) labels.add("istio.io/rev", revision);
  node md = node::mapping();
  md.add("name", name);
  if (!ns.empty()) md.add("namespace", ns);
  md.add("labels", std::move(labels));
  return md;
}

document make_document(document::role role, std::string api_version, std::string kind, std::string ns,
                       std::string name, node body) {
  document d;
  d.what = role;
  d.api_version = std::move(api_version);
  d.kind = std::move(kind);
  d.ns = std::move(ns);
  d.name = std::move(name);
  d.body = std::move(body);
  std::string k;
  for (char c : d.kind) k += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const char* prefix = role == document::role::patch ? "patch-" : "";
  d.file_name = d.ns.empty() ? fmt_file(prefix, k, "", d.name) : fmt_file(prefix, k, d.ns, d.name);
  return d;
}

std::string fmt_file(const char* prefix, const std::string& kind, const std::string& ns, const std::string& name) {
  std::string out = prefix;
  out += kind;
  out += '-';
  if (!ns.empty()) {
    out += ns;
    out += '-';
  }
  out += name;
  out += ".yaml";
  return out;
}

std::string configuration_string(const filter& f) {
  if (f.config.is_null()) return {};
  if (f.config.is_string()) return f.config.as_string();
  return to_json(f.config);
}

std::string envoy_runtime(const std::string& runtime) { return "envoy.wasm.runtime." + runtime; }

std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace wasmdeploy::detail
