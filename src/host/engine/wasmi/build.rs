// Copies the engine's C headers (wasm.h and friends, from wasmi_c_api_impl's `include/`, which
// its build script announces through `links`) to WD_WASM_INCLUDE_OUT for CMake.
use std::{env, fs, path::Path};

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create include dir");
    for entry in fs::read_dir(from).expect("read include dir") {
        let entry = entry.expect("include entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy header");
        }
    }
}

fn main() {
    println!("cargo:rerun-if-env-changed=WD_WASM_INCLUDE_OUT");
    println!("cargo:rerun-if-changed=build.rs");
    let include = env::var("DEP_WASMI_C_API_INCLUDE").expect("wasmi_c_api_impl announces its include dir");
    if let Ok(out) = env::var("WD_WASM_INCLUDE_OUT") {
        copy_dir(Path::new(&include), Path::new(&out));
    }
}
