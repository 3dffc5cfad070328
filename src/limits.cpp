#include <wasmdeploy/limits.hpp>

#include <charconv>
#include <utility>

#include <fmt/format.h>

#include <wasmdeploy/error.hpp>

namespace wasmdeploy {

namespace {

using field = std::uint64_t limits::*;

// One row per field of `limits`: the name every interface uses for it.
const std::vector<std::pair<std::string, field>>& fields() {
  static const std::vector<std::pair<std::string, field>> table = {
      {"json_depth", &limits::json_depth},
      {"spec_depth", &limits::spec_depth},
      {"spec_nodes", &limits::spec_nodes},
      {"spec_bytes", &limits::spec_bytes},
      {"string_bytes", &limits::string_bytes},
      {"alias_expansion_bytes", &limits::alias_expansion_bytes},
      {"oci_json_bytes", &limits::oci_json_bytes},
      {"wasm_module_bytes", &limits::wasm_module_bytes},
      {"wasm_sections", &limits::wasm_sections},
      {"wasm_imports", &limits::wasm_imports},
      {"wasm_exports", &limits::wasm_exports},
      {"wasm_entries", &limits::wasm_entries},
      {"wasm_name_bytes", &limits::wasm_name_bytes},
      {"wasm_producers_entries", &limits::wasm_producers_entries},
      {"filters", &limits::filters},
      {"targets", &limits::targets},
      {"workloads", &limits::workloads},
      {"env_entries", &limits::env_entries},
      {"placements", &limits::placements},
      {"import_documents", &limits::import_documents},
  };
  return table;
}

field field_named(std::string_view name, const std::string& flag) {
  // Accept the CLI's dashes too: --limit json-depth=128.
  std::string key(name);
  for (char& c : key) c = c == '-' ? '_' : c;
  for (const auto& [n, f] : fields()) {
    if (n == key) return f;
  }
  std::string hint;
  for (const auto& [n, f] : fields()) {
    if (n.find(key) != std::string::npos || (!key.empty() && key.find(n) != std::string::npos)) {
      hint = fmt::format(" (did you mean {}?)", n);
      break;
    }
  }
  throw error(errc::usage, "limits.unknown", flag,
              fmt::format("no limit called '{}'{}; the limits are: {}", name, hint, fmt::join(limit_names(), ", ")));
}

thread_local const limits* current = nullptr;

}  // namespace

const std::vector<std::string>& limit_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& [n, f] : fields()) out.push_back(n);
    return out;
  }();
  return names;
}

void set_limit(limits& l, std::string_view name, std::uint64_t value) {
  const field f = field_named(name, std::string(name));
  if (value == 0) {
    throw error(errc::usage, "limits.bad-value", std::string(name), "a limit must be a positive integer");
  }
  l.*f = value;
}

std::uint64_t get_limit(const limits& l, std::string_view name) { return l.*field_named(name, std::string(name)); }

void set_limit_from_text(limits& l, std::string_view assignment, const std::string& flag) {
  const auto eq = assignment.find('=');
  if (eq == std::string_view::npos) {
    throw error(errc::usage, "limits.bad-value", flag,
                fmt::format("'{}' is not NAME=VALUE (e.g. json_depth=128)", assignment));
  }
  const std::string_view name = assignment.substr(0, eq);
  const std::string_view text = assignment.substr(eq + 1);
  const field f = field_named(name, flag);
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || value == 0) {
    throw error(errc::usage, "limits.bad-value", flag,
                fmt::format("{}: '{}' is not a positive integer below 2^64", name, text));
  }
  l.*f = value;
}

const limits& active_limits() noexcept {
  static const limits defaults;
  return current ? *current : defaults;
}

limits_scope::limits_scope(const limits& l) noexcept : previous_(current) { current = &l; }

limits_scope::~limits_scope() { current = previous_; }

}  // namespace wasmdeploy
