// `wasmdeploy completion bash|zsh|fish`: shell completion scripts, generated from the command
// definitions themselves so they never fall behind a new flag.
//   source <(wasmdeploy completion bash)
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <wasmdeploy/choices.hpp>
#include <wasmdeploy/gateway_capabilities.hpp>
#include <wasmdeploy/mesh_version.hpp>

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

std::string join_words(const std::vector<std::string_view>& words) {
  std::string out;
  for (auto w : words) out += (out.empty() ? "" : " ") + std::string(w);
  return out;
}

std::string istio_versions() {
  std::string out;
  const release lo = mesh_version::oldest_supported(), hi = mesh_version::newest_supported();
  for (int m = lo.minor; m <= hi.minor; ++m) out += fmt::format("{}{}.{}", out.empty() ? "" : " ", lo.major, m);
  return out;
}

/// The values a flag takes, from the same tables its parser reads (empty: complete file names).
/// `-o` differs per command: render and undeploy also write directories.
std::string flag_values(const std::string& command, const std::string& flag) {
  if (flag == "istio" || flag == "from-istio") return istio_versions();
  if (flag == "target") return command == "inspect-image" ? "istio envoy-gateway higress gloo" : join_words(choices_of("platform"));
  if (flag == "to") return "spec wasmplugin envoyfilter trafficextension " + join_words(choices_of("platform"));
  if (flag == "gateway-version") {
    std::string out;
    const release lo = gateway_oldest_supported(), hi = gateway_newest_supported();
    for (int m = lo.minor; m <= hi.minor; ++m) out += (out.empty() ? "" : " ") + gateway_version_str({lo.major, m, 0});
    return out;
  }
  if (flag == "variant") return "oci compat";
  if (flag == "output") {
    if (command == "render" || command == "undeploy") return "yaml json dir=";
    if (command == "convert" || command == "krm") return "yaml json";
    return "text json yaml";
  }
  static const std::pair<const char*, const char*> kEnums[] = {
      {"phase", "phase"},          {"context", "context"},   {"fail", "failStrategy"},
      {"pull-policy", "imagePullPolicy"}, {"delivery", "delivery"}, {"resource", "resource"},
      {"naming", "naming"},        {"type", "type"}};
  for (const auto& [name, what] : kEnums) {
    if (flag == name) return join_words(choices_of(what));
  }
  return "";
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
  std::string names, cases, values;
  for (const auto& c : cmds) {
    names += (names.empty() ? "" : " ") + c.name;
    cases += fmt::format("    {}) words=\"{}\" ;;\n", c.name, flag_words(c).substr(1));
    for (const CLI::Option* o : c.options) {
      if (o->get_type_size() == 0 || o->get_lnames().empty()) continue;
      const std::string v = flag_values(c.name, o->get_lnames().front());
      if (v.empty()) continue;
      std::string pattern;
      for (const auto& s : o->get_snames()) pattern += (pattern.empty() ? "" : "|") + ("-" + s);
      for (const auto& l : o->get_lnames()) pattern += (pattern.empty() ? "" : "|") + ("--" + l);
      values += fmt::format("    {}:{}) values=\"{}\" ;;\n", c.name, pattern, v);
    }
  }
  return fmt::format(R"(# bash completion for wasmdeploy: source <(wasmdeploy completion bash)
_wasmdeploy() {{
  local cur=${{COMP_WORDS[COMP_CWORD]}} prev=${{COMP_WORDS[COMP_CWORD-1]}} cmd="" words="" values="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${{COMP_WORDS[i]}} in -*) ;; *) cmd=${{COMP_WORDS[i]}}; break ;; esac
  done
  case $cmd in
    "") words="{} --help --version" ;;
    help) words="{}" ;;
    completion) words="bash zsh fish" ;;
{}    *) words="" ;;
  esac
  # A flag's value: its choices (from the tables the parser reads), else file names.
  case $cmd:$prev in
{}  esac
  if [[ -n $values ]]; then
    compopt +o filenames 2>/dev/null
    COMPREPLY=($(compgen -W "$values" -- "$cur"))
    [[ ${{#COMPREPLY[@]}} -eq 1 && ${{COMPREPLY[0]}} == *= ]] && compopt -o nospace 2>/dev/null
  elif [[ -z $cmd || $cur == -* || $cmd == help || $cmd == completion ]]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}}
complete -o filenames -F _wasmdeploy wasmdeploy
)",
                     names, names, cases, values);
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
