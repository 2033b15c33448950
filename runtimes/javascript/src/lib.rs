//! The JavaScript guest: QuickJS-NG (through rquickjs) behind the
//! `interpreter` world. Wizer calls `wizer-initialize` once at build time and
//! snapshots the result, so each run starts from a ready runtime, context and
//! Node-style prelude (`prelude.js`). The host gives every run a fresh
//! instance of that snapshot.

wit_bindgen::generate!({ path: "../wit", world: "snapshotted-interpreter" });

use std::cell::{Cell, RefCell};
use std::ffi::{CStr, CString, c_char, c_void};
use std::io::{BufWriter, Read, Stdout, Write};
use std::ptr::{self, NonNull};
use std::time::Duration;

use rquickjs::{
    ArrayBuffer, CatchResultExt, Context, Ctx, Function, Object, Persistent, Runtime, TypedArray,
    Value, qjs,
};

const PRELUDE: &str = include_str!("prelude.js");

/// Shadow stack left when deep recursion is stopped. The stack is the first
/// 16 MiB of linear memory, growing down (see .cargo/config.toml), and QuickJS
/// polls the interrupt handler every 10,000 calls of ~300 bytes each.
const STACK_RESERVE: usize = 6 << 20;

struct Interpreter {
    context: Context,
    /// The object `prelude.js` fills with the hooks the run loop calls.
    host: Persistent<Object<'static>>,
    // Declared last: dropped after the context that lives in it.
    _runtime: Runtime,
}

thread_local! {
    static INTERPRETER: RefCell<Option<Interpreter>> = const { RefCell::new(None) };
    static STDOUT: RefCell<BufWriter<Stdout>> =
        RefCell::new(BufWriter::with_capacity(64 << 10, std::io::stdout()));
    /// Set by `process.exit(code)`; the run ends as soon as it is.
    static EXIT_CODE: Cell<Option<i32>> = const { Cell::new(None) };
    /// Set when deep recursion was stopped before the stack ran out.
    static STACK_EXHAUSTED: Cell<bool> = const { Cell::new(false) };
    /// Rejected promises nobody has handled yet, with their reasons.
    static REJECTIONS: RefCell<Vec<(Persistent<Value<'static>>, Persistent<Value<'static>>)>> =
        const { RefCell::new(Vec::new()) };
}

struct JavaScript;

impl Guest for JavaScript {
    fn wizer_initialize() {
        let runtime = Runtime::new().expect("creating the QuickJS runtime");
        runtime.set_host_promise_rejection_tracker(Some(Box::new(track_rejection)));
        runtime.set_interrupt_handler(Some(Box::new(stack_nearly_exhausted)));
        let context = Context::full(&runtime).expect("creating the QuickJS context");
        let host = context.with(|ctx| {
            // SAFETY: the runtime outlives this loader; it uses no opaque data.
            unsafe {
                let runtime = qjs::JS_GetRuntime(ctx.as_raw().as_ptr());
                qjs::JS_SetModuleLoaderFunc(
                    runtime,
                    None,
                    Some(load_builtin_module),
                    ptr::null_mut(),
                );
            }
            let host = host_functions(&ctx).expect("installing host functions");
            ctx.globals()
                .set("__judgebox", host.clone())
                .expect("exposing host functions");
            if let Err(error) = ctx.eval::<(), _>(PRELUDE).catch(&ctx) {
                panic!("prelude.js failed: {error}");
            }
            ctx.globals()
                .remove("__judgebox")
                .expect("hiding host functions");
            Persistent::save(&ctx, host)
        });
        let interpreter = Interpreter {
            context,
            host,
            _runtime: runtime,
        };
        INTERPRETER.with_borrow_mut(|slot| *slot = Some(interpreter));
    }

    /// JavaScript programs take no arguments: only checkers do, and none
    /// is written in JavaScript yet.
    fn run(code: String, _args: Vec<String>) -> Outcome {
        let outcome = INTERPRETER.with_borrow(|interpreter| {
            let interpreter = interpreter
                .as_ref()
                .expect("wizer-initialize ran at build time");
            interpreter.context.with(|ctx| interpreter.run(&ctx, &code))
        });
        flush_stdout();
        outcome
    }
}

export!(JavaScript);

