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

std::vector<CLI::App*> commands(CLI::App& app) {
  return app.get_subcommands([](CLI::App*) { return true; });
}

CLI::App* find_command(CLI::App& app, const std::string& name) {
  for (CLI::App* c : commands(app)) {
    if (c->get_name() == name) return c;
  }
  return nullptr;
}

// roff text: a backslash is \e, and a line may not start with a control character.
std::string roff(const std::string& text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
    line_start = c == '\n';
  }
  return out;
}

std::string option_names(const CLI::Option* o) {
  std::string names;
  for (const auto& s : o->get_snames()) names += (names.empty() ? "" : ", ") + ("-" + s);
  for (const auto& l : o->get_lnames()) names += (names.empty() ? "" : ", ") + ("--" + l);
  if (o->get_positional()) names = o->get_name();
  return names;
}

// The manual page, from the command and flag definitions themselves (as completion is), so it
// cannot fall behind them; docs/wasmdeploy.1 is this output, checked by the cli.docs test.
std::string man_page(CLI::App& app) {
  std::string out = fmt::format(".TH WASMDEPLOY 1 \"\" \"wasmdeploy {}\" \"User Commands\"\n", WD_CLI_VERSION);
  out += ".SH NAME\nwasmdeploy \\- " + roff(app.get_description().substr(app.get_description().find(": ") + 2)) + "\n";
  out += ".SH SYNOPSIS\n.B wasmdeploy\n\\fICOMMAND\\fR [\\fIFLAGS\\fR] [\\fIARGUMENTS\\fR]\n";
  out += ".SH DESCRIPTION\nEvery input is checked against the chosen Istio version before anything is written; "
         "errors name the field or flag, the file:line:col and a stable code (docs/errors.md).\n";
  out += ".SH COMMANDS\n";
  for (CLI::App* c : commands(app)) {
    if (c->get_group().empty()) continue;  // hidden
    out += ".SS " + roff(c->get_name()) + "\n";
    const std::string d = c->get_description();
    std::string first = d.substr(0, d.find('\n')), rest = d.find('\n') == std::string::npos ? "" : d.substr(d.find('\n') + 1);
    out += roff(first) + "\n";
    if (!rest.empty()) out += ".PP\n.nf\n" + roff(rest) + "\n.fi\n";
    for (const CLI::Option* o : c->get_options([](const CLI::Option* o) { return !o->get_group().empty(); })) {
      if (o->get_lnames().size() == 1 && o->get_lnames().front() == "help") continue;
      out += ".TP\n.B " + roff(option_names(o));
      if (o->get_type_size() != 0 && !o->get_positional()) {
        out += " \\fI" + roff(o->get_type_name().empty() ? "VALUE" : o->get_type_name()) + "\\fR";
      }
      out += "\n" + roff(o->get_description()) + "\n";
    }
  }
  out += ".SH EXIT STATUS\n.TP\n0\nsuccess\n.TP\n1\ninvalid input, or a failed check (nothing is written)\n"
         ".TP\n2\na usage error: an unknown command or flag, a flag value that is not one of its choices, "
         "flags that contradict each other\n";
  out += ".SH FILES\nThe spec reference is docs/spec.md, every error code is in docs/errors.md.\n";
  out += ".SH SEE ALSO\n.BR istioctl (1),\n.BR kubectl (1)\n";
  return out;
}

}  // namespace

void add_man_command(CLI::App& app) {
  // Hidden (no group): for packagers and the build, which installs its output as wasmdeploy.1.
  CLI::App* cmd = app.add_subcommand("man", "Print the manual page (roff)")->group("");
  cmd->callback([&app] { std::fputs(man_page(app).c_str(), stdout); });
}

void check_subcommand(CLI::App& app, const std::string& name) {
  if (find_command(app, name) != nullptr) return;
  std::vector<std::string> close;
  for (CLI::App* c : commands(app)) {
    const std::string& n = c->get_name();
    if (c->get_group().empty()) continue;  // hidden
    if (is_close(name, n)) {
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
    // help(prev) names the program: "Usage: wasmdeploy render", as `wasmdeploy render --help` prints.
    std::fputs(find_command(app, names->front())->help("wasmdeploy").c_str(), stdout);
  });
}

}  // namespace wasmdeploy::cli
