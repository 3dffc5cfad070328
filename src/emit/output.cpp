// Turning documents into bytes: a YAML stream, a JSON v1 List, or a directory of files.
#include <wasmdeploy/digest.hpp>
#include <wasmdeploy/error.hpp>
#include <wasmdeploy/file_io.hpp>
#include <wasmdeploy/render.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <set>

#include <fmt/format.h>
#include <signal.h>
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

// A run killed while writing leaves its staging directory ("<target>.wasmdeploy-<pid>.new")
// beside the target; the next run removes those whose process is gone.
void remove_stale_staging(const std::filesystem::path& target) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const std::string prefix = target.filename().string() + ".wasmdeploy-";
  const std::string suffix = ".new";
  for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() + suffix.size() || name.compare(0, prefix.size(), prefix) != 0 ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    const std::string digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
    if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto pid = static_cast<pid_t>(std::stol(digits));
    if (pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH) {
      std::error_code rm;
      fs::remove_all(it->path(), rm);
    }
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

namespace {

// Where a document goes in -o dir= output: the objects wasmdeploy creates at the top, where
// `kubectl apply -f DIR` and `kubectl delete -f DIR` read (they do not descend without -R);
// patches of objects the user owns under patches/ (`kubectl patch`, one file each); files that
// are not Kubernetes objects (runtime-config.json, the Envoy bootstrap) under files/.
// File systems take names up to 255 bytes; "<kind>-<namespace>-<name>.yaml" of a valid
// 253-character name is longer. Such a name keeps its head and gets a digest of the whole in
// place of the rest, so it stays unique and the same on every run.
std::string fitted_file_name(const std::string& name) {
  constexpr std::size_t kNameMax = 255;
  if (name.size() <= kNameMax) return name;
  const auto dot = name.rfind('.');
  const std::string ext = dot == std::string::npos ? "" : name.substr(dot);
  const std::string digest = sha256_hex(name).substr(0, 16);
  std::string head = name.substr(0, kNameMax - ext.size() - digest.size() - 1);
  while (!head.empty() && (static_cast<unsigned char>(head.back()) & 0xc0) == 0x80) head.pop_back();  // whole UTF-8
  if (!head.empty() && (static_cast<unsigned char>(head.back()) & 0x80)) head.pop_back();
  return head + "-" + digest + ext;
}

std::string directory_path(const document& d) {
  switch (d.what) {
    case document::role::patch: return "patches/" + fitted_file_name(d.file_name);
    case document::role::file: return "files/" + fitted_file_name(d.file_name);
    case document::role::resource: break;
  }
  // `kubectl apply -f DIR` applies files in name order and stops nothing on an error: a
  // namespace must come before the objects inside it (the wasme node cache's).
  if (d.kind == "Namespace" && d.api_version == "v1") return fitted_file_name("00-" + d.file_name);
  return fitted_file_name(d.file_name);
}

}  // namespace

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
  const fs::path staging = target.string() + fmt::format(".wasmdeploy-{}.new", static_cast<long>(::getpid()));
  remove_stale_staging(target);
  fs::remove_all(staging, ec);
  if (!fs::create_directories(staging, ec) && ec) {
    throw error(errc::io, "io.write", "", fmt::format("cannot create {}: {}", staging.string(), ec.message()));
  }
  try {
    std::set<std::string> used;
    for (const auto& d : docs) {
      const std::string rel = directory_path(d);
      if (!used.insert(rel).second) {
        throw error(errc::generic, "output.duplicate-file", "", fmt::format("two documents map to {}", rel));
      }
      if (d.what != document::role::resource) fs::create_directories(staging / fs::path(rel).parent_path());
      std::string text;
      if (d.what == document::role::file) {
        text = d.body.as_string();
      } else {
        detail::append_yaml(text, d.body);
      }
      write_file_atomic((staging / rel).string(), text);
    }
    // One step: a run killed at any moment leaves the old directory or the new one at `target`.
    if (force) {
      replace_directory(staging.string(), target.string());
    } else if (::rename(staging.c_str(), target.c_str()) != 0) {
      // rename() replaces only a missing or empty directory: another run that wrote `target`
      // since the check above wins, and this one reports it instead of replacing its output.
      const int err = errno;
      if (err == ENOTEMPTY || err == EEXIST) {
        throw error(errc::io, "output.exists", "",
                    fmt::format("{} was written by another run meanwhile; pass --force to replace its contents", dir));
      }
      throw error(errc::io, "io.write", "",
                  fmt::format("cannot rename {} to {}: {}", staging.string(), target.string(), std::strerror(err)));
    }
  } catch (const fs::filesystem_error& e) {
    fs::remove_all(staging, ec);
    throw error(errc::io, "io.write", "", e.what());
  } catch (...) {
    fs::remove_all(staging, ec);
    throw;
  }
}

}  // namespace wasmdeploy
