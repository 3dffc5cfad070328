#include <wasmdeploy/file_io.hpp>
#include <wasmdeploy/spec.hpp>

#include <cstdio>
#include <iostream>
#include <iterator>

namespace wasmdeploy {

spec load_spec(const std::string& path) {
  if (path == "-") {
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    return parse_spec(text, "<stdin>", ".");
  }
  std::string text = read_file(path);
  auto slash = path.find_last_of('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
  return parse_spec(text, path, dir);
}

}  // namespace wasmdeploy
