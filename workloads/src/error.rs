//! Why a workload could not be registered, found or built.

/// Why a workload could not be registered, found or built; each message names the bad value and the valid ones.
#[derive(Debug, thiserror::Error)]
pub enum WorkloadError {
    /// No workload of that name is registered.
    #[error("unknown workload '{name}'; valid workloads: {valid}")]
    UnknownWorkload {
        /// The name asked for.
        name: String,
        /// The registered names, comma-separated.
        valid: String,
    },
    /// A workload or parameter name is not an identifier, is reserved, or is declared twice.
    #[error("{what} '{name}' is refused: {why}")]
    BadName {
        /// What the name is of, e.g. `workload name` or `workload 'horner': parameter name`.
        what: String,
        /// The name as declared.
        name: String,
        /// What is wrong with it and what would be valid.
        why: String,
    },
    /// A parameter the workload does not declare.
    #[error("workload '{workload}': unknown parameter '{key}'; valid parameters: {valid}")]
    UnknownParam {
        /// The workload's name.
        workload: String,
        /// The key given.
        key: String,
        /// The declared parameters, comma-separated, or `(none)`.
        valid: String,
    },
    /// A parameter value that does not parse or is out of range.
    #[error("workload '{workload}': parameter {key}={value} is invalid; expected {expected}")]
    BadParam {
        /// The workload's name.
        workload: String,
        /// The parameter.
        key: String,
        /// The value given (or the default, when that is the one refused).
        value: String,
        /// The values accepted.
        expected: String,
    },
    /// A size the workload cannot be built at.
    #[error("workload '{workload}': size {size} is invalid; expected {expected}")]
    BadSize {
        /// The workload's name.
        workload: String,
        /// The size given.
        size: u64,
        /// The sizes accepted.
        expected: String,
    },
}
