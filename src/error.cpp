#include <wasmdeploy/error.hpp>

#include <fmt/format.h>

namespace wasmdeploy {
namespace {

std::string compose(const source_position& pos, const std::string& code, const std::string& path,
                    const std::string& message) {
  std::string out;
  if (pos.known()) {
    out = fmt::format("{}:{}:{}: ", pos.file.empty() ? "<input>" : pos.file, pos.line, pos.column);
  }
  out += fmt::format("[{}] ", code);
  if (!path.empty()) {
    out += path;
    out += ": ";
  }
  out += message;
  return out;
}

}  // namespace

error::error(errc category, std::string code, std::string path, std::string message,
             source_position position)
    : std::runtime_error(compose(position, code, path, message)),
      category_(category),
      code_(std::move(code)),
      path_(std::move(path)),
      message_(std::move(message)),
      position_(std::move(position)) {}

std::string format_error(const error& e) { return e.what(); }

std::string format_diagnostic(const diagnostic& d) {
  return fmt::format("{}: {}", severity_name(d.level), compose(d.position, d.code, d.path, d.message));
}

std::string shorten(std::string_view value, std::size_t max) {
  if (value.size() <= max) return std::string(value);
  std::size_t keep = max > 24 ? max - 24 : max;
  // Never cut a UTF-8 sequence in two.
  while (keep > 0 && (static_cast<unsigned char>(value[keep]) & 0xc0) == 0x80) --keep;
  return fmt::format("{}... ({} bytes)", value.substr(0, keep), value.size());
}

const char* severity_name(severity s) noexcept {
  switch (s) {
    case severity::note: return "note";
    case severity::warning: return "warning";
    case severity::error: return "error";
  }
  return "unknown";
}

}  // namespace wasmdeploy
