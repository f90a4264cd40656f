//! Issue 27 items 9 and 10: every place a command writes is checked before it measures, and nothing is written
//! where it does not belong — beside a device, through a symlink's missing directories, or after a long A/B run
//! into a destination that was never writable.

use std::path::Path;
use std::process::{Command, Output};

fn ablate(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ablate")).current_dir(dir).args(args).output().expect("the ablate binary starts")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A copy of this very binary, to stand as an A/B base (`--allow-identical`).
fn base_copy(dir: &Path) -> String {
    let copy = dir.join("base-build");
    std::fs::copy(env!("CARGO_BIN_EXE_ablate"), &copy).unwrap();
    copy.to_str().unwrap().to_owned()
}

const TINY: [&str; 10] = ["-w", "spin", "--size", "8", "-s", "serial", "-j", "1", "--ab-rounds", "2"];

#[test]
fn item_27_9_an_unwritable_base_record_fails_the_ab_gate_before_it_measures() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("x.ab-base.json")).unwrap();
    let base = base_copy(d);
    let mut args = vec!["gate", "--ab", &base, "--allow-identical", "-o", "x.json"];
    args.extend(TINY);
    let output = ablate(d, &args);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("x.ab-base.json") && stderr(&output).contains("directory"), "{}", stderr(&output));
    assert!(!stderr(&output).contains("A/B round"), "nothing measured: {}", stderr(&output));
    assert!(!d.join("x.json").exists());
}

#[test]
fn item_27_10_history_beside_a_device_is_refused_and_no_base_record_is_written_beside_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let had_dev_history = Path::new("/dev/history").exists();
    let output = ablate(d, &["run", "-o", "/dev/null", "--history", "-w", "spin", "--size", "8", "-s", "serial"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("--history needs a DIR"), "{}", stderr(&output));
    assert_eq!(Path::new("/dev/history").exists(), had_dev_history, "nothing made beside /dev/null");

    let had_base_record = Path::new("/dev/null.ab-base.json").exists();
    let base = base_copy(d);
    let mut args = vec!["gate", "--ab", &base, "--allow-identical", "-o", "/dev/null"];
    args.extend(TINY);
    let output = ablate(d, &args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("record is not kept"), "{}", stderr(&output));
    assert_eq!(Path::new("/dev/null.ab-base.json").exists(), had_base_record, "no file beside /dev/null");
}

#[test]
fn item_27_10_a_dangling_symlink_makes_no_directories_for_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::os::unix::fs::symlink("elsewhere/deeper/out.json", d.join("link.json")).unwrap();
    let output = ablate(d, &["run", "-o", "link.json", "-w", "spin", "--size", "8", "-s", "serial", "--reps=2"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("link.json") && stderr(&output).contains("does not exist"), "{}", stderr(&output));
    assert!(!d.join("elsewhere").exists(), "no directory made for a symlink's target");

    std::fs::create_dir_all(d.join("elsewhere/deeper")).unwrap();
    let output = ablate(d, &["run", "-o", "link.json", "-w", "spin", "--size", "8", "-s", "serial", "--reps=2"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(d.join("elsewhere/deeper/out.json").is_file(), "an existing directory is written into, through the link");
}
