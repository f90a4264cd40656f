//! A shared mapping of a whole file, every page faulted in at once where the platform can: the view the process
//! transport's workers and the A/B servers' cached inputs read their memory files through. It is the platform
//! layer's ([`crate::platform::Mapping`]).

pub use crate::platform::Mapping;
