#include <catch2/catch.hpp>

#include <cstdio>
#include <memory>
#include <set>
#include <string>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/limits.hpp>
#include <wasmdeploy/wasm_binary.hpp>

#include "unit/wasm/wasm_test_support.hpp"

using namespace wasmdeploy;
using namespace wd_test;
using namespace std::string_literals;

namespace {

/// Runs the reader and returns the error it throws (failing the test if it does not).
error parse_error(const std::string& bytes) {
  try {
    read_wasm_binary(bytes);
  } catch (const error& e) {
    return e;
  }
  FAIL("read_wasm_binary accepted malformed input");
  throw;  // unreachable
}

void check_error(const std::string& bytes, const std::string& code, std::size_t offset) {
  const error e = parse_error(bytes);
  INFO(e.what());
  CHECK(e.category() == errc::parse);
  CHECK(e.code() == code);
  CHECK(e.message().find("at byte " + std::to_string(offset) + " ") == 0);
}

const std::string kEmptyType = section(1, leb(1) + "\x60\x00\x00"s);  // one type: () -> ()

}  // namespace

TEST_CASE("reads imports, exports and counts of a fixture", "[wasm_binary]") {
  const auto info = read_wasm_binary(fixture("abi_0_2_0"));
  CHECK(info.version == 1);
  REQUIRE(info.imports.size() == 3);
  CHECK(info.imports[0].module == "env");
  CHECK(info.imports[0].field == "proxy_log");
  CHECK(info.imports[1].field == "proxy_continue_stream");
  CHECK(info.imports[2].field == "proxy_close_stream");
  CHECK(info.imports[1].kind == wasm_extern_kind::function);
  CHECK(info.imported_functions == 3);
  CHECK(info.defined_functions == 3);  // marker, malloc, proxy_on_context_create
  CHECK(info.defined_memories == 1);
  REQUIRE(info.exports.size() == 4);
  CHECK(info.exports[0].name == "proxy_abi_version_0_2_0");
  CHECK(info.exports[2].name == "memory");
  CHECK(info.exports[2].kind == wasm_extern_kind::memory);
  REQUIRE(info.module_name);
  CHECK(*info.module_name == "abi_0_2_0");
  CHECK(info.function_names == 5);  // $log $cont $close $malloc $ctx (the marker is unnamed)
  CHECK(info.warnings.empty());
}

TEST_CASE("an empty module is valid", "[wasm_binary]") {
  const auto info = read_wasm_binary(header());
  CHECK(info.sections.empty());
  CHECK(info.imports.empty());
}

TEST_CASE("producers and name sections are parsed; other custom sections listed", "[wasm_binary]") {
  const std::string producers = leb(2) + name("language") + leb(1) + name("C") + name("") +
                                name("processed-by") + leb(2) + name("clang") + name("14.0.6") +
                                name("wasm-opt") + name("116");
  const std::string names = "\x00"s + leb(name("filter").size()) + name("filter");
  const auto info = read_wasm_binary(module({custom("producers", producers), custom("name", names),
                                             custom("sourceMappingURL", "abc")}));
  REQUIRE(info.producers.size() == 2);
  CHECK(info.producers[0].name == "language");
  CHECK(info.producers[0].values[0].name == "C");
  CHECK(info.producers[1].values[1].name == "wasm-opt");
  CHECK(info.producers[1].values[1].version == "116");
  CHECK(info.module_name == std::optional<std::string>("filter"));
  REQUIRE(info.sections.size() == 3);
  CHECK(info.sections[2].name == "sourceMappingURL");
  CHECK(info.sections[2].size == 1 + 16 + 3);
}

TEST_CASE("a malformed producers section is a warning, not an error", "[wasm_binary]") {
  const auto info = read_wasm_binary(module({custom("producers", leb(3) + name("language"))}));
  REQUIRE(info.warnings.size() == 1);
  CHECK(info.warnings[0].level == severity::warning);
  CHECK(info.warnings[0].message.find("producers") != std::string::npos);
}

TEST_CASE("code bodies are skipped, not decoded", "[wasm_binary]") {
  // A code section whose single body is garbage: the reader must not look inside.
  const std::string code = leb(1) + leb(4) + "\xff\xff\xff\xff"s;
  const auto info = read_wasm_binary(module({kEmptyType, section(3, leb(1) + leb(0)), section(10, code)}));
  CHECK(info.defined_functions == 1);
}

TEST_CASE("header errors", "[wasm_binary][errors]") {
  check_error("", "wasm.truncated", 0);
  check_error(std::string("\0as", 3), "wasm.truncated", 0);
  check_error("MZ\x90\x01xxxx"s, "wasm.bad-magic", 0);
  CHECK(parse_error("(module)").message().find("wat2wasm") != std::string::npos);
  check_error("\0asm\x01\0\0"s, "wasm.truncated", 4);
  check_error("\0asm\x02\0\0\0"s, "wasm.unsupported-version", 4);
  CHECK(parse_error("\0asm\x0d\0\x01\0"s).message().find("component") != std::string::npos);
}

