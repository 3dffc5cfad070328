// Strict spec reading: YAML (or JSON, which yaml-cpp also reads) is walked against the
// protobuf descriptor of wasmdeploy.spec.v1alpha1.Spec. The descriptor decides which fields
// exist and what type each has, so the .proto stays the one schema; positions come from
// yaml-cpp marks.
#include <wasmdeploy/limits.hpp>
#include <wasmdeploy/spec.hpp>

#include <algorithm>
#include <charconv>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include "spec/spec_convert.hpp"
#include "wasmdeploy/spec/v1alpha1/spec.pb.h"

namespace wasmdeploy {
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

// Well-formed UTF-8 (RFC 3629): no overlong forms, no UTF-16 surrogates, nothing past U+10FFFF.
bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
    for (size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static const char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

class walker {
 public:
  walker(std::string file, spec& out, bool source_utf8) : file_(std::move(file)), out_(out), source_utf8_(source_utf8) {}

  void read_message(const YAML::Node& y, pb::Message& msg, const std::string& path, int depth) {
    enter(y, path, depth);
    if (y.IsNull()) return;
    if (!y.IsMap()) fail("spec.wrong-type", path, "expected a mapping", y);
    const pb::Descriptor* d = msg.GetDescriptor();
    std::set<std::string> seen;
    for (auto it = y.begin(); it != y.end(); ++it) {
      // A copy: yaml-cpp's operator-> returns a temporary proxy, so a reference to
      // it->first dangles at the end of this statement.
      const YAML::Node k = it->first;
      if (!k.IsScalar()) fail("spec.wrong-type", path, "mapping keys must be strings", k);
      const std::string key = k.Scalar();
      const std::string child = path.empty() ? key : path + "." + key;
      const pb::FieldDescriptor* f = find_field(d, key);
      if (f == nullptr) fail("spec.unknown-field", child, unknown_field_message(d, key), k);
      if (!seen.insert(key).second) fail("spec.duplicate-field", child, "field given twice", k);
      record(child, k);
      read_field(it->second, msg, f, child, depth + 1);
    }
  }

  std::map<std::string, node> values;  // google.protobuf.Value fields, by path

  // Arbitrary values (plugin configuration) under the YAML 1.2 core schema: quoted scalars
  // are strings; plain ones resolve to null, booleans, integers or floats when they look like one.
  node to_node(const YAML::Node& v, const std::string& path, int depth) {
    enter(v, path, depth);
    if (v.IsNull()) return node();
    if (v.IsMap()) {
      node m = node::mapping();
      std::set<std::string> seen;
      for (auto it = v.begin(); it != v.end(); ++it) {
        const std::string key = scalar(it->first, path);
        if (!seen.insert(key).second) fail("spec.duplicate-field", path + "." + key, "key given twice", it->first);
        m.add(key, to_node(it->second, path + "." + key, depth + 1));
      }
      return m;
    }
    if (v.IsSequence()) {
      node s = node::sequence();
      for (size_t i = 0; i < v.size(); ++i) s.push(to_node(v[i], fmt::format("{}[{}]", path, i), depth + 1));
      return s;
    }
    const std::string s = scalar(v, path);
    if (v.Tag() == "!") return node(s);
    return resolve_plain(s);
  }

 private:
  source_position pos(const YAML::Node& n) const {
    YAML::Mark m = n.Mark();
    if (m.is_null()) return {file_, 0, 0};
    return {file_, m.line + 1, m.column + 1};
  }

  [[noreturn]] void fail(const std::string& code, const std::string& path, const std::string& msg,
                         const YAML::Node& at) const {
    throw error(errc::invalid, code, path, msg, pos(at));
  }

  void enter(const YAML::Node& y, const std::string& path, int depth) {
    if (depth > WD_MAX_SPEC_DEPTH) {
      fail("spec.too-deep", path, fmt::format("nesting deeper than {} levels", WD_MAX_SPEC_DEPTH), y);
    }
    if (++visited_ > WD_MAX_SPEC_NODES) {
      fail("spec.too-large", path, fmt::format("more than {} YAML nodes (alias expansion?)", WD_MAX_SPEC_NODES), y);
    }
  }

  void record(const std::string& path, const YAML::Node& at) { out_.positions.emplace(path, pos(at)); }

  static const pb::FieldDescriptor* find_field(const pb::Descriptor* d, const std::string& key) {
    for (int i = 0; i < d->field_count(); ++i) {
      if (d->field(i)->json_name() == key) return d->field(i);
    }
    return nullptr;
  }

  static std::string unknown_field_message(const pb::Descriptor* d, const std::string& key) {
    std::string best;
    size_t best_d = 3;
    std::string names;
    for (int i = 0; i < d->field_count(); ++i) {
      const auto* f = d->field(i);
      if (!names.empty()) names += ", ";
      names += f->json_name();
      size_t dist = f->name() == key ? 0 : edit_distance(key, f->json_name());
      if (dist < best_d) {
        best_d = dist;
        best = f->json_name();
      }
    }
    if (!best.empty()) return fmt::format("unknown field '{}'; did you mean '{}'?", key, best);
    return fmt::format("unknown field '{}'; known fields: {}", key, names);
  }

  std::string scalar(const YAML::Node& v, const std::string& path) const {
    if (!v.IsScalar()) fail("spec.wrong-type", path, "expected a string", v);
    const std::string& s = v.Scalar();
    if (s.size() > WD_MAX_STRING_BYTES) fail("spec.too-large", path, "string value too long", v);
    if (valid_utf8(s)) return s;
    // yaml-cpp 0.7 decodes the escapes \N and \_ to the single bytes 0x85 and 0xA0 instead of
    // U+0085 and U+00A0 in UTF-8. When the source text is UTF-8, a stray byte of those two
    // values can only have come from such an escape.
    if (source_utf8_) {
      std::string fixed = reencode_escape_bytes(s);
      if (valid_utf8(fixed)) return fixed;
    }
    fail("spec.invalid-utf8", path, "value is not valid UTF-8", v);
  }

  static std::string reencode_escape_bytes(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 8);
    for (size_t i = 0; i < s.size();) {
      size_t len = 1;
      const auto c = static_cast<unsigned char>(s[i]);
      if (c >= 0x80) {
        len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
        if (len == 0 || i + len > s.size() || !valid_utf8(s.substr(i, len))) {
          if (c == 0x85 || c == 0xa0) {
            out += static_cast<char>(0xc2);
            out += static_cast<char>(c);
          } else {
            out += static_cast<char>(c);  // left invalid: the caller refuses it
          }
          ++i;
          continue;
        }
      }
      out.append(s.substr(i, len));
      i += len;
    }
    return out;
  }

  template <typename T>
  T integer(const YAML::Node& v, const std::string& path) const {
    if (!v.IsScalar() || v.Tag() == "!") fail("spec.wrong-type", path, "expected an integer", v);
    const std::string& s = v.Scalar();
    T out{};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec != std::errc() || p != s.data() + s.size()) {
      fail("spec.wrong-type", path, fmt::format("'{}' is not an integer in range", s), v);
    }
    return out;
  }

