// Facts from the OCI distribution spec v1.0.1 (spec.md: endpoints, Docker-Content-Digest,
// Location) and distribution v2.8.2 registry/auth/token (the bearer challenge and token
// response: `token` or `access_token`).
#include "resolve/registry_client.hpp"

#include <wasmdeploy/digest.hpp>

#include <chrono>
#include <thread>

#include <curl/curl.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "json_depth.hpp"
#include "oci/media_types.hpp"

namespace wasmdeploy::resolve {
namespace {

constexpr int kMaxRedirects = 5;
constexpr std::uint64_t kMaxTokenBytes = 1 << 20;

std::string url_escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string host_of(const std::string& url) {
  std::string s = url.substr(url.find("://") == std::string::npos ? 0 : url.find("://") + 3);
  return s.substr(0, s.find_first_of("/?#"));
}

// auth-param list of a WWW-Authenticate challenge: key=value or key="quoted \" value".
std::map<std::string, std::string> challenge_params(const std::string& header, std::string& scheme) {
  std::map<std::string, std::string> params;
  size_t i = header.find(' ');
  scheme = header.substr(0, i);
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (i != std::string::npos && i < header.size()) {
    while (i < header.size() && (header[i] == ' ' || header[i] == ',')) ++i;
    size_t eq = header.find('=', i);
    if (eq == std::string::npos) break;
    std::string key = header.substr(i, eq - i);
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    i = eq + 1;
    std::string value;
    if (i < header.size() && header[i] == '"') {
      for (++i; i < header.size() && header[i] != '"'; ++i) {
        if (header[i] == '\\' && i + 1 < header.size()) ++i;
        value += header[i];
      }
      ++i;
    } else {
      size_t end = header.find(',', i);
      value = header.substr(i, end == std::string::npos ? std::string::npos : end - i);
      i = end;
    }
    params[key] = value;
  }
  return params;
}

bool retryable(long status) { return status == 429 || status >= 500; }

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

}  // namespace

bool json_depth_within(const std::string& text, int max_depth) {
  const auto limit = static_cast<std::size_t>(max_depth);
  return detail::json_nesting(text, limit) <= limit;
}

registry_client::registry_client(image_reference ref, registry_options options, bool push)
    : ref_(std::move(ref)), options_(std::move(options)), push_(push) {}

std::string registry_client::base_url() const {
  return fmt::format("{}://{}", options_.plain_http ? "http" : "https", ref_.registry);
}

std::string registry_client::absolute(const std::string& location) const {
  if (location.find("://") != std::string::npos) return location;
  if (!location.empty() && location[0] == '/') return base_url() + location;
  return base_url() + "/" + location;
}

http_response registry_client::send_once_with_retries(const http_request& request, const std::string& what) {
  long backoff = options_.retry_backoff_ms;
  for (int attempt = 0;; ++attempt) {
    try {
      http_response r = http_send(request, options_, what);
      if (!retryable(r.status) || attempt >= options_.retries) return r;
    } catch (const error& e) {
      // A timeout is not retried: a registry that hangs would multiply the wait.
      if (e.code() != "registry.unreachable" || attempt >= options_.retries) throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(backoff));
    backoff *= 2;
  }
}

http_response registry_client::send(http_request request, const std::string& what, bool allow_redirects) {
  const std::vector<std::string> base_headers = request.headers;
  bool authenticated_retry = false;
  std::string url = request.url;
  for (int hop = 0;; ++hop) {
    request.url = url;
    request.headers = base_headers;
    // Credentials go only to the registry's own host (a redirect to blob storage gets none).
    const bool same_host = host_of(url) == ref_.registry;
    if (same_host && !authorization_.empty()) request.headers.push_back("Authorization: " + authorization_);
    http_response r = send_once_with_retries(request, what);
    if (r.status == 401 && same_host && !authenticated_retry) {
      authenticated_retry = true;
      if (authenticate(r, what)) {
        --hop;
        continue;
      }
    }
    if (allow_redirects && is_redirect(r.status) && !r.header("location").empty()) {
      if (hop >= kMaxRedirects) {
        throw error(errc::invalid, "registry.protocol", "", fmt::format("{}: more than {} redirects", what, kMaxRedirects));
      }
      url = absolute(r.header("location"));
      if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
        throw error(errc::invalid, "registry.protocol", "", fmt::format("{}: redirect to a non-HTTP URL", what));
      }
      continue;
    }
    if (r.status == 401 || r.status == 403) {
      throw error(errc::invalid, "registry.unauthorized", "",
                  fmt::format("{}: the registry refused {} (HTTP {}); {}", what,
                              creds_.known() ? "the credentials" : "anonymous access", r.status,
                              creds_.known() ? "check the username and password (wasmdeploy login)"
                                             : "log in first (wasmdeploy login " + ref_.registry + ")"));
    }
    return r;
  }
}

