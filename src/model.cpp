#include <wasmdeploy/digest.hpp>
#include <wasmdeploy/choices.hpp>
#include <wasmdeploy/model.hpp>
#include <wasmdeploy/reference.hpp>

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

namespace wasmdeploy {
namespace {

template <typename E, size_t N>
using name_table = std::array<std::pair<E, std::string_view>, N>;

template <typename E, size_t N>
std::string_view name_of(const name_table<E, N>& t, E v) {
  for (const auto& [e, s] : t) {
    if (e == v) return s;
  }
  return "?";
}

// Matching is case-insensitive so CLI users can write "fail_open" or "deployment"; manifests
// always get the canonical spelling.
std::string fold(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '_' || c == '-') continue;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

template <typename E, size_t N>
E value_of(const name_table<E, N>& t, std::string_view s, std::string_view what, const std::string& path) {
  const std::string f = fold(s);
  for (const auto& [e, name] : t) {
    if (fold(name) == f) return e;
  }
  std::string choices;
  for (const auto& [e, name] : t) {
    if (!choices.empty()) choices += ", ";
    choices += name;
  }
  throw error(errc::invalid, fmt::format("{}.unknown-value", what), path,
              fmt::format("'{}' is not a valid {}; expected one of: {}", shorten(s), what, choices));
}

const name_table<filter_type, 2> kFilterType{{{filter_type::http, "HTTP"}, {filter_type::network, "NETWORK"}}};
const name_table<fail_strategy, 3> kFail{{{fail_strategy::fail_close, "FAIL_CLOSE"},
                                          {fail_strategy::fail_open, "FAIL_OPEN"},
                                          {fail_strategy::fail_reload, "FAIL_RELOAD"}}};
const name_table<pull_policy, 2> kPull{{{pull_policy::if_not_present, "IfNotPresent"},
                                        {pull_policy::always, "Always"}}};
const name_table<plugin_phase, 3> kPhase{{{plugin_phase::authn, "AUTHN"},
                                          {plugin_phase::authz, "AUTHZ"},
                                          {plugin_phase::stats, "STATS"}}};
const name_table<delivery, 6> kDelivery{{{delivery::automatic, "auto"}, {delivery::oci, "oci"},
                                         {delivery::http, "http"}, {delivery::configmap, "configmap"},
                                         {delivery::hostpath, "hostpath"}, {delivery::file, "file"}}};
const name_table<resource_kind, 4> kResource{{{resource_kind::automatic, "auto"},
                                              {resource_kind::envoy_filter, "EnvoyFilter"},
                                              {resource_kind::wasm_plugin, "WasmPlugin"},
                                              {resource_kind::traffic_extension, "TrafficExtension"}}};
const name_table<traffic_context, 4> kContext{{{traffic_context::inbound, "inbound"},
                                               {traffic_context::outbound, "outbound"},
                                               {traffic_context::gateway, "gateway"},
                                               {traffic_context::any, "any"}}};
const name_table<workload_kind, 3> kWorkload{{{workload_kind::deployment, "Deployment"},
                                              {workload_kind::daemon_set, "DaemonSet"},
                                              {workload_kind::stateful_set, "StatefulSet"}}};
const name_table<env_source, 2> kEnv{{{env_source::inline_value, "INLINE"}, {env_source::host, "HOST"}}};
const name_table<match_mode, 4> kMode{{{match_mode::undefined, "UNDEFINED"},
                                       {match_mode::client, "CLIENT"},
                                       {match_mode::server, "SERVER"},
                                       {match_mode::client_and_server, "CLIENT_AND_SERVER"}}};
const name_table<naming_scheme, 3> kNaming{{{naming_scheme::automatic, "auto"},
                                            {naming_scheme::per_workload, "per-workload"},
                                            {naming_scheme::per_target, "per-target"}}};
const name_table<platform, 6> kPlatform{{{platform::istio, "istio"}, {platform::wasme, "wasme"},
                                         {platform::gloo, "gloo"}, {platform::envoy, "envoy"},
                                         {platform::envoy_gateway, "envoy-gateway"},
                                         {platform::higress, "higress"}}};

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

[[noreturn]] void bad_module(const std::string& code, const std::string& path, const std::string& msg) {
  throw error(errc::invalid, code, path, msg);
}

// The one reference grammar (src/resolve/reference.cpp) decides, so the spec, the flags and the
// registry client agree on what a reference is.
void parse_oci_reference(std::string_view ref, module_source& out, const std::string& path) {
  image_reference r = parse_image_reference(ref, path);
  out.registry = std::move(r.registry);
  out.repository = std::move(r.repository);
  out.tag = std::move(r.tag);
  if (!r.digest.empty()) out.digest = r.digest.substr(7);
}

}  // namespace

std::string_view to_string(filter_type v) { return name_of(kFilterType, v); }
std::string_view to_string(fail_strategy v) { return v == fail_strategy::unset ? "" : name_of(kFail, v); }
std::string_view to_string(pull_policy v) { return v == pull_policy::unset ? "" : name_of(kPull, v); }
std::string_view to_string(plugin_phase v) { return v == plugin_phase::unset ? "" : name_of(kPhase, v); }
std::string_view to_string(delivery v) { return name_of(kDelivery, v); }
std::string_view to_string(resource_kind v) { return name_of(kResource, v); }
std::string_view to_string(traffic_context v) { return name_of(kContext, v); }
std::string_view to_string(workload_kind v) { return name_of(kWorkload, v); }
std::string_view to_string(env_source v) { return name_of(kEnv, v); }
std::string_view to_string(match_mode v) { return name_of(kMode, v); }
std::string_view to_string(naming_scheme v) { return name_of(kNaming, v); }
std::string_view to_string(platform v) { return name_of(kPlatform, v); }

filter_type parse_filter_type(std::string_view s, const std::string& p) { return value_of(kFilterType, s, "type", p); }
fail_strategy parse_fail_strategy(std::string_view s, const std::string& p) { return value_of(kFail, s, "failStrategy", p); }
pull_policy parse_pull_policy(std::string_view s, const std::string& p) { return value_of(kPull, s, "imagePullPolicy", p); }
plugin_phase parse_plugin_phase(std::string_view s, const std::string& p) { return value_of(kPhase, s, "phase", p); }
delivery parse_delivery(std::string_view s, const std::string& p) { return value_of(kDelivery, s, "delivery", p); }
resource_kind parse_resource_kind(std::string_view s, const std::string& p) { return value_of(kResource, s, "resource", p); }
traffic_context parse_traffic_context(std::string_view s, const std::string& p) { return value_of(kContext, s, "context", p); }
workload_kind parse_workload_kind(std::string_view s, const std::string& p) { return value_of(kWorkload, s, "kind", p); }
env_source parse_env_source(std::string_view s, const std::string& p) { return value_of(kEnv, s, "valueFrom", p); }
match_mode parse_match_mode(std::string_view s, const std::string& p) { return value_of(kMode, s, "mode", p); }
naming_scheme parse_naming_scheme(std::string_view s, const std::string& p) { return value_of(kNaming, s, "naming", p); }
platform parse_platform(std::string_view s, const std::string& p) { return value_of(kPlatform, s, "platform", p); }

namespace {
template <typename E, size_t N>
std::vector<std::string_view> names(const name_table<E, N>& t) {
  std::vector<std::string_view> out;
  for (const auto& [e, name] : t) out.push_back(name);
  return out;
}
}  // namespace

std::vector<std::string_view> choices_of(std::string_view what) {
  if (what == "type") return names(kFilterType);
  if (what == "failStrategy") return names(kFail);
  if (what == "imagePullPolicy") return names(kPull);
  if (what == "phase") return names(kPhase);
  if (what == "delivery") return names(kDelivery);
  if (what == "resource") return names(kResource);
  if (what == "context") return names(kContext);
  if (what == "kind") return names(kWorkload);
  if (what == "valueFrom") return names(kEnv);
  if (what == "mode") return names(kMode);
  if (what == "naming") return names(kNaming);
  if (what == "platform") return names(kPlatform);
  return {};
}

module_source parse_module_source(std::string_view text, const std::string& path) {
  module_source m;
  m.text = std::string(text);
  if (text.empty()) bad_module("module.missing", path, "a module is required (oci://..., https://... or a .wasm file)");
  if (starts_with(text, "oci://")) {
    m.kind = module_source::scheme::oci;
    parse_oci_reference(text.substr(6), m, path);
    m.url = std::string(text);
    return m;
  }
  if (starts_with(text, "http://") || starts_with(text, "https://")) {
    m.kind = starts_with(text, "https://") ? module_source::scheme::https : module_source::scheme::http;
    check_http_url(text, path);
    m.url = std::string(text);
    return m;
  }
  if (starts_with(text, "file://")) {
    std::string_view p = text.substr(7);
    if (p.empty() || p[0] != '/') {
      bad_module("module.bad-url", path, fmt::format("'{}' must be file:///absolute/path", shorten(text)));
    }
    m.kind = module_source::scheme::file;
    m.url = std::string(p);
    return m;
  }
  if (auto sep = text.find("://"); sep != std::string_view::npos) {
    bad_module("module.unsupported-scheme", path,
               fmt::format("scheme '{}' is not supported; use oci://, http://, https:// or a local .wasm file",
                           text.substr(0, sep)));
  }
  if (starts_with(text, "/") || starts_with(text, "./") || starts_with(text, "../") || ends_with(text, ".wasm")) {
    m.kind = module_source::scheme::local;
    m.url = std::string(text);
    return m;
  }
  // A registry reference without a scheme. Istio parses the url with Go's net/url: a prefix of
  // letters, digits, '+', '-' and '.' before the first ':' is taken as the scheme
  // ("localhost:5000/x" has scheme "localhost", which istiod refuses); otherwise a WasmPlugin
  // defaults to oci://. Either way the text does not say what the user meant, so it is refused.
  const std::string shown = shorten(text);
  std::string_view head = text.substr(0, text.find(':'));
  const bool scheme_like = head.size() < text.size() && !head.empty() &&
                           std::isalpha(static_cast<unsigned char>(head[0])) &&
                           std::all_of(head.begin(), head.end(), [](char c) {
                             return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
                           });
  bad_module("module.no-scheme", path,
             scheme_like
                 ? fmt::format("'{}' has no scheme: Istio would read '{}' as the URL scheme, so istiod refuses a "
                               "WasmPlugin with it and an EnvoyFilter's fetch fails; write oci://{} for an image, or "
                               "a path ending in .wasm for a local file",
                               shown, shorten(head, 40), shown)
                 : fmt::format("'{}' has no scheme: a WasmPlugin would pull it as oci://{} (Istio's default), while an "
                               "EnvoyFilter needs an http(s) or oci:// URL to fetch anything; write oci://{} to say "
                               "it is an image, or a path ending in .wasm for a local file",
                               shown, shown, shown));
}

std::map<std::string, std::string> parse_labels(std::string_view s, const std::string& path) {
  std::map<std::string, std::string> out;
  while (!s.empty()) {
    auto comma = s.find(',');
    std::string_view item = s.substr(0, comma);
    s = comma == std::string_view::npos ? std::string_view{} : s.substr(comma + 1);
    if (item.empty()) continue;
    auto eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      throw error(errc::invalid, "labels.syntax", path,
                  fmt::format("'{}' is not key=value (write app=details,version=v1)", shorten(item)));
    }
    auto [it, inserted] = out.emplace(std::string(item.substr(0, eq)), std::string(item.substr(eq + 1)));
    if (!inserted && it->second != item.substr(eq + 1)) {
      // kubectl refuses a label given twice too; keeping the last would silently drop the first.
      throw error(errc::invalid, "labels.duplicate", path,
                  fmt::format("label '{}' is given twice ({}={} and {}); give it once", shorten(it->first, 63),
                              shorten(it->first, 63), shorten(it->second, 63), shorten(item, 127)));
    }
  }
  return out;
}

}  // namespace wasmdeploy
