//! The native sandbox (for compilers and the JVM): every limit exceeded, and
//! nothing outside the run directory reachable. Programs are /bin/sh and
//! Debian's python3, run exactly as a compiler or a JVM would be.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use judgebox::sandbox::native::{
    DiskLimit, Layer, NativeCommand, NativeConfig, NativeExit, NativeLimits, NativeRun,
    NativeSandbox, NativeService, RunDir,
};
use judgebox::sandbox::{Stdio, link};

/// A run given no input.
const NO_INPUT: Stdio<'static> = Stdio::Input(b"");

fn limits() -> NativeLimits {
    NativeLimits {
        cpu_time: Duration::from_secs(5),
        wall_time: Duration::from_secs(5),
        address_space_bytes: 512 << 20,
        memory_bytes: 256 << 20,
        file_size_bytes: 1 << 20,
        disk: DiskLimit {
            bytes: 8 << 20,
            entries: 64,
        },
        open_files: 64,
        stack_bytes: 8 << 20,
        processes: 32,
        stdout_bytes: 1 << 20,
        stderr_bytes: 1 << 20,
    }
}

/// A shell script that may run the system's commands (`/usr/bin`).
fn shell(script: &str) -> NativeCommand {
    NativeCommand {
        program: "/bin/sh".into(),
        args: vec!["-c".into(), script.into()],
        executables: vec!["/usr/bin".into()],
        may_start_processes: true,
        ..Default::default()
    }
}

fn python(code: &str) -> NativeCommand {
    NativeCommand {
        program: "/usr/bin/python3".into(),
        args: vec!["-c".into(), code.into()],
        ..Default::default()
    }
}

/// A sandbox with its own run uids: tests run at once, and processes of one
/// uid share its RLIMIT_NPROC.
fn sandbox(base: &Path) -> NativeSandbox {
    static CREATED: AtomicU32 = AtomicU32::new(0);
    let config = NativeConfig {
        first_uid: 64_400 + 16 * CREATED.fetch_add(1, Ordering::Relaxed),
        ..NativeConfig::new(base)
    };
    NativeSandbox::new(&config).unwrap()
}

async fn run(command: NativeCommand, limits: NativeLimits) -> NativeRun {
    run_with_input(command, b"", limits).await
}

async fn run_with_input(command: NativeCommand, input: &[u8], limits: NativeLimits) -> NativeRun {
    let base = tempfile::tempdir().unwrap();
    let sandbox = sandbox(base.path());
    let dir = sandbox.run_dir().unwrap();
    let stdio = Stdio::Input(input);
    sandbox.run(&dir, &command, stdio, &limits).await.unwrap()
}

/// Runs `command` and keeps its run directory (dropped before the sandbox's
/// base directory), for what the host takes out of it afterwards.
async fn run_keeping_dir(command: NativeCommand) -> (NativeRun, RunDir, tempfile::TempDir) {
    let base = tempfile::tempdir().unwrap();
    let sandbox = sandbox(base.path());
    let dir = sandbox.run_dir().unwrap();
    let result = sandbox.run(&dir, &command, NO_INPUT, &limits()).await;
    (result.unwrap(), dir, base)
}

/// Runs `command` in a fresh sandbox, and says whether that sandbox's
/// best-effort layer whose name starts with `layer` was on: its own probe,
/// not another sandbox's, decides what the run must have seen.
async fn run_with_layer(
    command: NativeCommand,
    limits: NativeLimits,
    layer_name: &str,
) -> (NativeRun, bool) {
    let base = tempfile::tempdir().unwrap();
    let sandbox = sandbox(base.path());
    let active = layer(&sandbox, layer_name).await.active;
    let dir = sandbox.run_dir().unwrap();
    (
        sandbox
            .run(&dir, &command, NO_INPUT, &limits)
            .await
            .unwrap(),
        active,
    )
}

/// The sandbox's layer whose name starts with `name`, as its own probe found it.
async fn layer(sandbox: &NativeSandbox, name: &str) -> Layer {
    let layers = sandbox.layers().await;
    layers
        .into_iter()
        .find(|l| l.name.starts_with(name))
        .unwrap()
}

