// src/host/limits_rewrite.cpp: the memory cap and the instruction budget are written into the
// module so that any wasm-c-api engine enforces them; the result must read back as a valid
// module with the same imports and exports plus the budget global.
#include <catch2/catch.hpp>

#include <string>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/wasm_binary.hpp>

#include "host/limits_rewrite.hpp"

using namespace wasmdeploy;

namespace {

// (module (memory (export "memory") 2) (func (export "f") (loop (br 0))))
const std::string kLoop(
    "\0asm\x01\0\0\0"
    "\x01\x04\x01\x60\x00\x00"                       // type () -> ()
    "\x03\x02\x01\x00"                               // one function
    "\x05\x03\x01\x00\x02"                           // memory min 2, no max
    "\x07\x0e\x02\x06memory\x02\x00\x01\x66\x00\x00"  // exports memory, f
    "\x0a\x09\x01\x07\x00\x03\x40\x0c\x00\x0b\x0b",  // body: loop br 0 end end
    0x32);

}  // namespace

TEST_CASE("apply_limits caps memory and adds an exported budget global", "[host]") {
  host::rewrite_limits lim;
  lim.max_memory_pages = 16;
  lim.instruction_budget = 1000;
  const std::string out = host::apply_limits(kLoop, lim);
  const wasm_binary_info info = read_wasm_binary(out);
  REQUIRE(info.exports.size() == 3);
  CHECK(info.exports[2].name == host::kBudgetGlobal);
  CHECK(info.exports[2].kind == wasm_extern_kind::global);
  CHECK(out.size() > kLoop.size());
  // The memory section now declares max 16: flags 1, min 2, max 16.
  CHECK(out.find(std::string("\x05\x04\x01\x01\x02\x10", 6)) != std::string::npos);
}

TEST_CASE("apply_limits refuses a module whose initial memory exceeds the cap", "[host]") {
  host::rewrite_limits lim;
  lim.max_memory_pages = 1;
  try {
    host::apply_limits(kLoop, lim);
    FAIL("expected host.memory-cap");
  } catch (const error& e) {
    CHECK(e.code() == "host.memory-cap");
  }
}

TEST_CASE("apply_limits rejects truncated and unknown code instead of guessing", "[host]") {
  CHECK_THROWS_AS(host::apply_limits(kLoop.substr(0, kLoop.size() - 3), {}), error);
  std::string bad = kLoop;
  bad[bad.size() - 6] = '\x06';  // `try` (exception handling): not metered, not run
  try {
    host::apply_limits(bad, {});
    FAIL("expected host.unknown-instruction");
  } catch (const error& e) {
    CHECK(e.code() == "host.unknown-instruction");
  }
  CHECK_THROWS_AS(host::apply_limits("not wasm", {}), error);
}
