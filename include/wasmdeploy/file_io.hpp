// Reading inputs and writing outputs without ever leaving a partial file behind.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace wasmdeploy {

/// Whole file into memory, refusing one over `max_bytes` (error{invalid, "file.too-large"})
/// after reading at most one byte more: a path may name /dev/zero or a FIFO. Throws
/// error{io, "io.open"/"io.read"} naming the path when it cannot be read.
std::string read_file(const std::string& path, std::size_t max_bytes);

/// At most `max_bytes + 1` bytes of a file ("-" is stdin): enough for the caller to refuse an
/// input over its limit without first reading all of it into memory.
std::string read_input_prefix(const std::string& path, std::size_t max_bytes);

/// Writes `contents` to a temporary file beside `path`, flushes it, then renames it over `path`,
/// so readers see either the old file or the complete new one.
void write_file_atomic(const std::string& path, std::string_view contents);

/// Puts the complete directory `staging` in place of `target` in one step, so a reader (or a run
/// killed at any moment) sees either the old directory or the new one, never a mix and never
/// neither: rename(2) when `target` does not exist, an atomic exchange (renameat2
/// RENAME_EXCHANGE) when it does. The previous contents are then deleted. Throws
/// error{io, "io.write"}; on failure `target` is unchanged.
void replace_directory(const std::string& staging, const std::string& target);

}  // namespace wasmdeploy
