//! Where a shell list's commands run. `cd web && npm test` runs the `test` script of
//! `web/package.json`, not the root's, and a `cd web` line leaves the lines after it in
//! `web`: task runners and scripts are looked up from there.

/// The folder commands run in: a folder of the repository (`""` is the root), or a place
/// opslint cannot tell (`cd "$BUILD_DIR"`, `cd /tmp`, `popd`), where nothing of the
/// repository is looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Folder(String),
    /// Somewhere else, with the `cd` that went there as written.
    Elsewhere(String),
}

/// How a script names its own folder: `$(dirname "$0")`, `${BASH_SOURCE%/*}`,
/// `$PSScriptRoot`, `%~dp0`.
const SCRIPT_FOLDER: &[&str] = &[
    "dirname",
    "BASH_SOURCE",
    "$0",
    "${0",
    "PSScriptRoot",
    "%~dp0",
];

/// The commands that change folder.
const MOVES: &[&str] = &[
    "cd",
    "pushd",
    "popd",
    "chdir",
    "Set-Location",
    "Push-Location",
    "Pop-Location",
];

/// How many `cd`s one command line is followed through, and how deep a folder may be.
const MAX_DEPTH: usize = 32;

impl Place {
    pub fn root() -> Place {
        Place::Folder(String::new())
    }

    /// The repository folder, when the commands run in one.
    pub fn folder(&self) -> Option<&str> {
        match self {
            Place::Folder(folder) => Some(folder),
            Place::Elsewhere(_) => None,
        }
    }

    /// Moves as a shell command does, when `words` are one that changes folder (`cd web`,
    /// `pushd ..`); returns whether they were. (`popd` needs to know where `pushd` left
    /// from: see [`Walk`].)
    pub fn moves(&mut self, words: &[&str]) -> bool {
        match words {
            [
                "cd" | "pushd" | "chdir" | "Set-Location" | "Push-Location",
                rest @ ..,
            ] if !rest.is_empty() => {
                // `cd -P dir`, `cd web || exit 1`: the first word that is not an option.
                let target = rest
                    .iter()
                    .find(|word| !word.starts_with('-') || **word == "-")
                    .copied()
                    .unwrap_or("-");
                *self = self.entered(target);
                true
            }
            ["cd" | "pushd" | "popd" | "Pop-Location"] => {
                *self = Place::Elsewhere(words.join(" "));
                true
            }
            _ => false,
        }
    }

    /// The place `cd target` goes to from here.
    fn entered(&self, target: &str) -> Place {
        // As it is shown again in front of the commands after it: one line, no shell list.
        let shown: String = target
            .chars()
            .map(|c| match c {
                '&' | ';' | '|' => '?',
                c if c.is_control() => '?',
                c => c,
            })
            .collect();
        let elsewhere = || Place::Elsewhere(format!("cd {shown}"));
        let written = target.trim_matches(['"', '\'']).replace('\\', "/");
        // The checkout (`cd $GITHUB_WORKSPACE/web`), or the running script's own folder
        // (`cd "$(dirname "$0")/.."`), which scripts go to so as to run from the root: taken
        // as the root, where the old behaviour looked things up.
        if let Some(rest) = super::script::CHECKOUT_PREFIXES.iter().find_map(|prefix| {
            format!("{written}/")
                .strip_prefix(prefix)
                .map(str::to_owned)
        }) {
            let rest = rest.trim_end_matches('/');
            return match rest {
                "" => Place::root(),
                rest => Place::root().entered(rest),
            };
        }
        if SCRIPT_FOLDER.iter().any(|marker| written.contains(marker)) {
            return Place::root();
        }
        // A quoted folder with a space (`cd "my web"`) is split into words before it gets
        // here, and a folder with a space, a quote or a shell operator cannot be written
        // back in front of a command as one word: somewhere opslint does not name.
        let quoted = |quote: char| target.starts_with(quote);
        let balanced = ['"', '\'']
            .iter()
            .all(|&quote| !quoted(quote) || (target.len() > 1 && target.ends_with(quote)));
        if !balanced
            || written
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "&;|<>'\"()".contains(c))
        {
            return elsewhere();
        }
        let Place::Folder(folder) = self else {
            return self.clone();
        };
        // Variables, home, absolute paths and `cd -`: not a folder opslint can name.
        if written.is_empty()
            || written.starts_with(['/', '~', '-'])
            || written.contains(['$', '%', '*', '?', '`', '{'])
        {
            return elsewhere();
        }
        let mut parts: Vec<&str> = folder.split('/').filter(|part| !part.is_empty()).collect();
        for part in written.split('/') {
            match part {
                "" | "." => {}
                ".." if parts.pop().is_some() => {}
                ".." => return elsewhere(),
                part => parts.push(part),
            }
            if parts.len() > MAX_DEPTH {
                return elsewhere();
            }
        }
        Place::Folder(parts.join("/"))
    }

    /// `command` as run from the repository's root: `cd web && npm test` in `web`.
    pub fn from_root<'c>(&self, command: &'c str) -> std::borrow::Cow<'c, str> {
        std::borrow::Cow::Owned(match self {
            Place::Folder(folder) if folder.is_empty() => return command.into(),
            Place::Folder(folder) => format!("cd {folder} && {command}"),
            Place::Elsewhere(cd) => format!("{cd} && {command}"),
        })
    }
}

