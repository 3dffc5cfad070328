#pragma once

#include <map>
#include <string>

#include <wasmdeploy/spec.hpp>

namespace wasmdeploy::v1alpha1 {
class Spec;
}

namespace wasmdeploy::detail {

/// Fills the model from a parsed Spec message; `values` holds the google.protobuf.Value fields
/// (plugin configuration) by path. Enum names are checked here, with positions from `out`.
void convert_spec(const wasmdeploy::v1alpha1::Spec& msg, std::map<std::string, node>& values, spec& out);

}  // namespace wasmdeploy::detail
