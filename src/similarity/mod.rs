//! How alike two programs are, as MOSS measures it (Schleimer, Wilkerson
//! and Aiken, "Winnowing", SIGMOD 2003): each program's token stream
//! (`tokens`: no comments, no layout, every name alike) is cut into
//! overlapping k-grams, each hashed, and from every window of `WINDOW`
//! consecutive hashes the smallest is kept as a fingerprint. Two programs
//! share a fingerprint where they share a run of at least `K` tokens,
//! wherever it is in each, so reordered functions still match. Fingerprints
//! most programs share (the template, reading the input) say nothing and
//! are ignored.

mod tokens;

use std::collections::{HashMap, HashSet};
use std::ops::Range;

pub use tokens::{Token, tokens};

/// Tokens in a k-gram: runs shorter than this never match.
const K: usize = 10;
/// Hashes a fingerprint is chosen from: any run of `K + WINDOW - 1`
/// tokens both programs share yields a shared fingerprint.
const WINDOW: usize = 5;

/// A program's fingerprints, each with where its k-gram is in the source.
#[derive(Debug, Clone)]
pub struct Fingerprints {
    spans: HashMap<u64, Vec<Range<usize>>>,
}

impl Fingerprints {
    /// `source`'s fingerprints in `language`.
    pub fn of(language: &str, source: &str) -> Self {
        let tokens = tokens(language, source);
        let hashes: Vec<u64> = (tokens.windows(K))
            .map(|gram| gram_hash(gram.iter().map(|t| t.text.as_str())))
            .collect();
        let mut spans: HashMap<u64, Vec<Range<usize>>> = HashMap::new();
        let mut last_chosen = None;
        for (start, window) in hashes.windows(WINDOW).enumerate() {
            // The rightmost smallest, as the paper does, so that a window
            // sliding on keeps the same choice.
            let (offset, hash) = (window.iter().enumerate())
                .rev()
                .min_by_key(|(_, hash)| **hash)
                .expect("windows are not empty");
            let at = start + offset;
            if last_chosen != Some(at) {
                last_chosen = Some(at);
                let span = tokens[at].span.start..tokens[at + K - 1].span.end;
                spans.entry(*hash).or_default().push(span);
            }
        }
        // A program too short for a window still has its k-grams.
        if hashes.len() < WINDOW {
            for (at, hash) in hashes.iter().enumerate() {
                let span = tokens[at].span.start..tokens[at + K - 1].span.end;
                spans.entry(*hash).or_default().push(span);
            }
        }
        Self { spans }
    }

    fn hashes(&self) -> impl Iterator<Item = &u64> {
        self.spans.keys()
    }
}