/// A shell walking through folders: where it is, and where each `pushd` left from, so that
/// `popd` goes back there.
#[derive(Debug, Clone)]
pub struct Walk {
    pub place: Place,
    pushed: Vec<Place>,
}

impl Walk {
    pub fn from(place: Place) -> Walk {
        Walk {
            place,
            pushed: Vec::new(),
        }
    }

    /// Moves as the shell command `segment` does when it changes folder; returns whether
    /// it does. (Most commands do not: they are not split into words.)
    pub fn step_over(&mut self, segment: &str) -> bool {
        let first = segment.split_whitespace().next().unwrap_or_default();
        MOVES.contains(&first) && self.step(&segment.split_whitespace().collect::<Vec<_>>())
    }

    /// Moves as `words` do when they change folder; returns whether they do.
    pub fn step(&mut self, words: &[&str]) -> bool {
        match words.first() {
            Some(&("pushd" | "Push-Location")) => {
                let left = self.place.clone();
                let moved = self.place.moves(words);
                if moved && self.pushed.len() < MAX_DEPTH {
                    self.pushed.push(left);
                }
                moved
            }
            Some(&("popd" | "Pop-Location")) => {
                self.place = self
                    .pushed
                    .pop()
                    .unwrap_or_else(|| Place::Elsewhere(words.join(" ")));
                true
            }
            _ => self.place.moves(words),
        }
    }

    /// Walks through `command`'s changes of folder, unless it runs in a subshell: a `cd
    /// web` line of a script leaves the lines after it in `web`.
    pub fn through(&mut self, command: &str) {
        if command.trim_start().starts_with('(') {
            return;
        }
        let mut moves = 0;
        for segment in super::segments(command) {
            if moves >= MAX_DEPTH {
                self.place = Place::Elsewhere("cd ?".to_owned());
                return;
            }
            moves += usize::from(self.step_over(segment));
        }
    }
}

