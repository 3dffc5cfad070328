// The engine interface on the standard wasm-c-api (wasm.h). Nothing else includes wasm.h.
#include "host/engine.hpp"

#include <wasm.h>

#include <cstring>
#include <memory>

namespace wasmdeploy::host {
namespace {

val_kind kind_of(const wasm_valtype_t* t) {
  switch (wasm_valtype_kind(t)) {
    case WASM_I32: return val_kind::i32;
    case WASM_I64: return val_kind::i64;
    case WASM_F32: return val_kind::f32;
    case WASM_F64: return val_kind::f64;
    default: return val_kind::other;
  }
}

// The proxy-wasm ABI passes numbers only. A reference-typed value has no bit pattern the host
// could pass or receive, and the engine's C API aborts on a null externref in a call: a
// function whose signature holds one is refused before any call.
bool numeric(const func_signature& s) {
  for (const auto* list : {&s.params, &s.results}) {
    for (val_kind k : *list) {
      if (k == val_kind::other) return false;
    }
  }
  return true;
}

func_signature signature_of(const wasm_functype_t* ft) {
  func_signature s;
  const wasm_valtype_vec_t* p = wasm_functype_params(ft);
  for (size_t i = 0; i < p->size; ++i) s.params.push_back(kind_of(p->data[i]));
  const wasm_valtype_vec_t* r = wasm_functype_results(ft);
  for (size_t i = 0; i < r->size; ++i) s.results.push_back(kind_of(r->data[i]));
  return s;
}

std::uint64_t to_bits(const wasm_val_t& v) {
  switch (v.kind) {
    case WASM_I32: return static_cast<std::uint32_t>(v.of.i32);
    case WASM_I64: return static_cast<std::uint64_t>(v.of.i64);
    case WASM_F32: {
      std::uint32_t b;
      std::memcpy(&b, &v.of.f32, 4);
      return b;
    }
    case WASM_F64: {
      std::uint64_t b;
      std::memcpy(&b, &v.of.f64, 8);
      return b;
    }
    default: return 0;
  }
}

wasm_val_t from_bits(val_kind k, std::uint64_t bits) {
  wasm_val_t v{};
  switch (k) {
    case val_kind::i32: v.kind = WASM_I32; v.of.i32 = static_cast<std::int32_t>(static_cast<std::uint32_t>(bits)); break;
    case val_kind::i64: v.kind = WASM_I64; v.of.i64 = static_cast<std::int64_t>(bits); break;
    case val_kind::f32: {
      v.kind = WASM_F32;
      const auto b = static_cast<std::uint32_t>(bits);
      std::memcpy(&v.of.f32, &b, 4);
      break;
    }
    case val_kind::f64: v.kind = WASM_F64; std::memcpy(&v.of.f64, &bits, 8); break;
    case val_kind::other: v.kind = WASM_EXTERNREF; v.of.ref = nullptr; break;
  }
  return v;
}

// The module's bytes as the C API's vector, lent, not copied (a module may be 64 MiB and more;
// the copy cost more than validating it): wasm_module_new and wasm_module_validate only read
// their argument, and never free it.
wasm_byte_vec_t lent(std::string_view bytes) {
  return {bytes.size(), const_cast<wasm_byte_t*>(reinterpret_cast<const wasm_byte_t*>(bytes.data()))};
}

val_kind global_kind(const wasm_global_t* g) {
  wasm_globaltype_t* t = wasm_global_type(g);
  const val_kind k = kind_of(wasm_globaltype_content(t));
  wasm_globaltype_delete(t);
  return k;
}

std::string trap_text(wasm_trap_t* trap) {
  wasm_message_t msg;
  wasm_trap_message(trap, &msg);
  std::string s(msg.data ? msg.data : "", msg.size);
  while (!s.empty() && s.back() == '\0') s.pop_back();
  wasm_byte_vec_delete(&msg);
  wasm_trap_delete(trap);
  return s;
}

struct store_holder {
  wasm_engine_t* engine = nullptr;
  wasm_store_t* store = nullptr;
  ~store_holder() {
    if (store) wasm_store_delete(store);
    if (engine) wasm_engine_delete(engine);
  }
};

// Owns a host callback for the lifetime of the function made from it.
struct callback_env {
  host_callback fn;
  func_signature type;
  wasm_store_t* store;
};

wasm_trap_t* make_trap(wasm_store_t* store, const std::string& text) {
  wasm_message_t msg;
  wasm_byte_vec_new(&msg, text.size() + 1, text.c_str());  // the C API wants the NUL counted
  wasm_trap_t* t = wasm_trap_new(store, &msg);
  wasm_byte_vec_delete(&msg);
  return t;
}

// No exception may unwind into the engine: every one becomes a trap.
wasm_trap_t* trampoline(void* env, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  auto* e = static_cast<callback_env*>(env);
  std::uint64_t in[16] = {};
  std::uint64_t out[4] = {};
  if (args->size > 16 || results->size > 4) return make_trap(e->store, "host function arity out of range");
  for (size_t i = 0; i < args->size; ++i) in[i] = to_bits(args->data[i]);
  try {
    e->fn(in, out);
  } catch (const std::exception& ex) {
    return make_trap(e->store, ex.what());
  } catch (...) {
    return make_trap(e->store, "host function failed");
  }
  for (size_t i = 0; i < results->size; ++i) results->data[i] = from_bits(e->type.results[i], out[i]);
  return nullptr;
}

class c_api_instance final : public instance {
 public:
  c_api_instance() = default;
  ~c_api_instance() override {
    wasm_extern_vec_delete(&exports_);
    if (instance_) wasm_instance_delete(instance_);
    for (wasm_extern_t* e : imports_) wasm_extern_delete(e);
    if (module_) wasm_module_delete(module_);
  }