/// FNV-1a over the k-gram's tokens: the same on every machine and run.
fn gram_hash<'a>(gram: impl Iterator<Item = &'a str>) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for text in gram {
        for byte in text.bytes().chain([0xff]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// Two programs alike.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// Their indices in what was compared, `a < b`.
    pub a: usize,
    pub b: usize,
    /// Shared fingerprints over all of the pair's (Jaccard), 0 to 1.
    pub score: f64,
    /// The share of each one's fingerprints that the other has, 0 to 1.
    pub a_share: f64,
    pub b_share: f64,
}

/// Fingerprints that more than this share of the programs (and more than
/// two) have are common ground, not copying.
const COMMON_SHARE: f64 = 0.5;

/// Every pair of `programs` sharing a fingerprint, most alike first.
pub fn compare(programs: &[Fingerprints]) -> Vec<Pair> {
    let common = common_ground(programs);
    let kept: Vec<HashSet<u64>> = (programs.iter())
        .map(|p| {
            p.hashes()
                .filter(|h| !common.contains(h))
                .copied()
                .collect()
        })
        .collect();
    // Each fingerprint's programs, so only pairs that share one are counted.
    let mut holders: HashMap<u64, Vec<usize>> = HashMap::new();
    for (index, hashes) in kept.iter().enumerate() {
        for hash in hashes {
            holders.entry(*hash).or_default().push(index);
        }
    }
    let mut shared: HashMap<(usize, usize), usize> = HashMap::new();
    for programs in holders.values() {
        for (i, a) in programs.iter().enumerate() {
            for b in &programs[i + 1..] {
                *shared.entry((*a, *b)).or_default() += 1;
            }
        }
    }
    let mut pairs: Vec<Pair> = (shared.into_iter())
        .map(|((a, b), count)| {
            let (size_a, size_b) = (kept[a].len() as f64, kept[b].len() as f64);
            let count = count as f64;
            Pair {
                a,
                b,
                score: count / (size_a + size_b - count),
                a_share: count / size_a,
                b_share: count / size_b,
            }
        })
        .collect();
    pairs.sort_by(|x, y| (y.score.total_cmp(&x.score)).then_with(|| (x.a, x.b).cmp(&(y.a, y.b))));
    pairs
}

/// The fingerprints too many of `programs` have to tell anything.
pub fn common_ground(programs: &[Fingerprints]) -> HashSet<u64> {
    let limit = ((programs.len() as f64) * COMMON_SHARE).max(2.0);
    let mut counts: HashMap<u64, usize> = HashMap::new();
    for program in programs {
        for hash in program.hashes() {
            *counts.entry(*hash).or_default() += 1;
        }
    }
    (counts.into_iter())
        .filter(|(_, count)| *count as f64 > limit)
        .map(|(hash, _)| hash)
        .collect()
}

/// Where `a` and `b` match: the byte ranges of each one's source that
/// their shared fingerprints cover (`common` ground left out), merged and
/// in order.
pub fn matching_regions(
    a: &Fingerprints,
    b: &Fingerprints,
    common: &HashSet<u64>,
) -> (Vec<Range<usize>>, Vec<Range<usize>>) {
    let shared: Vec<&u64> = (a.hashes())
        .filter(|h| b.spans.contains_key(h) && !common.contains(h))
        .collect();
    let regions = |program: &Fingerprints| {
        let spans = (shared.iter()).flat_map(|h| program.spans[h].iter().cloned());
        merged(spans.collect())
    };
    (regions(a), regions(b))
}

fn merged(mut spans: Vec<Range<usize>>) -> Vec<Range<usize>> {
    spans.sort_by_key(|span| span.start);
    let mut merged: Vec<Range<usize>> = Vec::new();
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGINAL: &str = "
def gcd(a, b):
    while b:
        a, b = b, a % b
    return a

def lcm(a, b):
    return a * b // gcd(a, b)

n = int(input())
values = list(map(int, input().split()))
result = values[0]
for v in values[1:]:
    result = lcm(result, v)
print(result)
";

    /// The original renamed, commented, reformatted, its functions swapped.
    const DISGUISED: &str = "
# least common multiple of all the numbers
def least(x, y):
    return x * y // greatest(x, y)   # uses gcd

def greatest(x, y):
    # Euclid
    while y:
        x, y = y, x % y
    return x

count = int(input())
numbers = list(map(int, input().split()))
answer = numbers[0]
for number in numbers[1:]:
    answer = least(answer, number)
print(answer)
";

    const INDEPENDENT: &str = "
import math
n = int(input())
xs = [int(t) for t in input().split()]
acc = 1
for x in xs:
    acc = acc * x // math.gcd(acc, x)
print(acc)
";

    #[test]
    fn a_disguised_copy_is_far_more_alike_than_an_independent_solution() {
        let programs: Vec<Fingerprints> = [ORIGINAL, DISGUISED, INDEPENDENT]
            .iter()
            .map(|source| Fingerprints::of("python", source))
            .collect();
        let pairs = compare(&programs);
        assert_eq!((pairs[0].a, pairs[0].b), (0, 1), "{pairs:?}");
        assert!(pairs[0].score > 0.5, "{pairs:?}");
        for other in &pairs[1..] {
            assert!(other.score < 0.2, "{pairs:?}");
        }
        let (in_a, in_b) = matching_regions(&programs[0], &programs[1], &HashSet::new());
        assert!(!in_a.is_empty() && !in_b.is_empty());
        let covered: usize = in_a.iter().map(|r| r.len()).sum();
        assert!(covered > ORIGINAL.trim().len() / 2, "{in_a:?}");
    }

    #[test]
    fn overlapping_regions_merge() {
        assert_eq!(merged(vec![5..9, 0..3, 2..4, 9..12]), [0..4, 5..12]);
    }
}
