// The plan's inputs from the resolve stage (src/resolve/): make_plan reads no file and no
// registry itself. Kept out of plan.hpp so the renderers that only read a plan do not depend
// on the resolve stage.
#pragma once

#include <string>

#include <wasmdeploy/resolve.hpp>

#include "plan/plan.hpp"

namespace wasmdeploy::detail {

/// Validates the spec against the version and decides everything from what the resolve stage
/// read. Throws wasmdeploy::error.
plan make_plan(const spec& s, const render_options& options, const resolved_inputs& inputs);

/// wasme runtime-config.json text (read by the resolve stage) into fp.root_id (when unset) and
/// fp.abi_versions.
void parse_runtime_config(const spec& s, const filter& f, const std::string& text, filter_plan& fp);

}  // namespace wasmdeploy::detail
