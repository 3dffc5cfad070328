// Rendering: spec + Istio version -> plan -> Kubernetes documents -> YAML/JSON bytes.
#pragma once

#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/limits.hpp>
#include <wasmdeploy/mesh_version.hpp>
#include <wasmdeploy/node.hpp>
#include <wasmdeploy/spec.hpp>

namespace wasmdeploy {

struct render_options {
  /// Overrides the spec's `istio` field. One of the two must be set.
  std::string istio;
  /// Render even when a local module's ABI cannot load on the chosen version.
  bool allow_incompatible_module = false;
  /// Overrides the spec's options.platform (the CLI's --target). Istio when neither is set.
  std::optional<platform> target;
  /// Envoy Gateway version (v1.1 ... v1.9) for platform envoy-gateway; overrides the spec's
  /// options.gatewayVersion.
  std::string gateway_version;
  /// Warning codes acknowledged besides the spec's options.allow (the CLI's --allow): printed as
  /// notes, and recorded on every rendered object as the annotation wasmdeploy.io/allowed.
  std::vector<std::string> allow;
  /// The readers' bounds for this render (annotations' JSON, module and side files); unset keeps
  /// the calling thread's (wasmdeploy::active_limits()).
  std::optional<wasmdeploy::limits> limits;
};

/// One output document.
struct document {
  enum class role { resource, patch, file };
  role what = role::resource;
  std::string api_version;
  std::string kind;
  std::string ns;
  std::string name;
  /// The manifest (resource, or a partial object for patches usable with `kubectl patch` and
  /// `kubectl apply`). For role::file, body holds a string with the file contents.
  node body;
  /// Stable file name used by directory output, e.g. "envoyfilter-bookinfo-details-v1-myfilter.yaml".
  std::string file_name;
};

/// Receives documents one at a time, so large renders never hold all output in memory.
class document_sink {
 public:
  virtual ~document_sink() = default;
  virtual void on_document(const document& d) = 0;
};

/// A sink that appends every document to a vector (for callers that want them all).
class document_collector : public document_sink {
 public:
  explicit document_collector(std::vector<document>& out) : out_(out) {}
  void on_document(const document& d) override { out_.push_back(d); }

 private:
  std::vector<document>& out_;
};

/// Everything decided before the first byte is written.
struct render_summary {
  platform target = platform::istio;
  mesh_version version;             ///< Istio (and wasme) renders
  std::string platform_version;     ///< e.g. "v1.3" for Envoy Gateway; empty when none applies
  std::vector<diagnostic> diagnostics;
  size_t documents = 0;
};

/// Validates and plans the whole spec first (throwing wasmdeploy::error on any problem, before
/// anything reaches the sink), then streams the documents into `sink` in a stable order.
render_summary render(const spec& s, const render_options& options, document_sink& sink);

/// The platform a render targets: render_options::target, else the spec's options.platform.
platform chosen_platform(const spec& s, const render_options& options);

/// Convenience: collects every document.
struct render_result {
  render_summary summary;
  std::vector<document> documents;
};
render_result render(const spec& s, const render_options& options);

enum class output_format { yaml, json };

/// Serialises documents (resources and patches; file artifacts are skipped) as a
/// multi-document YAML stream or a JSON v1 List.
std::string to_text(const std::vector<document>& docs, output_format format);

/// A sink that writes YAML or JSON to a stdio stream as documents arrive.
class stream_writer : public document_sink {
 public:
  stream_writer(std::FILE* out, output_format format);
  ~stream_writer() override;
  void on_document(const document& d) override;
  /// Writes what a format needs after the last document (the closing of a JSON List).
  void finish();

 private:
  std::FILE* out_;
  output_format format_;
  size_t count_ = 0;
  bool finished_ = false;
  std::string buffer_;
};

/// Writes one file per document into `dir` (created if missing) atomically: the files are
/// written to a fresh sibling directory which replaces `dir` only when all succeeded. An
/// existing non-empty `dir` is replaced only with `force`.
void write_directory(const std::vector<document>& docs, const std::string& dir, bool force);

}  // namespace wasmdeploy
