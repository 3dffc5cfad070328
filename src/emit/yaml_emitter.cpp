// Block-style YAML, the layout kubectl prints: two-space indentation, sequences under a key
// not indented further ("key:\n- item").
#include "emit/emitters.hpp"
#include "emit/scalar.hpp"

namespace wasmdeploy::detail {
namespace {

constexpr size_t kMaxImplicitKey = 1024;

// Indentation comes from one constant run of spaces (append(n, ' ') is a slower fill).
void indent_to(std::string& out, size_t indent) {
  static constexpr char kSpaces[] = "                                                                ";
  constexpr size_t kRun = sizeof(kSpaces) - 1;
  for (; indent > kRun; indent -= kRun) out.append(kSpaces, kRun);
  out.append(kSpaces, indent);
}

bool is_block(const node& n) { return (n.is_mapping() || n.is_sequence()) && !n.empty(); }

void emit_block(std::string& out, const node& n, size_t indent, bool first_inline);

// After "key:" (or "- "), writes the value and its newline.
void emit_after_key(std::string& out, const node& v, size_t indent) {
  if (!is_block(v)) {
    out += ' ';
    append_yaml_scalar(out, v);
    out += '\n';
  } else if (v.is_mapping()) {
    out += '\n';
    emit_block(out, v, indent + 2, false);
  } else {
    out += '\n';
    emit_block(out, v, indent, false);
  }
}

void emit_block(std::string& out, const node& n, size_t indent, bool first_inline) {
  bool first = true;
  if (n.is_mapping()) {
    for (const auto& m : n.members()) {
      if (!(first && first_inline)) indent_to(out, indent);
      first = false;
      const size_t key_start = out.size();
      append_yaml_string(out, m.key);
      if (out.size() - key_start > kMaxImplicitKey) {
        // YAML limits implicit keys to 1024 characters (PyYAML and go-yaml refuse longer ones):
        // write an explicit "? key" entry instead.
        out.insert(key_start, "? ");
        out += '\n';
        indent_to(out, indent);
      }
      out += ':';
      emit_after_key(out, m.value, indent);
    }
    return;
  }
  for (const auto& item : n.items()) {
    if (!(first && first_inline)) indent_to(out, indent);
    first = false;
    out += '-';
    if (is_block(item)) {
      out += ' ';
      emit_block(out, item, indent + 2, true);
    } else {
      out += ' ';
      append_yaml_scalar(out, item);
      out += '\n';
    }
  }
}

}  // namespace

void append_yaml(std::string& out, const node& n) {
  if (is_block(n)) {
    emit_block(out, n, 0, false);
  } else {
    append_yaml_scalar(out, n);
    out += '\n';
  }
}

}  // namespace wasmdeploy::detail
