// The run_result as JSON (the CLI's -o json; field names are the CLI contract) and as text.
#include <wasmdeploy/node.hpp>
#include <wasmdeploy/run.hpp>

#include <fmt/format.h>

#include "wasm/byte_reader.hpp"

namespace wasmdeploy {
namespace {

// Guest bytes need not be UTF-8; JSON must be. Bad bytes become U+FFFD.
std::string text_of(std::string_view s) {
  if (detail::is_valid_utf8(s)) return std::string(s);
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = 1;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0xf0) n = 4;
    else if (c >= 0xe0) n = 3;
    else if (c >= 0xc0) n = 2;
    if (i + n <= s.size() && detail::is_valid_utf8(s.substr(i, n)) && (n > 1 || c < 0x80)) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\xef\xbf\xbd";
      ++i;
    }
  }
  return out;
}

node pairs(const header_list& h) {
  node seq = node::sequence();
  for (const auto& [k, v] : h) seq.push(make_sequence({text_of(k), text_of(v)}));
  return seq;
}

node message(const http_message& m) {
  node n = node::mapping();
  n.add("headers", pairs(m.headers));
  n.add("body", text_of(m.body));
  return n;
}

}  // namespace

std::string format_run_json(const run_result& r) {
  node out = node::mapping();
  out.add("engine", r.engine);
  out.add("abi", r.abi.empty() ? node() : node(r.abi));
  out.add("loaded", r.loaded);
  out.add("vm_start", r.vm_started);
  out.add("configure", r.configured);
  out.add("request", r.request_sent ? message(r.request) : node());
  out.add("response", r.request_sent ? message(r.response) : node());
  if (r.reply) {
    out.add("local_reply", make_mapping({{"status", r.reply->status},
                                         {"details", text_of(r.reply->details)},
                                         {"headers", pairs(r.reply->headers)},
                                         {"body", text_of(r.reply->body)},
                                         {"grpc_status", r.reply->grpc_status}}));
  } else {
    out.add("local_reply", node());
  }
  node actions = node::sequence();
  for (const auto& a : r.actions) actions.push(text_of(a));
  out.add("actions", std::move(actions));
  node logs = node::sequence();
  for (const auto& l : r.logs) logs.push(make_mapping({{"level", l.level}, {"message", text_of(l.message)}}));
  out.add("logs", std::move(logs));
  if (r.logs_dropped_bytes) out.add("logs_dropped_bytes", static_cast<long long>(r.logs_dropped_bytes));
  node calls = node::sequence();
  for (const auto& c : r.http_calls) {
    calls.push(make_mapping({{"kind", c.kind},
                             {"upstream", text_of(c.upstream)},
                             {"headers", pairs(c.headers)},
                             {"body", text_of(c.body)},
                             {"timeout_ms", static_cast<long long>(c.timeout_ms)}}));
  }
  out.add("http_calls", std::move(calls));
  out.add("trap", r.trap ? node(text_of(*r.trap)) : node());
  if (r.trap) out.add("trap_phase", r.trap_phase);
  node missing = node::sequence();
  for (const auto& m : r.missing_imports) missing.push(m);
  out.add("missing_imports", std::move(missing));
  node diags = node::sequence();
  for (const auto& d : r.diagnostics) {
    diags.push(make_mapping({{"level", severity_name(d.level)}, {"code", d.code}, {"path", d.path}, {"message", d.message}}));
  }
  out.add("diagnostics", std::move(diags));
  return to_json_pretty(out) + "\n";
}

std::string format_run_text(const run_result& r) {
  std::string out;
  out += fmt::format("engine:     {}\n", r.engine);
  out += fmt::format("abi:        {}\n", r.abi.empty() ? "none" : r.abi);
  out += fmt::format("configure:  {}\n", r.loaded && r.vm_started ? (r.configured ? "true" : "false") : "not reached");
  for (const auto& l : r.logs) out += fmt::format("log:        [{}] {}\n", l.level, text_of(l.message));
  if (r.logs_dropped_bytes) out += fmt::format("log:        ({} more bytes dropped by the log cap)\n", r.logs_dropped_bytes);
  for (const auto& a : r.actions) out += fmt::format("action:     {}\n", text_of(a));
  for (const auto& c : r.http_calls) out += fmt::format("{} call:  {} ({} bytes)\n", c.kind, text_of(c.upstream), c.body.size());
  if (r.request_sent) {
    out += "request headers after the filter:\n";
    for (const auto& [k, v] : r.request.headers) out += fmt::format("  {}: {}\n", text_of(k), text_of(v));
    if (!r.request.body.empty()) out += fmt::format("request body: {}\n", text_of(r.request.body));
    out += "response headers after the filter:\n";
    for (const auto& [k, v] : r.response.headers) out += fmt::format("  {}: {}\n", text_of(k), text_of(v));
    if (!r.response.body.empty()) out += fmt::format("response body: {}\n", text_of(r.response.body));
  }
  if (r.reply) out += fmt::format("local reply: {} {}\n", r.reply->status, text_of(r.reply->body));
  for (const auto& m : r.missing_imports) out += fmt::format("missing:    {}\n", m);
  for (const auto& d : r.diagnostics) out += format_diagnostic(d) + "\n";
  if (r.trap) out += fmt::format("trap:       {}{}\n", r.trap_phase.empty() ? "" : "in " + r.trap_phase + ": ", text_of(*r.trap));
  return out;
}

}  // namespace wasmdeploy
