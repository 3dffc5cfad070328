// `wasmdeploy completion bash|zsh|fish`: shell completion scripts, generated from the command
// definitions themselves so they never fall behind a new flag.
//   source <(wasmdeploy completion bash)
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"

namespace wasmdeploy::cli {
namespace {

struct command_words {
  std::string name;
  std::string description;  ///< first line
  std::vector<const CLI::Option*> options;
};

std::vector<command_words> visible_commands(const CLI::App& app) {
  std::vector<command_words> out;
  for (const CLI::App* c : app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); })) {
    command_words w{c->get_name(), c->get_description().substr(0, c->get_description().find('\n')), {}};
    for (const CLI::Option* o : c->get_options([](const CLI::Option* o) {
           return !o->get_group().empty() && !o->get_positional();
         })) {
      w.options.push_back(o);
    }
    out.push_back(std::move(w));
  }
  return out;
}

std::string flag_words(const command_words& c) {
  std::string out;
  for (const CLI::Option* o : c.options) {
    for (const auto& s : o->get_snames()) out += " -" + s;
    for (const auto& l : o->get_lnames()) out += " --" + l;
  }
  return out;
}

std::string bash_script(const CLI::App& app) {
  const auto cmds = visible_commands(app);
  std::string names, cases;
  for (const auto& c : cmds) {
    names += (names.empty() ? "" : " ") + c.name;
    cases += fmt::format("    {}) words=\"{}\" ;;\n", c.name, flag_words(c).substr(1));
  }
  return fmt::format(R"(# bash completion for wasmdeploy: source <(wasmdeploy completion bash)
_wasmdeploy() {{
  local cur=${{COMP_WORDS[COMP_CWORD]}} cmd="" words="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${{COMP_WORDS[i]}} in -*) ;; *) cmd=${{COMP_WORDS[i]}}; break ;; esac
  done
  case $cmd in
    "") words="{} --help --version" ;;
{}    *) words="" ;;
  esac
  if [[ -z $cmd || $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}}
complete -o filenames -F _wasmdeploy wasmdeploy
)",
                     names, cases);
}

std::string fish_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string fish_script(const CLI::App& app) {
  std::string out = "# fish completion for wasmdeploy: wasmdeploy completion fish | source\n";
  for (const auto& c : visible_commands(app)) {
    out += fmt::format("complete -c wasmdeploy -n __fish_use_subcommand -f -a {} -d {}\n", c.name,
                       fish_quote(c.description));
  }
  for (const auto& c : visible_commands(app)) {
    for (const CLI::Option* o : c.options) {
      std::string line = fmt::format("complete -c wasmdeploy -n '__fish_seen_subcommand_from {}'", c.name);
      for (const auto& s : o->get_snames()) line += " -s " + s;
      for (const auto& l : o->get_lnames()) line += " -l " + l;
      if (o->get_type_size() != 0) line += " -r";
      const std::string d = o->get_description();
      out += line + " -d " + fish_quote(d.substr(0, d.find('\n'))) + "\n";
    }
  }
  return out;
}

void run(const CLI::App& app, const std::string& shell) {
  if (shell == "bash") {
    std::fputs(bash_script(app).c_str(), stdout);
  } else if (shell == "zsh") {
    // zsh reads bash completion functions through bashcompinit.
    std::fputs(("#compdef wasmdeploy\n# zsh completion for wasmdeploy: source <(wasmdeploy completion zsh)\n"
                "autoload -U +X bashcompinit && bashcompinit\n" +
                bash_script(app))
                   .c_str(),
               stdout);
  } else {
    std::fputs(fish_script(app).c_str(), stdout);
  }
}

}  // namespace

void add_completion_command(CLI::App& app) {
  auto shell = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "completion",
      "Print a shell completion script: source <(wasmdeploy completion bash); zsh and fish alike");
  cmd->add_option("shell", *shell, "bash, zsh or fish")->required()->check(CLI::IsMember({"bash", "zsh", "fish"}));
  cmd->callback([&app, shell] { run(app, *shell); });
}

}  // namespace wasmdeploy::cli
