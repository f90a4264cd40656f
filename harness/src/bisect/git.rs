//! The git side of a bisection: the repository being measured (found from the current directory), revisions
//! resolved to commits, the first-parent path from GOOD to BAD, and the one scratch worktree that every commit is
//! checked out into in turn — removed (`git worktree remove --force`, then `git worktree prune`) when it is
//! dropped, so that a bisection never leaves one behind, whether it ends in success, an error or a stop signal.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::HarnessError;
use crate::terminal::say;

/// A commit: its full id and the first line of its message.
#[derive(Clone, Debug, PartialEq)]
pub struct Commit {
    pub id: String,
    pub subject: String,
}

impl Commit {
    /// The id's first ten hex digits, as printed.
    pub fn short(&self) -> &str {
        &self.id[..self.id.len().min(10)]
    }
}

/// The git repository of the project being measured.
pub struct Repository {
    root: PathBuf,
    /// Where the directory the bisection runs in lies inside the repository (empty at its root): the project is
    /// built from the same place in the worktree.
    prefix: PathBuf,
}

impl Repository {
    /// The repository that holds `dir`.
    pub fn discover(dir: &Path) -> Result<Self, HarnessError> {
        let found = git(dir, &["rev-parse", "--show-toplevel", "--show-prefix"]).map_err(|why| {
            HarnessError::Usage(format!(
                "ablate bisect runs in the git repository of the project being measured, and {} is not in one ({why})",
                dir.display()
            ))
        })?;
        let mut lines = found.lines();
        let root = PathBuf::from(lines.next().unwrap_or_default());
        let prefix = PathBuf::from(lines.next().unwrap_or_default());
        Ok(Repository { root, prefix })
    }

    /// How many tracked files have changes not committed (staged or not): a bisection builds commits only, so
    /// they are measured in none of its steps. Untracked files are not counted; `None` when git cannot say.
    pub fn uncommitted_changes(&self) -> Option<usize> {
        let status = git(&self.root, &["status", "--porcelain", "--untracked-files=no"]).ok()?;
        Some(status.lines().filter(|line| !line.trim().is_empty()).count())
    }

    /// The commit `rev` names; `flag` says which argument it came from.
    pub fn resolve(&self, rev: &str, flag: &str) -> Result<Commit, HarnessError> {
        let unknown = |why: String| {
            HarnessError::Usage(format!(
                "unknown {flag} revision '{rev}' in {} ({why}); expected a commit: a hash, branch, tag or HEAD~N",
                self.root.display()
            ))
        };
        if rev.starts_with('-') {
            return Err(unknown("a revision does not start with '-'".to_owned()));
        }
        let id = git(&self.root, &["rev-parse", "--verify", "--end-of-options", &format!("{rev}^{{commit}}")])
            .map_err(unknown)?;
        let subject = git(&self.root, &["log", "-1", "--format=%s", &id]).map_err(|why| self.failed(&why))?;
        Ok(Commit { id, subject })
    }

    /// The commits after `good` up to `bad`, oldest first, each the first parent of the next: BAD's first-parent
    /// history down to GOOD. A merge on that path stands for the whole branch it merged.
    pub fn first_parent_path(&self, good: &Commit, bad: &Commit) -> Result<Vec<Commit>, HarnessError> {
        let refuse =
            |why: &str| HarnessError::Usage(format!("--good {} and --bad {}: {why}", good.short(), bad.short()));
        if good.id == bad.id {
            return Err(refuse("the same commit; --good must be an earlier commit than --bad"));
        }
        if git(&self.root, &["merge-base", "--is-ancestor", &good.id, &bad.id]).is_err() {
            return Err(refuse("--good is not an ancestor of --bad; name an earlier commit of --bad's history"));
        }
        let range = format!("{}..{}", good.id, bad.id);
        let listed = git(&self.root, &["log", "--first-parent", "--reverse", "--format=%H%x09%P%x09%s", &range])
            .map_err(|why| self.failed(&why))?;
        let mut path = Vec::new();
        let mut previous = good.id.as_str();
        for line in listed.lines() {
            let mut fields = line.splitn(3, '\t');
            let (id, parents, subject) =
                (fields.next().unwrap_or(""), fields.next().unwrap_or(""), fields.next().unwrap_or(""));
            if parents.split(' ').next() != Some(previous) {
                return Err(refuse(
                    "--bad reaches --good only through a merge's second parent; name a commit of --bad's \
                     first-parent history as --good (see git log --first-parent), or bisect inside that branch",
                ));
            }
            path.push(Commit { id: id.to_owned(), subject: subject.to_owned() });
            previous = id;
        }
        Ok(path)
    }

    fn failed(&self, why: &str) -> HarnessError {
        HarnessError::Bisect(format!("git failed in {}: {why}", self.root.display()))
    }
}

/// The scratch worktree each commit is checked out into, detached; removed with its registration when dropped.
pub struct Worktree {
    /// The repository it belongs to.
    root: PathBuf,
    dir: PathBuf,
    prefix: PathBuf,
}

impl Worktree {
    /// Adds a worktree at `dir` (which must not exist yet), checked out at `commit`.
    pub fn add(repository: &Repository, dir: &Path, commit: &Commit) -> Result<Self, HarnessError> {
        let path = dir.to_string_lossy();
        git(&repository.root, &["worktree", "add", "--detach", "--quiet", &path, &commit.id])
            .map_err(|why| HarnessError::Bisect(format!("cannot add a git worktree at {path}: {why}")))?;
        Ok(Worktree { root: repository.root.clone(), dir: dir.to_owned(), prefix: repository.prefix.clone() })
    }

    /// Checks `commit` out: only the files that differ are rewritten, so that cargo rebuilds only what changed.
    pub fn checkout(&self, commit: &Commit) -> Result<(), HarnessError> {
        git(&self.dir, &["checkout", "--detach", "--force", "--quiet", &commit.id]).map(drop).map_err(|why| {
            HarnessError::Bisect(format!("cannot check {} out in {}: {why}", commit.short(), self.dir.display()))
        })
    }

    /// Where the project is built: the same place inside the worktree as the bisection's directory is inside
    /// the repository.
    pub fn project_dir(&self) -> PathBuf {
        self.dir.join(&self.prefix)
    }
}

impl Drop for Worktree {
    fn drop(&mut self) {
        let path = self.dir.to_string_lossy();
        if let Err(why) = git(&self.root, &["worktree", "remove", "--force", "--force", &path]) {
            say(format_args!("warning: could not remove the bisection's worktree {path}: {why}"));
        }
        let _ = git(&self.root, &["worktree", "prune"]);
    }
}

/// Runs git with `args` in `dir`: its stdout, trimmed, or what it said on stderr.
fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let output =
        Command::new("git").args(args).current_dir(dir).output().map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        return Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let said = stderr.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("no message");
    Err(format!("git {} exited with {}: {said}", args.first().unwrap_or(&""), output.status))
}
