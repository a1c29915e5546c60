//! SQL `LIKE` matching (`%` any run, `_` one character) for the search APIs.
//!
//! Iterative, constant extra space, and O(pattern × text) in the worst case
//! (O(pattern + text) for patterns with at most one `%`): the classic greedy
//! wildcard match that backtracks only to the last `%`. The recursive
//! version it replaces took seconds for five `%` against 120 characters and
//! overflowed the stack on 300,000 of them.

/// True when `text` matches `pattern`.
pub(super) fn like(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    // After the last `%` seen: the pattern index just past it and the text
    // index it is currently assumed to stretch to.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('%') => {
                // Collapse runs of `%`.
                while p.get(pi) == Some(&'%') {
                    pi += 1;
                }
                star = Some((pi, ti));
            }
            Some(c) if *c == '_' || Some(c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    // Let the last `%` swallow one more character and retry.
                    pi = sp;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..).is_some_and(|rest| rest.iter().all(|c| *c == '%'))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]
    use super::like;

    #[test]
    fn matches_like_sql() {
        assert!(like("%", ""));
        assert!(like("abc", "abc"));
        assert!(!like("abc", "abcd"));
        assert!(like("a%c", "abbbc"));
        assert!(like("a_c", "abc"));
        assert!(!like("a_c", "ac"));
        assert!(like("%b%", "abc"));
        assert!(like("%%%a%%b%%", "xxaxxbxx"));
        assert!(!like("%a%b", "ba"));
        assert!(like("2002%", "200220241201"));
        assert!(like("%ä_", "xäy"));
    }

    /// The textbook dynamic-programming matcher, as the reference.
    fn reference(pattern: &[char], text: &[char]) -> bool {
        let mut row = vec![false; text.len() + 1];
        row[0] = true;
        for p in pattern {
            let mut next = vec![false; text.len() + 1];
            if *p == '%' {
                let mut any = false;
                for j in 0..=text.len() {
                    any |= row[j];
                    next[j] = any;
                }
            } else {
                for j in 1..=text.len() {
                    next[j] = row[j - 1] && (*p == '_' || *p == text[j - 1]);
                }
            }
            row = next;
        }
        row[text.len()]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        /// Agrees with the reference on every small pattern and text.
        #[test]
        fn agrees_with_dynamic_programming(pattern in "[ab%_]{0,12}", text in "[abc]{0,16}") {
            let p: Vec<char> = pattern.chars().collect();
            let t: Vec<char> = text.chars().collect();
            proptest::prop_assert_eq!(like(&pattern, &text), reference(&p, &t), "{} ~ {}", pattern, text);
        }
    }

    #[test]
    fn adversarial_patterns_are_fast_and_shallow() {
        let text = "a".repeat(120);
        let pattern = format!("{}b", "%a".repeat(5));
        let started = std::time::Instant::now();
        assert!(!like(&pattern, &text));
        let many = "%".repeat(300_000);
        assert!(like(&many, &text));
        assert!(!like(&format!("{many}b"), &text));
        assert!(started.elapsed() < std::time::Duration::from_millis(500));
    }
}
