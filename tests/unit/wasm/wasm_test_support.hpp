// Helpers shared by the wasm unit tests: fixture lookup and a tiny module builder for inputs
// that wat2wasm refuses to produce (malformed sections, hand-made custom sections).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <wasmdeploy/file_io.hpp>

namespace wd_test {

inline std::string fixture_path(const std::string& name) {
  return std::string(WD_WASM_FIXTURES_DIR) + "/" + name + ".wasm";
}

inline std::string fixture(const std::string& name) { return wasmdeploy::read_file(fixture_path(name), SIZE_MAX); }

/// Every .wat fixture compiled by tests/wasm/CMakeLists.txt.
inline const std::vector<std::string>& fixture_names() {
  static const std::vector<std::string> names = {
      "abi_0_1_0", "abi_0_2_0", "abi_0_2_1", "abi_none", "abi_several", "abi_unknown",
      "abi_unknown_and_known", "abi_marker_not_function", "alloc_pma", "alloc_both", "alloc_none",
      "startup_start", "startup_initialize", "startup_initialize_main", "startup_initialize_ctors",
      "seed004", "abi_mismatch", "imports_odd"};
  return names;
}

inline std::string leb(std::uint64_t v) {
  std::string out;
  do {
    std::uint8_t b = v & 0x7f;
    v >>= 7;
    if (v) b |= 0x80;
    out.push_back(static_cast<char>(b));
  } while (v);
  return out;
}

inline std::string name(std::string_view s) { return leb(s.size()) + std::string(s); }

inline std::string section(std::uint8_t id, const std::string& payload) {
  return std::string(1, static_cast<char>(id)) + leb(payload.size()) + payload;
}

inline std::string custom(std::string_view section_name, const std::string& payload) {
  return section(0, name(section_name) + payload);
}

inline const std::string& header() {
  static const std::string h("\0asm\x01\0\0\0", 8);
  return h;
}

inline std::string module(const std::vector<std::string>& sections) {
  std::string out = header();
  for (const auto& s : sections) out += s;
  return out;
}

}  // namespace wd_test
