// The spec schema as the reader uses it: field names, kinds and nesting, read once from the
// protobuf descriptor of wasmdeploy.v1alpha1.Spec, so spec.proto stays the one definition.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wasmdeploy::detail {

enum class field_kind : std::uint8_t {
  string, int32, uint32, boolean, message, string_map, value, string_list, uint32_list, message_list, unsupported
};

struct schema_message;

struct schema_field {
  std::string json_name;   ///< as written in specs: rootId
  std::string proto_name;  ///< root_id, suggested for when written that way
  int number = 0;          ///< the proto field number, which the reader dispatches on
  field_kind kind = field_kind::unsupported;
  std::uint32_t id = 0;    ///< index in spec_schema::fields, kept in source_positions
  std::uint32_t bit = 0;   ///< index within its message (for duplicate detection)
};

struct schema_message {
  std::string name;
  std::vector<schema_field> fields;

  const schema_field* find(std::string_view json_name) const noexcept;
  /// "unknown field 'x'; did you mean 'y'?" or the list of known fields.
  std::string unknown_field_message(std::string_view key) const;
};

struct spec_schema {
  schema_message spec, options, envoy, filter, env, target, workload, match, ref, rule;
  std::vector<const schema_field*> fields;  ///< by id
};

/// Built from the descriptor on first use (thread-safe), then shared.
const spec_schema& the_spec_schema();

}  // namespace wasmdeploy::detail
