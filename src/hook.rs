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
    let target = repo::open(path, None)?;
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
    if hook.exists() && !force {
        return Err(miette::miette!(
            help = "pass --force to replace it, or call `opslint check --staged` from it",
            "{} already exists",
            hook.display()
        ));
    }
    let installer = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("opslint"));
    let written = std::fs::create_dir_all(&hooks)
        .and_then(|()| std::fs::write(&hook, script(&installer)))
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
