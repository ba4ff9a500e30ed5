//! The `pip-guard` binary: everything lives in the library.
fn main() -> std::process::ExitCode {
    pip_guard::app::main()
}