  void load(std::string_view bytes, const import_resolver& resolve) {
    const wasm_byte_vec_t binary = lent(bytes);
    module_ = wasm_module_new(s_.store, &binary);
    if (!module_) throw engine_error("the engine rejected the module (invalid or uses an unsupported feature)");

    wasm_importtype_vec_t imports;
    wasm_module_imports(module_, &imports);
    std::string missing;
    for (size_t i = 0; i < imports.size; ++i) {
      const wasm_importtype_t* it = imports.data[i];
      const wasm_name_t* m = wasm_importtype_module(it);
      const wasm_name_t* n = wasm_importtype_name(it);
      std::string module(m->data, m->size), name(n->data, n->size);
      const wasm_externtype_t* et = wasm_importtype_type(it);
      const wasm_functype_t* ft = wasm_externtype_kind(et) == WASM_EXTERN_FUNC ? wasm_externtype_as_functype_const(et) : nullptr;
      host_callback fn;
      func_signature sig;
      if (ft) {
        sig = signature_of(ft);
        if (numeric(sig)) fn = resolve(module, name, sig);
      }
      if (!fn) {
        missing += missing.empty() ? "" : ", ";
        missing += module + "." + name;
        continue;
      }
      // The instance owns the callbacks (no finalizer): they outlive every call into the guest.
      envs_.push_back(std::make_unique<callback_env>(callback_env{std::move(fn), sig, s_.store}));
      wasm_func_t* f = wasm_func_new_with_env(s_.store, ft, trampoline, envs_.back().get(), nullptr);
      imports_.push_back(wasm_func_as_extern(f));
    }
    wasm_importtype_vec_delete(&imports);
    if (!missing.empty()) throw engine_error("unresolved imports: " + missing);

    wasm_extern_vec_t import_vec{imports_.size(), imports_.data()};
    wasm_trap_t* trap = nullptr;
    instance_ = wasm_instance_new(s_.store, module_, &import_vec, &trap);
    if (trap) throw engine_error(trap_text(trap));
    if (!instance_) throw engine_error("the engine could not instantiate the module");
    wasm_instance_exports(instance_, &exports_);
    wasm_exporttype_vec_t types;
    wasm_module_exports(module_, &types);
    for (size_t i = 0; i < types.size && i < exports_.size; ++i) {
      const wasm_name_t* n = wasm_exporttype_name(types.data[i]);
      names_.emplace_back(n->data, n->size);
    }
    wasm_exporttype_vec_delete(&types);
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == "memory") memory_ = wasm_extern_as_memory(exports_.data[i]);
    }
  }

