// Shared helpers for the unit tests: build specs from YAML text, catch errors, find documents.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <unistd.h>
#include <string>
#include <vector>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/node.hpp>
#include <wasmdeploy/render.hpp>
#include <wasmdeploy/spec.hpp>

namespace wdtest {

/// Runs `f`, which must throw wasmdeploy::error, and returns that error.
template <typename F>
wasmdeploy::error error_of(F&& f) {
  try {
    f();
  } catch (const wasmdeploy::error& e) {
    return e;
  }
  FAIL("expected a wasmdeploy::error, none was thrown");
  return wasmdeploy::error(wasmdeploy::errc::ok, "", "", "");
}

inline bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

/// Renders YAML spec text at a version (empty: the spec's own).
inline wasmdeploy::render_result render_text(const std::string& yaml, const std::string& istio = "",
                                             const std::string& base_dir = ".") {
  wasmdeploy::spec s = wasmdeploy::parse_spec(yaml, "test.yaml", base_dir);
  wasmdeploy::render_options o;
  o.istio = istio;
  return wasmdeploy::render(s, o);
}

/// The error rendering the spec at `istio` throws.
inline wasmdeploy::error render_error(const std::string& yaml, const std::string& istio = "",
                                      const std::string& base_dir = ".") {
  return error_of([&] { render_text(yaml, istio, base_dir); });
}

/// Documents of one kind.
inline std::vector<wasmdeploy::document> of_kind(const wasmdeploy::render_result& r, const std::string& kind) {
  std::vector<wasmdeploy::document> out;
  for (const auto& d : r.documents) {
    if (d.kind == kind) out.push_back(d);
  }
  return out;
}

/// The single document of a kind (fails the test otherwise).
inline wasmdeploy::document one(const wasmdeploy::render_result& r, const std::string& kind) {
  auto docs = of_kind(r, kind);
  REQUIRE(docs.size() == 1);
  return docs[0];
}

inline std::string yaml_of(const wasmdeploy::document& d) { return wasmdeploy::to_yaml(d.body); }

/// Follows a dotted path of mapping keys (and [i] indices written as numbers).
inline const wasmdeploy::node* at(const wasmdeploy::node& n, std::initializer_list<const char*> keys) {
  const wasmdeploy::node* cur = &n;
  for (const char* k : keys) {
    if (cur == nullptr) return nullptr;
    if (cur->is_sequence()) {
      size_t i = static_cast<size_t>(std::stoul(k));
      if (i >= cur->items().size()) return nullptr;
      cur = &cur->items()[i];
    } else {
      cur = cur->find(k);
    }
  }
  return cur;
}

inline std::vector<std::string> keys_of(const wasmdeploy::node& n) {
  std::vector<std::string> out;
  for (const auto& m : n.members()) out.push_back(m.key);
  return out;
}

inline bool has_diagnostic(const wasmdeploy::render_result& r, const std::string& code) {
  for (const auto& d : r.summary.diagnostics) {
    if (d.code == code) return true;
  }
  return false;
}

/// A fresh empty directory under the build tree, removed at scope exit. The process id keeps
/// test cases that ctest runs in parallel apart.
class temp_dir {
 public:
  explicit temp_dir(const std::string& name) {
    path_ = std::filesystem::path(WD_BINARY_DIR) / "test-tmp" / (name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

/// A valid proxy-wasm module (ABI 0.1.0 marker, malloc, memory) that every Istio from 1.5 can
/// load, padded with a custom section to `size` bytes when that is larger; `fill` varies the
/// padding so tests can make distinct modules. Render inspects local modules, so tests that
/// ship a file need a real one.
inline std::string proxy_module(size_t size = 0, char fill = 'x') {
  const std::string marker = "proxy_abi_version_0_1_0";
  std::string m("\0asm\x01\0\0\0", 8);
  m += std::string("\x01\x09\x02\x60\x00\x00\x60\x01\x7f\x01\x7f", 11);  // () -> (), (i32) -> i32
  m += std::string("\x03\x03\x02\x00\x01", 5);                              // two functions
  m += std::string("\x05\x03\x01\x00\x01", 5);                              // one memory
  std::string exports = "\x03";
  exports += static_cast<char>(marker.size()) + marker + std::string("\x00\x00", 2);
  exports += std::string("\x06malloc\x00\x01", 9);
  exports += std::string("\x06memory\x02\x00", 9);
  m += "\x07" + std::string(1, static_cast<char>(exports.size())) + exports;
  m += std::string("\x0a\x09\x02\x02\x00\x0b\x04\x00\x41\x00\x0b", 11);  // bodies
  std::string pad_payload = std::string("\x03pad", 4) + std::string(1, fill);
  auto leb = [](size_t v) {
    std::string out;
    do {
      unsigned char b = v & 0x7f;
      v >>= 7;
      out += static_cast<char>(v ? (b | 0x80) : b);
    } while (v);
    return out;
  };
  // Padding section: id 0, LEB128 length, name "pad", one fill byte, then `content` more bytes.
  const size_t want = size > m.size() ? size - m.size() : 0;
  size_t content = want;
  while (content > 0 && 1 + leb(pad_payload.size() + content).size() + pad_payload.size() + content > want) --content;
  m += '\0';
  m += leb(pad_payload.size() + content);
  m += pad_payload;
  m += std::string(content, fill);
  return m;
}

// 64-hex values used across tests.
inline const std::string kSha = "0295d929353976266ab721389ec859b2fe012d63ce2e58815469ab85c123b510";
inline const std::string kSha2 = "6b0e5e8d4b7c0a3f1b2d9c8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a";

}  // namespace wdtest
