// The C face of the resolve stage (capi/include/wasmdeploy/resolve.h).
#include <wasmdeploy/node.hpp>
#include <wasmdeploy/resolve.hpp>

#include <memory>

#include "handles.hpp"

struct wd_resolve_options {
  wasmdeploy::resolve_options impl;
};

struct wd_resolved_image {
  wasmdeploy::resolved_image impl;
  std::string pinned;
  std::string manifest_digest;
};

using namespace wasmdeploy;

int wd_resolve_options_new(wd_resolve_options** out) {
  return capi::guard([&] {
    capi::require(out, "out");
    *out = nullptr;
    *out = new wd_resolve_options{};
    return WD_OK;
  });
}

void wd_resolve_options_free(wd_resolve_options* opts) { delete opts; }

int wd_resolve_options_allow_path(wd_resolve_options* opts, const char* dir) {
  return capi::guard([&] {
    capi::require(opts, "opts");
    capi::require(dir, "dir");
    opts->impl.files.allowed_paths.emplace_back(dir);
    return WD_OK;
  });
}

int wd_resolve_options_set_allow_outside_spec_dir(wd_resolve_options* opts, int allow) {
  return capi::guard([&] {
    capi::require(opts, "opts");
    opts->impl.files.allow_outside_spec_dir = allow != 0;
    return WD_OK;
  });
}

int wd_resolve_options_set_credentials(wd_resolve_options* opts, const char* username, const char* password) {
  return capi::guard([&] {
    capi::require(opts, "opts");
    opts->impl.registry.username = username ? username : "";
    opts->impl.registry.password = password ? password : "";
    return WD_OK;
  });
}

int wd_resolve_options_set_docker_config(wd_resolve_options* opts, const char* path) {
  return capi::guard([&] {
    capi::require(opts, "opts");
    opts->impl.registry.docker_config = path ? path : "";
    return WD_OK;
  });
}

int wd_resolve_options_set_docker_config_json(wd_resolve_options* opts, const char* json, size_t len) {
  return capi::guard([&] {
    capi::require(opts, "opts");
    opts->impl.registry.docker_config_json = json ? std::string(json, len) : std::string();
    return WD_OK;
  });
}

int wd_resolve_options_set_tls(wd_resolve_options* opts, int insecure, int plain_http, const char* ca_file) {
  return capi::guard([&] {
    capi::require(opts, "opts");
    opts->impl.registry.insecure = insecure != 0;
    opts->impl.registry.plain_http = plain_http != 0;
    opts->impl.registry.ca_file = ca_file ? ca_file : "";
    return WD_OK;
  });
}

int wd_resolve_options_set_timeouts(wd_resolve_options* opts, long connect_ms, long request_ms, int retries) {
  return capi::guard([&] {
    capi::require(opts, "opts");
    if (connect_ms <= 0 || request_ms <= 0 || retries < 0 || retries > 10) {
      throw error(errc::usage, "capi.bad-integer", "timeouts", "timeouts must be > 0 ms and retries 0-10");
    }
    opts->impl.registry.connect_timeout_ms = connect_ms;
    opts->impl.registry.timeout_ms = request_ms;
    opts->impl.registry.retries = retries;
    return WD_OK;
  });
}

int wd_resolve_options_set_max_blob_bytes(wd_resolve_options* opts, uint64_t max_bytes) {
  return capi::guard([&] {
    capi::require(opts, "opts");
    if (max_bytes == 0) throw error(errc::usage, "capi.bad-integer", "max_bytes", "the blob limit must be > 0");
    opts->impl.registry.max_blob_bytes = max_bytes;
    return WD_OK;
  });
}

int wd_resolve_image(wd_resolved_image** out, const char* reference, const wd_resolve_options* opts) {
  return capi::guard([&] {
    capi::require(out, "out");
    *out = nullptr;
    capi::require(reference, "reference");
    const registry_options settings = opts ? opts->impl.registry : registry_options{};
    auto img = std::make_unique<wd_resolved_image>();
    img->impl = resolve_image(reference, settings);
    img->pinned = img->impl.pinned();
    *out = img.release();
    return WD_OK;
  });
}

void wd_resolved_image_free(wd_resolved_image* img) { delete img; }

const char* wd_resolved_image_manifest_digest(const wd_resolved_image* img) {
  return img ? img->impl.manifest_digest.c_str() : "";
}
const char* wd_resolved_image_module_sha256(const wd_resolved_image* img) {
  return img ? img->impl.module_sha256.c_str() : "";
}
const char* wd_resolved_image_pinned(const wd_resolved_image* img) { return img ? img->pinned.c_str() : ""; }
const char* wd_resolved_image_variant(const wd_resolved_image* img) {
  return img ? layout_kind_name(img->impl.kind) : "";
}

int wd_resolved_image_json(wd_buf* out, const wd_resolved_image* img) {
  return capi::guard([&] {
    capi::require(out, "out");
    capi::require(img, "img");
    // The bytes of `wasmdeploy resolve -o json`: one trailing newline.
    std::string text = to_json_pretty(resolved_image_data(img->impl));
    if (text.empty() || text.back() != '\n') text += '\n';
    capi::fill_buf(out, text);
    return WD_OK;
  });
}

int wd_render_options_set_resolve(wd_render_options* opts, const wd_resolve_options* resolve, int network) {
  return capi::guard([&] {
    capi::require(opts, "opts");
    opts->inputs = resolve ? resolve->impl : resolve_options{};
    opts->inputs.network = network != 0;
    return WD_OK;
  });
}
