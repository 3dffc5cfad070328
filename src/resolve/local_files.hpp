// Confined, bounded reads of local inputs (the resolve stage's only way to the file system).
#pragma once

#include <cstddef>
#include <string>

#include <wasmdeploy/resolve.hpp>

namespace wasmdeploy::resolve {

/// The real path of `file` (relative to base_dir) when it lies inside base_dir or an allowed
/// path, symlinks resolved; else error{invalid, "input.outside-spec-dir"}, the same message
/// whether or not the file exists.
std::string confined_path(const std::string& base_dir, const std::string& file, const std::string& field,
                          const input_access& access);

/// A regular file's bytes: opened once, fstat'ed (directory, FIFO, device refused with their
/// own codes), its size checked against max_bytes before reading. `shown` names it in messages.
std::string read_regular_file(const std::string& path, std::size_t max_bytes, const std::string& field,
                              const std::string& shown);

/// A directory (an image layout) under the same confinement.
std::string confined_directory(const std::string& base_dir, const std::string& dir, const std::string& field,
                               const input_access& access);

}  // namespace wasmdeploy::resolve