  void read_field(const YAML::Node& v, pb::Message& msg, const pb::FieldDescriptor* f,
                  const std::string& path, int depth) {
    const pb::Reflection* r = msg.GetReflection();
    if (f->message_type() != nullptr && f->message_type()->full_name() == "google.protobuf.Value") {
      values[path] = to_node(v, path, depth);
      return;
    }
    if (v.IsNull() && !f->is_map() && !f->is_repeated() && f->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) {
      return;  // "key:" with no value means unset
    }
    if (f->is_map()) {
      enter(v, path, depth);
      if (v.IsNull()) return;
      if (!v.IsMap()) fail("spec.wrong-type", path, "expected a mapping of strings", v);
      std::set<std::string> seen;
      for (auto it = v.begin(); it != v.end(); ++it) {
        const std::string key = scalar(it->first, path);
        const std::string child = path + "." + key;
        if (!seen.insert(key).second) fail("spec.duplicate-field", child, "key given twice", it->first);
        record(child, it->first);
        pb::Message* entry = r->AddMessage(&msg, f);
        const pb::Reflection* er = entry->GetReflection();
        er->SetString(entry, entry->GetDescriptor()->map_key(), key);
        er->SetString(entry, entry->GetDescriptor()->map_value(), scalar(it->second, child));
      }
      return;
    }
    if (f->is_repeated()) {
      enter(v, path, depth);
      if (v.IsNull()) return;
      if (!v.IsSequence()) fail("spec.wrong-type", path, "expected a list", v);
      for (size_t i = 0; i < v.size(); ++i) {
        const std::string child = fmt::format("{}[{}]", path, i);
        record(child, v[i]);
        switch (f->cpp_type()) {
          case pb::FieldDescriptor::CPPTYPE_MESSAGE:
            read_message(v[i], *r->AddMessage(&msg, f), child, depth + 1);
            break;
          case pb::FieldDescriptor::CPPTYPE_STRING:
            r->AddString(&msg, f, scalar(v[i], child));
            break;
          case pb::FieldDescriptor::CPPTYPE_UINT32:
            r->AddUInt32(&msg, f, integer<std::uint32_t>(v[i], child));
            break;
          default:
            fail("spec.internal", child, "unsupported list type in schema", v[i]);
        }
      }
      return;
    }
    switch (f->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_MESSAGE:
        read_message(v, *r->MutableMessage(&msg, f), path, depth);
        break;
      case pb::FieldDescriptor::CPPTYPE_STRING:
        r->SetString(&msg, f, scalar(v, path));
        break;
      case pb::FieldDescriptor::CPPTYPE_INT32:
        r->SetInt32(&msg, f, integer<std::int32_t>(v, path));
        break;
      case pb::FieldDescriptor::CPPTYPE_UINT32:
        r->SetUInt32(&msg, f, integer<std::uint32_t>(v, path));
        break;
      case pb::FieldDescriptor::CPPTYPE_BOOL: {
        const std::string s = scalar(v, path);
        if (v.Tag() == "!" || (s != "true" && s != "false")) {
          fail("spec.wrong-type", path, fmt::format("'{}' is not true or false", s), v);
        }
        r->SetBool(&msg, f, s == "true");
        break;
      }
      default:
        fail("spec.internal", path, "unsupported field type in schema", v);
    }
  }

