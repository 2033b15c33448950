//! The seccomp denylist every native process runs under. A denylist, not an
//! allowlist: the JVM's syscalls change with its flags, and an allowlist that
//! misses one kills it with SIGSYS.

use std::collections::BTreeMap;

use anyhow::Result;
use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};

/// Syscalls no judged program or compiler needs: debugging other processes,
/// mounts and namespaces, kernel extension points, system administration.
const DENIED: &[libc::c_long] = &[
    libc::SYS_ptrace,
    libc::SYS_process_vm_readv,
    libc::SYS_process_vm_writev,
    libc::SYS_mount,
    libc::SYS_umount2,
    libc::SYS_pivot_root,
    libc::SYS_chroot,
    libc::SYS_fsopen,
    libc::SYS_fsconfig,
    libc::SYS_fsmount,
    libc::SYS_fspick,
    libc::SYS_move_mount,
    libc::SYS_open_tree,
    libc::SYS_mount_setattr,
    libc::SYS_unshare,
    libc::SYS_setns,
    libc::SYS_bpf,
    libc::SYS_perf_event_open,
    libc::SYS_userfaultfd,
    libc::SYS_add_key,
    libc::SYS_request_key,
    libc::SYS_keyctl,
    libc::SYS_kexec_load,
    libc::SYS_kexec_file_load,
    libc::SYS_init_module,
    libc::SYS_finit_module,
    libc::SYS_delete_module,
    libc::SYS_reboot,
    libc::SYS_swapon,
    libc::SYS_swapoff,
    libc::SYS_acct,
    libc::SYS_quotactl,
    libc::SYS_name_to_handle_at,
    libc::SYS_open_by_handle_at,
    libc::SYS_iopl,
    libc::SYS_ioperm,
    libc::SYS_syslog,
    libc::SYS_settimeofday,
    libc::SYS_clock_settime,
    libc::SYS_clock_adjtime,
    libc::SYS_adjtimex,
    libc::SYS_sethostname,
    libc::SYS_setdomainname,
    libc::SYS_io_uring_setup,
    libc::SYS_io_uring_enter,
    libc::SYS_io_uring_register,
    libc::SYS_fanotify_init,
    libc::SYS_vhangup,
    libc::SYS_uselib,
    libc::SYS_pidfd_getfd,
    libc::SYS_lookup_dcookie,
    libc::SYS_kcmp,
    libc::SYS_personality,
];

const NAMESPACE_FLAGS: &[libc::c_int] = &[
    libc::CLONE_NEWNS,
    libc::CLONE_NEWCGROUP,
    libc::CLONE_NEWUTS,
    libc::CLONE_NEWIPC,
    libc::CLONE_NEWUSER,
    libc::CLONE_NEWPID,
    libc::CLONE_NEWNET,
];

/// The two filters to install, in order: the denylist (EPERM), and `clone3`
/// answered with ENOSYS so libc falls back to `clone`, whose flags the
/// denylist can inspect (`clone3` passes them in memory, out of reach).
pub fn filters() -> Result<Vec<BpfProgram>> {
    let arch = TargetArch::try_from(std::env::consts::ARCH)?;
    let mut denied: BTreeMap<i64, Vec<SeccompRule>> = DENIED
        .iter()
        .map(|&syscall| (syscall, Vec::new()))
        .collect();
    // Sockets: only AF_UNIX (glibc's user lookups use it); no network at all.
    let not_unix = condition(
        0,
        SeccompCmpArgLen::Dword,
        SeccompCmpOp::Ne,
        libc::AF_UNIX as u64,
    )?;
    denied.insert(libc::SYS_socket, vec![SeccompRule::new(vec![not_unix])?]);
    // New namespaces through clone: one rule per flag, any of which denies.
    let clone_rules = NAMESPACE_FLAGS
        .iter()
        .map(|&flag| {
            let flag = flag as u64;
            let has_flag = condition(
                0,
                SeccompCmpArgLen::Qword,
                SeccompCmpOp::MaskedEq(flag),
                flag,
            )?;
            Ok(SeccompRule::new(vec![has_flag])?)
        })
        .collect::<Result<Vec<_>>>()?;
    denied.insert(libc::SYS_clone, clone_rules);
    // Typing into the controlling terminal of someone else.
    let tiocsti = condition(1, SeccompCmpArgLen::Dword, SeccompCmpOp::Eq, libc::TIOCSTI)?;
    denied.insert(libc::SYS_ioctl, vec![SeccompRule::new(vec![tiocsti])?]);

    let denylist = SeccompFilter::new(
        denied,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EPERM as u32),
        arch,
    )?;
    let clone3 = SeccompFilter::new(
        BTreeMap::from([(libc::SYS_clone3, Vec::new())]),
        SeccompAction::Allow,
        SeccompAction::Errno(libc::ENOSYS as u32),
        arch,
    )?;
    Ok(vec![denylist.try_into()?, clone3.try_into()?])
}

fn condition(
    arg: u8,
    len: SeccompCmpArgLen,
    op: SeccompCmpOp,
    value: u64,
) -> Result<SeccompCondition> {
    Ok(SeccompCondition::new(arg, len, op, value)?)
}

/// For programs that may have threads but no processes (a JVM, a compiled
/// solution): `fork`, `vfork` and `clone` without CLONE_THREAD are refused.
/// Without it, a fork bomb run as root (where RLIMIT_NPROC does nothing)
/// could exhaust the machine's processes before the timeout ends it.
pub fn no_processes() -> Result<BpfProgram> {
    let arch = TargetArch::try_from(std::env::consts::ARCH)?;
    let thread = libc::CLONE_THREAD as u64;
    let not_a_thread = condition(
        0,
        SeccompCmpArgLen::Qword,
        SeccompCmpOp::MaskedEq(thread),
        0,
    )?;
    let rules = BTreeMap::from([
        (libc::SYS_fork, Vec::new()),
        (libc::SYS_vfork, Vec::new()),
        (libc::SYS_clone, vec![SeccompRule::new(vec![not_a_thread])?]),
    ]);
    let filter = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EAGAIN as u32),
        arch,
    )?;
    Ok(filter.try_into()?)
}
