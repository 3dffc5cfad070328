#include "spec/yaml_events.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>
#include <yaml.h>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/limits.hpp>

#include "utf8.hpp"

namespace wasmdeploy::detail {

struct yaml_event_reader::parser {
  yaml_parser_t p{};
  yaml_event_t event{};
  bool has_event = false;

  explicit parser(std::string_view text) {
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, reinterpret_cast<const unsigned char*>(text.data()), text.size());
    yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
  }
  ~parser() {
    release();
    yaml_parser_delete(&p);
  }
  void release() {
    if (has_event) yaml_event_delete(&event);
    has_event = false;
  }
};

namespace {

constexpr std::string_view kReplacement = "\xef\xbf\xbd";  // U+FFFD

bool null_word(std::string_view s) { return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL"; }

}  // namespace

yaml_event_reader::yaml_event_reader(std::string_view text, std::string file, std::string syntax_code,
                                     std::string syntax_path)
    : input_(text), file_(std::move(file)), syntax_code_(std::move(syntax_code)), syntax_path_(std::move(syntax_path)) {
  // A UTF-8 byte order mark is allowed at the start (YAML 1.2 5.2); libyaml, told the encoding,
  // would take it for content.
  if (text.substr(0, 3) == "\xef\xbb\xbf") {
    text.remove_prefix(3);
    input_ = text;
  }
  if (!is_valid_utf8(text)) {
    // Bytes that are not UTF-8 become U+FFFD (one character each, so libyaml's character
    // indexes and columns stay those of the bytes); a scalar holding one is refused by the reader
    // with the field it belongs to.
    text_.reserve(text.size() + 16);
    std::size_t chars = 0;
    std::uint32_t line = 1, column = 1;
    for (std::size_t i = 0; i < text.size();) {
      const std::size_t len = utf8_sequence_length(text, i);
      if (len == 0) {
        invalid_.push_back({chars, line, column});
        text_.append(kReplacement);
        ++i;
      } else {
        if (text[i] == '\n') {
          ++line;
          column = 0;
        }
        text_.append(text.substr(i, len));
        i += len;
      }
      ++chars;
      ++column;
    }
    input_ = text_;
  }
  p_ = std::make_unique<parser>(input_);
}

yaml_event_reader::~yaml_event_reader() = default;

void yaml_event_reader::mark_invalid(yaml_event& e, std::size_t begin, std::size_t end) const {
  if (invalid_.empty()) return;
  begin += index_base_;
  end += index_base_;
  auto it = std::lower_bound(invalid_.begin(), invalid_.end(), begin,
                             [](const bad_char& b, std::size_t i) { return b.index < i; });
  e.invalid_utf8 = it != invalid_.end() && it->index < end;
}

void yaml_event_reader::syntax_error() {
  const yaml_parser_t& y = p_->p;
  std::string msg = y.problem != nullptr ? y.problem : "YAML syntax error";
  std::uint32_t line = 0, column = 0;
  if (y.error == YAML_READER_ERROR) {
    // The reader reports a byte offset: count lines up to it.
    const std::size_t at = std::min(y.problem_offset, input_.size());
    const auto nl = input_.rfind('\n', at == 0 ? 0 : at - 1);
    line = static_cast<std::uint32_t>(std::count(input_.begin(), input_.begin() + static_cast<std::ptrdiff_t>(at), '\n')) + 1;
    column = static_cast<std::uint32_t>(nl == std::string_view::npos || at == 0 ? at + 1 : at - nl);
    line += line_base_;
    if (y.problem_value >= 0) msg += fmt::format(" (#x{:x})", y.problem_value);
  } else {
    line = static_cast<std::uint32_t>(y.problem_mark.line) + 1 + line_base_;
    column = static_cast<std::uint32_t>(y.problem_mark.column) + 1;
    // At the end of a text without a final newline libyaml moves to a line that does not
    // exist; report the end of the last line instead.
    const auto breaks = static_cast<std::uint32_t>(std::count(input_.begin(), input_.end(), '\n'));
    if (!input_.empty() && input_.back() != '\n' && y.problem_mark.line > breaks) {
      const auto nl = input_.rfind('\n');
      const std::string_view last = nl == std::string_view::npos ? input_ : input_.substr(nl + 1);
      line = breaks + 1 + line_base_;
      column = static_cast<std::uint32_t>(std::count_if(last.begin(), last.end(), [](char c) {
                 return (static_cast<unsigned char>(c) & 0xc0) != 0x80;
               })) + 1;
    }
    if (y.context != nullptr) {
      msg += fmt::format(" ({} at line {}, column {})", y.context, y.context_mark.line + 1 + line_base_,
                         y.context_mark.column + 1);
    }
  }
  throw error(errc::parse, syntax_code_, syntax_path_, msg, {file_, static_cast<int>(line), static_cast<int>(column)});
}

// libyaml (YAML 1.1) wants "---" before a document that follows "...", which YAML 1.2 and
// yaml-cpp do not; the next document is read by a fresh parser starting on its line.
void yaml_event_reader::restart_after(std::uint32_t line) {
  std::size_t offset = 0;
  for (std::uint32_t l = line_base_; l < line && offset < input_.size(); ++l) {
    const auto nl = input_.find('\n', offset);
    offset = nl == std::string_view::npos ? input_.size() : nl + 1;
  }
  // Character indexes (for the invalid-byte table) continue from the characters skipped.
  for (std::size_t i = 0; i < offset; ++i) index_base_ += (static_cast<unsigned char>(input_[i]) & 0xc0) != 0x80;
  input_ = input_.substr(offset);
  line_base_ = line;
  p_ = std::make_unique<parser>(input_);
}

std::int32_t yaml_event_reader::lookup_alias(std::string_view name, std::uint32_t line, std::uint32_t column) {
  auto it = anchors_.find(std::string(name));
  if (it == anchors_.end()) {
    throw error(errc::parse, syntax_code_, syntax_path_, fmt::format("found undefined alias '{}'", name),
                {file_, static_cast<int>(line), static_cast<int>(column)});
  }
  if (!recordings_[static_cast<std::size_t>(it->second)].complete) {
    throw error(errc::invalid, "spec.too-deep", "", fmt::format("alias '{}' refers to a node that contains it", name),
                {file_, static_cast<int>(line), static_cast<int>(column)});
  }
  return it->second;
}

void yaml_event_reader::record(const yaml_event& e, std::int32_t alias_of) {
  recorded r;
  r.event = e;
  r.alias_of = alias_of;
  r.text_offset = static_cast<std::uint32_t>(log_text_.size());
  r.text_length = static_cast<std::uint32_t>(e.value.size());
  log_text_.append(e.value);
  r.event.value = {};
  log_.push_back(r);
}

const yaml_event& yaml_event_reader::start_replay(std::int32_t id) {
  const recording& r = recordings_[static_cast<std::size_t>(id)];
  replays_.push_back({r.begin, r.end});
  return next();
}

const yaml_event& yaml_event_reader::next() {
  while (!replays_.empty()) {
    replay& r = replays_.back();
    if (r.at == r.end) {
      replays_.pop_back();
      continue;
    }
    const recorded& rec = log_[r.at++];
    if (rec.alias_of >= 0) {
      const recording& target = recordings_[static_cast<std::size_t>(rec.alias_of)];
      replays_.push_back({target.begin, target.end});
      continue;
    }
    current_ = rec.event;
    current_.value = std::string_view(log_text_).substr(rec.text_offset, rec.text_length);
    // Nodes are counted by the reader; bytes here: an alias of a big string, repeated, is small
    // text that would build a huge model.
    replayed_bytes_ += rec.text_length + 1;
    if (replayed_bytes_ > active_limits().alias_expansion_bytes) {
      throw error(errc::invalid, "spec.alias-expansion", syntax_path_,
                  fmt::format("aliases in this document expand to more than {} bytes", active_limits().alias_expansion_bytes),
                  {file_, static_cast<int>(current_.line), static_cast<int>(current_.column)});
    }
    return current_;
  }
  return from_parser(true);
}

void yaml_event_reader::skip_to_document_end() {
  replays_.clear();
  for (;;) {
    const yaml_event& e = from_parser(false);
    if (e.type == yaml_event::kind::document_end || e.type == yaml_event::kind::stream_end) return;
  }
}

const yaml_event& yaml_event_reader::from_parser(bool expand_aliases) {
  using kind = yaml_event::kind;
  for (;;) {
    p_->release();
    if (!yaml_parser_parse(&p_->p, &p_->event)) {
      const yaml_parser_t& y = p_->p;
      if (after_explicit_end_ && y.error == YAML_PARSER_ERROR && y.problem != nullptr &&
          std::strcmp(y.problem, "did not find expected <document start>") == 0) {
        restart_after(static_cast<std::uint32_t>(y.problem_mark.line) + line_base_);
        after_explicit_end_ = false;
        continue;
      }
      syntax_error();
    }
    p_->has_event = true;
    const yaml_event_t& ev = p_->event;
    yaml_event e;
    e.line = static_cast<std::uint32_t>(ev.start_mark.line) + 1 + line_base_;
    e.column = static_cast<std::uint32_t>(ev.start_mark.column) + 1;
    const char* anchor = nullptr;
    switch (ev.type) {
      case YAML_STREAM_START_EVENT:
      case YAML_NO_EVENT:
        continue;
      case YAML_STREAM_END_EVENT:
        e.type = kind::stream_end;
        current_ = e;
        return current_;
      case YAML_DOCUMENT_START_EVENT:
        e.type = kind::document_start;
        anchors_.clear();
        recordings_.clear();
        log_.clear();
        log_text_.clear();
        open_.clear();
        depth_ = 0;
        replayed_bytes_ = 0;
        after_explicit_end_ = false;
        current_ = e;
        return current_;
      case YAML_DOCUMENT_END_EVENT:
        e.type = kind::document_end;
        e.explicit_end = ev.data.document_end.implicit == 0;
        after_explicit_end_ = e.explicit_end;
        current_ = e;
        return current_;
      case YAML_ALIAS_EVENT: {
        const char* name = reinterpret_cast<const char*>(ev.data.alias.anchor);
        const std::int32_t id = lookup_alias(name, e.line, e.column);
        if (!open_.empty()) {
          record(e, id);
          while (!open_.empty() && open_.back().depth == depth_) {
            recording& r = recordings_[static_cast<std::size_t>(open_.back().id)];
            r.end = log_.size();
            r.complete = true;
            open_.pop_back();
          }
        }
        if (expand_aliases) return start_replay(id);
        e.type = kind::scalar;
        e.null = true;
        current_ = e;
        return current_;
      }
      case YAML_SCALAR_EVENT: {
        e.type = kind::scalar;
        e.value = std::string_view(reinterpret_cast<const char*>(ev.data.scalar.value), ev.data.scalar.length);
        const char* tag = reinterpret_cast<const char*>(ev.data.scalar.tag);
        const bool plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        // Quoted, "!" or "!!str": a string whatever it looks like (`!!str 8080` is not a number).
        e.verbatim = (tag == nullptr && !plain) ||
                     (tag != nullptr && (std::strcmp(tag, "!") == 0 || std::strcmp(tag, "tag:yaml.org,2002:str") == 0));
        e.null = tag == nullptr && plain && null_word(e.value);
        mark_invalid(e, ev.start_mark.index, ev.end_mark.index);
        anchor = reinterpret_cast<const char*>(ev.data.scalar.anchor);
        break;
      }
      case YAML_SEQUENCE_START_EVENT:
        e.type = kind::sequence_start;
        anchor = reinterpret_cast<const char*>(ev.data.sequence_start.anchor);
        break;
      case YAML_MAPPING_START_EVENT:
        e.type = kind::mapping_start;
        anchor = reinterpret_cast<const char*>(ev.data.mapping_start.anchor);
        break;
      case YAML_SEQUENCE_END_EVENT:
        e.type = kind::sequence_end;
        break;
      case YAML_MAPPING_END_EVENT:
        e.type = kind::mapping_end;
        break;
    }
    if (anchor != nullptr) {
      const auto id = static_cast<std::int32_t>(recordings_.size());
      recordings_.push_back({log_.size(), log_.size(), false});
      anchors_[anchor] = id;
      open_.push_back({id, depth_});
    }
    if (e.type == kind::sequence_start || e.type == kind::mapping_start) ++depth_;
    if (e.type == kind::sequence_end || e.type == kind::mapping_end) --depth_;
    if (!open_.empty()) {
      record(e, -1);
      while (!open_.empty() && open_.back().depth == depth_) {
        recording& r = recordings_[static_cast<std::size_t>(open_.back().id)];
        r.end = log_.size();
        r.complete = true;
        open_.pop_back();
      }
    }
    current_ = e;
    return current_;
  }
}

}  // namespace wasmdeploy::detail
