//! Node's APIs in the JavaScript guest: each program runs in judgebox and in
//! the `node` installed on this machine, and must print what node prints.
//! Timers wait real time, without spending CPU time.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::json;

use crate::helpers::TestApp;

const STDIN: &str = "3\n4 5 é\nlast line\n";

/// What `node` prints for `code` given `stdin`, or None if node is missing.
fn node_output(code: &str, stdin: &str) -> Option<String> {
    let mut child = match Command::new("node")
        .args(["-e", code])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return None,
        Err(error) => panic!("starting node: {error}"),
    };
    // A program that never reads its input may exit before taking it all.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "node failed on {code}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8(output.stdout).unwrap())
}

/// Runs every program in judgebox and in node, with `stdin`, and compares
/// what they print.
async fn assert_prints_what_node_prints(programs: &[&str], stdin: &str) {
    let app = TestApp::spawn().await;
    for code in programs {
        let Some(expected) = node_output(code, stdin) else {
            eprintln!("SKIPPED: `node` is not installed, so there is no expected output");
            return;
        };
        let result = app.run_code("javascript", code, stdin).await;
        assert_eq!(result["status"], "accepted", "{code}: {result}");
        assert_eq!(result["actual_output"], expected, "{code}");
    }
}

#[tokio::test]
async fn buffer_works_as_in_node() {
    assert_prints_what_node_prints(
        &[
            "const b = Buffer.from('héllo wörld €');
console.log(b, b.length, b.toString(), b.toString('hex'), b.toString('base64'), b.toString('base64url'));
console.log(Buffer.from(b.toString('base64'), 'base64').toString(), Buffer.from('68656c6c6f', 'hex').toString('latin1'));
console.log(Buffer.from('aGVs bG8=\\nxx', 'base64'), Buffer.from('12zz34', 'hex'), Buffer.from('a\\uD800b'));
console.log(Buffer.from('ascii é', 'ascii'), Buffer.from([0xe9, 0x41]).toString('ascii'), Buffer.from('€', 'utf16le'), Buffer.from([0xac, 0x20]).toString('ucs2'));",
            "const b = Buffer.from('héllo');
console.log(Buffer.isBuffer(b), Buffer.isBuffer(new Uint8Array(2)), b instanceof Uint8Array);
console.log(Buffer.byteLength('héllo'), Buffer.byteLength('aGVsbG8=', 'base64'), Buffer.byteLength(new ArrayBuffer(7)));
console.log(Buffer.concat([Buffer.from('ab'), Buffer.from([99, 100]), new Uint8Array([101])]).toString(), Buffer.concat([b], 2));
console.log(Buffer.alloc(5), Buffer.alloc(5, 'ab'), Buffer.alloc(4, 257), Buffer.allocUnsafe(3).length, Buffer.from([256, -1, 65.7]));
const ab = new Uint8Array([1, 2, 3, 4]).buffer;
console.log(Buffer.from(ab, 1, 2), Buffer.from(new Uint16Array([258, 3])), Buffer.from(b), Buffer.alloc(60));",
            "const b = Buffer.from('héllo wörld');
const w = Buffer.alloc(6);
console.log(w.write('héllo'), w.write('ff', 5, 'hex'), w.toString('latin1').length, w);
console.log(b.slice(1, 3), Buffer.isBuffer(b.subarray(2)), b.subarray(-3).toString(), b.toString('utf8', 1, 3), b.toString(undefined, -5, 100));
const view = b.slice(0, 1); view[0] = 72; console.log(b.toString());
console.log(Buffer.from('abc').equals(Buffer.from('abc')), Buffer.compare(Buffer.from('a'), Buffer.from('b')), Buffer.from('b').compare(Buffer.from('a')));
console.log(JSON.stringify(Buffer.from('hi')), Buffer.from('hi').toJSON(), Buffer.from(Buffer.from('hi').toJSON()).toString());
console.log(b.indexOf('l'), b.includes('wö'), b.indexOf(111), String(Buffer.from('x\\ny')).split('\\n'), Buffer.from('q') + '!');
const { Buffer: B } = require('buffer');
console.log(B === Buffer, require('node:buffer').Buffer === Buffer, btoa('hello'), atob('aGVsbG8='));",
            "for (const bad of [() => Buffer.from('x', 'nope'), () => Buffer.alloc(-1), () => Buffer.from(5)]) {
  try { bad(); } catch (e) { console.log(e.name, e.code, e.message); }
}",
        ],
        "",
    )
    .await;
}

