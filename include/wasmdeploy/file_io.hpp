// Reading inputs and writing outputs without ever leaving a partial file behind.
#pragma once

#include <string>
#include <string_view>

namespace wasmdeploy {

/// Whole file into memory. Throws error{io, "io.open"/"io.read"} naming the path.
std::string read_file(const std::string& path);

/// Writes `contents` to a temporary file beside `path`, flushes it, then renames it over `path`,
/// so readers see either the old file or the complete new one.
void write_file_atomic(const std::string& path, std::string_view contents);

}  // namespace wasmdeploy
