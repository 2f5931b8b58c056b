//! `opslint hook install`: a git pre-commit hook for people without the pre-commit
//! framework. The one command that writes into a repository, and only when asked.

use std::path::{Path, PathBuf};

use crate::repo;

/// The hook's script: opslint on PATH (as installed later, or upgraded), else the binary
/// that installed the hook.
fn script(installer: &Path) -> String {
    format!(
        "#!/bin/sh\n\
         # Installed by `opslint hook install`: blocks a commit that breaks a DevOps practice\n\
         # the repository had (judged on what is staged, against HEAD).\n\
         opslint=$(command -v opslint || echo '{}')\n\
         exec \"$opslint\" check --staged\n",
        installer.display().to_string().replace('\'', "'\\''")
    )
}

/// Writes the pre-commit hook of the repository at `path`; an existing hook is kept unless
/// `force`. Returns where it was written.
pub fn install(path: &Path, force: bool) -> Result<PathBuf, miette::Report> {
    // Nothing is read from the object store: a repository borrowing objects is no obstacle.
    let access = repo::Access {
        exact: false,
        allow_alternates: true,
    };
    let target = repo::open_with(path, None, access)?;
    let local = target.repo.to_thread_local();
    if let Some(hooks_path) = local.config_snapshot().string("core.hooksPath") {
        return Err(miette::miette!(
            help = "add `opslint check --staged` to the pre-commit hook there, or use the \
                    pre-commit framework's `opslint` hook",
            "core.hooksPath is set ({hooks_path}): git runs hooks from there, not from the \
             repository's hooks directory"
        ));
    }
    let hooks = local.common_dir().join("hooks");
    let hook = hooks.join("pre-commit");
    // A symbolic link, even a dangling one, would lead the write out of the git directory.
    for path in [&hooks, &hook] {
        if std::fs::symlink_metadata(path).is_ok_and(|entry| entry.file_type().is_symlink()) {
            return Err(miette::miette!(
                code = "opslint::hook_symlink",
                help = "replace the link with the hook itself, or call `opslint check --staged` \
                        from the hook it leads to",
                "{} is a symbolic link: opslint writes only inside the repository's git directory",
                path.display()
            ));
        }
    }
    if std::fs::symlink_metadata(&hook).is_ok() && !force {
        return Err(miette::miette!(
            help = "pass --force to replace it, or call `opslint check --staged` from it",
            "{} already exists",
            hook.display()
        ));
    }
    let installer = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("opslint"));
    // Removed and created anew, never opened through whatever stands at its path:
    // `create_new` refuses a link put there in the meantime.
    let written = std::fs::create_dir_all(&hooks)
        .and_then(|()| match std::fs::remove_file(&hook) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error),
            _ => Ok(()),
        })
        .and_then(|()| {
            use std::io::Write;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&hook)?
                .write_all(script(&installer).as_bytes())
        })
        .and_then(|()| make_executable(&hook));
    written.map_err(|error| miette::miette!("cannot write {}: {error}", hook.display()))?;
    Ok(hook)
}

#[cfg(unix)]
fn make_executable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> std::io::Result<()> {
    Ok(())
}