fn running_as_root() -> bool {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Processes anywhere on the machine whose command line contains `marker`.
fn processes_with(marker: &str) -> Vec<String> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .chars()
                .all(|c| c.is_ascii_digit())
        })
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|cmdline| text(&cmdline).replace('\0', " "))
        .filter(|cmdline| cmdline.contains(marker))
        .collect()
}

fn assert_none_left(marker: &str) {
    let left = processes_with(marker);
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test]
async fn a_program_runs_and_reports_its_exit_code_and_output() {
    let command = shell("read x; echo \"got $x\"; echo oops >&2; exit 3");
    let result = run_with_input(command, b"input\n", limits()).await;
    assert_eq!(result.exit, Some(NativeExit::Code(3)));
    assert_eq!(text(&result.stdout), "got input\n");
    assert_eq!(text(&result.stderr), "oops\n");
}

#[tokio::test]
async fn two_linked_runs_talk_as_they_run() {
    let base = tempfile::tempdir().unwrap();
    let sandbox = sandbox(base.path());
    let (judge, program) = link();
    let (judge_dir, program_dir) = (sandbox.run_dir().unwrap(), sandbox.run_dir().unwrap());
    // The judge asks, waits for the answer, and checks it: a line at a time.
    let asks = shell("echo 21; read answer; echo \"judge got $answer\" >&2; [ \"$answer\" = 42 ]");
    let answers = shell("read question; echo $((question * 2)); read more || echo ended >&2");
    let limits = limits();
    let (judged, answered) = tokio::join!(
        sandbox.run(&judge_dir, &asks, Stdio::Linked(judge), &limits),
        sandbox.run(&program_dir, &answers, Stdio::Linked(program), &limits),
    );
    let (judged, answered) = (judged.unwrap(), answered.unwrap());
    assert_eq!(
        judged.exit,
        Some(NativeExit::Code(0)),
        "{}",
        text(&judged.stderr)
    );
    assert_eq!(text(&judged.stderr), "judge got 42\n");
    assert_eq!(
        text(&answered.stdout),
        "42\n",
        "its own record of what it said"
    );
    assert_eq!(
        text(&answered.stderr),
        "ended\n",
        "the judge's end is its end of file"
    );
}

#[tokio::test]
async fn sleeping_past_the_wall_clock_limit_is_killed_on_time() {
    let short = NativeLimits {
        wall_time: Duration::from_millis(500),
        ..limits()
    };
    let result = run(shell("sleep 30"), short).await;
    assert!(result.timed_out);
    assert_eq!(result.exit, None);
    assert!(
        result.wall_time < Duration::from_secs(3),
        "{:?}",
        result.wall_time
    );
}

#[tokio::test]
async fn burning_cpu_past_the_cpu_limit_is_stopped_by_the_kernel() {
    let one_second = NativeLimits {
        cpu_time: Duration::from_secs(1),
        ..limits()
    };
    let result = run(shell("while :; do :; done"), one_second).await;
    assert!(
        !result.timed_out,
        "the CPU limit, not the wall clock, must stop it"
    );
    assert!(
        matches!(
            result.exit,
            Some(NativeExit::Signal(libc::SIGXCPU | libc::SIGKILL))
        ),
        "{:?}",
        result.exit
    );
}

#[tokio::test]
async fn allocating_past_the_address_space_limit_fails() {
    let result = run(python("x = bytearray(600 << 20)"), limits()).await;
    assert_eq!(
        result.exit,
        Some(NativeExit::Code(1)),
        "{}",
        text(&result.stderr)
    );
    assert!(text(&result.stderr).contains("MemoryError"));
}

#[tokio::test]
async fn writing_a_file_past_the_size_limit_is_stopped() {
    // `yes` dies of SIGXFSZ (status 128 + 25) with the file at exactly the limit.
    let result = run(shell("yes > big; echo $?; wc -c < big"), limits()).await;
    let expected = format!("{}\n{}\n", 128 + libc::SIGXFSZ, 1 << 20);
    assert_eq!(text(&result.stdout), expected, "{}", text(&result.stderr));
}

