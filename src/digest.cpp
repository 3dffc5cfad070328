#include <wasmdeploy/digest.hpp>
#include <wasmdeploy/error.hpp>

#include <cstdio>
#include <vector>

#include <openssl/evp.h>

namespace wasmdeploy {

struct sha256_hasher::impl {
  EVP_MD_CTX* ctx = nullptr;
};

sha256_hasher::sha256_hasher() : impl_(std::make_unique<impl>()) {
  impl_->ctx = EVP_MD_CTX_new();
  if (impl_->ctx == nullptr || EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr) != 1) {
    throw error(errc::generic, "digest.init", "", "OpenSSL could not initialise SHA-256");
  }
}

sha256_hasher::~sha256_hasher() { EVP_MD_CTX_free(impl_->ctx); }

void sha256_hasher::update(const void* data, std::size_t len) {
  if (len > 0) EVP_DigestUpdate(impl_->ctx, data, len);
}

sha256_digest sha256_hasher::finish() {
  sha256_digest out{};
  unsigned int n = 0;
  EVP_DigestFinal_ex(impl_->ctx, out.data(), &n);
  return out;
}

std::string to_hex(const sha256_digest& d) {
  static const char* kHex = "0123456789abcdef";
  std::string s(64, '0');
  for (size_t i = 0; i < d.size(); ++i) {
    s[2 * i] = kHex[d[i] >> 4];
    s[2 * i + 1] = kHex[d[i] & 0xf];
  }
  return s;
}

sha256_digest sha256(std::string_view bytes) {
  sha256_hasher h;
  h.update(bytes.data(), bytes.size());
  return h.finish();
}

std::string sha256_hex(std::string_view bytes) { return to_hex(sha256(bytes)); }

std::string sha256_file_hex(const std::string& path, std::uint64_t* size_out) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) throw error(errc::io, "io.open", path, "cannot open file for reading");
  sha256_hasher h;
  std::vector<char> buf(1 << 20);
  std::uint64_t total = 0;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) {
    h.update(buf.data(), n);
    total += n;
  }
  bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) throw error(errc::io, "io.read", path, "read failed");
  if (size_out) *size_out = total;
  return to_hex(h.finish());
}

bool is_sha256_hex(std::string_view s) noexcept {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string normalized_sha256(std::string_view s) {
  if (s.size() > 7 && (s.substr(0, 7) == "sha256:" || s.substr(0, 7) == "SHA256:")) s.remove_prefix(7);
  if (s.size() != 64) return {};
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return {};
  }
  return out;
}

}  // namespace wasmdeploy
