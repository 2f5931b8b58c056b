//! Glob compilation shared by rules, preconditions and scan excludes.
//!
//! `globset` treats an empty alternative (`{,.md}`) as matching nothing, but rule authors
//! reasonably write `{.github/,}CODEOWNERS` for "here or at the root". Braces are therefore
//! expanded here, before globset sees the pattern.

use globset::{Glob, GlobBuilder};
use toml::Spanned;

use crate::config::diagnostic::Problem;

/// A single pattern may not expand into more globs than this.
const MAX_EXPANSION: usize = 256;
/// Braces may nest this deep: far more than a path needs, and it bounds the expansion's
/// recursion whatever a repository's config holds.
pub const MAX_GLOB_NESTING: usize = 32;
/// A glob longer than this is no path pattern; checked before anything is compiled, it also
/// bounds the number of brace groups (and so the expansion's recursion).
pub const MAX_GLOB_LENGTH: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum GlobError {
    #[error("{0}")]
    Syntax(String),
    #[error("the braces expand into more than {MAX_EXPANSION} patterns")]
    TooManyAlternatives,
    #[error("braces nest more than {MAX_GLOB_NESTING} levels deep")]
    TooDeep,
    #[error("the glob is longer than {MAX_GLOB_LENGTH} bytes")]
    TooLong,
}

/// Compiles a glob the way every glob in opslint is compiled: `*` stops at `/`, `**` crosses
/// it, `{a,b,}` lists alternatives (empty ones included).
pub fn compile_glob(pattern: &str) -> Result<Vec<Glob>, GlobError> {
    check_bounds(pattern)?;
    expand_braces(pattern)?
        .iter()
        .map(|expanded| {
            GlobBuilder::new(expanded)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .map_err(|error| GlobError::Syntax(error.kind().to_string()))
        })
        .collect()
}

/// Refuses a glob too long or nested too deep before anything recursive sees it.
fn check_bounds(pattern: &str) -> Result<(), GlobError> {
    if pattern.len() > MAX_GLOB_LENGTH {
        return Err(GlobError::TooLong);
    }
    let mut depth = 0usize;
    let mut escaped = false;
    for byte in pattern.bytes() {
        match byte {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'{' => {
                depth += 1;
                if depth > MAX_GLOB_NESTING {
                    return Err(GlobError::TooDeep);
                }
            }
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Expands the outermost-first brace alternatives of `pattern` into plain patterns.
fn expand_braces(pattern: &str) -> Result<Vec<String>, GlobError> {
    let Some((open, close)) = first_brace_group(pattern)? else {
        return Ok(vec![pattern.to_owned()]);
    };
    let (prefix, body, suffix) = (
        &pattern[..open],
        &pattern[open + 1..close],
        &pattern[close + 1..],
    );
    let mut expanded = Vec::new();
    for alternative in split_alternatives(body) {
        for rest in expand_braces(&format!("{prefix}{alternative}{suffix}"))? {
            expanded.push(rest);
            if expanded.len() > MAX_EXPANSION {
                return Err(GlobError::TooManyAlternatives);
            }
        }
    }
    Ok(expanded)
}

/// Byte offsets of the first top-level `{` and its matching `}`, skipping escapes and `[...]`.
fn first_brace_group(pattern: &str) -> Result<Option<(usize, usize)>, GlobError> {
    let bytes = pattern.as_bytes();
    let mut depth = 0usize;
    let mut open = None;
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'\\' => index += 1,
            b'[' if depth == 0 => {
                if let Some(end) = pattern[index + 1..].find(']') {
                    index += end + 1;
                }
            }
            b'{' => {
                if depth == 0 {
                    open = Some(index);
                }
                depth += 1;
            }
            b'}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    return Ok(open.map(|open| (open, index)));
                }
            }
            b'}' => {
                return Err(GlobError::Syntax(
                    "unopened alternate group; `}` without `{`".to_owned(),
                ));
            }
            _ => {}
        }
        index += 1;
    }
    if depth > 0 {
        return Err(GlobError::Syntax(
            "unclosed alternate group; missing `}`".to_owned(),
        ));
    }
    Ok(None)
}

