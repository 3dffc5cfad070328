// Placeholder entry point; the lead owns the real one. It wires `inspect` and maps error
// categories to exit codes (0 ok, 1 invalid input, 2 usage) the way the real main will.
#include <CLI/CLI.hpp>

#include <cstdio>

#include <wasmdeploy/error.hpp>

void add_inspect_command(CLI::App& app);

int main(int argc, char** argv) {
  CLI::App app{"wasmdeploy"};
  app.require_subcommand(1);
  add_inspect_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const wasmdeploy::error& e) {
    std::fprintf(stderr, "wasmdeploy: %s\n", e.what());
    return e.category() == wasmdeploy::errc::usage ? 2 : 1;
  }
  return 0;
}