#[tokio::test]
async fn opening_past_the_file_descriptor_limit_fails() {
    let code = "import os\nfds = []\ntry:\n    while True: fds.append(os.open('/usr/bin/python3', os.O_RDONLY))\nexcept OSError as e:\n    print(len(fds), e.errno)";
    let result = run(python(code), limits()).await;
    let out = text(&result.stdout);
    let (count, errno) = out.trim().split_once(' ').unwrap();
    assert!(count.parse::<u32>().unwrap() < 64, "{out}");
    assert_eq!(errno.parse::<i32>().unwrap(), libc::EMFILE);
}

#[tokio::test]
async fn filling_the_run_directory_stops_at_its_disk_limit() {
    // Each file within RLIMIT_FSIZE; together far past the 8 MiB allowed.
    let many_files = "i=0; while [ $i -lt 3000 ]; do head -c 1000000 /dev/urandom > f$i || exit 1; \
                      i=$((i+1)); done; echo done";
    let result = run(shell(many_files), limits()).await;
    assert!(result.disk_exceeded, "{result:?}");
    assert!(
        !text(&result.stdout).contains("done"),
        "stopped before the end"
    );
    // Empty files count too: by number.
    let empty_files = "i=0; while [ $i -lt 3000 ]; do : > e$i; i=$((i+1)); done; echo done";
    let result = run(shell(empty_files), limits()).await;
    assert!(result.disk_exceeded, "{result:?}");
    // Within both, a run is not stopped.
    let result = run(
        shell("head -c 100000 /dev/urandom > a && echo done"),
        limits(),
    )
    .await;
    assert!(
        !result.disk_exceeded && text(&result.stdout) == "done\n",
        "{result:?}"
    );
}

#[tokio::test]
async fn printing_without_end_stops_at_the_output_cap() {
    let capped = NativeLimits {
        stdout_bytes: 64 << 10,
        ..limits()
    };
    let result = run(shell("yes"), capped).await;
    assert!(result.output_exceeded);
    assert!(
        !result.timed_out,
        "the cap must stop it long before the wall clock"
    );
    assert_eq!(result.stdout.len(), 64 << 10);
}

#[tokio::test]
async fn network_sockets_are_refused() {
    let code = "import socket\nfor family, kind in [(socket.AF_INET, socket.SOCK_STREAM), (socket.AF_INET6, socket.SOCK_DGRAM), (socket.AF_NETLINK, socket.SOCK_RAW)]:\n    try:\n        socket.socket(family, kind)\n        print('opened')\n    except OSError as e:\n        print(e.errno)\nsocket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\nprint('unix ok')";
    let result = run(python(code), limits()).await;
    let eperm = libc::EPERM.to_string();
    assert_eq!(
        text(&result.stdout),
        format!("{eperm}\n{eperm}\n{eperm}\nunix ok\n"),
        "{}",
        text(&result.stderr)
    );
}

#[tokio::test]
async fn namespaces_mounts_and_ptrace_are_refused() {
    let code = "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\nfor name, call in [('unshare', lambda: libc.unshare(0x10000000)), ('ptrace', lambda: libc.ptrace(0, 0, 0, 0)), ('mount', lambda: libc.mount(b'none', b'/mnt', b'tmpfs', 0, None))]:\n    print(name, call(), ctypes.get_errno())";
    let result = run(python(code), limits()).await;
    let eperm = libc::EPERM;
    assert_eq!(
        text(&result.stdout),
        format!("unshare -1 {eperm}\nptrace -1 {eperm}\nmount -1 {eperm}\n"),
        "{}",
        text(&result.stderr)
    );
}

#[tokio::test]
async fn files_outside_the_run_directory_cannot_be_read_or_written() {
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("planted");
    let script = format!(
        "cat /etc/passwd; cat /proc/self/environ; touch {0}; echo inside > mine && cat mine",
        target.display()
    );
    let result = run(shell(&script), limits()).await;
    let stdout = text(&result.stdout);
    assert_eq!(
        stdout, "inside\n",
        "only the run directory is readable: {stdout}"
    );
    assert!(!stdout.contains("root:"));
    assert!(!target.exists());
}

#[tokio::test]
async fn the_environment_holds_only_what_the_sandbox_sets() {
    // The test process's own environment (cargo sets CARGO_* variables) must not leak.
    let result = run(shell("env | cut -d= -f1 | sort"), limits()).await;
    assert_eq!(text(&result.stdout), "HOME\nLANG\nPATH\nPWD\nTMPDIR\n");
}