/// Splits a brace body at its top-level commas.
fn split_alternatives(body: &str) -> Vec<&str> {
    let mut alternatives = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let mut escaped = false;
    for (index, byte) in body.bytes().enumerate() {
        match byte {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => {
                alternatives.push(&body[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    alternatives.push(&body[start..]);
    alternatives
}

/// Checks a glob of a rule file or config as written: relative to the root, and compiling.
pub(super) fn check_glob(glob: &Spanned<String>, problems: &mut Vec<Problem>) {
    let text = glob.get_ref();
    if text.starts_with('/') || text.starts_with("./") {
        problems.push(
            Problem::new(
                format!(
                    "glob `{text}` is anchored with `{}`",
                    if text.starts_with('/') { "/" } else { "./" }
                ),
                Some(glob.span()),
            )
            .help(
                "globs are already relative to the repository root: remove the leading `/` or `./`",
            ),
        );
        return;
    }
    if let Err(error) = compile_glob(text) {
        let reason = error.to_string();
        problems.push(
            Problem::new(format!("invalid glob: {reason}"), Some(glob.span()))
                .label("this glob")
                .help("globs use `*` within a path segment, `**` across segments, `{a,b}` for alternatives"),
        );
    }
}

/// `globs` as one compiled set, or `None` when one does not compile or the set is too large.
pub fn try_glob_set(globs: &[String]) -> Option<globset::GlobSet> {
    let mut builder = globset::GlobSetBuilder::new();
    for glob in globs {
        for compiled in compile_glob(glob).ok()? {
            builder.add(compiled);
        }
    }
    builder.build().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_that_does_not_compile_is_none_not_a_panic() {
        assert!(try_glob_set(&["tests/**".to_owned()]).is_some());
        assert!(try_glob_set(&["a/{b".to_owned()]).is_none());
    }

    fn matches(pattern: &str, path: &str) -> bool {
        compile_glob(pattern)
            .unwrap()
            .iter()
            .any(|glob| glob.compile_matcher().is_match(path))
    }

    #[test]
    fn empty_alternatives_match_the_bare_path() {
        assert!(matches("{.github/,}CODEOWNERS", "CODEOWNERS"));
        assert!(matches("{.github/,}CODEOWNERS", ".github/CODEOWNERS"));
        assert!(!matches("{.github/,}CODEOWNERS", "docs/CODEOWNERS"));
        assert!(matches("compose{,.dev}.{yml,yaml}", "compose.yaml"));
        assert!(matches("compose{,.dev}.{yml,yaml}", "compose.dev.yml"));
    }

    #[test]
    fn nested_braces_and_escapes() {
        assert_eq!(expand_braces("a{b,c{d,e}}").unwrap(), ["ab", "acd", "ace"]);
        assert_eq!(expand_braces(r"a\{b,c\}").unwrap(), [r"a\{b,c\}"]);
        assert_eq!(expand_braces("[{]x").unwrap(), ["[{]x"]);
    }

    #[test]
    fn star_stops_at_separators() {
        assert!(matches(
            ".github/workflows/*.yml",
            ".github/workflows/ci.yml"
        ));
        assert!(!matches(
            ".github/workflows/*.yml",
            ".github/workflows/sub/ci.yml"
        ));
        assert!(matches("**/Dockerfile", "Dockerfile"));
        assert!(matches("**/Dockerfile", "a/b/Dockerfile"));
    }

    #[test]
    fn malformed_and_explosive_patterns_are_errors() {
        assert!(compile_glob("a{b").is_err());
        assert!(compile_glob("a}b").is_err());
        assert!(compile_glob("[a").is_err());
        let bomb = "{a,b,c,d}".repeat(5);
        assert!(matches!(
            compile_glob(&bomb),
            Err(GlobError::TooManyAlternatives)
        ));
    }

    /// Issue 17: 100,000 nested braces grew to gigabytes and overflowed the stack.
    #[test]
    fn deep_and_long_globs_are_refused_before_expansion() {
        let deep = format!("{}a{}", "{".repeat(100_000), "}".repeat(100_000));
        assert!(matches!(compile_glob(&deep), Err(GlobError::TooLong)));
        let nested = format!("{}a{}", "{".repeat(33), "}".repeat(33));
        assert!(matches!(compile_glob(&nested), Err(GlobError::TooDeep)));
        let fine = format!("{}a{}", "{".repeat(32), "}".repeat(32));
        assert!(compile_glob(&fine).is_ok());
        assert!(matches!(
            compile_glob(&"a".repeat(MAX_GLOB_LENGTH + 1)),
            Err(GlobError::TooLong)
        ));
        // As many groups as the length allows, one after another: no recursion to fear.
        assert!(compile_glob(&"{a}".repeat(MAX_GLOB_LENGTH / 3)).is_ok());
    }
}
