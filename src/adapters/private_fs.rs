//! Files and directories `rounds` creates are private to its user (0600 and 0700) whatever the
//! umask: the database, its WAL and SHM (SQLite gives them the database's mode), the pass lock,
//! markdown notifications and checkpoints hold telemetry, and telemetry holds personal data.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Create `dir` and any missing parents as 0700; directories that exist keep their mode (a
/// user's `~/.local/share` is not ours to change).
pub fn create_dir_all(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_dir_all(parent)?;
    }
    let mut b = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    match b.create(dir) {
        Ok(()) => set_mode(dir, 0o700),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(e),
    }
}

/// Open `path` for writing, creating it as 0600 (`truncate` as asked). A file that existed
/// keeps its mode.
pub fn create_file(path: &Path, truncate: bool) -> io::Result<File> {
    let existed = path.exists();
    let mut o = OpenOptions::new();
    o.write(true).create(true).truncate(truncate);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let f = o.open(path)?;
    if !existed {
        // The mode given to open() is masked by the umask; set it exactly.
        set_mode(path, 0o600)?;
    }
    Ok(f)
}

/// Set a file's permission bits exactly (no-op off Unix).
pub fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}
