#include "spec/spec_schema.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <google/protobuf/descriptor.h>

#include "wasmdeploy/spec/v1alpha1/spec.pb.h"

namespace wasmdeploy::detail {
namespace {

namespace pb = google::protobuf;

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (std::tolower(a[i - 1]) == std::tolower(b[j - 1]) ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

field_kind kind_of(const pb::FieldDescriptor* f) {
  using T = pb::FieldDescriptor;
  const bool value = f->message_type() != nullptr && f->message_type()->full_name() == "google.protobuf.Value";
  if (value && !f->is_repeated()) return field_kind::value;
  if (f->is_map()) {
    const auto* entry = f->message_type();
    const bool strings = entry->map_key()->cpp_type() == T::CPPTYPE_STRING && entry->map_value()->cpp_type() == T::CPPTYPE_STRING;
    return strings ? field_kind::string_map : field_kind::unsupported;
  }
  if (f->is_repeated()) {
    switch (f->cpp_type()) {
      case T::CPPTYPE_MESSAGE: return field_kind::message_list;
      case T::CPPTYPE_STRING: return field_kind::string_list;
      case T::CPPTYPE_UINT32: return field_kind::uint32_list;
      default: return field_kind::unsupported;
    }
  }
  switch (f->cpp_type()) {
    case T::CPPTYPE_MESSAGE: return field_kind::message;
    case T::CPPTYPE_STRING: return field_kind::string;
    case T::CPPTYPE_INT32: return field_kind::int32;
    case T::CPPTYPE_UINT32: return field_kind::uint32;
    case T::CPPTYPE_BOOL: return field_kind::boolean;
    default: return field_kind::unsupported;
  }
}

void fill(schema_message& m, const pb::Descriptor* d) {
  m.name = d->full_name();
  m.fields.reserve(static_cast<size_t>(d->field_count()));
  for (int i = 0; i < d->field_count(); ++i) {
    const pb::FieldDescriptor* f = d->field(i);
    schema_field sf;
    sf.json_name = f->json_name();
    sf.proto_name = f->name();
    sf.number = f->number();
    sf.kind = kind_of(f);
    sf.bit = static_cast<std::uint32_t>(i);
    m.fields.push_back(std::move(sf));
  }
}

spec_schema build() {
  namespace v1 = wasmdeploy::v1alpha1;
  spec_schema s;
  fill(s.spec, v1::Spec::descriptor());
  fill(s.options, v1::Options::descriptor());
  fill(s.envoy, v1::EnvoyBootstrap::descriptor());
  fill(s.filter, v1::Filter::descriptor());
  fill(s.env, v1::EnvVar::descriptor());
  fill(s.target, v1::Target::descriptor());
  fill(s.workload, v1::Workload::descriptor());
  fill(s.match, v1::TrafficMatch::descriptor());
  fill(s.ref, v1::TargetRef::descriptor());
  fill(s.rule, v1::HigressRule::descriptor());
  return s;
}

}  // namespace

const schema_field* schema_message::find(std::string_view json_name) const noexcept {
  for (const auto& f : fields) {
    if (f.json_name == json_name) return &f;
  }
  return nullptr;
}

std::string schema_message::unknown_field_message(std::string_view key) const {
  std::string best;
  size_t best_d = 3;
  std::string names;
  for (const auto& f : fields) {
    if (!names.empty()) names += ", ";
    names += f.json_name;
    size_t dist = f.proto_name == key ? 0 : edit_distance(key, f.json_name);
    if (dist < best_d) {
      best_d = dist;
      best = f.json_name;
    }
  }
  if (!best.empty()) return fmt::format("unknown field '{}'; did you mean '{}'?", key, best);
  return fmt::format("unknown field '{}'; known fields: {}", key, names);
}

const spec_schema& the_spec_schema() {
  // Field pointers point into the messages' vectors, whose buffers survive the move.
  static const spec_schema schema = [] {
    spec_schema s = build();
    for (auto* m : {&s.spec, &s.options, &s.envoy, &s.filter, &s.env, &s.target, &s.workload, &s.match, &s.ref, &s.rule}) {
      for (auto& f : m->fields) {
        f.id = static_cast<std::uint32_t>(s.fields.size());
        s.fields.push_back(&f);
      }
    }
    return s;
  }();
  return schema;
}

}  // namespace wasmdeploy::detail
