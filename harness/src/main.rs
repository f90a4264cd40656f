//! The `ablate` binary: the built-in workloads under the whole CLI.

fn main() -> std::process::ExitCode {
    ablate_harness::main_with(ablate_harness::workloads::Registry::builtin())
}
