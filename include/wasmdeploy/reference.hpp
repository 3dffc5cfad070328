// Image references and module URLs: one parser for the spec reader, the CLI flags and the
// registry client, so a reference refused in one place is refused everywhere.
//
// Image references follow the OCI distribution reference grammar (distribution/reference
// v2.8.2 `reference.go`, the grammar in its package comment):
//   reference   := name [ ":" tag ] [ "@" digest ]
//   name        := domain "/" path-component [ "/" path-component ]*     (255 bytes at most)
//   domain      := domain-component [ "." domain-component ]* [ ":" port ]   (or [IPv6])
//   path-component := [a-z0-9]+ ( ( [_.] | "__" | "-"+ ) [a-z0-9]+ )*
//   tag         := [\w][\w.-]{0,127}
//   digest      := algorithm ":" encoded  (only sha256: 64 lowercase hex is accepted)
// wasmdeploy always takes the first component as the registry (an oci:// URL names one), and
// the port must be 1-65535. https:// URLs are checked against RFC 3986 (scheme, authority with
// a valid host and port, path/query/fragment of allowed or percent-encoded characters).
#pragma once

#include <string>
#include <string_view>

namespace wasmdeploy {

struct image_reference {
  std::string registry;    ///< host[:port], e.g. "ghcr.io", "127.0.0.1:5000"
  std::string repository;  ///< e.g. "acme/filter"
  std::string tag;         ///< empty when absent
  std::string digest;      ///< "sha256:<64 hex>", empty when absent

  /// registry/repository[:tag][@digest], without a scheme.
  std::string str() const;
  /// registry/repository@digest when a digest is known, else with the tag.
  std::string pinned(const std::string& manifest_digest) const;
  /// The tag, or the digest when there is no tag, or "latest" when neither is given.
  std::string tag_or_digest() const;
};

/// Parses a reference without a scheme ("ghcr.io/acme/f:v1", "127.0.0.1:5000/f@sha256:...").
/// `path` names the field or flag in errors.
/// @throws error{invalid, "module.bad-reference"} (name, host, port, tag) or
///   error{invalid, "module.bad-digest"}.
image_reference parse_image_reference(std::string_view text, const std::string& path);

/// Accepts "oci://..." or a bare reference.
image_reference parse_oci_url(std::string_view text, const std::string& path);

/// Checks an http:// or https:// URL against RFC 3986; throws error{invalid, "module.bad-url"}.
void check_http_url(std::string_view url, const std::string& path);

}  // namespace wasmdeploy
