// libyaml's event parser behind a small pull interface: the spec reader asks for one event at
// a time and builds the model from it, so no node tree of the input is ever held. Aliases are
// replayed from the events recorded under their anchor, and text that is not UTF-8 is still
// parsed (invalid bytes stand in as U+FFFD) so that the reader can name the field it is in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace wasmdeploy::detail {

struct yaml_event {
  enum class kind : std::uint8_t {
    stream_end, document_start, document_end, scalar, sequence_start, sequence_end, mapping_start, mapping_end
  };
  kind type = kind::stream_end;
  bool verbatim = false;      ///< scalar: quoted, or tagged "!": a string, never resolved
  bool null = false;          ///< scalar: plain and untagged ~, null, Null, NULL or empty
  bool invalid_utf8 = false;  ///< scalar: its text held bytes that are not UTF-8
  bool explicit_end = false;  ///< document_end: written as "..."
  std::string_view value;     ///< scalar text; valid until the next call to next()
  std::uint32_t line = 0;     ///< 1-based
  std::uint32_t column = 0;   ///< 1-based

  bool is_scalar() const noexcept { return type == kind::scalar; }
  /// A scalar that is not null: what a string, number or key must be.
  bool is_text() const noexcept { return type == kind::scalar && !null; }
};

/// Pulls events from YAML (or JSON) text. Syntax errors throw wasmdeploy::error with
/// `syntax_code` (errc::parse), `syntax_path` and `file`:line:col.
class yaml_event_reader {
 public:
  yaml_event_reader(std::string_view text, std::string file, std::string syntax_code, std::string syntax_path = "");
  ~yaml_event_reader();
  yaml_event_reader(const yaml_event_reader&) = delete;
  yaml_event_reader& operator=(const yaml_event_reader&) = delete;

  /// The next event (aliases expanded). The reference stays valid until the next call.
  const yaml_event& next();
  /// Reads to the end of the current document without expanding aliases (used after a refusal,
  /// so that a syntax error later in the document still wins, as it does for a tree parser).
  void skip_to_document_end();
  /// Position of the first byte that is not UTF-8, when the text has one (line 0 otherwise).
  std::uint32_t first_invalid_line() const noexcept { return invalid_.empty() ? 0 : invalid_.front().line; }
  std::uint32_t first_invalid_column() const noexcept { return invalid_.empty() ? 0 : invalid_.front().column; }
  const std::string& file() const noexcept { return file_; }

 private:
  struct parser;
  struct recorded {
    yaml_event event;
    std::uint32_t text_offset = 0;
    std::uint32_t text_length = 0;
    std::int32_t alias_of = -1;  ///< an alias, by recording
  };
  struct recording {
    std::size_t begin = 0, end = 0;  ///< range in log_
    bool complete = false;
  };
  struct open_recording {
    std::int32_t id;
    std::uint32_t depth;
  };
  struct replay {
    std::size_t at, end;
  };
  struct bad_char {
    std::size_t index;  ///< character index, as libyaml counts
    std::uint32_t line, column;
  };

  const yaml_event& from_parser(bool expand_aliases);
  const yaml_event& start_replay(std::int32_t id);
  [[noreturn]] void syntax_error();
  void restart_after(std::uint32_t line);
  void record(const yaml_event& e, std::int32_t alias_of);
  void mark_invalid(yaml_event& e, std::size_t begin, std::size_t end) const;
  std::int32_t lookup_alias(std::string_view name, std::uint32_t line, std::uint32_t column);

  std::string text_;  ///< the input, or a copy with invalid bytes replaced
  std::string_view input_;
  std::string file_;
  std::string syntax_code_;
  std::string syntax_path_;
  std::unique_ptr<parser> p_;
  std::uint32_t line_base_ = 0;    ///< lines before the current parser's input (after a restart)
  std::size_t index_base_ = 0;     ///< characters before it
  std::uint32_t depth_ = 0;        ///< open sequences and mappings (parser events only)
  yaml_event current_;
  std::vector<bad_char> invalid_;
  // Anchors of the current document: events logged while an anchored node is open.
  std::vector<recorded> log_;
  std::string log_text_;
  std::vector<recording> recordings_;
  std::vector<open_recording> open_;
  std::unordered_map<std::string, std::int32_t> anchors_;
  std::vector<replay> replays_;
  std::string replay_value_;
  std::uint64_t replayed_bytes_ = 0;  ///< scalar bytes aliases replayed in this document
  bool after_explicit_end_ = false;
};

}  // namespace wasmdeploy::detail
