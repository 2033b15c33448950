//! What happens in the forked child before the program executes
//! (`pre_exec`): only syscalls, no allocation and no locks, because the
//! service has other threads whose locks the fork copied mid-use.
//!
//! The child joins the run's cgroups, enters new namespaces, restricts
//! itself (Landlock, seccomp), then forks the program. The process that
//! forks the program stays as its reaper: it waits for it and reports its
//! wait status and resource use through a pipe. With a PID namespace the
//! reaper is PID 1 there (when it exits the kernel kills everything left in
//! the namespace) and the program PID 2: PID 1 ignores signals it has no
//! handler for, so the program's SIGXCPU or SIGXFSZ would be lost.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use landlock::RulesetCreated;
use seccompiler::BpfProgram;

use super::{NativeExit, NativeLimits};

/// Everything the child needs, prepared by the service before the fork.
pub struct ChildSetup {
    pub limits: NativeLimits,
    /// Switched to before executing, with `RLIMIT_NPROC` set after.
    pub uid: Option<u32>,
    /// `cgroup.procs` files of the run's cgroups.
    pub cgroups: Vec<OwnedFd>,
    /// New network, IPC, UTS and PID namespaces, and how to get them.
    pub namespaces: Option<Namespaces>,
    pub landlock: Mutex<Option<RulesetCreated>>,
    pub seccomp: Arc<Vec<BpfProgram>>,
    /// Installed last, in the program only: no fork, no vfork.
    pub no_processes: Option<Arc<BpfProgram>>,
    /// Where the reaper writes its `Report`.
    pub report: OwnedFd,
}

/// How the program ended and what it used, from the reaper's `wait4`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct Report {
    status: libc::c_int,
    max_rss_kib: libc::c_long,
    cpu_micros: libc::c_long,
}

/// The namespaces a run gets when the service may create them.
const NAMESPACES: libc::c_int =
    libc::CLONE_NEWNET | libc::CLONE_NEWIPC | libc::CLONE_NEWUTS | libc::CLONE_NEWPID;

/// How a run gets its namespaces.
#[derive(Debug, Clone)]
pub enum Namespaces {
    /// The service may create them (root with CAP_SYS_ADMIN).
    Direct,
    /// Inside a new user namespace of the run's own, which any user may
    /// create where the kernel allows it (a container's unprivileged
    /// service): the service's uid and gid are mapped to themselves, so
    /// files and processes stay the service's, and `RLIMIT_NPROC` counts
    /// the run's processes alone (the kernel counts per user namespace).
    InUserNamespace { uid_map: Vec<u8>, gid_map: Vec<u8> },
}

impl Namespaces {
    /// The user-namespace way, for this process's uid and gid.
    fn in_user_namespace() -> Self {
        // SAFETY: getuid and getgid cannot fail.
        let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
        Self::InUserNamespace {
            uid_map: format!("{uid} {uid} 1\n").into_bytes(),
            gid_map: format!("{gid} {gid} 1\n").into_bytes(),
        }
    }

    /// Enters them (in the child: only syscalls).
    fn enter(&self) -> io::Result<()> {
        // SAFETY (whole function): plain syscalls on prepared values.
        match self {
            Self::Direct => check(unsafe { libc::unshare(NAMESPACES) }).map(drop),
            Self::InUserNamespace { uid_map, gid_map } => {
                check(unsafe { libc::unshare(libc::CLONE_NEWUSER | NAMESPACES) })?;
                // A process may map only its own ids, and its gid only
                // once it gave up setgroups.
                write_file(c"/proc/self/setgroups", b"deny")?;
                write_file(c"/proc/self/uid_map", uid_map)?;
                write_file(c"/proc/self/gid_map", gid_map)
            }
        }
    }
}

