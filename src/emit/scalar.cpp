#include "emit/scalar.hpp"

#include <cmath>
#include <cstring>

#include <fmt/format.h>

namespace wasmdeploy::detail {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Words some YAML resolver (1.1 booleans, null) would not read as strings.
bool is_reserved_word(std::string_view s) {
  if (s.size() > 5) return false;
  char lower[6] = {};
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    lower[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  std::string_view w(lower, s.size());
  return w == "y" || w == "n" || w == "yes" || w == "no" || w == "on" || w == "off" ||
         w == "true" || w == "false" || w == "null";
}

// Plain scalars are restricted to a conservative shape: starts with a letter, '_' or '/',
// printable ASCII from a small set, no ": " or " #", no trailing space or colon. Anything
// starting with a digit, '.', '-' or '+' is quoted, which rules out numbers, timestamps,
// .inf/.nan and sexagesimals under every YAML version.
bool plain_safe(std::string_view s) {
  if (s.empty()) return false;
  char c0 = s[0];
  if (!(is_alpha(c0) || c0 == '_' || c0 == '/')) return false;
  if (is_reserved_word(s)) return false;
  const size_t n = s.size();
  for (size_t i = 0; i < n; ++i) {
    char c = s[i];
    if (is_alpha(c) || is_digit(c)) continue;
    switch (c) {
      case '_': case '.': case '/': case '-': case '@': case '+': case '(': case ')': case '=':
        continue;
      case ':':
        if (i + 1 == n || s[i + 1] == ' ') return false;
        continue;
      case ' ':
        if (i + 1 == n || s[i + 1] == '#' || s[i + 1] == ' ') return false;
        continue;
      default:
        return false;
    }
  }
  return true;
}

bool printable_ascii(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// Decodes one UTF-8 sequence at s[i]; returns its length, or 0 when invalid.
size_t utf8_decode(std::string_view s, size_t i, char32_t& cp) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t len;
  if (c < 0x80) { cp = c; return 1; }
  if ((c & 0xe0) == 0xc0) { len = 2; cp = c & 0x1f; }
  else if ((c & 0xf0) == 0xe0) { len = 3; cp = c & 0x0f; }
  else if ((c & 0xf8) == 0xf0) { len = 4; cp = c & 0x07; }
  else return 0;
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3f);
  }
  static const char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return len;
}

void append_double_quoted(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      if (c == '"' || c == '\\') out += '\\';
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    char32_t cp = 0;
    size_t len = utf8_decode(s, i, cp);
    if (len == 0) {  // not UTF-8: keep the value readable, byte by byte
      out += fmt::format("\\x{:02x}", c);
      ++i;
      continue;
    }
    switch (cp) {
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case 0: out += "\\0"; break;
      case 0x85: out += "\\N"; break;
      case 0x2028: out += "\\L"; break;
      case 0x2029: out += "\\P"; break;
      default:
        // C0/C1 controls, DEL, BOM and non-characters are escaped; everything else stays UTF-8.
        if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
          out += fmt::format("\\x{:02x}", static_cast<unsigned>(cp));
        } else if (cp == 0xfeff || cp == 0xfffe || cp == 0xffff) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(cp));
        } else {
          out.append(s.data() + i, len);
        }
    }
    i += len;
  }
  out += '"';
}

}  // namespace

void append_yaml_string(std::string& out, std::string_view s) {
  if (plain_safe(s)) {
    out.append(s);
  } else if (printable_ascii(s)) {
    out += '\'';
    for (char c : s) {
      if (c == '\'') out += '\'';
      out += c;
    }
    out += '\'';
  } else {
    append_double_quoted(out, s);
  }
}

void append_real(std::string& out, double v, bool yaml) {
  if (std::isnan(v)) {
    out += yaml ? ".nan" : "null";
    return;
  }
  if (std::isinf(v)) {
    out += yaml ? (v > 0 ? ".inf" : "-.inf") : "null";
    return;
  }
  size_t start = out.size();
  fmt::format_to(std::back_inserter(out), "{}", v);
  // YAML 1.1 resolvers (PyYAML) read "1e+20" as a string: a float needs a '.' before the exponent.
  if (out.find('.', start) == std::string::npos) {
    const size_t exp = out.find_first_of("eE", start);
    if (exp == std::string::npos) out += ".0";
    else out.insert(exp, ".0");
  }
}

void append_yaml_scalar(std::string& out, const node& n) {
  switch (n.kind()) {
    case node::type::null: out += "null"; break;
    case node::type::boolean: out += n.as_bool() ? "true" : "false"; break;
    case node::type::integer: out += fmt::format_int(n.as_int()).c_str(); break;
    case node::type::real: append_real(out, n.as_real(), true); break;
    case node::type::string: append_yaml_string(out, n.as_string()); break;
    case node::type::sequence: out += "[]"; break;
    case node::type::mapping: out += "{}"; break;
  }
}

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  size_t run = 0;  // start of the current run of bytes that need no escaping
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      // Valid UTF-8 passes through; a byte that is not UTF-8 would make the JSON invalid, so it
      // is written as the code point of the same value, as the YAML emitter does (\xNN).
      char32_t cp = 0;
      const size_t len = utf8_decode(s, i, cp);
      if (len > 0) {
        i += len - 1;
        continue;
      }
      out.append(s.data() + run, i - run);
      run = i + 1;
      out += fmt::format("\\u{:04x}", c);
      continue;
    }
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default: out += fmt::format("\\u{:04x}", c);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

void append_json_scalar(std::string& out, const node& n) {
  switch (n.kind()) {
    case node::type::null: out += "null"; break;
    case node::type::boolean: out += n.as_bool() ? "true" : "false"; break;
    case node::type::integer: out += fmt::format_int(n.as_int()).c_str(); break;
    case node::type::real: append_real(out, n.as_real(), false); break;
    case node::type::string: append_json_string(out, n.as_string()); break;
    case node::type::sequence: out += "[]"; break;
    case node::type::mapping: out += "{}"; break;
  }
}

}  // namespace wasmdeploy::detail
