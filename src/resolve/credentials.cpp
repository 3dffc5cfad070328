// docker config.json credentials (docker/cli cli/config/configfile/file.go and
// docker-credential-helpers' protocol: `get` reads the server URL on stdin, prints
// {"ServerURL","Username","Secret"}).
#include "resolve/credentials.hpp"

#include "resolve/http.hpp"
#include "resolve/local_files.hpp"
#include "resolve/registry_client.hpp"

#include <wasmdeploy/file_io.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

extern char** environ;

namespace fs = std::filesystem;

namespace wasmdeploy::resolve {
namespace {

constexpr std::size_t kMaxConfigBytes = 1 << 20;
constexpr std::size_t kMaxHelperOutput = 64 << 10;
constexpr int kHelperTimeoutMs = 10000;

// "https://index.docker.io/v1/", "http://host:5000" and "host:5000" all name host:5000.
std::string server_key(std::string s) {
  if (auto p = s.find("://"); p != std::string::npos) s = s.substr(p + 3);
  if (auto p = s.find('/'); p != std::string::npos) s = s.substr(0, p);
  return s;
}

nlohmann::json parse_config(const std::string& text, const std::string& what) {
  nlohmann::json j = resolve::json_depth_within(text, 16) ? nlohmann::json::parse(text, nullptr, false) : nlohmann::json();
  if (j.is_discarded() || !j.is_object()) {
    throw error(errc::parse, "registry.config-invalid", "--registry-config", fmt::format("{} is not a JSON object", what));
  }
  return j;
}

nlohmann::json load_config(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return nlohmann::json::object();
  return parse_config(read_regular_file(path, kMaxConfigBytes, "--registry-config", path), path);
}

bool valid_helper_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  }
  return name[0] != '.';
}

