#include <wasmdeploy/file_io.hpp>
#include <wasmdeploy/limits.hpp>
#include <wasmdeploy/spec.hpp>

#include <cstdio>

namespace wasmdeploy {

spec load_spec(const std::string& path) {
  // parse_spec refuses what is over the limit; reading stops just past it.
  std::string text = read_input_prefix(path, active_limits().spec_bytes);
  if (path == "-") return parse_spec(text, "<stdin>", ".");
  auto slash = path.find_last_of('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
  return parse_spec(text, path, dir);
}

spec load_spec(const std::string& path, const limits& bounds) {
  const limits_scope scope(bounds);
  return load_spec(path);
}

}  // namespace wasmdeploy
