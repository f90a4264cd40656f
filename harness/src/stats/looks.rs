//! The looks of a sequential A/B comparison: after how many paired rounds the undecided cells are judged, placed
//! where the exact boundaries ([`super::sequential`]) first let a cell of the family be decided.

use super::sequential::spent;

/// The planned looks: after how many paired rounds undecided cells are judged.
#[derive(Clone, Debug, PartialEq)]
pub struct Looks {
    pub rounds: Vec<u32>,
}

/// How many looks a sequential plan takes.
pub const SEQUENTIAL_LOOKS: usize = 5;

/// How much later each look of the sequential plan comes than the one before.
const LOOK_SPACING: f64 = 1.3;

impl Looks {
    /// The default plan for `family` cells judged at `alpha`: [`SEQUENTIAL_LOOKS`] looks, each ~1.3× later than
    /// the one before, the first at the fewest pairs whose most extreme pattern (every pair slower, probability
    /// 1 / 2ⁿ) already fits in what the boundaries spend there at a lone cell's level, `alpha / (2 · family)` (see
    /// [`crate::verdict::family`] and [`super::sequential`]). For 72 cells at 0.01: 15, 20, 25, 33 and 43 rounds.
    pub fn sequential(alpha: f64, family: usize) -> Self {
        let level = lone_level(alpha, family);
        let spread = |first: u32| {
            let mut rounds = vec![first];
            while rounds.len() < SEQUENTIAL_LOOKS {
                let last = *rounds.last().expect("one look");
                rounds.push(((f64::from(last) * LOOK_SPACING).round() as u32).max(last + 1));
            }
            rounds
        };
        let first = (1..64u32)
            .find(|&n| {
                let rounds = spread(n);
                0.5f64.powi(n as i32) <= spent(level, f64::from(n) / f64::from(*rounds.last().expect("looks")))
            })
            .unwrap_or(64);
        Looks { rounds: spread(first) }
    }

    /// Whether any cell of a `family` judged at `alpha` could be decided by the last look: it has at least the
    /// fewest pairs that can reach a lone cell's whole level.
    pub fn can_decide(&self, alpha: f64, family: usize) -> bool {
        self.last() >= fewest_pairs(alpha, family)
    }

    /// The looks that fit in `rounds` rounds; when not even the first does, one look at `rounds` (at least 2),
    /// where the whole alpha goes.
    pub fn within(self, rounds: u32) -> Self {
        let fitting: Vec<u32> = self.rounds.iter().copied().filter(|&r| r <= rounds).collect();
        if fitting.is_empty() { Looks::fixed(rounds.max(2)) } else { Looks { rounds: fitting } }
    }

    /// One look after a fixed number of rounds (`--ab-rounds N`).
    pub fn fixed(rounds: u32) -> Self {
        Looks { rounds: vec![rounds] }
    }

    pub fn last(&self) -> u32 {
        self.rounds.last().copied().unwrap_or(0)
    }

    pub fn is_look(&self, rounds: u32) -> bool {
        self.rounds.contains(&rounds)
    }
}

/// The level at which a cell that changed alone is seen: `alpha / (2 · family)` (see [`crate::verdict::family`]).
pub fn lone_level(alpha: f64, family: usize) -> f64 {
    alpha / (2.0 * family.max(1) as f64)
}

/// The fewest pairs that could be significant at all for a cell that changed alone in a `family` at `alpha`, when
/// a single look spends the whole level: n pairs all slower have probability 1 / 2ⁿ.
pub fn fewest_pairs(alpha: f64, family: usize) -> u32 {
    let level = lone_level(alpha, family);
    (1..64u32).find(|&n| 0.5f64.powi(n as i32) <= level).unwrap_or(64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sequential_plan_starts_where_a_verdict_becomes_possible() {
        assert_eq!(Looks::sequential(0.01, 72).rounds, vec![15, 20, 26, 34, 44]);
        assert_eq!(Looks::sequential(0.01, 3).rounds, vec![11, 14, 18, 23, 30]);
        assert_eq!(Looks::fixed(10).last(), 10);
        assert_eq!(Looks::sequential(0.01, 72).within(40).rounds, vec![15, 20, 26, 34], "the looks that fit");
        assert_eq!(Looks::sequential(0.01, 72).within(12).rounds, vec![12], "one look, with the whole alpha");
        assert_eq!(fewest_pairs(0.01, 72), 14, "2⁻¹⁴ < 0.01 / 144 < 2⁻¹³");
        assert!(Looks::fixed(14).can_decide(0.01, 72) && !Looks::fixed(13).can_decide(0.01, 72));
        assert!(Looks::sequential(0.01, 72).can_decide(0.01, 72));
    }
}