  static node resolve_plain(const std::string& s) {
    if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return node();
    if (s == "true" || s == "True" || s == "TRUE") return node(true);
    if (s == "false" || s == "False" || s == "FALSE") return node(false);
    const char* b = s.data();
    const char* e = b + s.size();
    std::int64_t i = 0;
    const char* ib = (*b == '+') ? b + 1 : b;
    if (auto [p, ec] = std::from_chars(ib, e, i); ec == std::errc() && p == e) return node(static_cast<long long>(i));
    // Core schema ints in base 16 (0x1f) and 8 (0o17); no sign.
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o') && s[2] != '-') {
      if (auto [p, ec] = std::from_chars(b + 2, e, i, s[1] == 'x' ? 16 : 8); ec == std::errc() && p == e && i >= 0) {
        return node(static_cast<long long>(i));
      }
    }
    bool floaty = s.find_first_of(".eE") != std::string::npos;
    if (floaty) {
      double d = 0;
      if (auto [p, ec] = std::from_chars(ib, e, d); ec == std::errc() && p == e && std::isdigit(static_cast<unsigned char>(s.back()))) {
        return node(d);
      }
    }
    const std::string_view unsigned_part = (s[0] == '+' || s[0] == '-') ? std::string_view(s).substr(1) : std::string_view(s);
    if (unsigned_part == ".inf" || unsigned_part == ".Inf" || unsigned_part == ".INF") {
      return node(s[0] == '-' ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity());
    }
    if (s == ".nan" || s == ".NaN" || s == ".NAN") return node(std::numeric_limits<double>::quiet_NaN());
    return node(s);
  }

  std::string file_;
  spec& out_;
  bool source_utf8_;
  size_t visited_ = 0;
};

// Counts the documents of a YAML stream, stopping at the second, and records where each starts.
// yaml-cpp 0.7's LoadAll loops forever, allocating a null document per turn, when a token after
// a document is never consumed ("{a: b}, c"; yaml-cpp #1040, fixed upstream after 0.7); a
// bounded Parser loop sees that as a second document instead.
class document_counter : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> starts;  // where each document starts ("---" when it has one)
  YAML::Mark root = YAML::Mark::null_mark();  // where the current document's root node is
  size_t nodes = 0;                 // non-null nodes in the current document
  void OnDocumentStart(const YAML::Mark& mark) override {
    starts.push_back(mark);
    nodes = 0;
    root = YAML::Mark::null_mark();
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { node(m, false); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { node(m, true); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t, const std::string&) override { node(m, true); }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(m, true);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(m, true);
  }
  void OnMapEnd() override {}

 private:
  void node(const YAML::Mark& m, bool content) {
    if (root.is_null()) root = m;
    if (content) ++nodes;
  }
};

}  // namespace

source_position spec::position_of(const std::string& path) const {
  std::string p = path;
  while (!p.empty()) {
    if (auto it = positions.find(p); it != positions.end()) return it->second;
    auto cut = p.find_last_of(".[");
    if (cut == std::string::npos) break;
    p.resize(cut);
  }
  return {};
}

node parse_config_value(std::string_view text, const std::string& path) {
  if (text.size() > WD_MAX_SPEC_BYTES) {
    throw error(errc::invalid, "spec.too-large", path, fmt::format("value is larger than {} bytes", WD_MAX_SPEC_BYTES));
  }
  YAML::Node y;
  try {
    y = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    throw error(errc::parse, "config.syntax", path, e.msg, {"", e.mark.line + 1, e.mark.column + 1});
  }
  spec scratch;
  walker w("", scratch, valid_utf8(text));
  return w.to_node(y, path, 0);
}