/// The segments of `command` (see [`super::segments`]) other than its changes of folder,
/// each with the place it runs in: `cd web && npm ci && npm test` is `npm ci` and
/// `npm test`, both in `web`.
pub fn placed_segments(command: &str) -> Vec<(&str, Place)> {
    let mut walk = Walk::from(Place::root());
    let mut placed = Vec::new();
    let mut moves = 0;
    for segment in super::segments(command) {
        // Past so many changes of folder, the rest runs somewhere opslint does not follow.
        if moves >= MAX_DEPTH && walk.place.folder().is_some() {
            walk = Walk::from(Place::Elsewhere("cd ?".to_owned()));
        }
        if walk.step_over(segment) {
            moves += 1;
        } else {
            placed.push((segment, walk.place.clone()));
        }
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(place: &Place) -> Option<&str> {
        place.folder()
    }

    #[test]
    fn cd_moves_into_folders_and_back_out() {
        let mut place = Place::root();
        assert!(place.moves(&["cd", "web/app"]));
        assert_eq!(folder(&place), Some("web/app"));
        place.moves(&["cd", "../api"]);
        assert_eq!(folder(&place), Some("web/api"));
        place.moves(&["pushd", "./"]);
        assert_eq!(folder(&place), Some("web/api"));
        place.moves(&["cd", "../.."]);
        assert_eq!(folder(&place), Some(""));
        assert!(!place.moves(&["npm", "test"]));
    }

    #[test]
    fn places_opslint_cannot_name_are_elsewhere_and_stay_so() {
        for target in [
            "$DIR",
            "/tmp",
            "~",
            "-",
            "..",
            "${{ matrix.dir }}",
            "build*",
        ] {
            let mut place = Place::root();
            place.moves(&["cd", target]);
            assert_eq!(folder(&place), None, "{target}");
            place.moves(&["cd", "web"]);
            assert_eq!(folder(&place), None, "{target} then web");
        }
        let mut place = Place::root();
        place.moves(&["popd"]);
        assert_eq!(folder(&place), None);
    }

    #[test]
    fn the_checkout_and_the_script_s_own_folder_are_the_root() {
        for target in [
            "$GITHUB_WORKSPACE",
            "${GITHUB_WORKSPACE}/",
            "\"$(dirname \"$0\")/..\"",
            "${BASH_SOURCE%/*}",
            "$PSScriptRoot",
        ] {
            let mut place = Place::Folder("web".into());
            place.moves(&["cd", target]);
            assert_eq!(folder(&place), Some(""), "{target}");
        }
        let mut place = Place::root();
        place.moves(&["cd", "$CI_PROJECT_DIR/services/api"]);
        assert_eq!(folder(&place), Some("services/api"));
    }

    #[test]
    fn folders_that_cannot_be_one_word_are_elsewhere_and_shown_on_one_line() {
        for words in [
            &["cd", "\"my", "web\""][..],
            &["cd", "my web"],
            &["cd", "web && pytest"],
            &["cd", "web\n::error::forged"],
        ] {
            let mut place = Place::root();
            place.moves(words);
            assert_eq!(folder(&place), None, "{words:?}");
            let shown = place.from_root("make test");
            assert!(
                !shown.contains('\n') && shown.matches("&&").count() == 1,
                "{shown}"
            );
        }
    }

    #[test]
    fn every_segment_of_a_long_list_is_judged() {
        let command = vec!["echo step"; 100].join(" && ") + " && cargo test";
        let placed = placed_segments(&command);
        assert_eq!(placed.len(), 101);
        assert_eq!(placed[100], ("cargo test", Place::root()));
    }

    #[test]
    fn segments_carry_their_place() {
        let placed = placed_segments("cd web && npm ci; npm test");
        assert_eq!(
            placed,
            vec![
                ("npm ci", Place::Folder("web".into())),
                ("npm test", Place::Folder("web".into())),
            ]
        );
        assert_eq!(placed[1].1.from_root("npm test"), "cd web && npm test");
        assert_eq!(Place::root().from_root("make test"), "make test");
    }

    #[test]
    fn a_cd_line_moves_the_lines_after_it_but_a_subshell_does_not() {
        let mut walk = Walk::from(Place::root());
        walk.through("cd web");
        assert_eq!(folder(&walk.place), Some("web"));
        walk.through("npm ci");
        assert_eq!(folder(&walk.place), Some("web"));
        walk.through("(cd api && make)");
        assert_eq!(folder(&walk.place), Some("web"));
        walk.through("cd .. && ls");
        assert_eq!(folder(&walk.place), Some(""));
    }

    #[test]
    fn popd_goes_back_to_where_pushd_left() {
        let mut walk = Walk::from(Place::root());
        walk.through("pushd docs");
        walk.through("pushd \"$SITE\"");
        assert_eq!(folder(&walk.place), None);
        walk.through("popd");
        assert_eq!(folder(&walk.place), Some("docs"));
        walk.through("popd");
        assert_eq!(folder(&walk.place), Some(""));
        walk.through("popd");
        assert_eq!(folder(&walk.place), None, "nothing left to go back to");
    }
}
