// The `build` and `inspect-image` commands behind a main of their own, so the OCI suite can run
// them before the lead wires them into cli/main.cpp. Exit codes follow main's contract:
// 0 ok, 1 invalid input, 2 usage. `make-module` writes a tiny valid module (no committed binaries).
#include <wasmdeploy/error.hpp>
#include <wasmdeploy/file_io.hpp>

#include "cmd_build.hpp"
#include "cmd_inspect_image.hpp"
#include "unit/oci/oci_test_support.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

int main(int argc, char** argv) {
  CLI::App app{"wasmdeploy OCI test driver"};
  app.require_subcommand(1);
  wasmdeploy::cli::add_build_command(app);
  wasmdeploy::cli::add_inspect_image_command(app);
  std::string out, name = "wasmdeploy-test", payload = "hello";
  auto* mk = app.add_subcommand("make-module", "Write a tiny valid Wasm module");
  mk->add_option("out", out)->required();
  mk->add_option("--name", name);
  mk->add_option("--payload", payload);
  mk->callback([&] { wasmdeploy::write_file_atomic(out, oci_test::tiny_module(name, payload)); });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const wasmdeploy::error& e) {
    fmt::print(stderr, "error: {}\n", wasmdeploy::format_error(e));
    return e.category() == wasmdeploy::errc::usage ? 2 : 1;
  }
  return 0;
}
