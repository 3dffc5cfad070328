// Bounds any engine can enforce: the module is rewritten before it is compiled so that
//  - its memory declares a maximum no larger than the cap (memory.grow beyond it returns -1,
//    as in a proxy with a memory limit), and
//  - it carries an instruction budget: an exported mutable i64 global `__wd_budget`, charged at
//    every function entry and loop head with the length of the straight-line run that follows;
//    when it goes negative the guest executes `unreachable`.
// The wasm-c-api has no fuel or interruption, so this is how a runaway filter stops.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace wasmdeploy::host {

inline constexpr const char* kBudgetGlobal = "__wd_budget";

struct rewrite_limits {
  std::uint64_t max_memory_pages = 1024;        ///< 64 MiB
  std::uint64_t instruction_budget = 500000000;  ///< charged as described above
};

/// LEB128 encoders of the module writer (also the fuzz target's module builder).
void append_uleb(std::string& out, std::uint64_t v);
void append_sleb(std::string& out, std::int64_t v);

/// The rewritten module. Throws error{errc::parse, "wasm.*" / "host.*"} on malformed input or an
/// instruction the rewriter does not know (the engine would not run it either).
std::string apply_limits(std::string_view module, const rewrite_limits& limits);

}  // namespace wasmdeploy::host
