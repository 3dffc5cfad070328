#include "emit/scalar.hpp"

#include <cmath>
#include <array>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

namespace wasmdeploy::detail {
namespace {


// Words some YAML resolver (1.1 booleans, null) would not read as strings. Most keys are short
// enough to be candidates, so the first letter rules out nearly all before any comparison.
bool is_reserved_word(std::string_view s) {
  if (s.size() > 5) return false;
  switch (s[0] | 0x20) {  // callers pass a non-empty string starting with a letter, '_' or '/'
    case 'y': case 'n': case 'o': case 't': case 'f': break;
    default: return false;
  }
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
enum : std::uint8_t { kNever = 0, kAlways = 1, kContext = 2, kFirst = 4 };

constexpr std::array<std::uint8_t, 256> make_plain_table() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[c] = kAlways | kFirst;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = kAlways | kFirst;
  for (int c = '0'; c <= '9'; ++c) t[c] = kAlways;
  for (char c : {'.', '-', '@', '+', '(', ')', '='}) t[static_cast<unsigned char>(c)] = kAlways;
  t['_'] = kAlways | kFirst;
  t['/'] = kAlways | kFirst;
  t[':'] = kContext;
  t[' '] = kContext;
  return t;
}
constexpr auto kPlain = make_plain_table();

bool plain_safe(std::string_view s) {
  const size_t n = s.size();
  if (n == 0 || !(kPlain[static_cast<unsigned char>(s[0])] & kFirst)) return false;
  const auto* u = reinterpret_cast<const unsigned char*>(s.data());
  for (size_t i = 1; i < n; ++i) {
    // Every scalar of every document passes here: skip runs of ordinary characters four at a
    // time before looking at one character.
    while (i + 4 <= n && (kPlain[u[i]] & kPlain[u[i + 1]] & kPlain[u[i + 2]] & kPlain[u[i + 3]] & kAlways)) i += 4;
    if (i == n) break;
    const std::uint8_t cls = kPlain[u[i]];
    if (cls & kAlways) continue;
    if (cls == kNever) return false;
    // ':' and ' ' are fine inside a plain scalar unless they start a comment or a mapping
    // value, or end the scalar.
    if (i + 1 == n) return false;
    const char next = s[i + 1];
    if (s[i] == ':' ? next == ' ' : (next == '#' || next == ' ')) return false;
  }
  return !is_reserved_word(s);
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
    if (s.find('\'') == std::string_view::npos) {
      out.append(s);
    } else {
      for (char c : s) {
        if (c == '\'') out += '\'';
        out += c;
      }
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
