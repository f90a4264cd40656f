//! `ablate bisect`: bisects as its settings say, prints each step's evidence as it is found and then the
//! conclusion, and maps the conclusion to an exit code.

use super::print_stdout;
use crate::bisect::{self, Conclusion, Settings, report};
use crate::exit;

pub(super) fn bisect(settings: &Settings) -> anyhow::Result<u8> {
    let bisection = bisect::bisect(settings, &mut |step| {
        let _ = print_stdout(&report::step(step));
    })?;
    print_stdout(&report::conclusion(&bisection))?;
    Ok(match bisection.conclusion {
        Conclusion::FirstBad(_) => exit::SUCCESS,
        Conclusion::OneOf { .. } | Conclusion::NoRegression { undecided: 1.. } => exit::INCONCLUSIVE,
        Conclusion::NoRegression { undecided: 0 } => exit::NOTHING_TO_BISECT,
        Conclusion::Interrupted => exit::INTERRUPTED,
    })
}
