#include <wasmdeploy/spec_merge.hpp>

#include <algorithm>
#include <filesystem>
#include <map>

#include <fmt/format.h>
#include <google/protobuf/descriptor.h>

#include <wasmdeploy/file_io.hpp>
#include <wasmdeploy/limits.hpp>

#include "wasmdeploy/spec/v1alpha1/spec.pb.h"

namespace wasmdeploy {
namespace {

namespace pb = google::protobuf;

std::string where(const source_position& p) {
  return p.known() ? fmt::format("{}:{}:{}", p.file, p.line, p.column) : std::string("(no position)");
}

bool same_options(const spec_options& a, const spec_options& b) {
  return a.naming == b.naming && a.resource == b.resource && a.allow_incompatible_module == b.allow_incompatible_module &&
         a.target_platform == b.target_platform && a.platform_set == b.platform_set &&
         a.gateway_version == b.gateway_version && a.envoy_listen_port == b.envoy_listen_port &&
         a.envoy_admin_port == b.envoy_admin_port && a.envoy_upstream == b.envoy_upstream &&
         a.gloo_gateway_file == b.gloo_gateway_file && a.allow == b.allow;
}

std::string rebase(const std::string& dir, const std::string& path) {
  if (path.empty() || path[0] == '/' || dir == ".") return path;
  return dir + "/" + path;
}

// Copies the positions under `from` in `part` to `to` in `out`, walking the schema: for lists,
// elements are taken while the part knows a position of their own (position_of falls back to
// the parent's otherwise). Map keys fall back to the map field's position.
class position_copier {
 public:
  position_copier(const spec& part, spec& out) : part_(part), out_(out) {}

  void message(const pb::Descriptor* d, const std::string& from, const std::string& to) {
    record(from, to);
    for (int i = 0; i < d->field_count(); ++i) {
      const pb::FieldDescriptor* f = d->field(i);
      const std::string key = "." + f->json_name();
      if (!f->is_repeated() || f->is_map()) {
        if (f->message_type() != nullptr && !f->is_map() && f->message_type()->file() == d->file()) {
          message(f->message_type(), from + key, to + key);
        } else {
          record(from + key, to + key);
        }
        continue;
      }
      record(from + key, to + key);
      const source_position list = part_.position_of(from + key);
      for (size_t k = 0; k < active_limits().workloads; ++k) {
        const std::string item = fmt::format("[{}]", k);
        const source_position p = part_.position_of(from + key + item);
        if (!p.known() || (p.line == list.line && p.column == list.column)) break;
        if (f->message_type() != nullptr) {
          message(f->message_type(), from + key + item, to + key + item);
        } else {
          record(from + key + item, to + key + item);
        }
      }
    }
  }

  void record(const std::string& from, const std::string& to) {
    const source_position p = part_.position_of(from);
    if (p.known()) out_.positions.emplace(to, p);
  }

 private:
  const spec& part_;
  spec& out_;
};

[[noreturn]] void conflict(const std::string& code, const std::string& path, const source_position& at,
                           const std::string& message) {
  throw error(errc::invalid, code, path, message, at);
}

}  // namespace

spec merge_specs(std::vector<spec> parts) {
  if (parts.empty()) throw error(errc::invalid, "spec.empty", "", "no spec was given");
  if (parts.size() == 1) return std::move(parts.front());
  spec out;
  out.file = parts.front().file;
  const bool one_dir = std::all_of(parts.begin(), parts.end(), [&](const spec& p) { return p.base_dir == parts[0].base_dir; });
  out.base_dir = one_dir ? parts.front().base_dir : ".";
  const spec* istio_from = nullptr;
  const spec* options_from = nullptr;
  std::map<std::string, source_position> filter_at;
  const pb::Descriptor* filter_d = v1alpha1::Filter::descriptor();
  const pb::Descriptor* target_d = v1alpha1::Target::descriptor();
  for (spec& part : parts) {
    position_copier copy(part, out);
    if (!part.istio.empty()) {
      if (istio_from == nullptr) {
        istio_from = &part;
        out.istio = part.istio;
        copy.record("istio", "istio");
      } else if (part.istio != out.istio) {
        conflict("spec.merge-conflict", "istio", part.position_of("istio"),
                 fmt::format("istio is {} here but {} at {}; specs rendered together target one Istio version "
                             "(render them separately, or pass --istio)",
                             part.istio, out.istio, where(istio_from->position_of("istio"))));
      }
    }
    if (part.position_of("options").known()) {
      if (options_from == nullptr) {
        options_from = &part;
        out.options = part.options;
        out.options.gloo_gateway_file = rebase(one_dir ? "." : part.base_dir, part.options.gloo_gateway_file);
        copy.message(v1alpha1::Options::descriptor(), "options", "options");
      } else if (!same_options(part.options, options_from->options)) {
        conflict("spec.merge-conflict", "options", part.position_of("options"),
                 fmt::format("options differ from those at {}; specs rendered together share one options block",
                             where(options_from->position_of("options"))));
      }
    }
    for (size_t i = 0; i < part.filters.size(); ++i) {
      filter f = std::move(part.filters[i]);
      const std::string from = f.path;
      f.path = fmt::format("filters[{}]", out.filters.size());
      const source_position at = part.position_of(from + ".name");
      if (auto [it, fresh] = filter_at.emplace(f.name, at); !fresh) {
        conflict("spec.merge-duplicate-filter", f.path + ".name", at,
                 fmt::format("filter '{}' is also defined at {}; filter names are unique across every spec "
                             "rendered together", shorten(f.name), where(it->second)));
      }
      if (!one_dir) {
        if (f.module.is_local()) f.module.url = rebase(part.base_dir, f.module.url);
        f.runtime_config_path = rebase(part.base_dir, f.runtime_config_path);
        f.image_layout = rebase(part.base_dir, f.image_layout);
      }
      copy.message(filter_d, from, f.path);
      out.filters.push_back(std::move(f));
    }
    for (size_t i = 0; i < part.targets.size(); ++i) {
      target t = std::move(part.targets[i]);
      const std::string from = t.path;
      t.path = fmt::format("targets[{}]", out.targets.size());
      copy.message(target_d, from, t.path);
      out.targets.push_back(std::move(t));
    }
  }
  return out;
}

spec load_specs(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (p != "-" && std::filesystem::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (const auto& e : std::filesystem::directory_iterator(p, ec)) {
        const std::string ext = e.path().extension().string();
        if (e.is_regular_file(ec) && (ext == ".yaml" || ext == ".yml" || ext == ".json")) found.push_back(e.path().string());
      }
      if (ec) throw error(errc::io, "io.read", p, fmt::format("cannot list the directory: {}", ec.message()));
      if (found.empty()) throw error(errc::invalid, "spec.empty", p, "the directory holds no *.yaml, *.yml or *.json file");
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(p);
    }
  }
  std::vector<spec> parts;
  for (const auto& f : files) {
    // parse_spec_documents refuses what is over the limit; reading stops just past it.
    const std::string text = read_input_prefix(f, active_limits().spec_bytes);
    const auto slash = f.find_last_of('/');
    const std::string dir = f == "-" || slash == std::string::npos ? "." : f.substr(0, slash == 0 ? 1 : slash);
    for (spec& s : parse_spec_documents(text, f == "-" ? "<stdin>" : f, dir)) parts.push_back(std::move(s));
    if (parts.size() > active_limits().filters) {
      throw error(errc::invalid, "spec.too-many", "", fmt::format("more than {} spec documents", active_limits().filters));
    }
  }
  return merge_specs(std::move(parts));
}

}  // namespace wasmdeploy