TEST_CASE("section errors carry the byte offset", "[wasm_binary][errors]") {
  SECTION("size past the end") { check_error(header() + "\x01\x10\x00"s, "wasm.section-overflow", 9); }
  SECTION("size truncated") { check_error(header() + "\x01\x80"s, "wasm.truncated", 9); }
  SECTION("LEB128 longer than 5 bytes") {
    check_error(header() + "\x01\x80\x80\x80\x80\x80\x00"s, "wasm.leb128-too-long", 9);
  }
  SECTION("LEB128 over 32 bits") { check_error(header() + "\x01\xff\xff\xff\xff\x7f"s, "wasm.leb128-overflow", 9); }
  SECTION("non-minimal LEB128 within 5 bytes is valid") {
    CHECK_NOTHROW(read_wasm_binary(header() + "\x00\x81\x80\x80\x80\x00\x00"s));
  }
  SECTION("unknown id") { check_error(header() + section(14, ""), "wasm.unknown-section", 8); }
  SECTION("duplicate") {
    check_error(module({kEmptyType, kEmptyType}), "wasm.duplicate-section", 8 + kEmptyType.size());
  }
  SECTION("out of order") {
    check_error(module({section(7, leb(0)), section(2, leb(0))}), "wasm.section-order", 11);
  }
  SECTION("trailing bytes") {
    check_error(module({section(7, leb(0) + "zz")}), "wasm.section-size-mismatch", 11);
  }
  SECTION("entry runs past its section") {
    // The export section says 4 bytes, but its one entry needs more; the file continues.
    check_error(header() + "\x07\x04\x01\x05"s + "hello" + "\x00\x00"s,
                "wasm.section-overrun", 12);
  }
  SECTION("functions without code") {
    check_error(module({kEmptyType, section(3, leb(1) + leb(0))}), "wasm.function-code-mismatch",
                8 + kEmptyType.size());
  }
  SECTION("code count differs") {
    check_error(module({kEmptyType, section(3, leb(1) + leb(0)), section(10, leb(2) + "\x01\x0b\x01\x0b"s)}),
                "wasm.function-code-mismatch", 8 + kEmptyType.size() + 4 + 2);
  }
  SECTION("too many sections") {
    std::string m = header();
    for (unsigned i = 0; i <= WD_MAX_WASM_SECTIONS; ++i) m += custom("", "");
    check_error(m, "wasm.too-many-sections", 8 + 3 * WD_MAX_WASM_SECTIONS);
  }
}

TEST_CASE("import and export entry errors", "[wasm_binary][errors]") {
  const std::size_t payload = 10;  // header (8) + id + one-byte size
  SECTION("huge count") {
    check_error(module({section(2, leb(0xffffffffu))}), "wasm.too-many-imports", payload);
  }
  SECTION("count larger than the section can hold") {
    check_error(module({section(2, leb(5000) + "abc")}), "wasm.count-exceeds-size", payload);
  }
  SECTION("name longer than the limit") {
    check_error(module({section(2, leb(1) + leb(WD_MAX_WASM_NAME_BYTES + 1) + "x")}),
                "wasm.name-too-long", payload + 1);
  }
  SECTION("name not UTF-8") {
    check_error(module({section(2, leb(1) + name("\xc0\xaf"s) + name("f") + "\x00\x00"s)}),
                "wasm.invalid-utf8", payload + 1);
  }
  SECTION("unknown import kind") {
    check_error(module({section(2, leb(1) + name("env") + name("f") + "\x07\x00"s)}),
                "wasm.bad-import-kind", payload + 1 + 4 + 2);
  }
  SECTION("bad limits flags") {
    check_error(module({section(2, leb(1) + name("env") + name("m") + "\x02\x10\x00"s)}),
                "wasm.bad-limits", payload + 1 + 4 + 2 + 1);
  }
  SECTION("bad global type") {
    check_error(module({section(2, leb(1) + name("env") + name("g") + "\x03\x40\x00"s)}),
                "wasm.bad-value-type", payload + 1 + 4 + 2 + 1);
  }
  SECTION("unknown export kind") {
    check_error(module({section(7, leb(1) + name("f") + "\x09\x00"s)}), "wasm.bad-export-kind", payload + 1 + 2);
  }
  SECTION("duplicate export name") {
    check_error(module({section(7, leb(2) + name("f") + "\x02\x00"s + name("f") + "\x02\x00"s)}),
                "wasm.duplicate-export", payload + 1 + 4);
  }
  SECTION("every import kind parses") {
    const std::string imports = leb(5) + name("env") + name("f") + "\x00\x00"s +  // func
                                name("env") + name("t") + "\x01\x70\x00\x01"s +     // table funcref
                                name("env") + name("m") + "\x02\x05\x01\x02"s +     // memory64 with max
                                name("env") + name("g") + "\x03\x7f\x01"s +         // mutable i32
                                name("env") + name("e") + "\x04\x00\x00"s;          // tag
    const auto info = read_wasm_binary(module({section(2, imports)}));
    REQUIRE(info.imports.size() == 5);
    CHECK(info.imports[2].kind == wasm_extern_kind::memory);
    CHECK(info.imported_memories == 1);
    CHECK(info.imported_functions == 1);
  }
}

