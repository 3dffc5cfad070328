// Helpers shared by the OCI unit tests: tiny generated Wasm modules, temp dirs, error codes.
#pragma once

#include <wasmdeploy/error.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace oci_test {

/// A valid Wasm module: the 8-byte header and one custom section (id 0) named `name` holding
/// `payload`. No binaries are committed; every test builds its module here.
inline std::string tiny_module(const std::string& name = "wasmdeploy-test",
                               const std::string& payload = "hello") {
  std::string body;
  body += static_cast<char>(name.size());  // LEB128, < 128
  body += name;
  body += payload;
  std::string m("\0asm\1\0\0\0", 8);
  m += '\0';                            // custom section
  m += static_cast<char>(body.size());  // LEB128, < 128
  m += body;
  return m;
}

class temp_dir {
 public:
  temp_dir() {
    std::string templ = (std::filesystem::temp_directory_path() / "wd-oci-test-XXXXXX").string();
    path_ = ::mkdtemp(templ.data());
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return (path_ / rel).string(); }

 private:
  std::filesystem::path path_;
};

/// The dotted code of the wasmdeploy::error `f` throws, or "" when it throws nothing.
template <class F>
std::string error_code_of(F&& f) {
  try {
    f();
  } catch (const wasmdeploy::error& e) {
    return e.code();
  }
  return "";
}

}  // namespace oci_test
