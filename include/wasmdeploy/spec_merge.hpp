// Several specs rendered as one: the documents of a multi-document file, several -f files, the
// spec files of a directory.
#pragma once

#include <string>
#include <vector>

#include <wasmdeploy/spec.hpp>

namespace wasmdeploy {

/// One spec holding every part's filters and targets, in order. The parts must agree on the
/// Istio version and on options; a filter name defined twice is refused. Errors carry the
/// file:line:col of both places. Relative paths (local modules, runtimeConfig, imageLayout)
/// keep resolving against their own file's directory. One part is returned unchanged.
spec merge_specs(std::vector<spec> parts);

/// Reads every document of each file ("-" is stdin) and, for a directory, of its *.yaml, *.yml
/// and *.json files in name order, then merges them with merge_specs.
spec load_specs(const std::vector<std::string>& paths);

}  // namespace wasmdeploy
