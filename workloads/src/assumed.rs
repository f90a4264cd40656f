//! Why the footprint the harness assumes of a workload that declares none ([`Footprint::assumed`]) may be far
//! off: its size counts something other than tasks (one task per unit is assumed), or its data sit on the heap
//! (only its types' inline bytes are counted).

use std::fmt;

use crate::contract::{Footprint, Workload};

/// A workload that relies on the assumed footprint although the assumption is in doubt, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssumedFootprint {
    /// The workload's name.
    pub workload: &'static str,
    /// What its size counts, when that is not tasks (e.g. `nonzeros`): the assumption takes one task per unit.
    pub size_unit: Option<&'static str>,
    /// Which of its `Shared`, `Task` and `Output` types own heap memory (a `Vec`, a `String`, a `Box`), named
    /// as `Task = Vec<f64>`: the assumption counts only their inline bytes.
    pub heap_types: Vec<String>,
}

impl AssumedFootprint {
    /// The doubt about `W`'s assumed footprint, or `None` when the assumption fits it: a size in tasks, and
    /// types that own nothing on the heap. Whether `W` declares a footprint of its own is the caller's to know.
    pub(crate) fn of<W: Workload>() -> Option<Self> {
        let description = W::describe();
        let unit = description.size_unit;
        let size_unit = (unit != "tasks" && unit != "task").then_some(unit);
        let heap_types: Vec<String> = [
            ("Shared", std::mem::needs_drop::<W::Shared>(), std::any::type_name::<W::Shared>()),
            ("Task", std::mem::needs_drop::<W::Task>(), std::any::type_name::<W::Task>()),
            ("Output", std::mem::needs_drop::<W::Output>(), std::any::type_name::<W::Output>()),
        ]
        .into_iter()
        .filter(|(_, owns_heap, _)| *owns_heap)
        .map(|(role, _, name)| format!("{role} = {}", short_type_name(name)))
        .collect();
        (size_unit.is_some() || !heap_types.is_empty()).then_some(AssumedFootprint {
            workload: description.name,
            size_unit,
            heap_types,
        })
    }
}

impl fmt::Display for AssumedFootprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut doubts = Vec::new();
        if let Some(unit) = self.size_unit {
            doubts.push(format!("its size counts {unit}, and one task per unit of size is assumed"));
        }
        if !self.heap_types.is_empty() {
            let verb = if self.heap_types.len() == 1 { "holds" } else { "hold" };
            doubts.push(format!("{} {verb} data on the heap, which is not counted", self.heap_types.join(", ")));
        }
        write!(
            f,
            "workload '{}' declares no footprint, so the memory check before a run assumes one: {}; define `fn \
             footprint` in its Workload impl (see Footprint) so that a size too large for this machine is refused \
             before it is built",
            self.workload,
            doubts.join("; ")
        )
    }
}

/// `alloc::vec::Vec<my_crate::Row>` → `Vec<Row>`: each path to its last segment.
fn short_type_name(full: &str) -> String {
    let mut short = String::new();
    let mut word = String::new();
    for c in full.chars() {
        if c.is_alphanumeric() || c == '_' || c == ':' {
            word.push(c);
        } else {
            short.push_str(word.rsplit("::").next().unwrap_or_default());
            word.clear();
            short.push(c);
        }
    }
    short.push_str(word.rsplit("::").next().unwrap_or_default());
    short
}

/// The same footprint rule the registry applies: `None` when `declared` is given.
pub(crate) fn doubt_unless_declared<W: Workload>(declared: Option<Footprint>) -> Option<AssumedFootprint> {
    declared.is_none().then(AssumedFootprint::of::<W>).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_shortened_to_their_last_segment() {
        assert_eq!(short_type_name("alloc::vec::Vec<f64>"), "Vec<f64>");
        assert_eq!(short_type_name("(alloc::string::String, my::Row)"), "(String, Row)");
        assert_eq!(short_type_name("u64"), "u64");
    }
}