// Runs docker-credential-<name> get, bounded in time and output.
credentials run_helper(const std::string& name, const std::string& registry) {
  if (!valid_helper_name(name)) {
    throw error(errc::invalid, "registry.credential-helper", "--registry-config",
                fmt::format("credential helper name '{}' is not a plain name", shorten(name, 40)));
  }
  const std::string program = "docker-credential-" + name;
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) throw error(errc::io, "registry.credential-helper", "", "pipe failed");
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    throw error(errc::io, "registry.credential-helper", "", "pipe failed");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  char* argv[] = {const_cast<char*>(program.c_str()), const_cast<char*>("get"), nullptr};
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  if (rc != 0) {
    ::close(in[1]);
    ::close(out[0]);
    throw error(errc::not_found, "registry.credential-helper", "--registry-config",
                fmt::format("config.json names credential helper {} but it cannot be run: {}", program, std::strerror(rc)));
  }
  struct sigaction ignore {}, old {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &old);
  const std::string request = "https://" + registry;
  (void)!::write(in[1], request.data(), request.size());
  ::close(in[1]);
  ::sigaction(SIGPIPE, &old, nullptr);
  std::string output;
  bool timed_out = false;
  char buf[4096];
  for (int waited = 0;;) {
    pollfd p{out[0], POLLIN, 0};
    int n = ::poll(&p, 1, 100);
    if (n == 0) {
      waited += 100;
      if (waited >= kHelperTimeoutMs) {
        timed_out = true;
        break;
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    ssize_t got = ::read(out[0], buf, sizeof buf);
    if (got <= 0) break;
    output.append(buf, static_cast<size_t>(got));
    if (output.size() > kMaxHelperOutput) break;
  }
  ::close(out[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || output.size() > kMaxHelperOutput) {
    // "credentials not found" exits 1: anonymous access then.
    if (!timed_out && WIFEXITED(status) && output.find("credentials not found") != std::string::npos) return {};
    throw error(errc::io, "registry.credential-helper", "--registry-config",
                fmt::format("{} get failed for {}{}", program, registry, timed_out ? " (timed out)" : ""));
  }
  nlohmann::json j = nlohmann::json::parse(output, nullptr, false);
  if (!j.is_object()) {
    throw error(errc::parse, "registry.credential-helper", "--registry-config", fmt::format("{} printed no JSON object", program));
  }
  credentials c;
  if (j.contains("Username") && j["Username"].is_string()) c.username = j["Username"].get<std::string>();
  if (j.contains("Secret") && j["Secret"].is_string()) c.password = j["Secret"].get<std::string>();
  return c;
}

}  // namespace

std::string docker_config_path(const registry_options& options) {
  if (!options.docker_config.empty()) return options.docker_config;
  if (const char* d = std::getenv("DOCKER_CONFIG"); d != nullptr && *d) return std::string(d) + "/config.json";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.docker/config.json";
}

credentials find_credentials(const std::string& registry, const registry_options& options) {
  if (!options.username.empty() || !options.password.empty()) return {options.username, options.password};
  const nlohmann::json config = options.docker_config_json.empty()
                                    ? load_config(docker_config_path(options))
                                    : parse_config(options.docker_config_json, "the docker config JSON");
  if (auto it = config.find("credHelpers"); it != config.end() && it->is_object()) {
    for (const auto& [server, helper] : it->items()) {
      if (server_key(server) == registry && helper.is_string()) return run_helper(helper.get<std::string>(), registry);
    }
  }
  if (auto it = config.find("auths"); it != config.end() && it->is_object()) {
    for (const auto& [server, entry] : it->items()) {
      if (server_key(server) != registry || !entry.is_object()) continue;
      credentials c;
      if (entry.contains("auth") && entry["auth"].is_string()) {
        std::string decoded;
        const std::string auth = entry["auth"].get<std::string>();
        const auto colon = base64_decode(auth, decoded) ? decoded.find(':') : std::string::npos;
        if (colon == std::string::npos) {
          throw error(errc::parse, "registry.config-invalid", "--registry-config",
                      fmt::format("auths[{}].auth is not base64 of user:password", shorten(server, 60)));
        }
        c.username = decoded.substr(0, colon);
        c.password = decoded.substr(colon + 1);
      }
      if (entry.contains("identitytoken") && entry["identitytoken"].is_string()) {
        c.username = "<token>";
        c.password = entry["identitytoken"].get<std::string>();
      }
      if (c.known()) return c;
    }
  }
  if (auto it = config.find("credsStore"); it != config.end() && it->is_string()) {
    return run_helper(it->get<std::string>(), registry);
  }
  return {};
}

void store_credentials(const std::string& registry, const credentials& c, const registry_options& options) {
  const std::string path = docker_config_path(options);
  nlohmann::json config = load_config(path);
  if (!config.contains("auths") || !config["auths"].is_object()) config["auths"] = nlohmann::json::object();
  config["auths"][registry] = {{"auth", base64_encode(c.username + ":" + c.password)}};
  std::error_code ec;
  const fs::path dir = fs::path(path).parent_path();
  if (!dir.empty()) fs::create_directories(dir, ec);
  // The file holds a password: created 0600 before the rename makes it visible.
  const mode_t old = ::umask(077);
  try {
    write_file_atomic(path, config.dump(1, '\t') + "\n");
  } catch (...) {
    ::umask(old);
    throw;
  }
  ::umask(old);
}

bool erase_credentials(const std::string& registry, const registry_options& options) {
  const std::string path = docker_config_path(options);
  nlohmann::json config = load_config(path);
  auto it = config.find("auths");
  if (it == config.end() || !it->is_object()) return false;
  bool erased = false;
  for (auto e = it->begin(); e != it->end();) {
    if (server_key(e.key()) == registry) {
      e = it->erase(e);
      erased = true;
    } else {
      ++e;
    }
  }
  if (!erased) return false;
  const mode_t old = ::umask(077);
  write_file_atomic(path, config.dump(1, '\t') + "\n");
  ::umask(old);
  return true;
}

}  // namespace wasmdeploy::resolve
