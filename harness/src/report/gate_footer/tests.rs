use super::*;

fn setting(value: f64, source: &str) -> Setting {
    Setting { value, source: source.to_owned() }
}

fn thresholds(ratio: f64, ratio_source: &str) -> Thresholds {
    let default = |value| setting(value, "built-in default");
    Thresholds {
        regression_ratio: setting(ratio, ratio_source),
        alpha: default(0.01),
        min_efficiency: default(0.7),
        min_bandwidth_fraction: default(0.7),
    }
}

#[test]
fn one_set_of_thresholds_is_one_row_and_its_source() {
    let t = thresholds(1.1, "built-in default");
    let keys: Vec<String> = (0..40).map(|i| format!("workload{i}/threads")).collect();
    let in_force: Vec<(String, &Thresholds)> = keys.iter().map(|k| (k.clone(), &t)).collect();
    let table = thresholds_table(&in_force);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 4, "{table}");
    assert_eq!(lines[0], "thresholds in force:");
    assert!(lines[1].contains("regression ratio") && lines[1].contains("min bandwidth fraction"), "{table}");
    assert_eq!(lines[2].split_whitespace().collect::<Vec<_>>(), ["all", "(40)", "1.1", "0.01", "0.7", "0.7"]);
    assert_eq!(lines[3], "  source: built-in default");
    assert!(lines.iter().all(|l| l.chars().count() < 100), "short lines: {table}");
}

#[test]
fn exceptions_come_first_and_sources_are_numbered_notes() {
    let (usual, strict) = (thresholds(1.1, "built-in default"), thresholds(1.05, "ci/thresholds.toml rule 'spin/*'"));
    let mut in_force: Vec<(String, &Thresholds)> =
        ["a/threads", "b/threads", "c/rayon", "d/rayon"].iter().map(|k| ((*k).to_owned(), &usual)).collect();
    in_force.extend(["spin/threads", "spin/rayon", "spin/process", "spin/crossbeam"].map(|k| (k.to_owned(), &strict)));
    in_force.push(("e/threads".to_owned(), &usual));
    let table = thresholds_table(&in_force);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[2].starts_with("  spin/threads, spin/rayon, spin/process and 1 more"), "{table}");
    assert!(lines[2].contains("1.05 [2]") && lines[2].contains("0.01 [1]"), "{table}");
    assert!(lines[3].starts_with("  all others (5)") && lines[3].contains("1.1 [1]"), "{table}");
    assert_eq!(&lines[4..], ["  [1] built-in default", "  [2] ci/thresholds.toml rule 'spin/*'"], "{table}");
}
