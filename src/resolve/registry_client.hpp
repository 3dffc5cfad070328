// An OCI distribution client (distribution-spec v1.0 pull and push endpoints): anonymous,
// basic and bearer-token auth from the WWW-Authenticate challenge, retries with backoff for
// connection failures, 429 and 5xx, redirects followed by hand (Authorization dropped when a
// redirect leaves the registry's host), every manifest and blob checked against its digest.
#pragma once

#include <cstdint>
#include <string>

#include <wasmdeploy/resolve.hpp>

#include "resolve/credentials.hpp"
#include "resolve/http.hpp"

namespace wasmdeploy::resolve {

struct manifest_blob {
  std::string media_type;
  std::string digest;  ///< sha256:<hex> of bytes, verified
  std::string bytes;
};

class registry_client {
 public:
  registry_client(image_reference ref, registry_options options, bool push = false);

  /// GET the manifest for `reference` (a tag or a digest); checked against the digest asked
  /// for and against Docker-Content-Digest.
  manifest_blob get_manifest(const std::string& reference);
  /// GET a blob, verified against digest and size.
  std::string get_blob(const std::string& digest, std::uint64_t size);
  /// HEAD: does the registry have the blob?
  bool has_blob(const std::string& digest);
  /// Monolithic upload (POST then PUT ?digest=).
  void put_blob(const std::string& digest, const std::string& bytes);
  /// PUT the manifest under `reference`; returns the digest the registry reports.
  std::string put_manifest(const std::string& reference, const std::string& media_type, const std::string& bytes);
  /// GET /v2/ with credentials: throws registry.unauthorized when they are refused.
  void check_login();

  const image_reference& ref() const { return ref_; }

 private:
  http_response send(http_request request, const std::string& what, bool allow_redirects = true);
  http_response send_once_with_retries(const http_request& request, const std::string& what);
  bool authenticate(const http_response& challenge, const std::string& what);
  std::string base_url() const;
  std::string absolute(const std::string& location) const;

  image_reference ref_;
  registry_options options_;
  bool push_ = false;
  credentials creds_;
  bool creds_loaded_ = false;
  std::string authorization_;  ///< "Basic ..." or "Bearer ..."
};

/// Refuses JSON nested deeper than `max_depth` before it reaches a recursive parser.
bool json_depth_within(const std::string& text, int max_depth);

}  // namespace wasmdeploy::resolve