#[tokio::test]
async fn reading_stdin_gives_a_buffer_or_a_string_as_in_node() {
    assert_prints_what_node_prints(
        &[
            "const input = require('fs').readFileSync(0);
console.log(Buffer.isBuffer(input), input.length, input);",
            "console.log(JSON.stringify(require('fs').readFileSync(0, 'utf8')));",
            "console.log(JSON.stringify(require('fs').readFileSync('/dev/stdin', { encoding: 'utf-8' })));",
            "console.log(require('fs').readFileSync('/dev/stdin').toString().split('\\n'));",
            "console.log((require('fs').readFileSync(0) + '').trim().split(/\\s+/));",
            "const [n, line] = String(require('fs').readFileSync(0)).split('\\n');
console.log(Number(n) * 2, line.split(' '));",
            "console.log(require('fs').readFileSync(0, 'hex'));",
            "require('fs').readFile(0, (err, data) => console.log(err, Buffer.isBuffer(data), data.toString().length));",
            "const rl = require('readline').createInterface({ input: process.stdin });
const lines = [];
rl.on('line', (l) => lines.push(l));
rl.on('close', () => console.log(lines));",
            "const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => { const all = Buffer.concat(chunks); console.log(Buffer.isBuffer(chunks[0]), all.toString().split('\\n')[1]); });",
            "process.stdin.setEncoding('utf8');
let text = '';
process.stdin.on('data', (c) => (text += c));
process.stdin.on('end', () => console.log(typeof text, text.length));",
        ],
        STDIN,
    )
    .await;
}

#[tokio::test]
async fn text_encoding_and_structured_clone_work_as_in_node() {
    assert_prints_what_node_prints(
        &[
            "const encoded = new TextEncoder().encode('a€😀');
console.log(encoded, new TextEncoder().encoding, new TextDecoder().encoding);
console.log(new TextDecoder().decode(encoded), new TextDecoder().decode(encoded.buffer), new TextDecoder().decode(Buffer.from('buf')));
console.log(new TextDecoder().decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0xff])), JSON.stringify(new TextDecoder().decode()));
try { new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0xff])); } catch (e) { console.log(e.name, e.code, e.message); }
const into = new Uint8Array(4);
console.log(new TextEncoder().encodeInto('a€b', into), into);",
            "const source = { n: 1, d: new Date(0), r: /a+b/gi, m: new Map([[1, { deep: [1, 2] }]]), s: new Set(['a', 'b']),
  u8: new Uint8Array([1, 2, 3]), ab: new ArrayBuffer(2), nested: { list: [1, [2, [3]]] }, big: 10n, none: null };
source.self = source;
source.twice = [source.nested, source.nested];
const copy = structuredClone(source);
console.log(copy.self === copy, copy.twice[0] === copy.twice[1], copy.nested !== source.nested, copy.d.getTime(), copy.r);
console.log(copy.m, copy.m.get(1) !== source.m.get(1), copy.s, copy.u8, copy.u8.buffer !== source.u8.buffer, copy.ab, copy.nested, copy.big, copy.none);
class Point { constructor() { this.x = 1; } }
console.log(structuredClone(new Point()), structuredClone(Buffer.from('ab')), structuredClone(new RangeError('boom')) instanceof RangeError);
for (const bad of [function f() { return 1; }, Symbol('x'), { a: () => 1 }, Promise.resolve()]) {
  try { structuredClone(bad); } catch (e) { console.log(e.name, e.code, e.message, e instanceof DOMException, e instanceof Error); }
}",
            "const order = [];
