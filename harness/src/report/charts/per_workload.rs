//! Charts with a row per cell, drawn once per workload and size: each part names its group in its heading, and
//! its rows by the rest of the cell id (`threads/w2/cauto`), which the page's key explains part by part.

use crate::report::judged::JudgedRun;

/// A workload and size: `("spin", 200)`.
pub type Group = (String, u64);

/// Rows of a per-cell chart, each with the workload and size of its cell.
pub type Rows<T> = Vec<(Group, T)>;

/// Which workload and size one chart of a per-workload set shows.
pub struct Part {
    /// 1 for the run's first workload and size, 2 for its second, …: the chart's file is `NAME-NUMBER.svg`.
    pub number: usize,
    /// `spin (200)`.
    pub group: String,
}

/// `rows` split by the workload and size of each, in the run's order of groups, each group with its [`Part`];
/// rows keep their order within a group and groups without rows are left out.
pub fn split<T>(run: &JudgedRun, mut rows: Rows<T>) -> Vec<(Part, Vec<T>)> {
    let mut parts = Vec::new();
    for (index, group) in run.groups().into_iter().enumerate() {
        let (mine, rest): (Vec<_>, Vec<_>) = rows.into_iter().partition(|(of, _)| *of == group);
        rows = rest;
        if !mine.is_empty() {
            let part = Part { number: index + 1, group: format!("{} ({})", group.0, group.1) };
            parts.push((part, mine.into_iter().map(|(_, row)| row).collect()));
        }
    }
    parts
}

/// The workload and size of the cell with id `id` in `run`: from its record, or read off the id
/// (`workload/size/…`) for a cell only a baseline holds.
pub fn group_of(run: &JudgedRun, id: &str) -> Group {
    if let Some(cell) = run.record.cells.iter().find(|c| c.id == id) {
        return (cell.workload.clone(), cell.size);
    }
    let mut parts = id.splitn(3, '/');
    let workload = parts.next().unwrap_or_default().to_owned();
    (workload, parts.next().and_then(|s| s.parse().ok()).unwrap_or(0))
}

/// The part of a cell id after its workload and size: `threads/w2/cauto` of `spin/200/threads/w2/cauto`.
pub fn within_group(id: &str, (workload, size): &Group) -> String {
    id.strip_prefix(&format!("{workload}/{size}/")).unwrap_or(id).to_owned()
}

#[cfg(test)]
mod tests {
    use super::within_group;

    #[test]
    fn a_row_is_named_by_the_id_after_its_workload_and_size() {
        let group = ("a/b".to_owned(), 200);
        assert_eq!(within_group("a/b/200/process/w2/cauto/shm", &group), "process/w2/cauto/shm");
        assert_eq!(within_group("other/1/serial/w1/cauto", &group), "other/1/serial/w1/cauto");
    }
}
