// One HTTP exchange over libcurl, bounded in time and size, never following redirects itself
// (the registry client does, so it can drop credentials when a redirect leaves the host).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <wasmdeploy/resolve.hpp>

namespace wasmdeploy::resolve {

struct http_request {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  ///< "Name: value"
  std::string body;                  ///< sent for PUT/POST
  std::uint64_t max_body = 1 << 20;  ///< a longer response body is an error (registry.too-large)
};

struct http_response {
  long status = 0;
  std::map<std::string, std::string> headers;  ///< names lowercased; a repeated header keeps the first
  std::string body;
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

/// Sends the request once; connection failures and timeouts throw error{io,
/// "registry.unreachable" / "registry.timeout"}, a body over max_body error{invalid,
/// "registry.too-large"}. `what` names the request in messages.
http_response http_send(const http_request& request, const registry_options& options, const std::string& what);

/// Base64 (RFC 4648, padded) and its inverse (empty optional on malformed input).
std::string base64_encode(const std::string& bytes);
bool base64_decode(const std::string& text, std::string& out);

}  // namespace wasmdeploy::resolve
