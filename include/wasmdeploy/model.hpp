// The model: filters (what to deploy) and targets (where), as plain value types.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/node.hpp>

namespace wasmdeploy {

/// Where the module comes from, parsed from the spec's `module` string.
struct module_source {
  /// file: a file:// URL, a path that already exists inside the proxy container.
  /// local: a path on this machine; wasmdeploy reads it and ships it (ConfigMap or node cache).
  enum class scheme { none, oci, http, https, file, local };
  scheme kind = scheme::none;
  std::string text;        ///< as written by the user
  std::string url;         ///< oci://..., https://..., the in-proxy path (file), or the local path
  // oci only:
  std::string registry;    ///< e.g. webassemblyhub.io
  std::string repository;  ///< e.g. tanjunchen20/add-header
  std::string tag;         ///< e.g. v0.1 (empty when only a digest is given)
  std::string digest;      ///< 64-hex manifest digest from "@sha256:" (empty when absent)

  bool is_remote() const noexcept { return kind == scheme::oci || kind == scheme::http || kind == scheme::https; }
  bool is_local() const noexcept { return kind == scheme::local; }
  bool in_proxy() const noexcept { return kind == scheme::file; }
};

/// Parses `oci://`, `http(s)://`, `file://` (a path inside the proxy) and local paths on this
/// machine (absolute, ./relative, or ending in .wasm).
/// A scheme-less reference such as `localhost:5000/repo` is refused (Istio would read
/// "localhost" as the scheme): error code `module.no-scheme`. `path` names the field in errors.
module_source parse_module_source(std::string_view text, const std::string& path);

enum class filter_type { http, network };
enum class fail_strategy { unset, fail_close, fail_open, fail_reload };
enum class pull_policy { unset, if_not_present, always };
enum class plugin_phase { unset, authn, authz, stats };
enum class delivery { automatic, oci, http, configmap, hostpath, file };
enum class resource_kind { automatic, envoy_filter, wasm_plugin, traffic_extension };
enum class traffic_context { inbound, outbound, gateway, any };
enum class workload_kind { deployment, daemon_set, stateful_set };
enum class env_source { inline_value, host };
enum class match_mode { undefined, client, server, client_and_server };
enum class naming_scheme { automatic, per_workload, per_target };
/// The system manifests are rendered for (spec options.platform, CLI --target).
enum class platform { istio, wasme, gloo, envoy, envoy_gateway, higress };

struct env_var {
  std::string name;
  std::string value;
  env_source from = env_source::inline_value;
};

/// A Wasm filter: the module and how Envoy runs it.
struct filter {
  std::string name;                 ///< filter id
  module_source module;
  /// Lowercase hex; empty when unknown. For oci:// modules: the image manifest digest (what
  /// istio-agent checks); for http(s) and local modules: the hash of the .wasm bytes.
  std::string sha256;
  /// Hash of the .wasm bytes of an oci:// module: names the file in a wasme node cache
  /// (hostpath delivery). Equals sha256 for http(s) and local modules.
  std::string module_sha256;
  std::string root_id;
  std::string vm_id;                ///< defaults to name
  node config;                      ///< null, a string, or a mapping
  std::string runtime = "v8";
  filter_type type = filter_type::http;
  bool type_set = false;
  fail_strategy fail = fail_strategy::unset;
  std::vector<env_var> env;
  pull_policy pull = pull_policy::unset;
  std::string pull_secret;
  plugin_phase phase = plugin_phase::unset;
  std::optional<std::int32_t> priority;
  delivery how = delivery::automatic;
  resource_kind resource = resource_kind::automatic;
  std::string runtime_config_path;  ///< wasme runtime-config.json, optional
  std::string image_layout;         ///< OCI image layout built by `wasmdeploy build`, optional

  /// Field path prefix for diagnostics, e.g. "filters[0]".
  std::string path;
};

struct workload {
  std::string name;
  workload_kind kind = workload_kind::deployment;
  std::map<std::string, std::string> labels;       ///< pod-template labels
  std::map<std::string, std::string> annotations;  ///< existing pod-template annotations
};

struct traffic_match {
  match_mode mode = match_mode::undefined;
  std::vector<std::uint32_t> ports;
};

/// Higress matchRules[] entry.
struct higress_rule {
  std::vector<std::string> ingress;
  std::vector<std::string> domain;
  std::vector<std::string> service;
  node config;
  bool config_disable = false;
};

struct target_ref {
  std::string group;
  std::string kind;
  std::string name;
};

/// Where filters go: a namespace and either workloads, a selector, or target references.
struct target {
  std::string name;
  std::string ns = "default";
  std::vector<workload> workloads;
  std::map<std::string, std::string> selector;
  traffic_context context = traffic_context::inbound;
  bool context_set = false;  ///< EnvoyFilter defaults to inbound; WasmPlugin then has no match
  std::vector<traffic_match> match;
  std::vector<target_ref> refs;
  std::string revision;
  std::vector<std::string> filters;  ///< empty = every filter
  std::vector<higress_rule> rules;   ///< Higress matchRules
  std::string istio_namespace;       ///< wasme FilterDeployment istioNamespace
  bool all_workloads = false;        ///< no selector: every workload in the namespace
  std::string path;                  ///< e.g. "targets[0]"
};

// Names as written in specs, CLI flags and manifests.
std::string_view to_string(filter_type v);
std::string_view to_string(fail_strategy v);     ///< FAIL_CLOSE ...
std::string_view to_string(pull_policy v);       ///< IfNotPresent / Always
std::string_view to_string(plugin_phase v);      ///< AUTHN ...
std::string_view to_string(delivery v);          ///< auto, oci, http, configmap, hostpath, file
std::string_view to_string(resource_kind v);     ///< auto, EnvoyFilter, WasmPlugin, TrafficExtension
std::string_view to_string(traffic_context v);   ///< inbound ...
std::string_view to_string(workload_kind v);     ///< Deployment ...
std::string_view to_string(env_source v);        ///< INLINE / HOST
std::string_view to_string(match_mode v);        ///< UNDEFINED / CLIENT ...
std::string_view to_string(naming_scheme v);     ///< auto, per-workload, per-target
std::string_view to_string(platform v);          ///< istio, wasme, gloo, envoy, envoy-gateway, higress

// Parsers for the same names; throw error{invalid, "<what>.unknown-value"} listing the choices.
filter_type parse_filter_type(std::string_view s, const std::string& path);
fail_strategy parse_fail_strategy(std::string_view s, const std::string& path);
pull_policy parse_pull_policy(std::string_view s, const std::string& path);
plugin_phase parse_plugin_phase(std::string_view s, const std::string& path);
delivery parse_delivery(std::string_view s, const std::string& path);
resource_kind parse_resource_kind(std::string_view s, const std::string& path);
traffic_context parse_traffic_context(std::string_view s, const std::string& path);
workload_kind parse_workload_kind(std::string_view s, const std::string& path);
env_source parse_env_source(std::string_view s, const std::string& path);
match_mode parse_match_mode(std::string_view s, const std::string& path);
naming_scheme parse_naming_scheme(std::string_view s, const std::string& path);
platform parse_platform(std::string_view s, const std::string& path);

/// Parses "k=v,k2=v2" label lists (kubectl style).
std::map<std::string, std::string> parse_labels(std::string_view s, const std::string& path);

}  // namespace wasmdeploy