impl Interpreter {
    fn run(&self, ctx: &Ctx<'_>, code: &str) -> Outcome {
        let host = self
            .host
            .clone()
            .restore(ctx)
            .expect("the host object outlives every run");
        start_run(&host);
        let compiled = match compile(ctx, code) {
            Ok(compiled) => compiled,
            Err(exception) => return Outcome::SyntaxError(inspect(&host, exception)),
        };
        // SAFETY: `compiled` came from JS_Eval with COMPILE_ONLY on this
        // context; JS_EvalFunction takes ownership of it.
        let result = unsafe { qjs::JS_EvalFunction(ctx.as_raw().as_ptr(), compiled) };
        // SAFETY: a value JS_EvalFunction just returned on this context.
        let result = unsafe { Value::from_raw(ctx.clone(), result) };
        if result.is_exception() && !self.report_uncaught(&host, ctx.catch()) {
            return Outcome::Exited(1);
        }
        drop(result);
        // The event loop: promise jobs first, then one task (stdin event or
        // timer) at a time, until nothing is left or the program ends itself.
        loop {
            if let Some(code) = EXIT_CODE.get() {
                return Outcome::Exited(code);
            }
            while ctx.execute_pending_job() {}
            if let Some(code) = EXIT_CODE.get() {
                return Outcome::Exited(code);
            }
            if let Some(reason) = take_unhandled_rejection(ctx) {
                self.report_uncaught(&host, reason);
                return Outcome::Exited(1);
            }
            let next_task: Function = host.get("nextTask").expect("prelude defines nextTask");
            match next_task.call::<_, bool>(()) {
                Ok(true) => {}
                Ok(false) => break,
                Err(_) => {
                    if !self.report_uncaught(&host, ctx.catch()) {
                        return Outcome::Exited(1);
                    }
                }
            }
        }
        let exit_code: Function = host.get("exitCode").expect("prelude defines exitCode");
        Outcome::Exited(exit_code.call(()).unwrap_or(1))
    }

    /// Prints an uncaught exception the way Node does and returns false, or
    /// returns true if it was `process.exit` unwinding (nothing to print).
    fn report_uncaught<'js>(&self, host: &Object<'js>, exception: Value<'js>) -> bool {
        if EXIT_CODE.get().is_some() {
            return true;
        }
        if STACK_EXHAUSTED.get() {
            write_text(2, "Uncaught RangeError: Maximum call stack size exceeded\n");
            return false;
        }
        let format: Function = host
            .get("formatUncaught")
            .expect("prelude defines formatUncaught");
        let text = format
            .call::<_, String>((exception,))
            .unwrap_or_else(|_| "Uncaught exception (it could not be printed)".into());
        write_text(2, &format!("{text}\n"));
        false
    }
}

/// Compiles `code` without running it. Like Node, a program is a script
/// unless it only parses as an ES module (it uses `import`/`export`).
/// `Err` holds the exception (a SyntaxError, or a module that cannot load).
fn compile<'js>(ctx: &Ctx<'js>, code: &str) -> Result<qjs::JSValue, Value<'js>> {
    let Ok(source) = CString::new(code) else {
        let message = "SyntaxError: the source contains a NUL character";
        return Err(rquickjs::String::from_str(ctx.clone(), message)
            .unwrap()
            .into_value());
    };
    let script = compile_as(ctx, &source, qjs::JS_EVAL_TYPE_GLOBAL);
    if script.is_ok() {
        return script;
    }
    match compile_as(ctx, &source, qjs::JS_EVAL_TYPE_MODULE) {
        Ok(module) => Ok(module),
        // Report what the module says only if the source is module-shaped.
        Err(module_error) if uses_module_syntax(code) => Err(module_error),
        Err(_) => script,
    }
}

fn compile_as<'js>(ctx: &Ctx<'js>, source: &CStr, kind: u32) -> Result<qjs::JSValue, Value<'js>> {
    let flags = (kind | qjs::JS_EVAL_FLAG_COMPILE_ONLY) as i32;
    let len = source.to_bytes().len();
    // SAFETY: `source` is NUL-terminated and `len` bytes long, as JS_Eval
    // requires; the file name is a NUL-terminated literal.
    let compiled = unsafe {
        qjs::JS_Eval(
            ctx.as_raw().as_ptr(),
            source.as_ptr(),
            len as _,
            c"main.js".as_ptr(),
            flags,
        )
    };
    if unsafe { qjs::JS_IsException(compiled) } {
        return Err(ctx.catch());
    }
    Ok(compiled)
}

/// A line starting with `import` or `export`: enough to tell which of two
/// syntax errors to show.
fn uses_module_syntax(code: &str) -> bool {
    code.lines().map(str::trim_start).any(|line| {
        line.starts_with("import ") || line.starts_with("import{") || line.starts_with("export ")
    })
}

fn inspect<'js>(host: &Object<'js>, value: Value<'js>) -> String {
    let inspect: Function = host.get("inspect").expect("prelude defines inspect");
    inspect
        .call((value,))
        .unwrap_or_else(|_| "SyntaxError".into())
}