impl ChildSetup {
    /// Runs in the child; returns only in the program's process, which then executes.
    pub fn pre_exec(&self) -> io::Result<()> {
        // SAFETY (whole function): plain syscalls on values prepared before the fork.
        check(unsafe { libc::setsid() })?;
        for procs in &self.cgroups {
            let written = unsafe { libc::write(procs.as_raw_fd(), b"0".as_ptr().cast(), 1) };
            check(written as libc::c_int)?;
        }
        if let Some(namespaces) = &self.namespaces {
            namespaces.enter()?;
        }
        if let Some(ruleset) = self.landlock.lock().ok().and_then(|mut r| r.take()) {
            ruleset.restrict_self().map_err(io::Error::other)?;
        }
        for filter in self.seccomp.iter() {
            seccompiler::apply_filter(filter).map_err(io::Error::other)?;
        }
        if self.namespaces.is_some() {
            // Only children enter the new PID namespace: this process waits
            // outside for the reaper, the namespace's PID 1.
            let reaper = check(unsafe { libc::fork() })?;
            if reaper != 0 {
                close_fds_except(-1);
                wait_for(reaper);
                unsafe { libc::_exit(0) };
            }
        }
        let program = check(unsafe { libc::fork() })?;
        if program != 0 {
            self.reap(program);
        }
        self.drop_privileges()
    }

    /// The reaper: collects every child (orphans of a PID namespace come
    /// here), reports the program's end, and exits.
    fn reap(&self, program: libc::pid_t) -> ! {
        close_fds_except(self.report.as_raw_fd());
        loop {
            let mut status = 0;
            // SAFETY: rusage is plain data, filled in by wait4.
            let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
            let pid = unsafe { libc::wait4(-1, &mut status, 0, &mut usage) };
            if pid == program {
                let cpu = |t: libc::timeval| t.tv_sec * 1_000_000 + t.tv_usec;
                let report = Report {
                    status,
                    max_rss_kib: usage.ru_maxrss,
                    cpu_micros: cpu(usage.ru_utime) + cpu(usage.ru_stime),
                };
                // SAFETY: writing the bytes of a plain repr(C) value; smaller
                // than PIPE_BUF, so one write.
                unsafe {
                    libc::write(
                        self.report.as_raw_fd(),
                        (&raw const report).cast(),
                        size_of::<Report>(),
                    );
                    libc::_exit(0)
                }
            }
            if pid < 0 && io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
                unsafe { libc::_exit(1) }
            }
        }
    }

    /// In the program's process: limits, then the run's uid, then the
    /// process limit (set after `setuid`, whose own NPROC check would
    /// otherwise fail the exec), then no more processes.
    fn drop_privileges(&self) -> io::Result<()> {
        apply_rlimits(&self.limits)?;
        if let Some(uid) = self.uid {
            // SAFETY: dropping all groups and ids to one unprivileged uid.
            check(unsafe { libc::setgroups(0, std::ptr::null()) })?;
            check(unsafe { libc::setgid(uid) })?;
            check(unsafe { libc::setuid(uid) })?;
        }
        // Per run: a run uid's processes, or those of the run's own user
        // namespace. Otherwise it would count the service's threads too.
        if self.uid.is_some() || matches!(self.namespaces, Some(Namespaces::InUserNamespace { .. }))
        {
            set_rlimit(
                libc::RLIMIT_NPROC,
                self.limits.processes,
                self.limits.processes,
            )?;
        }
        if let Some(filter) = &self.no_processes {
            seccompiler::apply_filter(filter).map_err(io::Error::other)?;
        }
        Ok(())
    }
}

impl Report {
    /// The report the reaper wrote, if it got to write one (a run killed
    /// by the service has none).
    pub fn read(pipe: &OwnedFd) -> Option<Self> {
        let mut report = Self::default();
        // SAFETY: reading into a plain repr(C) value from a non-blocking pipe.
        let read = unsafe {
            libc::read(
                pipe.as_raw_fd(),
                (&raw mut report).cast(),
                size_of::<Self>(),
            )
        };
        (read == size_of::<Self>() as isize).then_some(report)
    }

    pub fn exit(&self) -> NativeExit {
        if libc::WIFSIGNALED(self.status) {
            NativeExit::Signal(libc::WTERMSIG(self.status))
        } else {
            NativeExit::Code(libc::WEXITSTATUS(self.status))
        }
    }

    pub fn cpu_time(&self) -> Duration {
        Duration::from_micros(self.cpu_micros.max(0) as u64)
    }

    pub fn peak_memory_bytes(&self) -> u64 {
        self.max_rss_kib.max(0) as u64 * 1024
    }
}