setTimeout(() => { order.push('timeout'); console.log(order.join(' ')); }, 0);
Promise.resolve().then(() => order.push('promise'));
queueMicrotask(() => { order.push('microtask'); queueMicrotask(() => order.push('nested microtask')); });
(async () => { await null; order.push('await'); })();
order.push('sync');
let threw = false;
try { queueMicrotask(1); } catch (e) { threw = e instanceof TypeError; }
console.log(typeof queueMicrotask, threw);",
        ],
        "",
    )
    .await;
}

#[tokio::test]
async fn timers_fire_in_node_order() {
    let app = TestApp::spawn().await;
    let code = "setTimeout(() => console.log(30), 30);\nsetTimeout(() => console.log(10), 10);\nsetTimeout(() => console.log(20), 20);";
    assert_eq!(
        app.run_code("javascript", code, "").await["actual_output"],
        "10\n20\n30\n"
    );
    drop(app);
    assert_prints_what_node_prints(
        &[
            "const out = [];
setTimeout(() => out.push(30), 30);
setTimeout(() => out.push(10), 10);
setTimeout(() => out.push(20), 20);
setTimeout(() => out.push('20 again'), 20);
clearTimeout(setTimeout(() => out.push('cleared'), 15));
// The interval starts well after 45 ms: a loaded machine delays node's timers.
setTimeout(() => { out.push(40); setTimeout(() => out.push('40 + 5'), 5); }, 40);
let n = 0;
const interval = setInterval((tag) => {
  out.push(`${tag} ${++n}`);
  if (n === 3) { clearInterval(interval); console.log(out.join('\\n')); }
}, 200, 'interval');",
            "require('fs').readFile(0, () => {
  setTimeout(() => console.log('timeout'), 0);
  setImmediate(() => console.log('immediate'));
});
setImmediate((a, b) => console.log('first immediate', a, b), 1, 2);",
            "require('timers/promises').setTimeout(20, 'value').then((v) => console.log('resolved with', v));
setTimeout(() => console.log('unref fires while another timer keeps the loop alive'), 10).unref();
setTimeout(() => console.log('never: nothing else keeps the loop alive'), 500).unref();",
        ],
        "",
    )
    .await;
}

#[tokio::test]
async fn a_timer_waits_real_time_and_the_clocks_see_it() {
    let app = TestApp::spawn().await;
    let code = "const [date, perf] = [Date.now(), performance.now()];
setTimeout(() => console.log(Date.now() - date >= 199, performance.now() - perf >= 199, performance.now() < 5000), 200);";
    let result = app.run_code("javascript", code, "").await;
    assert_eq!(result["actual_output"], "true true true\n", "{result}");
    let wall = result["execution_time_ms"].as_f64().unwrap();
    assert!(wall >= 200.0, "a 200 ms timer ran in {wall} ms: {result}");
}

#[tokio::test]
async fn a_program_sleeping_past_the_time_limit_is_stopped_having_used_little_cpu() {
    let app = TestApp::spawn().await;
    let code = "console.log('waiting');\nsetTimeout(() => console.log('woke up'), 120000);";
    let result = app
        .run_with_limits("javascript", code, json!({"time_ms": 1000}))
        .await;
    assert_eq!(result["status"], "time_limit_exceeded", "{result}");
    // Output written before the wait is kept.
    assert_eq!(result["actual_output"], "waiting\n", "{result}");
    let cpu = result["cpu_time_ms"].as_f64().unwrap();
    assert!(cpu < 250.0, "sleeping used {cpu} ms of CPU: {result}");

    // Many short sleeps end the same way.
    let code = "setInterval(() => {}, 1);";
    let result = app
        .run_with_limits("javascript", code, json!({"time_ms": 1000}))
        .await;
    assert_eq!(result["status"], "time_limit_exceeded", "{result}");
}