/// The service reaps what a compiler-like command (it may start processes)
/// left behind, but not children the service started itself.
#[tokio::test]
async fn detached_and_background_processes_do_not_survive_the_run() {
    let mut own = std::process::Command::new("/bin/sleep")
        .arg("30")
        .spawn()
        .unwrap();
    let marker = format!("judgebox-test-marker-{}", std::process::id());
    let script = format!(
        "i=0; while [ $i -lt 20 ]; do sleep 60 & i=$((i+1)); done; setsid sh -c 'sleep 61 # {marker}' & sleep 0.3 # {marker}"
    );
    let result = run(shell(&script), limits()).await;
    assert_eq!(
        result.exit,
        Some(NativeExit::Code(0)),
        "{}",
        text(&result.stderr)
    );
    assert_none_left(&marker);
    assert!(
        own.try_wait().unwrap().is_none(),
        "the service's own child was killed"
    );
    own.kill().unwrap();
    own.wait().unwrap();
}

#[tokio::test]
async fn symlinks_planted_in_the_run_directory_are_not_followed_on_cleanup() {
    let outside = tempfile::tempdir().unwrap();
    let precious = outside.path().join("precious.txt");
    std::fs::write(&precious, "keep me").unwrap();
    let script = format!(
        "ln -s {0} link; ln -s {1} file-link",
        outside.path().display(),
        precious.display()
    );
    let result = run(shell(&script), limits()).await;
    assert_eq!(
        result.exit,
        Some(NativeExit::Code(0)),
        "{}",
        text(&result.stderr)
    );
    // The run directory is gone (dropped inside `run`), the targets are not.
    assert_eq!(std::fs::read_to_string(&precious).unwrap(), "keep me");
    assert!(Path::new(outside.path()).is_dir());
}

#[tokio::test]
async fn the_host_takes_only_plain_files_from_inside_the_run_directory() {
    let outside = tempfile::tempdir().unwrap();
    let precious = outside.path().join("precious.txt");
    std::fs::write(&precious, "keep me").unwrap();
    let script = format!(
        "ln -s /etc/passwd passwd; ln -s .. up; ln -s /etc etc; ln -s {0} precious; \
         mkdir real classes; echo inside > real/file; ln -s real alias; \
         echo class > classes/Main.class; ln -s /etc/passwd classes/Evil.class; \
         ln -s ../real classes/real; mkfifo fifo",
        precious.display()
    );
    let (result, dir, _base) = run_keeping_dir(shell(&script)).await;
    assert_eq!(
        result.exit,
        Some(NativeExit::Code(0)),
        "{}",
        text(&result.stderr)
    );
    let name = dir.path().file_name().unwrap().to_str().unwrap();
    // A symlink as the file, as a directory on the way (even one that points
    // back inside), a way out through `..`, an absolute path, a FIFO.
    for path in [
        "passwd".to_string(),
        "etc/passwd".to_string(),
        format!("up/{name}/real/file"),
        "alias/file".to_string(),
        "classes/real/file".to_string(),
        "../passwd".to_string(),
        "/etc/passwd".to_string(),
        "real".to_string(),
        "fifo".to_string(),
    ] {
        assert!(dir.read(&path).is_err(), "{path} was read");
    }
    for path in ["etc", "up", "alias", "classes/real", "..", "/etc"] {
        assert!(dir.files_in(path).is_err(), "{path} was listed");
    }
    assert!(dir.write("precious", b"overwritten").is_err());
    assert_eq!(std::fs::read_to_string(&precious).unwrap(), "keep me");

    assert_eq!(dir.read("real/file").unwrap(), b"inside\n");
    assert_eq!(dir.files_in("classes").unwrap(), ["Main.class"]);
    dir.write("Main.java", b"class Main {}").unwrap();
    assert_eq!(dir.read("Main.java").unwrap(), b"class Main {}");
}

#[tokio::test]
async fn a_program_that_may_not_start_processes_cannot_fork_but_can_start_threads() {
    let code = "import os, threading\ntry:\n    os.fork()\n    print('forked')\nexcept OSError as e:\n    print('fork refused', e.errno)\nt = threading.Thread(target=print, args=('thread ran',))\nt.start(); t.join()";
    let result = run(python(code), limits()).await;
    let expected = format!("fork refused {}\nthread ran\n", libc::EAGAIN);
    assert_eq!(text(&result.stdout), expected, "{}", text(&result.stderr));
}

