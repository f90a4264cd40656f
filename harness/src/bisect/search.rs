//! The bisection itself, on positions only: the commits after GOOD up to BAD, oldest first, the last one known
//! bad. Each step tests the untested commit nearest the middle of the range still in doubt; a skipped commit
//! (it does not build, or its verdict stayed inconclusive) is passed over for its nearest neighbour, as
//! `git bisect skip` does, and when only skipped commits are left between the last good and the first bad one,
//! the answer is that range rather than one commit.

use std::collections::BTreeSet;

/// What a step found a commit to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Good,
    Bad,
    Skip,
}

/// Where the first bad commit is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// This position, for certain (given the steps' verdicts).
    Exactly(usize),
    /// One of these positions, oldest first: the commits before the last one were skipped or never tested.
    OneOf(Vec<usize>),
}

/// The state of a bisection over `len` commits, the last of them BAD.
pub struct Search {
    /// The first position that may be the first bad commit: just after the last one found good.
    first_possible: usize,
    /// The earliest position known bad.
    first_bad: usize,
    skipped: BTreeSet<usize>,
}

impl Search {
    /// A bisection over `len` commits (at least one, BAD), the last of which is bad.
    pub fn new(len: usize) -> Self {
        assert!(len > 0, "the path holds BAD at least");
        Search { first_possible: 0, first_bad: len - 1, skipped: BTreeSet::new() }
    }

    /// The commit to test next: of the untested, unskipped commits before the first bad one, the nearest to the
    /// middle of the range in doubt (later first on a tie); `None` when there is none left.
    pub fn next(&self) -> Option<usize> {
        let (low, high) = (self.first_possible, self.first_bad);
        if low >= high {
            return None;
        }
        let middle = low + (high - low) / 2;
        (0..high - low)
            .flat_map(|distance| [middle.checked_add(distance), middle.checked_sub(distance)])
            .flatten()
            .find(|&at| (low..high).contains(&at) && !self.skipped.contains(&at))
    }

    /// Records what the commit at `at` was found to be.
    pub fn mark(&mut self, at: usize, outcome: Outcome) {
        match outcome {
            Outcome::Good => self.first_possible = self.first_possible.max(at + 1),
            Outcome::Bad => self.first_bad = self.first_bad.min(at),
            Outcome::Skip => {
                self.skipped.insert(at);
            }
        }
    }

    /// Where the first bad commit is, as far as the steps so far tell.
    pub fn found(&self) -> Found {
        if self.first_possible >= self.first_bad {
            Found::Exactly(self.first_bad)
        } else {
            Found::OneOf((self.first_possible..=self.first_bad).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bisects `len` commits whose first bad one is `first_bad`, the commits in `broken` skipped: the answer and
    /// the number of steps it took.
    fn bisect(len: usize, first_bad: usize, broken: &[usize]) -> (Found, usize) {
        let mut search = Search::new(len);
        let mut steps = 0;
        while let Some(at) = search.next() {
            steps += 1;
            let outcome = match at {
                _ if broken.contains(&at) => Outcome::Skip,
                _ if at >= first_bad => Outcome::Bad,
                _ => Outcome::Good,
            };
            search.mark(at, outcome);
        }
        (search.found(), steps)
    }

    #[test]
    fn without_skips_the_first_bad_commit_is_found_in_log2_steps() {
        for len in 1..=40usize {
            let most = usize::BITS - (len - 1).leading_zeros();
            for first_bad in 0..len {
                let (found, steps) = bisect(len, first_bad, &[]);
                assert_eq!(found, Found::Exactly(first_bad), "{len} commits, first bad {first_bad}");
                assert!(steps <= most as usize, "{len} commits: {steps} steps, at most {most}");
            }
        }
    }

    #[test]
    fn with_any_commits_skipped_the_answer_holds_the_first_bad_one() {
        for len in 1..=9usize {
            for mask in 0..1u32 << (len - 1) {
                let broken: Vec<usize> = (0..len - 1).filter(|i| mask & (1 << i) != 0).collect();
                for first_bad in 0..len {
                    let (found, steps) = bisect(len, first_bad, &broken);
                    assert!(steps < len, "never more steps than commits to test");
                    match found {
                        Found::Exactly(at) => assert_eq!(at, first_bad, "{len} {broken:?}"),
                        Found::OneOf(range) => {
                            assert!(range.contains(&first_bad), "{range:?} misses {first_bad}");
                            let untested = &range[..range.len() - 1];
                            assert!(untested.iter().all(|at| broken.contains(at)), "{range:?}: {broken:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_skipped_midpoint_gives_way_to_its_neighbour() {
        let mut search = Search::new(8);
        assert_eq!(search.next(), Some(3));
        search.mark(3, Outcome::Skip);
        assert_eq!(search.next(), Some(4), "the later neighbour first");
        search.mark(4, Outcome::Bad);
        assert_eq!(search.next(), Some(2));
        search.mark(2, Outcome::Bad);
        assert_eq!(search.next(), Some(1));
        search.mark(1, Outcome::Good);
        assert_eq!(search.next(), None);
        assert_eq!(search.found(), Found::Exactly(2), "the skipped commit lay after the first bad one");
    }

    #[test]
    fn a_skipped_commit_right_before_the_first_bad_one_leaves_a_range() {
        let (found, _) = bisect(8, 4, &[3]);
        assert_eq!(found, Found::OneOf(vec![3, 4]));
    }
}
