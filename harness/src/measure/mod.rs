//! Measurements taken around each repetition: CPU time, peak RSS, per-task times, and the machine itself.

pub mod cpu;
pub mod histogram;
pub mod load;
pub mod machine;
pub mod rss;
