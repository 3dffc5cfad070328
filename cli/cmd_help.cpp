// `wasmdeploy help [COMMAND]`, and the did-you-mean check for a mistyped command.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <wasmdeploy/error.hpp>

#include "commands.hpp"

namespace wasmdeploy::cli {
namespace {

size_t distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::vector<CLI::App*> commands(CLI::App& app) {
  return app.get_subcommands([](CLI::App*) { return true; });
}

CLI::App* find_command(CLI::App& app, const std::string& name) {
  for (CLI::App* c : commands(app)) {
    if (c->get_name() == name) return c;
  }
  return nullptr;
}

}  // namespace

void check_subcommand(CLI::App& app, const std::string& name) {
  if (find_command(app, name) != nullptr) return;
  std::vector<std::string> close;
  for (CLI::App* c : commands(app)) {
    const std::string& n = c->get_name();
    if (c->get_group().empty()) continue;  // hidden
    if (distance(name, n) <= std::max<size_t>(1, n.size() / 3) || (name.size() >= 3 && n.rfind(name, 0) == 0)) {
      close.push_back(n);
    }
  }
  std::string hint;
  for (const auto& c : close) hint += (hint.empty() ? "; did you mean " : " or ") + c;
  throw error(errc::usage, "cli.unknown-command", "",
              fmt::format("unknown command \"{}\" for \"wasmdeploy\"{}{}; run 'wasmdeploy help' for the commands",
                          shorten(name, 40), hint, hint.empty() ? "" : "?"));
}

void add_help_command(CLI::App& app) {
  auto names = std::make_shared<std::vector<std::string>>();
  CLI::App* cmd = app.add_subcommand("help", "Help about any command: wasmdeploy help render");
  cmd->add_option("command", *names, "The command to describe");
  cmd->callback([&app, names] {
    if (names->empty()) {
      std::fputs(app.help().c_str(), stdout);
      return;
    }
    check_subcommand(app, names->front());
    std::fputs(find_command(app, names->front())->help().c_str(), stdout);
  });
}

}  // namespace wasmdeploy::cli
