// SHA-256 through OpenSSL's libcrypto (hardware-accelerated where the CPU allows).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace wasmdeploy {

using sha256_digest = std::array<std::uint8_t, 32>;

/// Lowercase 64-character hex.
std::string to_hex(const sha256_digest& d);
sha256_digest sha256(std::string_view bytes);
std::string sha256_hex(std::string_view bytes);
/// Hashes a file in large chunks without loading it whole. Throws error{io} on failure.
std::string sha256_file_hex(const std::string& path, std::uint64_t* size_out = nullptr);

/// Incremental hashing, for callers that stream.
class sha256_hasher {
 public:
  sha256_hasher();
  ~sha256_hasher();
  sha256_hasher(const sha256_hasher&) = delete;
  sha256_hasher& operator=(const sha256_hasher&) = delete;
  void update(const void* data, std::size_t len);
  sha256_digest finish();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// True when `s` is exactly 64 lowercase hex characters (what Istio's validation demands).
bool is_sha256_hex(std::string_view s) noexcept;

/// A digest as tools print it ("sha256:6B0E..." from skopeo, uppercase from some registries UIs)
/// in the form Istio demands: 64 lowercase hex characters without the prefix. Returns "" when
/// `s` is not 64 hex characters of any case after an optional "sha256:".
std::string normalized_sha256(std::string_view s);

}  // namespace wasmdeploy