#[tokio::test]
async fn only_the_commands_own_executables_can_run() {
    // python3 may run itself, but not a shell or any other program.
    let code = "import subprocess\nfor argv in (['/bin/sh', '-c', 'echo escaped'], ['/usr/bin/id']):\n    try:\n        subprocess.run(argv)\n        print('ran')\n    except PermissionError:\n        print('refused')";
    let command = NativeCommand {
        may_start_processes: true,
        ..python(code)
    };
    let result = run(command, limits()).await;
    assert_eq!(
        text(&result.stdout),
        "refused\nrefused\n",
        "{}",
        text(&result.stderr)
    );
}

#[tokio::test]
async fn a_run_reports_its_cpu_time_and_peak_memory() {
    let code = "x = bytearray(100 << 20)\nfor i in range(0, len(x), 4096): x[i] = 1\nprint(sum(range(3_000_000)))";
    let result = run(python(code), limits()).await;
    assert_eq!(
        result.exit,
        Some(NativeExit::Code(0)),
        "{}",
        text(&result.stderr)
    );
    assert!(
        result.peak_memory_bytes >= 100 << 20,
        "{}",
        result.peak_memory_bytes
    );
    assert!(
        result.peak_memory_bytes < 256 << 20,
        "{}",
        result.peak_memory_bytes
    );
    assert!(
        result.cpu_time > Duration::from_millis(10),
        "{:?}",
        result.cpu_time
    );
}

#[tokio::test]
async fn programs_run_as_an_unprivileged_uid_when_the_service_is_root() {
    let result = run(shell("id -u; id -G"), limits()).await;
    let out = text(&result.stdout);
    let mut lines = out.lines();
    let uid: u32 = lines.next().unwrap().parse().unwrap();
    if running_as_root() {
        assert!(uid >= 60_000, "{out}");
        assert_eq!(
            lines.next().unwrap(),
            uid.to_string(),
            "no supplementary groups"
        );
    } else {
        // SAFETY: geteuid cannot fail.
        assert_eq!(uid, unsafe { libc::geteuid() });
    }
}

#[tokio::test]
async fn threads_past_the_process_limit_are_refused() {
    let code = "import threading, time\nn = 0\ntry:\n    for _ in range(1000):\n        threading.Thread(target=time.sleep, args=(5,), daemon=True).start()\n        n += 1\nexcept RuntimeError as e:\n    print('refused after', n)";
    let result = run(python(code), limits()).await;
    let out = text(&result.stdout);
    if running_as_root() {
        let started: u32 = out
            .trim()
            .strip_prefix("refused after ")
            .unwrap_or_else(|| panic!("{out} {}", text(&result.stderr)))
            .parse()
            .unwrap();
        assert!(started < 32, "{out}");
    }
}

#[tokio::test]
async fn a_fork_bomb_is_held_and_leaves_nothing_behind() {
    let marker = format!("judgebox-bomb-{}", std::process::id());
    let script = format!("b() {{ b & b; }}; b # {marker}");
    let short = NativeLimits {
        wall_time: Duration::from_secs(2),
        ..limits()
    };
    let result = run(shell(&script), short).await;
    assert!(result.exit != Some(NativeExit::Code(0)));
    assert_none_left(&marker);
}

#[tokio::test]
async fn with_namespaces_the_program_is_pid_2_under_a_reaper() {
    let command = python("import os; print(os.getpid())");
    let (result, namespaces) = run_with_layer(command, limits(), "namespaces").await;
    let pid: u32 = text(&result.stdout).trim().parse().unwrap();
    if namespaces {
        assert_eq!(pid, 2);
    } else {
        assert_ne!(pid, 2);
    }
}

#[tokio::test]
async fn signals_reach_the_program_as_they_would_outside_a_pid_namespace() {
    // PID 1 would ignore SIGXCPU and SIGABRT; the program is not PID 1.
    let one_second = NativeLimits {
        cpu_time: Duration::from_secs(1),
        ..limits()
    };
    let result = run(python("while True: pass"), one_second).await;
    assert_eq!(result.exit, Some(NativeExit::Signal(libc::SIGXCPU)));
    let result = run(python("import os; os.abort()"), limits()).await;
    assert_eq!(result.exit, Some(NativeExit::Signal(libc::SIGABRT)));
}

