// Turning documents into bytes: a YAML stream, a JSON v1 List, or a directory of files.
#include <wasmdeploy/error.hpp>
#include <wasmdeploy/file_io.hpp>
#include <wasmdeploy/render.hpp>

#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <set>

#include <fmt/format.h>
#include <unistd.h>

#include "emit/emitters.hpp"

namespace wasmdeploy {
namespace {

constexpr size_t kFlushBytes = 1 << 16;

void append_document(std::string& out, const document& d, output_format format, size_t index) {
  if (format == output_format::yaml) {
    out += "---\n";
    detail::append_yaml(out, d.body);
  } else {
    out += index == 0 ? "    " : ",\n    ";
    detail::append_json_pretty(out, d.body, 4);
  }
}

const char* kJsonHead = "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": [\n";

}  // namespace

std::string to_text(const std::vector<document>& docs, output_format format) {
  std::string out;
  if (format == output_format::json) out += kJsonHead;
  size_t n = 0;
  for (const auto& d : docs) {
    if (d.what == document::role::file) continue;
    append_document(out, d, format, n++);
  }
  if (format == output_format::json) out += n == 0 ? "  ]\n}\n" : "\n  ]\n}\n";
  return out;
}

stream_writer::stream_writer(std::FILE* out, output_format format) : out_(out), format_(format) {
  buffer_.reserve(kFlushBytes * 2);
  if (format_ == output_format::json) buffer_ += kJsonHead;
}

stream_writer::~stream_writer() {
  // While an exception unwinds (rendering failed), writing the buffered documents or a JSON
  // List's closing would put a partial manifest on the output.
  if (!finished_ && std::uncaught_exceptions() == 0) {
    try {
      finish();
    } catch (...) {
    }
  }
}

void stream_writer::on_document(const document& d) {
  if (d.what == document::role::file) return;
  append_document(buffer_, d, format_, count_++);
  if (buffer_.size() >= kFlushBytes) {
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), out_) != buffer_.size()) {
      throw error(errc::io, "io.write", "", "writing the output failed");
    }
    buffer_.clear();
  }
}

void stream_writer::finish() {
  if (finished_) return;
  finished_ = true;
  if (format_ == output_format::json) buffer_ += count_ == 0 ? "  ]\n}\n" : "\n  ]\n}\n";
  if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), out_) != buffer_.size()) {
    throw error(errc::io, "io.write", "", "writing the output failed");
  }
  buffer_.clear();
  std::fflush(out_);
}

void write_directory(const std::vector<document>& docs, const std::string& dir, bool force) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path target = fs::path(dir).lexically_normal();
  // "out/" names the directory "out": the staging and retired siblings must not end up inside it.
  if (!target.has_filename() && target.has_parent_path()) target = target.parent_path();
  const bool exists = fs::exists(target, ec);
  if (exists && !fs::is_directory(target, ec)) {
    throw error(errc::io, "output.not-a-directory", "", fmt::format("{} exists and is not a directory", dir));
  }
  if (exists && !fs::is_empty(target, ec) && !force) {
    throw error(errc::io, "output.exists", "",
                fmt::format("{} already has files; pass --force to replace its contents", dir));
  }
  const std::string suffix = fmt::format(".wasmdeploy-{}", static_cast<long>(::getpid()));
  const fs::path staging = target.string() + suffix + ".new";
  const fs::path retired = target.string() + suffix + ".old";
  fs::remove_all(staging, ec);
  if (!fs::create_directories(staging, ec) && ec) {
    throw error(errc::io, "io.write", "", fmt::format("cannot create {}: {}", staging.string(), ec.message()));
  }
  try {
    std::set<std::string> used;
    for (const auto& d : docs) {
      if (!used.insert(d.file_name).second) {
        throw error(errc::generic, "output.duplicate-file", "", fmt::format("two documents map to {}", d.file_name));
      }
      std::string text;
      if (d.what == document::role::file) {
        text = d.body.as_string();
      } else {
        detail::append_yaml(text, d.body);
      }
      write_file_atomic((staging / d.file_name).string(), text);
    }
    if (exists) {
      fs::rename(target, retired);
    }
    fs::rename(staging, target);
  } catch (const fs::filesystem_error& e) {
    fs::remove_all(staging, ec);
    if (!fs::exists(target, ec) && fs::exists(retired, ec)) fs::rename(retired, target, ec);
    throw error(errc::io, "io.write", "", e.what());
  } catch (...) {
    fs::remove_all(staging, ec);
    throw;
  }
  fs::remove_all(retired, ec);
}

}  // namespace wasmdeploy