bool registry_client::authenticate(const http_response& challenge, const std::string& what) {
  if (!creds_loaded_) {
    creds_ = find_credentials(ref_.registry, options_);
    creds_loaded_ = true;
  }
  std::string scheme;
  auto params = challenge_params(challenge.header("www-authenticate"), scheme);
  if (scheme == "basic") {
    if (!creds_.known() || authorization_.rfind("Basic ", 0) == 0) return false;
    authorization_ = "Basic " + base64_encode(creds_.username + ":" + creds_.password);
    return true;
  }
  if (scheme != "bearer" || params["realm"].empty()) return false;
  const std::string& realm = params["realm"];
  if (realm.rfind("https://", 0) != 0 && !(options_.plain_http && realm.rfind("http://", 0) == 0)) {
    throw error(errc::invalid, "registry.protocol", "",
                fmt::format("{}: the token realm {} is not https (credentials would travel in clear)", what, shorten(realm)));
  }
  std::string scope = params["scope"];
  if (scope.empty()) scope = fmt::format("repository:{}:{}", ref_.repository, push_ ? "pull,push" : "pull");
  std::string url = realm + (realm.find('?') == std::string::npos ? "?" : "&");
  if (!params["service"].empty()) url += "service=" + url_escape(params["service"]) + "&";
  url += "scope=" + url_escape(scope);
  http_request token_request;
  token_request.url = url;
  token_request.max_body = kMaxTokenBytes;
  if (creds_.known()) token_request.headers.push_back("Authorization: Basic " + base64_encode(creds_.username + ":" + creds_.password));
  http_response r = send_once_with_retries(token_request, what + " (token)");
  if (r.status == 401 || r.status == 403) {
    throw error(errc::invalid, "registry.unauthorized", "",
                fmt::format("{}: the token server refused {} (HTTP {}); check the username and password", what,
                            creds_.known() ? "the credentials" : "anonymous access", r.status));
  }
  nlohmann::json j = json_depth_within(r.body, 8) ? nlohmann::json::parse(r.body, nullptr, false) : nlohmann::json();
  std::string token;
  if (r.status == 200 && j.is_object()) {
    for (const char* key : {"token", "access_token"}) {
      if (j.contains(key) && j[key].is_string() && !j[key].get<std::string>().empty()) {
        token = j[key].get<std::string>();
        break;
      }
    }
  }
  if (token.empty()) {
    throw error(errc::invalid, "registry.protocol", "", fmt::format("{}: the token server answered HTTP {} without a token", what, r.status));
  }
  authorization_ = "Bearer " + token;
  return true;
}

void registry_client::check_login() {
  creds_ = find_credentials(ref_.registry, options_);
  creds_loaded_ = true;
  http_request request;
  request.url = base_url() + "/v2/";
  http_response r = send(request, fmt::format("GET {}/v2/", ref_.registry));
  if (r.status != 200) {
    throw error(errc::invalid, "registry.protocol", "", fmt::format("{}/v2/ answered HTTP {}", ref_.registry, r.status));
  }
  // An anonymous-friendly registry answers 200 without asking: make it check the credentials.
  if (authorization_.empty() && creds_.known()) {
    authorization_ = "Basic " + base64_encode(creds_.username + ":" + creds_.password);
    r = send(request, fmt::format("GET {}/v2/", ref_.registry));
  }
}

manifest_blob registry_client::get_manifest(const std::string& reference) {
  http_request request;
  request.url = fmt::format("{}/v2/{}/manifests/{}", base_url(), ref_.repository, reference);
  request.max_body = options_.max_manifest_bytes;
  request.headers.push_back(fmt::format("Accept: {}, {}, {}, {}", oci::kMediaManifest, oci::kMediaIndex,
                                        oci::kMediaDockerManifest, oci::kMediaDockerManifestList));
  const std::string what = fmt::format("manifest {}/{}:{}", ref_.registry, ref_.repository, reference);
  http_response r = send(request, what);
  if (r.status == 404) {
    throw error(errc::not_found, "registry.not-found", "", fmt::format("{}: the registry has no such manifest (HTTP 404)", what));
  }
  if (r.status != 200) {
    throw error(errc::invalid, "registry.protocol", "", fmt::format("{}: unexpected HTTP {}", what, r.status));
  }
  manifest_blob m;
  m.digest = "sha256:" + sha256_hex(r.body);
  const std::string claimed = r.header("docker-content-digest");
  if (!claimed.empty() && claimed != m.digest) {
    throw error(errc::invalid, "registry.digest-mismatch", "",
                fmt::format("{}: the registry says its digest is {}, but the bytes it sent hash to {}", what, shorten(claimed), m.digest));
  }
  if (reference.rfind("sha256:", 0) == 0 && reference != m.digest) {
    throw error(errc::invalid, "registry.digest-mismatch", "",
                fmt::format("{}: asked for {}, received bytes that hash to {}", what, reference, m.digest));
  }
  if (!json_depth_within(r.body, 16)) {
    throw error(errc::invalid, "registry.protocol", "", fmt::format("{}: the manifest is nested too deeply", what));
  }
  nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
  if (!j.is_object()) throw error(errc::parse, "registry.protocol", "", fmt::format("{}: the manifest is not a JSON object", what));
  if (j.contains("mediaType") && j["mediaType"].is_string()) m.media_type = j["mediaType"].get<std::string>();
  if (m.media_type.empty()) {
    m.media_type = r.header("content-type");
    m.media_type = m.media_type.substr(0, m.media_type.find(';'));
  }
  m.bytes = std::move(r.body);
  return m;
}

