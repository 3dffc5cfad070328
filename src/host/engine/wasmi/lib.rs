// Re-export the wasm-c-api symbols of wasmi so the staticlib carries them.
pub use wasmi_c_api::*;
