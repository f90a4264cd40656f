//! What a newcomer's first runs print on the terminal: a row per cell as soon as its workload is measured (when
//! stdout is a log or a pipe, as here), the whole table still at the end; and tasks too small for worker
//! processes warned of on stderr, not only in the report's summary.

use std::path::Path;
use std::process::{Command, Output};

fn ablate(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ablate")).current_dir(dir).args(args).output().expect("the ablate binary starts")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const SUITE: [&str; 10] = ["-w", "spin,skewed", "--size", "20", "--quick", "-s", "serial,threads", "-j", "1,2", "-o"];

#[test]
fn rows_stream_per_workload_before_the_final_table() {
    let dir = tempfile::tempdir().unwrap();
    let output = ablate(dir.path(), &[&["run"][..], &SUITE, &["r.json"]].concat());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    let streamed: Vec<&str> = lines.iter().copied().filter(|l| l.starts_with("measured ")).collect();
    let ids: Vec<&str> = streamed.iter().map(|l| l.split_whitespace().nth(1).unwrap()).collect();
    let expected = ["spin/20/serial/w1/cauto", "spin/20/threads/w1/cauto", "spin/20/threads/w2/cauto"];
    assert_eq!(&ids[..3], expected, "{text}");
    assert_eq!(ids.len(), 6, "a row per cell: {text}");
    assert!(streamed.iter().all(|l| l.contains("speedup ") && l.ends_with(" ok")), "{text}");
    let header = lines.iter().position(|l| l.starts_with("workload  size")).expect("the final table");
    let last_row = lines.iter().rposition(|l| l.starts_with("measured ")).unwrap();
    assert!(last_row < header, "the table follows the rows: {text}");

    let json = ablate(dir.path(), &[&["run"][..], &SUITE, &["j.json", "--format", "json"]].concat());
    assert_eq!(json.status.code(), Some(0), "{}", stderr(&json));
    let parsed: serde_json::Value = serde_json::from_slice(&json.stdout).expect("stdout is the JSON record alone");
    assert_eq!(parsed["cells"].as_array().unwrap().len(), 6);
}

/// spin's tasks at 10 iterations take some nanoseconds, and worker processes cost far more to feed than that
/// saves: the end of the run says so, with the flag that helps.
#[test]
fn tiny_tasks_are_warned_of_on_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["run", "-w", "spin", "--size", "2000", "-p", "spin.iters=10", "--quick", "-s", "serial,process"];
    let output = ablate(dir.path(), &[&args[..], &["-j", "2", "-c", "1", "-o", "r.json"]].concat());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let warned: Vec<String> =
        stderr(&output).lines().filter(|l| l.contains("small tasks")).map(str::to_owned).collect();
    assert_eq!(warned.len(), 1, "{}", stderr(&output));
    assert!(warned[0].starts_with("ablate: warning: spin at 2000 tasks: small tasks: "), "{}", warned[0]);
    assert!(warned[0].ends_with("raise --chunk"), "{}", warned[0]);
}
