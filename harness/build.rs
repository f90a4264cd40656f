//! Records the compiler version and ablate's own git commit (`ablate_commit` of every results file; the measured
//! project's commit is read when a run is made, see `measure::machine`);
//! and whether a browser was found for the browser tests, which are ignored (and say so) without one.

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
    println!("cargo:rustc-check-cfg=cfg(ablate_no_browser)");
    for variable in ["PATH", "ABLATE_CHROMIUM", "ABLATE_REQUIRE_BROWSER"] {
        println!("cargo:rerun-if-env-changed={variable}");
    }
    let required = std::env::var("ABLATE_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    if !required && !browser_found() {
        println!("cargo:rustc-cfg=ablate_no_browser");
    }
    // Where git keeps HEAD and the index: `.git/` in a clone, `.git/worktrees/NAME/` in a worktree (where `.git`
    // is a file: a path under it never exists, and cargo reruns a build script whose watched file is missing on
    // every build, recompiling the crate each time).
    for file in ["HEAD", "index"] {
        if let Some(path) = output_of("git", &["rev-parse", "--git-path", file]) {
            println!("cargo:rerun-if-changed={path}");
        }
    }
}

/// Chromium at `ABLATE_CHROMIUM` or on PATH, as the browser tests look for it. The build runs again when the
/// browser found goes away, or when one may have been installed (a directory of PATH changed).
fn browser_found() -> bool {
    if std::env::var_os("ABLATE_CHROMIUM").is_some() {
        return true;
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<std::path::PathBuf> = std::env::split_paths(&path).filter(|dir| dir.is_dir()).collect();
    let found = dirs
        .iter()
        .flat_map(|dir| ["chromium", "chromium-browser", "google-chrome"].map(|name| dir.join(name)))
        .find(|candidate| candidate.is_file());
    match &found {
        Some(browser) => println!("cargo:rerun-if-changed={}", browser.display()),
        None => dirs.iter().for_each(|dir| println!("cargo:rerun-if-changed={}", dir.display())),
    }
    found.is_some()
}
