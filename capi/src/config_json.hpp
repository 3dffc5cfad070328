// JSON text -> wasmdeploy::node, for wd_spec_filter_set_config_json().
#pragma once

#include <string_view>

#include <wasmdeploy/node.hpp>

namespace wasmdeploy::capi {

/// Parses JSON keeping object key order (plugins may care, and output must be deterministic).
/// Throws error{parse, "config.json-syntax"} on bad input.
node node_from_json(std::string_view text, const std::string& path);

}  // namespace wasmdeploy::capi
