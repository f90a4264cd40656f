//! Records the compiler version and the project's git commit, for the machine metadata of every results file.

use std::process::Command;

fn output_of(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    out.status.success().then(|| text.trim().to_owned()).filter(|t| !t.is_empty())
}

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let version = output_of(&rustc, &["--version"]).unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=ABLATE_RUSTC_VERSION={version}");
    let commit = output_of("git", &["rev-parse", "HEAD"]).unwrap_or_default();
    println!("cargo:rustc-env=ABLATE_GIT_COMMIT={commit}");
    let dirty = output_of("git", &["status", "--porcelain", "--untracked-files=no"]).is_some();
    println!("cargo:rustc-env=ABLATE_GIT_DIRTY={dirty}");
    println!("cargo:rerun-if-changed=../.git/HEAD");
    println!("cargo:rerun-if-changed=../.git/index");
}