/// A sandbox and whether its cgroup layer is on. `JUDGEBOX_TEST_CGROUP`
/// (`v1` or `v2`; tests/cgroup-v2.sh sets `v2`) says the machine has
/// cgroups for the tests: then the layer must be on, in that version.
async fn sandbox_and_cgroups(base: &Path) -> (NativeSandbox, bool) {
    let sandbox = sandbox(base);
    let layer = layer(&sandbox, "cgroup").await;
    if let Ok(version) = std::env::var("JUDGEBOX_TEST_CGROUP") {
        assert!(layer.active, "{layer:?}");
        assert!(
            layer.detail.starts_with(&format!("cgroup {version},")),
            "{layer:?}"
        );
    }
    (sandbox, layer.active)
}

#[tokio::test]
async fn resident_memory_past_the_cgroup_limit_is_killed_and_reported() {
    // Under the address-space limit (512 MiB), over the memory limit (128 MiB).
    let small = NativeLimits {
        memory_bytes: 128 << 20,
        ..limits()
    };
    let code =
        "x = bytearray(300 << 20)\nfor i in range(0, len(x), 4096): x[i] = 1\nprint('survived')";
    let base = tempfile::tempdir().unwrap();
    let (sandbox, cgroups) = sandbox_and_cgroups(base.path()).await;
    let dir = sandbox.run_dir().unwrap();
    let result = (sandbox.run(&dir, &python(code), NO_INPUT, &small).await)
        .unwrap_or_else(|e| panic!("{e:#}"));
    if cgroups {
        assert!(result.out_of_memory, "{result:?}");
        assert_eq!(result.exit, Some(NativeExit::Signal(libc::SIGKILL)));
        assert_eq!(text(&result.stdout), "");
    } else {
        assert!(!result.out_of_memory);
    }
    // Killed by another hand, it is no memory kill: the kernel counts its own.
    let dir = sandbox.run_dir().unwrap();
    let killed = python("import os, signal; os.kill(os.getpid(), signal.SIGKILL)");
    let result =
        (sandbox.run(&dir, &killed, NO_INPUT, &small).await).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(result.exit, Some(NativeExit::Signal(libc::SIGKILL)));
    assert!(!result.out_of_memory, "{result:?}");
}

#[tokio::test]
async fn each_run_is_in_a_cgroup_of_its_own_with_its_limits() {
    let base = tempfile::tempdir().unwrap();
    let (sandbox, cgroups) = sandbox_and_cgroups(base.path()).await;
    if !cgroups {
        return;
    }
    // The run reads its own cgroup's files (v2: one line `0::/path`; v1:
    // one line per hierarchy, e.g. `4:memory:/path`).
    let script = r#"
        while IFS=: read -r _ controllers path; do
            case "$controllers" in
                "") dir=/sys/fs/cgroup$path
                    [ -f "$dir/memory.max" ] || continue
                    echo "$path"
                    for f in memory.max memory.swap.max pids.max; do
                        [ -f "$dir/$f" ] && echo "$f $(cat "$dir/$f")"
                    done ;;
                memory) echo "$path"
                    echo "memory.max $(cat /sys/fs/cgroup/memory$path/memory.limit_in_bytes)" ;;
                pids) echo "pids.max $(cat /sys/fs/cgroup/pids$path/pids.max)" ;;
            esac
        done < /proc/self/cgroup"#;
    let command = NativeCommand {
        read_only_paths: vec!["/proc".into(), "/sys/fs/cgroup".into()],
        ..shell(script)
    };
    let dir = sandbox.run_dir().unwrap();
    let result = sandbox.run(&dir, &command, NO_INPUT, &limits()).await;
    let result = result.unwrap();
    let out = text(&result.stdout);
    assert_eq!(
        result.exit,
        Some(NativeExit::Code(0)),
        "{out}{}",
        text(&result.stderr)
    );
    let (paths, limits): (Vec<&str>, Vec<&str>) = out.lines().partition(|l| l.starts_with('/'));
    assert!(
        paths.iter().all(|path| path.contains("/judgebox-run-")),
        "{out}"
    );
    assert!(limits.contains(&"memory.max 268435456"), "{out}");
    assert!(limits.contains(&"pids.max 32"), "{out}");
    // Where the kernel accounts swap, a run gets none.
    assert!(
        limits
            .iter()
            .all(|l| !l.starts_with("memory.swap.max") || *l == "memory.swap.max 0"),
        "{out}"
    );
}