TEST_CASE("every truncation and byte corruption of every fixture is rejected cleanly", "[wasm_binary][robust]") {
  for (const auto& fx : fixture_names()) {
    const std::string bytes = fixture(fx);
    const auto full = read_wasm_binary(bytes);
    std::set<std::size_t> boundaries = {8};
    for (const auto& s : full.sections) boundaries.insert(s.payload_offset + s.size);
    for (std::size_t len = 0; len < bytes.size(); ++len) {
      INFO(fx << " truncated to " << len);
      try {
        read_wasm_binary(bytes.substr(0, len));
        // Only a cut exactly between sections leaves a well-formed module (or one whose code
        // section is missing, which must be reported instead).
        CHECK(boundaries.count(len) == 1);
      } catch (const error& e) {
        CHECK(e.category() == errc::parse);
        CHECK(e.code().rfind("wasm.", 0) == 0);
      }
    }
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      for (char garbage : {'\xff', '\x00', '\x80'}) {
        std::string bad = bytes;
        bad[i] = garbage;
        try {
          read_wasm_binary(bad);
        } catch (const error& e) {
          INFO(fx << " byte " << i << ": " << e.what());
          CHECK(e.category() == errc::parse);
        }
      }
    }
  }
}

// ---- cross-check against wabt ------------------------------------------------------------

#ifdef WD_WASM_OBJDUMP
namespace {

struct listing {
  std::multiset<std::string> imports;  // "env.proxy_log"
  std::multiset<std::string> exports;  // "func:malloc"
};

std::string run(const std::string& cmd) {
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  REQUIRE(p);
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p.get())) > 0) out.append(buf, n);
  return out;
}

// Parses the Import/Export parts of `wasm-objdump -x`:
//   " - func[1] sig=1 <proxy_log> <- env.proxy_log"
//   " - memory[0] -> \"memory\""
listing objdump_listing(const std::string& path) {
  const std::string out = run(std::string(WD_WASM_OBJDUMP) + " -x '" + path + "' 2>&1");
  listing l;
  std::string part;
  std::size_t pos = 0;
  while (pos < out.size()) {
    std::size_t eol = out.find('\n', pos);
    if (eol == std::string::npos) eol = out.size();
    const std::string line = out.substr(pos, eol - pos);
    pos = eol + 1;
    if (!line.empty() && line[0] != ' ') {
      part = line.substr(0, line.find('['));
      continue;
    }
    if (line.rfind(" - ", 0) != 0) continue;
    const std::string kind = line.substr(3, line.find('[') - 3);
    if (part == "Import") {
      l.imports.insert(line.substr(line.rfind("<- ") + 3));
    } else if (part == "Export") {
      const auto q = line.find("-> \"");
      l.exports.insert(kind + ":" + line.substr(q + 4, line.size() - q - 5));
    }
  }
  return l;
}

listing our_listing(const std::string& path) {
  const auto info = read_wasm_binary(read_file(path, SIZE_MAX));
  listing l;
  for (const auto& i : info.imports) l.imports.insert(i.module + "." + i.field);
  for (const auto& e : info.exports) l.exports.insert(std::string(wasm_extern_kind_name(e.kind)) + ":" + e.name);
  return l;
}

}  // namespace

TEST_CASE("import/export listing matches wasm-objdump -x", "[wasm_binary][wabt]") {
  std::vector<std::string> paths;
  for (const auto& fx : fixture_names()) paths.push_back(fixture_path(fx));
#ifdef WD_REAL_FILTER_WASM
  paths.push_back(WD_REAL_FILTER_WASM);
#endif
  for (const auto& p : paths) {
    INFO(p);
    const auto theirs = objdump_listing(p);
    const auto ours = our_listing(p);
    CHECK(!theirs.exports.empty());
    CHECK(ours.imports == theirs.imports);
    CHECK(ours.exports == theirs.exports);
  }
}
#else
TEST_CASE("import/export listing matches wasm-objdump -x", "[wasm_binary][wabt]") {
  WARN("SKIPPED: wasm-objdump unavailable (install wabt)");
  FAIL("wasm-objdump is required for the cross-check");
}
#endif
