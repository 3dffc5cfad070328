// The names each enum-like spec field accepts, for generated schemas (src/spec/crd.cpp). The
// tables themselves live with the parsers in src/model.cpp.
#pragma once

#include <string_view>
#include <vector>

namespace wasmdeploy {

/// The names the parser for `what` accepts ("failStrategy", "context", ...: the spec field
/// names used in the parsers' error codes), in table order; empty for an unknown `what`.
/// Matching ignores case, '_' and '-' (see fold in model.cpp).
std::vector<std::string_view> choices_of(std::string_view what);

}  // namespace wasmdeploy