/// The container image's case: a service that is not root still gives each
/// run its namespaces, inside a user namespace of the run's own, where
/// RLIMIT_NPROC counts that run's processes alone. As root, the test runs
/// itself again as `nobody`.
#[tokio::test]
async fn without_root_runs_get_their_namespaces_in_a_user_namespace() {
    const NAME: &str = "without_root_runs_get_their_namespaces_in_a_user_namespace";
    if running_as_root() {
        let status = std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(std::env::current_exe().unwrap())
            .args(["--exact", NAME, "--nocapture"])
            .env("TMPDIR", "/tmp")
            .status()
            .unwrap();
        assert!(status.success(), "as nobody: {status}");
        return;
    }
    let (result, namespaces) = run_with_layer(
        python("import os; print(os.getpid())"),
        limits(),
        "namespaces",
    )
    .await;
    assert!(
        namespaces,
        "this kernel refuses unprivileged user namespaces"
    );
    assert_eq!(text(&result.stdout).trim(), "2", "{}", text(&result.stderr));

    let threads = "import threading, time\nn = 0\ntry:\n    for _ in range(1000):\n        threading.Thread(target=time.sleep, args=(5,), daemon=True).start()\n        n += 1\nexcept RuntimeError as e:\n    print('refused after', n)";
    let result = run(python(threads), limits()).await;
    let out = text(&result.stdout);
    let started: u64 = (out.trim().strip_prefix("refused after "))
        .unwrap_or_else(|| panic!("{out} {}", text(&result.stderr)))
        .parse()
        .unwrap();
    assert!(started < limits().processes, "{out}");
}

/// Echoes each line back in capitals, and never ends by itself.
fn capitalising_service(marker: &str) -> NativeCommand {
    python(&format!(
        "import sys\n# {marker}\nfor line in sys.stdin:\n    sys.stdout.write(line.upper())\n    sys.stdout.flush()"
    ))
}

async fn ask(service: &mut NativeService, line: &str) -> std::io::Result<String> {
    service.send(line.as_bytes());
    let mut reply = vec![0; line.len()];
    service.read_exact(&mut reply).await?;
    Ok(text(&reply))
}

#[tokio::test]
async fn a_service_answers_request_after_request_and_dies_when_dropped() {
    let base = tempfile::tempdir().unwrap();
    let sandbox = Arc::new(sandbox(base.path()));
    let marker = "judgebox-service-test-7f3a";
    let mut service = sandbox
        .start_service(capitalising_service(marker), limits())
        .unwrap();
    assert_eq!(ask(&mut service, "first\n").await.unwrap(), "FIRST\n");
    assert_eq!(ask(&mut service, "second\n").await.unwrap(), "SECOND\n");
    assert!(!service.has_ended());
    assert_eq!(processes_with(marker).len(), 1);
    drop(service);
    for _ in 0..250 {
        if processes_with(marker).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_none_left(marker);
}

#[tokio::test]
async fn a_service_is_stopped_at_its_wall_clock_limit_however_it_is_used() {
    let base = tempfile::tempdir().unwrap();
    let sandbox = Arc::new(sandbox(base.path()));
    // Long enough for Python to start and answer on a slow machine (the
    // cgroup v2 tests run under QEMU without KVM).
    let wall_time = Duration::from_secs(5);
    let marker = "judgebox-service-test-91c2";
    let mut service = sandbox
        .start_service(
            capitalising_service(marker),
            NativeLimits {
                wall_time,
                ..limits()
            },
        )
        .unwrap();
    assert_eq!(ask(&mut service, "busy\n").await.unwrap(), "BUSY\n");
    tokio::time::sleep(wall_time).await;
    for _ in 0..300 {
        if service.has_ended() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(service.has_ended());
    assert!(ask(&mut service, "late\n").await.is_err());
    assert_none_left(marker);
}