namespace {

// Loads the one document of a spec. yaml-cpp's LoadAll never returns on some inputs (`{a: b}, c`,
// yaml-cpp #1040), so documents are counted with the event parser, stopping at the second.
YAML::Node load_one_document(const std::string& input, const std::string& file) {
  YAML::Node root;
  try {
    std::istringstream in(input);
    YAML::Parser parser(in);
    document_counter counter;
    while (counter.starts.size() < 2 && parser.HandleNextDocument(counter)) {
    }
    if (counter.starts.size() > 1) {
      const YAML::Mark m = counter.root.is_null() ? counter.starts[1] : counter.root;
      // A real second document has content or starts with "---"; an empty one without a
      // marker is the token yaml-cpp could not place.
      const size_t at = static_cast<size_t>(counter.starts[1].pos);
      if (counter.nodes == 0 && at < input.size() && input.compare(at, 3, "---") != 0) {
        throw error(errc::parse, "spec.syntax", "", fmt::format("unexpected '{}' after the document", input[at]),
                    {file, m.line + 1, m.column + 1});
      }
      throw error(errc::invalid, "spec.multiple-documents", "", "a spec file holds exactly one YAML document",
                  {file, m.line + 1, m.column + 1});
    }
    if (!counter.starts.empty()) root = YAML::Load(input);
  } catch (const YAML::Exception& e) {
    throw error(errc::parse, "spec.syntax", "", e.msg, {file, e.mark.line + 1, e.mark.column + 1});
  }
  if (!root.IsDefined() || root.IsNull()) throw error(errc::invalid, "spec.empty", "", "the spec is empty", {file, 1, 1});
  return root;
}

}  // namespace

std::vector<spec> parse_spec_documents(std::string_view text, const std::string& file, const std::string& base_dir) {
  if (text.size() > WD_MAX_SPEC_BYTES) return {parse_spec(text, file, base_dir)};  // refuses it
  const std::string input(text);
  // Where each document starts and whether it has content. A document without content and
  // without "---" is the token yaml-cpp could not place (see load_one_document).
  std::vector<std::pair<size_t, bool>> docs;
  try {
    std::istringstream in(input);
    YAML::Parser parser(in);
    document_counter counter;
    while (parser.HandleNextDocument(counter)) {
      const YAML::Mark start = counter.starts.back();
      const size_t at = static_cast<size_t>(start.pos);
      if (counter.nodes == 0 && docs.size() > 0 && (at >= input.size() || input.compare(at, 3, "---") != 0)) {
        return {parse_spec(text, file, base_dir)};  // reports the stray token as parse_spec does
      }
      if (docs.size() >= WD_MAX_FILTERS) {
        throw error(errc::invalid, "spec.too-many", "", fmt::format("more than {} documents", WD_MAX_FILTERS),
                    {file, start.line + 1, start.column + 1});
      }
      docs.emplace_back(at, counter.nodes > 0);
    }
  } catch (const YAML::Exception& e) {
    throw error(errc::parse, "spec.syntax", "", e.msg, {file, e.mark.line + 1, e.mark.column + 1});
  }
  // Each document is read on its own; the text before it becomes newlines so that positions
  // stay those of the whole file. Empty documents ("---" with nothing after it) are skipped.
  std::vector<spec> out;
  for (size_t i = 0; i < docs.size(); ++i) {
    if (!docs[i].second) continue;
    // From the start of the line: "---" is always at column 0, and the first document keeps
    // its indentation.
    const size_t nl = docs[i].first == 0 ? std::string::npos : input.rfind('\n', docs[i].first - 1);
    const size_t begin = nl == std::string::npos ? 0 : nl + 1;
    const size_t end = i + 1 < docs.size() ? docs[i + 1].first : input.size();
    std::string one(static_cast<size_t>(std::count(input.begin(), input.begin() + begin, '\n')), '\n');
    one.append(input, begin, end - begin);
    out.push_back(parse_spec(one, file, base_dir));
  }
  if (out.empty()) throw error(errc::invalid, "spec.empty", "", "the spec is empty", {file, 1, 1});
  return out;
}

spec parse_spec(std::string_view text, const std::string& file, const std::string& base_dir) {
  if (text.size() > WD_MAX_SPEC_BYTES) {
    throw error(errc::invalid, "spec.too-large", "", fmt::format("spec is larger than {} bytes", WD_MAX_SPEC_BYTES),
                {file, 0, 0});
  }
  spec out;
  out.file = file;
  out.base_dir = base_dir;
  wasmdeploy::v1alpha1::Spec msg;
  walker w(file, out, valid_utf8(text));
  {
    // The YAML tree is the largest form of a big spec (several KiB per workload): it lives only
    // in this block, so it is freed before the model is built and the two never coexist.
    const YAML::Node root = load_one_document(std::string(text), file);
    try {
      w.read_message(root, msg, "", 0);
    } catch (const YAML::Exception& e) {
      throw error(errc::parse, "spec.syntax", "", e.msg, {file, e.mark.line + 1, e.mark.column + 1});
    }
  }
  detail::convert_spec(msg, w.values, out);
  return out;
}

}  // namespace wasmdeploy
