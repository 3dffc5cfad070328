// run_options from text, shared by the CLI flags, the C API and Python (one parser, one set of
// error messages).
#include <wasmdeploy/run.hpp>

#include <cctype>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <wasmdeploy/limits.hpp>

#include "json_depth.hpp"

namespace wasmdeploy {
namespace {

std::uint64_t number(const std::string& text, std::string_view field, std::uint64_t lo, std::uint64_t hi) {
  std::uint64_t v = 0;
  bool ok = !text.empty() && text.size() <= 19;
  for (char c : text) ok = ok && std::isdigit(static_cast<unsigned char>(c));
  if (ok) v = std::stoull(text);
  if (!ok || v < lo || v > hi) {
    throw error(errc::usage, "run.bad-number", std::string(field), fmt::format("'{}' is not a number in {}..{}", text, lo, hi));
  }
  return v;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

void set_run_option(run_options& o, std::string_view field, const std::string& value) {
  const std::string f(field);
  if (f == "root_id") o.root_id = value;
  else if (f == "vm_id") o.vm_id = value;
  else if (f == "plugin_name") o.plugin_name = value;
  else if (f == "config") o.plugin_config = value;
  else if (f == "config_json") {
    // As istiod delivers a WasmPlugin pluginConfig: compact JSON, object keys sorted.
    const std::uint64_t depth = (o.limits ? *o.limits : active_limits()).json_depth;
    if (detail::json_nesting(value, depth) > depth) {
      throw error(errc::usage, "json.too-deep", f, fmt::format("nested deeper than {} levels", depth));
    }
    try {
      o.plugin_config = nlohmann::json::parse(value).dump();
    } catch (const nlohmann::json::exception& e) {
      throw error(errc::usage, "run.config-json", f, fmt::format("not JSON: {}", e.what()));
    }
  } else if (f == "vm_config") o.vm_config = value;
  else if (f == "request") {
    const auto sp = value.find(' ');
    if (sp == std::string::npos || sp == 0 || value.find(' ', sp + 1) != std::string::npos || sp + 1 >= value.size() ||
        value[sp + 1] != '/') {
      throw error(errc::usage, "run.request-syntax", f, fmt::format("'{}': write METHOD /path, e.g. 'GET /productpage'", value));
    }
    o.method = value.substr(0, sp);
    o.path = value.substr(sp + 1);
  } else if (f == "authority") o.authority = value;
  else if (f == "request_body") o.request_body = value;
  else if (f == "response_status") o.response_status = static_cast<int>(number(value, f, 100, 999));
  else if (f == "response_body") o.response_body = value;
  else if (f == "http_call_status") o.http_call_response.status = static_cast<int>(number(value, f, 100, 999));
  else if (f == "http_call_body") o.http_call_response.body = value;
  else if (f == "max_memory_mib") o.max_memory_bytes = number(value, f, 1, 4096) << 20;
  else if (f == "instruction_budget") o.instruction_budget = number(value, f, 1, UINT64_C(1) << 62);
  else if (f == "timeout_ms") o.timeout_ms = number(value, f, 0, UINT64_C(1) << 40);
  else if (f == "max_value_mib") o.max_buffer_bytes = number(value, f, 1, 4096) << 20;
  else if (f == "send_request") o.send_request = value != "0" && value != "false";
  else throw error(errc::usage, "run.unknown-option", f, fmt::format("unknown run option '{}'", f));
}

void add_run_option(run_options& o, std::string_view where, const std::string& name, const std::string& value) {
  const std::string w(where);
  if (name.empty()) throw error(errc::usage, "run.empty-name", w, "a header or variable needs a name");
  if (w == "request") {
    if (lower(name) == ":authority" || lower(name) == "host") o.authority = value;
    else o.request_headers.emplace_back(lower(name), value);
  } else if (w == "response") {
    o.response_headers.emplace_back(lower(name), value);
  } else if (w == "env") {
    o.env.emplace_back(name, value);
  } else if (w == "node_metadata") {
    o.node_metadata.emplace_back(name, value);
  } else {
    throw error(errc::usage, "run.unknown-option", w, "add to \"request\", \"response\", \"env\" or \"node_metadata\"");
  }
}

}  // namespace wasmdeploy
