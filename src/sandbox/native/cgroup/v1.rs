//! cgroup v1 (a hybrid layout, as on hosts whose systemd predates the
//! unified hierarchy): the service's own cgroup in each controller's
//! hierarchy, where a root service may create children.

use std::path::{Path, PathBuf};

use super::ROOT;

/// The service's cgroup directory for a v1 `controller`, from
/// /proc/self/cgroup lines such as `4:memory:/some/path`.
pub fn own(own: &str, controller: &str) -> Result<PathBuf, String> {
    own.lines()
        .filter_map(|line| line.split_once(':')?.1.split_once(':'))
        .find(|(controllers, _)| controllers.split(',').any(|c| c == controller))
        .map(|(_, path)| {
            let relative = path.trim_start_matches('/');
            Path::new(ROOT).join(controller).join(relative)
        })
        .filter(|path| path.join("cgroup.procs").exists())
        .ok_or_else(|| format!("no cgroup v1 {controller} hierarchy, and no cgroup v2 at {ROOT}"))
}