/// The functions `prelude.js` builds on: the only ways out of the sandbox
/// are the host's stdin, stdout, stderr, clocks and the exit status.
fn host_functions<'js>(ctx: &Ctx<'js>) -> rquickjs::Result<Object<'js>> {
    let host = Object::new(ctx.clone())?;
    host.set("readStdin", Function::new(ctx.clone(), read_stdin)?)?;
    host.set("readChunk", Function::new(ctx.clone(), read_chunk)?)?;
    host.set(
        "write",
        Function::new(ctx.clone(), |fd: i32, text: String| write_text(fd, &text))?,
    )?;
    host.set("exit", Function::new(ctx.clone(), exit)?)?;
    host.set("utf8Decode", Function::new(ctx.clone(), utf8_decode)?)?;
    host.set("utf8Encode", Function::new(ctx.clone(), utf8_encode)?)?;
    host.set("sleep", Function::new(ctx.clone(), sleep)?)?;
    Ok(host)
}

fn read_stdin(ctx: Ctx<'_>) -> rquickjs::Result<ArrayBuffer<'_>> {
    flush_stdout();
    let mut bytes = Vec::new();
    // A failed read leaves what was read; stdin is the test's input, in memory.
    let _ = std::io::stdin().read_to_end(&mut bytes);
    ArrayBuffer::new(ctx, bytes)
}

/// At most this much of stdin per `readChunk`.
const READ_CHUNK: usize = 64 << 10;

/// What one read of stdin returns, waiting until there is some: empty at
/// the end. An interactive problem's judge writes a line at a time, and a
/// program must see each before the next comes.
fn read_chunk(ctx: Ctx<'_>) -> rquickjs::Result<ArrayBuffer<'_>> {
    // Node does not buffer stdout: what the program wrote before it waits
    // for input must reach the other side, which may be waiting for it.
    flush_stdout();
    let mut bytes = vec![0; READ_CHUNK];
    // A failed read ends the input.
    let read = std::io::stdin().read(&mut bytes).unwrap_or(0);
    bytes.truncate(read);
    ArrayBuffer::new(ctx, bytes)
}

/// UTF-8 to a string, invalid sequences replaced by U+FFFD as Node does; or
/// undefined if there are any and `fatal` is set.
fn utf8_decode<'js>(
    ctx: Ctx<'js>,
    bytes: TypedArray<'js, u8>,
    fatal: bool,
) -> rquickjs::Result<Value<'js>> {
    // SAFETY: no JavaScript runs while the bytes are borrowed (making a
    // string runs none).
    let bytes = unsafe { bytes.as_bytes() }.unwrap_or_default();
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.into(),
        Err(_) if fatal => return Ok(Value::new_undefined(ctx)),
        Err(_) => String::from_utf8_lossy(bytes),
    };
    Ok(rquickjs::String::from_str(ctx, &text)?.into_value())
}

/// A well-formed string (the prelude ensures it) to its UTF-8 bytes.
fn utf8_encode(ctx: Ctx<'_>, text: String) -> rquickjs::Result<ArrayBuffer<'_>> {
    ArrayBuffer::new(ctx, text.into_bytes())
}

/// Waits until the next timer is due. On wasm32-wasip2 this is a WASI
/// `subscribe-duration` and `poll`, which the host serves with an async
/// timer: the guest is suspended, spending no CPU and holding no thread.
fn sleep(ms: f64) {
    // Output written before a long wait is kept if the run is stopped in it.
    flush_stdout();
    if ms > 0.0 {
        std::thread::sleep(Duration::from_secs_f64(ms / 1000.0));
    }
}

/// Output stops once the program has asked to exit; stdout is buffered, and
/// flushed before stderr so the two interleave as they were written.
fn write_text(fd: i32, text: &str) {
    if EXIT_CODE.get().is_some() {
        return;
    }
    // Write errors mean the host stopped the program (output limit); the
    // host traps the instance, so there is nothing to handle here.
    if fd == 2 {
        flush_stdout();
        let _ = std::io::stderr().write_all(text.as_bytes());
    } else {
        STDOUT.with_borrow_mut(|out| {
            let _ = out.write_all(text.as_bytes());
        });
    }
}

fn flush_stdout() {
    STDOUT.with_borrow_mut(|out| {
        let _ = out.flush();
    });
}

/// `process.exit(code)`: remember the code and throw an error no `catch`
/// can stop, which unwinds the program to the run loop.
fn exit<'js>(ctx: Ctx<'js>, code: i32) -> rquickjs::Result<()> {
    flush_stdout();
    EXIT_CODE.set(Some(code));
    let error = rquickjs::String::from_str(ctx.clone(), "process.exit")?.into_value();
    // SAFETY: `error` is a live value of this context.
    unsafe { qjs::JS_SetUncatchableError(ctx.as_raw().as_ptr(), error.as_raw()) };
    Err(ctx.throw(error))
}