/// How this machine lets the service create the namespaces: directly (as
/// root), else in a user namespace, else why not.
pub fn namespaces_available() -> Result<Namespaces, String> {
    probe(Namespaces::Direct).or_else(|direct| {
        // SAFETY: geteuid cannot fail.
        if unsafe { libc::geteuid() } == 0 {
            // Its run uids would not exist in a user namespace it made
            // itself: it may map only uid 0 there.
            return Err(format!(
                "{direct}: root without CAP_SYS_ADMIN (a container) keeps its run uids instead"
            ));
        }
        probe(Namespaces::in_user_namespace()).map_err(|user| {
            format!(
                "{direct}; a user namespace: {user} (the kernel or a seccomp profile \
                 refuses unprivileged user namespaces)"
            )
        })
    })
}

fn probe(namespaces: Namespaces) -> Result<Namespaces, String> {
    use std::os::unix::process::CommandExt;
    let mut probe = std::process::Command::new("/bin/true");
    let entered = namespaces.clone();
    // SAFETY: only syscalls in the child (`Namespaces::enter`).
    unsafe {
        probe.pre_exec(move || entered.enter());
    }
    match probe.status() {
        Ok(status) if status.success() => Ok(namespaces),
        Ok(status) => Err(format!("a probe exited with {status}")),
        Err(error) => Err(error.to_string()),
    }
}

/// Writes `bytes` to the file at `path`, in one write (only syscalls).
fn write_file(path: &std::ffi::CStr, bytes: &[u8]) -> io::Result<()> {
    // SAFETY: a NUL-terminated path; the descriptor is closed below.
    let fd = check(unsafe { libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC) })?;
    let written = unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
    unsafe { libc::close(fd) };
    if written == bytes.len() as isize {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

pub fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    use std::os::fd::FromRawFd;
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills both descriptors, which we then own.
    check(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) })?;
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

fn apply_rlimits(limits: &NativeLimits) -> io::Result<()> {
    let cpu_seconds = limits.cpu_time.as_millis().div_ceil(1000) as u64;
    set_rlimit(libc::RLIMIT_CPU, cpu_seconds, cpu_seconds + 1)?;
    let address_space = limits.address_space_bytes;
    set_rlimit(libc::RLIMIT_AS, address_space, address_space)?;
    let file_size = limits.file_size_bytes;
    set_rlimit(libc::RLIMIT_FSIZE, file_size, file_size)?;
    set_rlimit(libc::RLIMIT_NOFILE, limits.open_files, limits.open_files)?;
    set_rlimit(libc::RLIMIT_STACK, limits.stack_bytes, limits.stack_bytes)?;
    set_rlimit(libc::RLIMIT_CORE, 0, 0)
}

fn set_rlimit(resource: libc::__rlimit_resource_t, soft: u64, hard: u64) -> io::Result<()> {
    let limit = libc::rlimit {
        rlim_cur: soft,
        rlim_max: hard,
    };
    // SAFETY: a valid rlimit for a valid resource.
    check(unsafe { libc::setrlimit(resource, &limit) }).map(drop)
}

/// Closes every descriptor but `keep`: a process that is not the program
/// holds none of its pipes, so readers see their end when the program ends.
fn close_fds_except(keep: libc::c_int) {
    let close_range = |first: libc::c_int, last: libc::c_uint| {
        // SAFETY: closing descriptors this process does not use.
        unsafe { libc::syscall(libc::SYS_close_range, first as libc::c_uint, last, 0) };
    };
    if keep < 0 {
        close_range(0, libc::c_uint::MAX);
        return;
    }
    if keep > 0 {
        close_range(0, keep as libc::c_uint - 1);
    }
    close_range(keep + 1, libc::c_uint::MAX);
}

fn wait_for(pid: libc::pid_t) {
    loop {
        // SAFETY: waiting for our own child.
        let waited = unsafe { libc::waitpid(pid, std::ptr::null_mut(), 0) };
        if waited == pid || io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return;
        }
    }
}

fn check(result: libc::c_int) -> io::Result<libc::c_int> {
    if result < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(result)
    }
}
