// The WebAssembly engine behind one small interface. engine_wasm_c_api.cpp implements it on the
// standard wasm-c-api (wasm.h), so any engine with that API can be linked in (wasmi by default);
// engine_none.cpp stands in when the host is not built (-DWD_HOST=OFF).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace wasmdeploy::host {

enum class val_kind { i32, i64, f32, f64, other };

struct func_signature {
  std::vector<val_kind> params;
  std::vector<val_kind> results;
};

/// "(i32, i32) -> i32".
std::string describe(const func_signature& s);

/// Values cross the interface as raw 64-bit patterns (i32 zero-extended, floats as their bits).
using host_callback = std::function<void(const std::uint64_t* args, std::uint64_t* results)>;

/// Thrown by a host_callback to trap the guest; the message becomes the trap's.
struct guest_trap : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A trap, a failed instantiation or link, surfaced from the engine with its own message.
struct engine_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Decides the host function bound to one import; an empty callback leaves it unresolved.
using import_resolver =
    std::function<host_callback(const std::string& module, const std::string& name, const func_signature& type)>;

class instance {
 public:
  virtual ~instance() = default;
  /// The signature of an exported function, or false when there is no such function export.
  virtual bool function(std::string_view name, func_signature* type = nullptr) const = 0;
  /// Calls an exported function. Throws engine_error with the engine's trap message.
  virtual std::vector<std::uint64_t> call(std::string_view name, const std::vector<std::uint64_t>& args) = 0;
  /// The exported memory named "memory" (data may move after any call into the guest).
  virtual std::uint8_t* memory_data() = 0;
  virtual std::size_t memory_size() = 0;
  /// An exported i64/i32 global's value (as raw bits); false when absent.
  virtual bool global(std::string_view name, std::uint64_t* value) = 0;
  /// Sets an exported mutable i64 global (the budget, charged by host functions); false when absent.
  virtual bool set_global(std::string_view name, std::int64_t value) = 0;
};

/// Whether an engine is linked in, and its name ("wasmi 2.0.0 (wasm-c-api)").
bool engine_available();
std::string engine_name();

/// Whether the engine's validator accepts `bytes` as they are (before any rewriting).
bool validate(std::string_view bytes);

/// Compiles and instantiates `bytes` (the start section runs here). Unresolved imports are
/// listed in the engine_error; a trap in the start section is an engine_error too.
std::unique_ptr<instance> instantiate(std::string_view bytes, const import_resolver& resolve);

}  // namespace wasmdeploy::host