/// Reseeds `Math.random` and restarts the clocks, which the snapshot froze.
fn start_run(host: &Object<'_>) {
    let mut seed = [0u8; 16];
    getrandom::fill(&mut seed).expect("the host provides random bytes");
    let word = |i: usize| i32::from_le_bytes(seed[i * 4..i * 4 + 4].try_into().unwrap());
    let start: Function = host.get("start").expect("prelude defines start");
    start
        .call::<_, ()>((word(0), word(1), word(2), word(3)))
        .expect("starting the run");
}

fn track_rejection<'js>(ctx: Ctx<'js>, promise: Value<'js>, reason: Value<'js>, is_handled: bool) {
    REJECTIONS.with_borrow_mut(|rejections| {
        if is_handled {
            rejections.retain(|(p, _)| p.clone().restore(&ctx).ok().as_ref() != Some(&promise));
        } else {
            rejections.push((
                Persistent::save(&ctx, promise),
                Persistent::save(&ctx, reason),
            ));
        }
    });
}

fn take_unhandled_rejection<'js>(ctx: &Ctx<'js>) -> Option<Value<'js>> {
    let (_, reason) = REJECTIONS.with_borrow_mut(|rejections| rejections.drain(..).next())?;
    reason.restore(ctx).ok()
}

/// QuickJS-NG turns its own stack check off on WASI, so runaway recursion
/// would run the shadow stack out and trap. Stopping with stack to spare
/// (an uncatchable interrupt) lets the run say what Node says instead.
fn stack_nearly_exhausted() -> bool {
    let marker = 0u8;
    // A local whose address is taken lives on the shadow stack: its address
    // is how deep the stack is.
    let stack_pointer = std::hint::black_box(&marker) as *const u8 as usize;
    if stack_pointer < STACK_RESERVE {
        STACK_EXHAUSTED.set(true);
    }
    STACK_EXHAUSTED.get()
}

/// `import ... from 'fs'` in an ES module: the built-in module is what
/// `require` gives, as the default export and as named exports. Returning
/// null (with `require`'s error pending) fails the import.
unsafe extern "C" fn load_builtin_module(
    raw: *mut qjs::JSContext,
    name: *const c_char,
    _opaque: *mut c_void,
) -> *mut qjs::JSModuleDef {
    // SAFETY: QuickJS passes its live context and a NUL-terminated name.
    let (ctx, name) = unsafe {
        (
            Ctx::from_raw(NonNull::new(raw).expect("a context")),
            CStr::from_ptr(name).to_string_lossy(),
        )
    };
    let Ok(source) = reexport_source(&ctx, &name) else {
        return ptr::null_mut();
    };
    let source = CString::new(source).expect("generated source has no NUL");
    let flags = (qjs::JS_EVAL_TYPE_MODULE | qjs::JS_EVAL_FLAG_COMPILE_ONLY) as i32;
    // SAFETY: as in `compile`; the module name is NUL-terminated.
    unsafe {
        let module_name = CString::new(name.as_bytes()).expect("a C string name has no NUL");
        let len = source.as_bytes().len();
        let compiled = qjs::JS_Eval(raw, source.as_ptr(), len as _, module_name.as_ptr(), flags);
        if qjs::JS_IsException(compiled) {
            return ptr::null_mut();
        }
        // The module definition lives on in the runtime; drop our reference.
        let module = qjs::JS_VALUE_GET_PTR(compiled) as *mut qjs::JSModuleDef;
        qjs::JS_FreeValue(raw, compiled);
        module
    }
}

fn reexport_source(ctx: &Ctx<'_>, name: &str) -> rquickjs::Result<String> {
    let require: Function = ctx.globals().get("require")?;
    let module: Value = require.call((name,))?;
    let names: Vec<String> = match module.as_object() {
        Some(object) => object.keys::<String>().collect::<rquickjs::Result<_>>()?,
        None => Vec::new(),
    };
    let named: Vec<String> = names
        .into_iter()
        .filter(|n| {
            n.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        })
        .filter(|n| n != "default" && !n.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    let quoted = js_string_literal(name);
    let mut source = format!("const m = require({quoted});\nexport default m;\n");
    if !named.is_empty() {
        source += &format!("export const {{ {} }} = m;\n", named.join(", "));
    }
    Ok(source)
}

/// A JavaScript string literal for `text`.
fn js_string_literal(text: &str) -> String {
    let mut quoted = String::from("\"");
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                quoted.push('\\');
                quoted.push(c);
            }
            c if (c as u32) < 0x20 => quoted += &format!("\\u{:04x}", c as u32),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}
