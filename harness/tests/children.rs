//! Every child of an A/B gate is owned (issue 27 item 4): a base build that hangs, stops, floods its output or
//! prints one endless line ends the gate with a one-line error (exit 1) within the gate's bound, and a gate
//! stopped by SIGTERM, SIGHUP or two Ctrl-Cs ends with 128 + the signal; either way no process of the base's
//! group and no scratch directory is left. Each test runs the real binary under a watchdog, so that a
//! regression fails instead of hanging.

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

mod support;
use support::{eventually, gone};

/// How long any gate here may take before the watchdog kills it and fails the test: the longest bound a test
/// relies on (a hung base's wait, `--max-time 5s` plus the grace) with room to spare on a busy machine.
const WATCHDOG: Duration = Duration::from_secs(60);

/// A test's directory: the gate's working directory, its TMPDIR (`tmp/`, empty unless something is left) and
/// the files its base script writes.
struct Scene {
    dir: tempfile::TempDir,
}

/// A gate started in a process group of its own, so that the test can kill whatever it leaves behind.
struct Gate {
    child: Child,
    scene: PathBuf,
}

/// How a gate ended: its status, its stderr, and how long it ran.
struct Ended {
    status: ExitStatus,
    stderr: String,
    took: Duration,
}

impl Scene {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("tmp")).unwrap();
        Scene { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes an executable base script `name` with `body` (after the shebang); its path.
    fn script(&self, name: &str, body: &str) -> String {
        let script = self.path().join(name);
        std::fs::write(&script, format!("#!/bin/sh\n{body}")).unwrap();
        std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        script.to_str().unwrap().to_owned()
    }

    /// A base that hangs before the handshake: it records its pid and its `sleep`'s, ignores SIGINT, SIGTERM and
    /// SIGHUP (so that only a kill of its group ends it), and waits for the `sleep`.
    fn hanging_base(&self) -> String {
        self.script("hang.sh", "trap '' INT TERM HUP\necho $$ > script.pid\nsleep 1000 &\necho $! > sleep.pid\nwait\n")
    }

    /// Starts `ablate gate --ab BASE` with `args`, TMPDIR in the scene, stderr to a file.
    fn gate(&self, base: &str, args: &[&str], prefix: &[&str]) -> Gate {
        let stderr = File::create(self.path().join("gate.stderr")).unwrap();
        let mut command = match prefix {
            [] => Command::new(env!("CARGO_BIN_EXE_ablate")),
            [program, rest @ ..] => {
                let mut command = Command::new(program);
                command.args(rest).arg(env!("CARGO_BIN_EXE_ablate"));
                command
            }
        };
        command
            .args(["gate", "--ab", base])
            .args(args)
            .current_dir(self.path())
            .env("TMPDIR", self.path().join("tmp"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .process_group(0);
        Gate { child: command.spawn().unwrap(), scene: self.path().to_owned() }
    }

    /// The pid the base script recorded in `file`, once it has (within the watchdog's time).
    fn recorded_pid(&self, file: &str) -> u32 {
        let path = self.path().join(file);
        assert!(
            eventually(WATCHDOG, || std::fs::read_to_string(&path).is_ok_and(|p| p.ends_with('\n'))),
            "the base never wrote {file}"
        );
        std::fs::read_to_string(&path).unwrap().trim().parse().unwrap()
    }

    /// Asserts that the processes the base recorded are gone and that the gate left nothing in its TMPDIR.
    fn assert_nothing_left(&self, pid_files: &[&str]) {
        for file in pid_files {
            let pid = self.recorded_pid(file);
            assert!(eventually(Duration::from_secs(5), || gone(pid)), "{file}: process {pid} outlived the gate");
        }
        let left: Vec<PathBuf> =
            std::fs::read_dir(self.path().join("tmp")).unwrap().map(|entry| entry.unwrap().path()).collect();
        assert!(left.is_empty(), "the gate left {left:?} in its TMPDIR");
    }
}

impl Gate {
    fn signal(&self, signal: i32) {
        // SAFETY: kill(2) on the child this test started; no memory is involved.
        unsafe { libc::kill(self.child.id() as i32, signal) };
    }

    /// Waits for the gate to end; past [`WATCHDOG`] kills it (and its group) and fails the test.
    fn ended(mut self) -> Ended {
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > WATCHDOG {
                panic!("the gate ran past the {WATCHDOG:?} watchdog: {}", self.stderr());
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        Ended { status, stderr: self.stderr(), took: started.elapsed() }
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(self.scene.join("gate.stderr")).unwrap_or_default()
    }
}

impl Drop for Gate {
    /// Whatever a failed test leaves: the gate's group, and the processes its base recorded (which, once the
    /// fix holds, are already gone).
    fn drop(&mut self) {
        // SAFETY: kill(2) on this test's own process group and recorded pids; no memory is involved.
        unsafe { libc::kill(-(self.child.id() as i32), libc::SIGKILL) };
        let _ = self.child.wait();
        for file in ["script.pid", "sleep.pid"] {
            if let Some(pid) = std::fs::read_to_string(self.scene.join(file)).ok().and_then(|p| p.trim().parse().ok()) {
                // SAFETY: as above.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
    }
}

impl Ended {
    /// Asserts exit 1 with one line of error that names each of `names`.
    fn assert_one_line_error(&self, names: &[&str]) {
        assert_eq!(self.status.code(), Some(1), "{:?}: {}", self.status, self.stderr);
        let errors: Vec<&str> = self.stderr.lines().filter(|l| !l.starts_with("ablate: A/B (")).collect();
        assert_eq!(errors.len(), 1, "one line: {errors:?}");
        for name in names {
            assert!(errors[0].contains(name), "names {name}: {}", errors[0]);
        }
    }
}

/// The suite every gate here asks for.
const SUITE: [&str; 5] = ["-w", "spin", "--quick", "-s", "serial"];

/// `--max-time 5s` and the suite.
fn bounded() -> Vec<&'static str> {
    let mut args = vec!["--max-time", "5s"];
    args.extend(SUITE);
    args
}

#[test]
fn item_27_4_a_hung_base_is_killed_with_its_group_and_the_gate_ends() {
    let scene = Scene::new();
    let base = scene.hanging_base();
    let ended = scene.gate(&base, &bounded(), &[]).ended();
    ended.assert_one_line_error(&["base build", "hang.sh", "the A/B handshake", "--max-time 5s plus 30s"]);
    // The bound: --max-time plus the 30 s grace, and a little for the kill.
    assert!(ended.took < Duration::from_secs(45), "ended after {:?}", ended.took);
    scene.assert_nothing_left(&["script.pid", "sleep.pid"]);
}

#[test]
fn item_27_4_a_stopped_base_is_killed_and_the_gate_ends() {
    let scene = Scene::new();
    let hello = r#"ablate-ab {"reply":"hello","protocol":1,"groups":[["spin/100/serial/w1/cauto"]]}"#;
    let base = scene.script("stopped.sh", &format!("echo $$ > script.pid\necho '{hello}'\nkill -STOP $$\n"));
    let ended = scene.gate(&base, &bounded(), &[]).ended();
    ended.assert_one_line_error(&["base build", "stopped.sh", "group 0"]);
    scene.assert_nothing_left(&["script.pid"]);
}

#[test]
fn item_27_4_a_base_printing_one_endless_line_is_a_clean_error() {
    let scene = Scene::new();
    let base = scene.script("zeros.sh", "exec cat /dev/zero\n");
    // Under a 2 GiB address space, so that a driver that would read the line whole fails fast, not the machine.
    let ended = scene.gate(&base, &bounded(), &["sh", "-c", "ulimit -v 2097152; exec \"$@\"", "sh"]).ended();
    ended.assert_one_line_error(&["base build", "zeros.sh", "MiB"]);
    scene.assert_nothing_left(&[]);
}

#[test]
fn item_27_4_a_base_flooding_its_output_is_a_clean_error_within_the_bound() {
    let scene = Scene::new();
    let base = scene.script("flood.sh", "echo $$ > script.pid\nexec yes\n");
    let ended = scene.gate(&base, &bounded(), &[]).ended();
    ended.assert_one_line_error(&["base build", "flood.sh", "MiB"]);
    assert!(ended.took < Duration::from_secs(30), "ended after {:?}", ended.took);
    scene.assert_nothing_left(&["script.pid"]);
}

#[test]
fn item_27_5_sigterm_sighup_or_two_ctrl_cs_end_the_gate_with_its_base_and_scratch() {
    for (signals, code) in [(&[libc::SIGTERM][..], 143), (&[libc::SIGHUP], 129), (&[libc::SIGINT, libc::SIGINT], 130)] {
        let scene = Scene::new();
        let base = scene.hanging_base();
        let gate = scene.gate(&base, &SUITE, &[]);
        scene.recorded_pid("sleep.pid");
        for &signal in signals {
            gate.signal(signal);
            std::thread::sleep(Duration::from_millis(100));
        }
        let ended = gate.ended();
        assert_eq!(ended.status.code(), Some(code), "signals {signals:?}: {:?}: {}", ended.status, ended.stderr);
        scene.assert_nothing_left(&["script.pid", "sleep.pid"]);
    }
}
