#include "emit/emitters.hpp"
#include "emit/scalar.hpp"

namespace wasmdeploy::detail {

void append_json(std::string& out, const node& n) {
  if (n.is_mapping()) {
    out += '{';
    bool first = true;
    for (const auto& m : n.members()) {
      if (!first) out += ',';
      first = false;
      append_json_string(out, m.key);
      out += ':';
      append_json(out, m.value);
    }
    out += '}';
  } else if (n.is_sequence()) {
    out += '[';
    bool first = true;
    for (const auto& item : n.items()) {
      if (!first) out += ',';
      first = false;
      append_json(out, item);
    }
    out += ']';
  } else {
    append_json_scalar(out, n);
  }
}

void append_json_pretty(std::string& out, const node& n, size_t indent) {
  if ((n.is_mapping() || n.is_sequence()) && !n.empty()) {
    const bool map = n.is_mapping();
    out += map ? "{\n" : "[\n";
    const size_t count = n.size();
    for (size_t i = 0; i < count; ++i) {
      out.append(indent + 2, ' ');
      if (map) {
        append_json_string(out, n.members()[i].key);
        out += ": ";
        append_json_pretty(out, n.members()[i].value, indent + 2);
      } else {
        append_json_pretty(out, n.items()[i], indent + 2);
      }
      if (i + 1 < count) out += ',';
      out += '\n';
    }
    out.append(indent, ' ');
    out += map ? '}' : ']';
  } else {
    append_json_scalar(out, n);
  }
}

}  // namespace wasmdeploy::detail
