// The capability table seen from C: a static array of wd_capability built once.
#include <memory>

#include <wasmdeploy/capabilities.hpp>
#include <wasmdeploy/mesh_version.hpp>

#include "handles.hpp"

using namespace wasmdeploy;

namespace {

// Owns the strings the wd_capability rows point at. Built on first use; C++11 guarantees the
// function-local static is initialised once even when several threads race to it.
struct c_table {
  struct row_strings {
    std::string key, since, until, support, summary, source;
  };
  std::vector<std::unique_ptr<row_strings>> strings;
  std::vector<wd_capability> rows;

  c_table() {
    for (const capability_info& ci : capability_table()) {
      auto s = std::make_unique<row_strings>();
      s->key = std::string(ci.key);
      s->since = ci.since.str(true);
      s->until = ci.until ? ci.until->str(true) : std::string();
      s->support = describe_support(ci.id);
      s->summary = std::string(ci.summary);
      s->source = std::string(ci.source);
      rows.push_back(wd_capability{s->key.c_str(), s->since.c_str(), ci.until ? s->until.c_str() : nullptr,
                                   s->support.c_str(), s->summary.c_str(), s->source.c_str()});
      strings.push_back(std::move(s));
    }
  }
};

const c_table& table() {
  static const c_table t;
  return t;
}

size_t index_of(const char* key) {
  capi::require(key, "key");
  auto c = find_capability(key);
  if (!c)
    throw error(errc::not_found, "capability.unknown", "", std::string("unknown capability '") + key + "'");
  const auto& all = capability_table();
  for (size_t i = 0; i < all.size(); ++i)
    if (all[i].id == *c) return i;
  throw error(errc::not_found, "capability.unknown", "", std::string("unknown capability '") + key + "'");
}

}  // namespace

extern "C" {

size_t wd_capability_count(void) {
  size_t n = 0;
  capi::guard([&] { n = table().rows.size(); return WD_OK; });
  return n;
}

const wd_capability* wd_capability_at(size_t index) {
  const wd_capability* row = nullptr;
  capi::guard([&] {
    const auto& rows = table().rows;
    if (index < rows.size()) row = &rows[index];
    return WD_OK;
  });
  return row;
}

int wd_capability_find(const wd_capability** out, const char* key) {
  return capi::guard([&] {
    capi::require(out, "out");
    *out = nullptr;
    *out = &table().rows.at(index_of(key));
    return WD_OK;
  });
}

int wd_capability_supported(int* out, const char* istio, const char* key) {
  return capi::guard([&] {
    capi::require(out, "out");
    capi::require(istio, "istio");
    *out = 0;
    const capability_info& ci = capability_table().at(index_of(key));
    *out = supports(mesh_version::parse(istio), ci.id) ? 1 : 0;
    return WD_OK;
  });
}

}  // extern "C"
