//! The history pass: what each commit changed must equal what `git log --numstat` prints.

use std::collections::BTreeMap;

use crate::support::TestRepo;

/// Per commit id: its files as `added\tremoved\tpath` lines, sorted (`-` for binary).
type Numstat = BTreeMap<String, Vec<String>>;

fn git_numstat(repo: &TestRepo) -> Numstat {
    numstat_of_log(&repo.git(&[
        "log",
        "--no-merges",
        "--no-renames",
        "--numstat",
        "--format=commit %H",
    ]))
}

/// Parses `git log --numstat --format="commit %H"`.
fn numstat_of_log(log: &str) -> Numstat {
    let mut numstat = Numstat::new();
    let mut current = None;
    for line in log.lines() {
        if let Some(id) = line.strip_prefix("commit ") {
            current = Some(id.to_owned());
            numstat.entry(id.to_owned()).or_default();
        } else if !line.is_empty() {
            let id = current.clone().expect("a commit line first");
            numstat.get_mut(&id).unwrap().push(line.to_owned());
        }
    }
    numstat.values_mut().for_each(|files| files.sort());
    numstat
}

fn opslint_numstat(path: &std::path::Path) -> Numstat {
    let target = opslint::repo::open(path, Some("HEAD")).expect("opens");
    let tip = target.head.expect("a commit");
    let changed = opslint::history::read(&target.repo, tip, None).expect("reads history");
    changed
        .into_iter()
        .filter(|changed| changed.commit.parents.len() <= 1)
        .map(|changed| {
            let mut files: Vec<String> = changed
                .files
                .iter()
                .map(|file| match file.lines {
                    Some((added, removed)) => format!("{added}\t{removed}\t{}", file.path),
                    None => format!("-\t-\t{}", file.path),
                })
                .collect();
            files.sort();
            (changed.commit.id.to_string(), files)
        })
        .collect()
}

/// Every case the numstat pitfalls name: empty files, mode-only changes, line endings, a
/// last line without a newline, binary files, a file becoming a directory, submodules,
/// deletions, a merge (left out), and an edit Myers has to work for.
fn awkward_history() -> TestRepo {
    let repo = TestRepo::new();
    let long: String = (0..300).map(|n| format!("line {n}\n")).collect();
    repo.write("a.txt", "one\ntwo\nthree\n")
        .write("b.md", "no newline at the end")
        .write("empty.txt", "")
        .write("image.bin", b"\x89PNG\0\0\x01binary")
        .write("src/main.rs", "fn main() {}\n")
        .write("long.txt", &long);
    repo.commit("initial");

    let edited: String = long
        .lines()
        .enumerate()
        .filter(|(n, _)| n % 37 != 0)
        .map(|(n, line)| match n % 11 {
            0 => format!("{line} changed\n"),
            _ => format!("{line}\n"),
        })
        .chain(["appended\n".to_owned()])
        .collect();
    repo.write("a.txt", "one\n2\nthree\nfour\nfive\n")
        .write("b.md", "no newline at the end\r\n")
        .write("long.txt", &edited);
    make_executable(&repo.path().join("src/main.rs"));
    make_executable(&repo.path().join("image.bin"));
    repo.commit("edit, line endings, mode");

    repo.remove("b.md")
        .write("image.bin", b"\x89PNG\0\0\x02other")
        .write("docs/guide.md", "# Guide\n\nRead me.\n")
        .write("empty.txt", "now text\n");
    repo.commit("delete, binary change, empty file filled");

    repo.remove("a.txt")
        .write("a.txt/inside.txt", "a file where a file was\n");
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    // A submodule that is not checked out: a gitlink in the index, an empty directory.
    std::fs::create_dir_all(repo.path().join("vendor/lib")).unwrap();
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{head},vendor/lib"),
    ]);
    repo.commit("file to directory, a submodule");

    repo.git(&["checkout", "-q", "-b", "topic"]);
    repo.write("topic.txt", "on a branch\n");
    repo.commit("topic work");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("src/lib.rs", "pub fn lib() {}\n");
    repo.commit("main work");
    repo.git(&[
        "-c",
        "user.name=Ada",
        "-c",
        "user.email=ada@example.com",
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "merge topic",
        "topic",
    ]);

    let first = repo
        .git(&["rev-list", "--max-parents=0", "HEAD"])
        .trim()
        .to_owned();
    repo.git(&[
        "update-index",
        "--cacheinfo",
        &format!("160000,{first},vendor/lib"),
    ]);
    repo.remove("empty.txt");
    repo.commit("submodule moved, file removed");
    repo
}

fn make_executable(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn line_and_file_counts_equal_git_log_numstat() {
    let repo = awkward_history();
    let expected = git_numstat(&repo);
    assert_eq!(expected.len(), 7, "{expected:#?}");
    assert_eq!(opslint_numstat(repo.path()), expected);
}

/// The same comparison over a real repository's whole history:
/// `OPSLINT_NUMSTAT_REPO=/path/to/mirror cargo test -- --ignored numstat_of_a_real`.
#[test]
#[ignore = "needs a repository named by OPSLINT_NUMSTAT_REPO"]
fn numstat_of_a_real_repository_equals_git() {
    let path = std::env::var("OPSLINT_NUMSTAT_REPO").expect("OPSLINT_NUMSTAT_REPO is set");
    let path = std::path::Path::new(&path);
    let log = crate::support::git_in(
        path,
        &[
            "log",
            "--no-merges",
            "--no-renames",
            "--numstat",
            "--format=commit %H",
            "HEAD",
        ],
    );
    let expected = numstat_of_log(&log);
    let actual = opslint_numstat(path);
    let differing: Vec<&String> = expected
        .iter()
        .filter(|(id, files)| actual.get(*id) != Some(files))
        .map(|(id, _)| id)
        .collect();
    eprintln!(
        "{} commits compared, {} differ",
        expected.len(),
        differing.len()
    );
    assert!(
        differing.is_empty(),
        "first differing: {:?}",
        &differing[..differing.len().min(5)]
    );
}
