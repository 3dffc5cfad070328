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

// 64-hex values used across tests.
inline const std::string kSha = "0295d929353976266ab721389ec859b2fe012d63ce2e58815469ab85c123b510";
inline const std::string kSha2 = "6b0e5e8d4b7c0a3f1b2d9c8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a";

}  // namespace wdtest