  bool function(std::string_view name, func_signature* type) const override {
    wasm_func_t* f = find_func(name);
    if (!f) return false;
    if (type) {
      wasm_functype_t* ft = wasm_func_type(f);
      *type = signature_of(ft);
      wasm_functype_delete(ft);
    }
    return true;
  }

  std::vector<std::uint64_t> call(std::string_view name, const std::vector<std::uint64_t>& args) override {
    wasm_func_t* f = find_func(name);
    if (!f) throw engine_error("no exported function " + std::string(name));
    wasm_functype_t* ft = wasm_func_type(f);
    const func_signature sig = signature_of(ft);
    wasm_functype_delete(ft);
    if (sig.params.size() != args.size() || !numeric(sig)) {
      throw engine_error(std::string(name) + " has signature " + describe(sig) + ", not the one the ABI calls it with");
    }
    std::vector<wasm_val_t> in, out(sig.results.size());
    for (size_t i = 0; i < args.size(); ++i) in.push_back(from_bits(sig.params[i], args[i]));
    wasm_val_vec_t in_vec{in.size(), in.data()};
    wasm_val_vec_t out_vec{out.size(), out.data()};
    if (wasm_trap_t* trap = wasm_func_call(f, &in_vec, &out_vec)) throw engine_error(trap_text(trap));
    std::vector<std::uint64_t> r;
    for (const auto& v : out) r.push_back(to_bits(v));
    return r;
  }

  std::uint8_t* memory_data() override { return memory_ ? reinterpret_cast<std::uint8_t*>(wasm_memory_data(memory_)) : nullptr; }
  std::size_t memory_size() override { return memory_ ? wasm_memory_data_size(memory_) : 0; }

  bool global(std::string_view name, std::uint64_t* value) override {
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] != name) continue;
      wasm_global_t* g = wasm_extern_as_global(exports_.data[i]);
      // A number only (see numeric()): the C API aborts on a reference.
      if (!g || global_kind(g) == val_kind::other) return false;
      wasm_val_t v{};
      wasm_global_get(g, &v);
      *value = to_bits(v);
      return true;
    }
    return false;
  }

  bool set_global(std::string_view name, std::int64_t value) override {
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] != name) continue;
      wasm_global_t* g = wasm_extern_as_global(exports_.data[i]);
      if (!g || global_kind(g) != val_kind::i64) return false;
      wasm_val_t v{};
      v.kind = WASM_I64;
      v.of.i64 = value;
      wasm_global_set(g, &v);
      return true;
    }
    return false;
  }

 private:
  wasm_func_t* find_func(std::string_view name) const {
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == name) return wasm_extern_as_func(exports_.data[i]);
    }
    return nullptr;
  }

  struct owned_store : store_holder {
    owned_store() {
      engine = wasm_engine_new();
      store = wasm_store_new(engine);
    }
  } s_;
  wasm_module_t* module_ = nullptr;
  std::vector<std::unique_ptr<callback_env>> envs_;
  std::vector<wasm_extern_t*> imports_;
  wasm_instance_t* instance_ = nullptr;
  wasm_extern_vec_t exports_{0, nullptr};
  std::vector<std::string> names_;
  wasm_memory_t* memory_ = nullptr;
};

}  // namespace

bool engine_available() { return true; }
std::string engine_name() { return WD_ENGINE_NAME; }

bool validate(std::string_view bytes) {
  store_holder s;
  s.engine = wasm_engine_new();
  s.store = wasm_store_new(s.engine);
  const wasm_byte_vec_t binary = lent(bytes);
  return wasm_module_validate(s.store, &binary);
}

std::unique_ptr<instance> instantiate(std::string_view bytes, const import_resolver& resolve) {
  auto inst = std::make_unique<c_api_instance>();
  inst->load(bytes, resolve);
  return inst;
}

}  // namespace wasmdeploy::host