std::string registry_client::get_blob(const std::string& digest, std::uint64_t size) {
  const std::string what = fmt::format("blob {}/{}@{}", ref_.registry, ref_.repository, digest);
  if (digest.rfind("sha256:", 0) != 0 || !is_sha256_hex(std::string_view(digest).substr(7))) {
    throw error(errc::invalid, "registry.protocol", "", fmt::format("{}: only sha256 digests are supported", shorten(what)));
  }
  if (size > options_.max_blob_bytes) {
    throw error(errc::invalid, "registry.too-large", "",
                fmt::format("{}: {} bytes is over the limit of {} (--max-blob-bytes)", what, size, options_.max_blob_bytes));
  }
  http_request request;
  request.url = fmt::format("{}/v2/{}/blobs/{}", base_url(), ref_.repository, digest);
  request.max_body = size;
  http_response r = send(request, what);
  if (r.status == 404) throw error(errc::not_found, "registry.not-found", "", fmt::format("{}: missing (HTTP 404)", what));
  if (r.status != 200) throw error(errc::invalid, "registry.protocol", "", fmt::format("{}: unexpected HTTP {}", what, r.status));
  if (r.body.size() != size || "sha256:" + sha256_hex(r.body) != digest) {
    throw error(errc::invalid, "registry.digest-mismatch", "",
                fmt::format("{}: received {} bytes hashing to sha256:{}, not the {} bytes the manifest lists", what,
                            r.body.size(), sha256_hex(r.body), size));
  }
  return std::move(r.body);
}

bool registry_client::has_blob(const std::string& digest) {
  http_request request;
  request.method = "HEAD";
  request.url = fmt::format("{}/v2/{}/blobs/{}", base_url(), ref_.repository, digest);
  return send(request, "HEAD blob " + digest).status == 200;
}

void registry_client::put_blob(const std::string& digest, const std::string& bytes) {
  const std::string what = fmt::format("upload {} to {}/{}", digest, ref_.registry, ref_.repository);
  http_request start;
  start.method = "POST";
  start.url = fmt::format("{}/v2/{}/blobs/uploads/", base_url(), ref_.repository);
  http_response r = send(start, what, false);
  if (r.status != 202 || r.header("location").empty()) {
    throw error(errc::invalid, "registry.protocol", "", fmt::format("{}: starting the upload answered HTTP {}", what, r.status));
  }
  std::string location = absolute(r.header("location"));
  http_request put;
  put.method = "PUT";
  put.url = location + (location.find('?') == std::string::npos ? "?" : "&") + "digest=" + url_escape(digest);
  put.headers.push_back("Content-Type: application/octet-stream");
  put.body = bytes;
  r = send(put, what, false);
  if (r.status != 201) {
    throw error(errc::invalid, "registry.protocol", "", fmt::format("{}: the upload answered HTTP {}", what, r.status));
  }
}

std::string registry_client::put_manifest(const std::string& reference, const std::string& media_type, const std::string& bytes) {
  const std::string what = fmt::format("push manifest {}/{}:{}", ref_.registry, ref_.repository, reference);
  http_request put;
  put.method = "PUT";
  put.url = fmt::format("{}/v2/{}/manifests/{}", base_url(), ref_.repository, reference);
  put.headers.push_back("Content-Type: " + media_type);
  put.body = bytes;
  http_response r = send(put, what, false);
  if (r.status != 201) {
    throw error(errc::invalid, "registry.protocol", "",
                fmt::format("{}: HTTP {}: {}", what, r.status, shorten(r.body, 200)));
  }
  const std::string expected = "sha256:" + sha256_hex(bytes);
  const std::string claimed = r.header("docker-content-digest");
  if (!claimed.empty() && claimed != expected) {
    throw error(errc::invalid, "registry.digest-mismatch", "",
                fmt::format("{}: the registry stored {} for a manifest whose digest is {}", what, shorten(claimed), expected));
  }
  return expected;
}

}  // namespace wasmdeploy::resolve
