// Node-style globals for programs written for `node`, on top of QuickJS-NG.
// Evaluated once at build time and snapshotted, so it costs nothing per run.
// `host` holds the few functions the Rust side provides (stdin, writes,
// exit); this file gives back to it the hooks the run loop calls.
(function (host) {
  'use strict';
  const g = globalThis;

  // ---- Math.random: QuickJS seeds it once, which the snapshot would freeze;
  // the host reseeds this xoshiro128** generator before every run.
  let s0 = 1, s1 = 2, s2 = 3, s3 = 4;
  const rotl = (x, k) => (x << k) | (x >>> (32 - k));
  function next32() {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
    return result;
  }
  host.reseed = (a, b, c, d) => { s0 = a | 1; s1 = b | 0; s2 = c | 0; s3 = d | 0; };
  Math.random = function random() {
    return ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992;
  };

  // ---- util.inspect, following Node's algorithm (depth 2, breakLength 80,
  // compact 3, array grouping) so console.log prints what node prints.
  const BREAK_LENGTH = 80, COMPACT = 3, MAX_ARRAY = 100, MAX_STRING = 10000;
  const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

  function quote(s) {
    const q = !s.includes("'") ? "'" : !s.includes('"') ? '"' : !s.includes('`') ? '`' : "'";
    let out = '';
    for (const ch of s) {
      const c = ch.codePointAt(0);
      if (ch === q || ch === '\\') out += '\\' + ch;
      else if (ch === '\n') out += '\\n';
      else if (ch === '\t') out += '\\t';
      else if (ch === '\r') out += '\\r';
      else if (ch === '\b') out += '\\b';
      else if (ch === '\f') out += '\\f';
      else if (ch === '\v') out += '\\v';
      else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).toUpperCase().padStart(2, '0');
      else out += ch;
    }
    return q + out + q;
  }

  function formatPrimitive(v, nested) {
    switch (typeof v) {
      case 'string': {
        if (!nested) return v;
        const cut = v.length > MAX_STRING ? v.slice(0, MAX_STRING) : v;
        const extra = v.length - cut.length;
        return quote(cut) + (extra > 0 ? `... ${extra} more character${extra > 1 ? 's' : ''}` : '');
      }
      case 'number': return Object.is(v, -0) ? '-0' : String(v);
      case 'bigint': return `${v}n`;
      case 'symbol': return v.toString();
      default: return String(v); // undefined, boolean
    }
  }

  function formatKey(key) {
    if (typeof key === 'symbol') return `[${key.toString()}]`;
    return identifier.test(key) ? key : quote(key);
  }

  function constructorName(v) {
    let proto = Object.getPrototypeOf(v);
    while (proto) {
      const d = Object.getOwnPropertyDescriptor(proto, 'constructor');
      if (d && typeof d.value === 'function' && d.value.name) return d.value.name;
      proto = Object.getPrototypeOf(proto);
    }
    return null;
  }

  function formatError(e) {
    const head = `${e.name || 'Error'}: ${e.message}`;
    const stack = typeof e.stack === 'string' ? e.stack.replace(/\s+$/, '') : '';
    if (!stack) return head;
    return stack.startsWith(head) ? stack : `${head}\n${stack}`;
  }

  function groupArrayElements(ctx, output, value) {
    let totalLength = 0, maxLength = 0;
    let outputLength = output.length;
    if (ctx.extra) outputLength--;
    const separatorSpace = 2;
    const dataLen = new Array(outputLength);
    for (let i = 0; i < outputLength; i++) {
      const len = output[i].length;
      dataLen[i] = len;
      totalLength += len + separatorSpace;
      if (maxLength < len) maxLength = len;
    }
    const actualMax = maxLength + separatorSpace;
    if (actualMax * 3 + ctx.indentationLvl < BREAK_LENGTH &&
        (totalLength / actualMax > 5 || maxLength <= 6)) {
      const averageBias = Math.sqrt(actualMax - totalLength / output.length);
      const biasedMax = Math.max(actualMax - 3 - averageBias, 1);
      const columns = Math.min(
        Math.round(Math.sqrt(2.5 * biasedMax * outputLength) / biasedMax),
        Math.floor((BREAK_LENGTH - ctx.indentationLvl) / actualMax),
        COMPACT * 4,
        15,
      );
      if (columns <= 1) return output;
      const maxLineLength = [];
      for (let i = 0; i < columns; i++) {
        let lineLength = 0;
        for (let j = i; j < output.length; j += columns) if (dataLen[j] > lineLength) lineLength = dataLen[j];
        maxLineLength.push(lineLength + separatorSpace);
      }
      let padStart = value !== undefined;
      if (value !== undefined) {
        for (let i = 0; i < output.length; i++) {
          if (typeof value[i] !== 'number' && typeof value[i] !== 'bigint') { padStart = false; break; }
        }
      }
      const tmp = [];
      for (let i = 0; i < outputLength; i += columns) {
        const max = Math.min(i + columns, outputLength);
        let str = '';
        let j = i;
        for (; j < max - 1; j++) {
          const cell = `${output[j]}, `;
          str += padStart ? cell.padStart(maxLineLength[j - i]) : cell.padEnd(maxLineLength[j - i]);
        }
        str += padStart ? output[j].padStart(maxLineLength[j - i] - separatorSpace) : output[j];
        tmp.push(str);
      }
      if (ctx.extra) tmp.push(output[outputLength]);
      return tmp;
    }
    return output;
  }

  function reduceToSingleString(ctx, output, base, braces, isArray, depth, value) {
    const entries = output.length;
    if (isArray && entries > 6) output = groupArrayElements(ctx, output, value);
    if (ctx.currentDepth - depth < COMPACT && entries === output.length) {
      const start = output.length + ctx.indentationLvl + braces[0].length + base.length + 10;
      let totalLength = output.length + start;
      let fits = totalLength + output.length <= BREAK_LENGTH;
      for (let i = 0; fits && i < output.length; i++) {
        totalLength += output[i].length;
        fits = totalLength <= BREAK_LENGTH;
      }
      if (fits && !base.includes('\n')) {
        const joined = output.join(', ');
        if (!joined.includes('\n')) return `${base ? `${base} ` : ''}${braces[0]} ${joined} ${braces[1]}`;
      }
    }
    const indentation = `\n${' '.repeat(ctx.indentationLvl)}`;
    return `${base ? `${base} ` : ''}${braces[0]}${indentation}  ${output.join(`,${indentation}  `)}${indentation}${braces[1]}`;
  }

  function formatValue(ctx, v, depth, nested) {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return formatPrimitive(v, nested);
    if (ctx.seen.includes(v)) return '[Circular *1]';
    if (typeof v === 'function') {
      const source = Function.prototype.toString.call(v);
      if (source.startsWith('class')) return `[class ${v.name || '(anonymous)'}]`;
      return v.name ? `[Function: ${v.name}]` : '[Function (anonymous)]';
    }
    if (v instanceof Error) return formatError(v);
    if (v instanceof Date) return isNaN(v) ? 'Invalid Date' : v.toISOString();
    if (v instanceof RegExp) return String(v);
    if (v instanceof Promise) return 'Promise { <unknown> }';
    for (const [Box, label] of [[Number, 'Number'], [String, 'String'], [Boolean, 'Boolean']]) {
      if (v instanceof Box) return `[${label}: ${formatPrimitive(v.valueOf(), true)}]`;
    }
    const name = constructorName(v);
    const isArray = Array.isArray(v);
    const typed = ArrayBuffer.isView(v) && !(v instanceof DataView);
    let braces, base = '', entries = [];
    if (isArray || typed) {
      const prefix = isArray ? (name !== 'Array' ? `${name}(${v.length}) ` : '') : `${name}(${v.length}) `;
      braces = [`${prefix}[`, ']'];
      if (v.length === 0 && Object.keys(v).length === 0) return `${braces[0]}]`;
    } else if (v instanceof Map) {
      braces = [`${name}(${v.size}) {`, '}'];
      if (v.size === 0) return `${braces[0]}}`;
    } else if (v instanceof Set) {
      braces = [`${name}(${v.size}) {`, '}'];
      if (v.size === 0) return `${braces[0]}}`;
    } else {
      const prefix = name === null ? '[Object: null prototype] ' : name !== 'Object' ? `${name} ` : '';
      braces = [`${prefix}{`, '}'];
      if (Reflect.ownKeys(v).filter((k) => Object.getOwnPropertyDescriptor(v, k).enumerable).length === 0) {
        return `${prefix}{}`;
      }
    }
    if (depth > 2) return isArray ? '[Array]' : `[${name || 'Object'}]`;
    ctx.seen.push(v);
    ctx.currentDepth = depth;
    ctx.indentationLvl += 2;
    const sub = (x) => formatValue(ctx, x, depth + 1, true);
    let extra = false;
    if (isArray || typed) {
      const shown = Math.min(v.length, MAX_ARRAY);
      let holes = 0;
      const flushHoles = () => {
        if (holes) entries.push(`<${holes} empty item${holes > 1 ? 's' : ''}>`);
        holes = 0;
      };
      for (let i = 0; i < shown; i++) {
        if (!typed && !Object.prototype.hasOwnProperty.call(v, i)) { holes++; continue; }
        flushHoles();
        entries.push(sub(v[i]));
      }
      flushHoles();
      if (v.length > shown) {
        const more = v.length - shown;
        entries.push(`... ${more} more item${more > 1 ? 's' : ''}`);
        extra = true;
      }
      for (const k of Object.keys(v)) {
        if (!/^\d+$/.test(k)) entries.push(`${formatKey(k)}: ${sub(v[k])}`);
      }
    } else if (v instanceof Map) {
      for (const [k, val] of v) entries.push(`${sub(k)} => ${sub(val)}`);
    } else if (v instanceof Set) {
      for (const x of v) entries.push(sub(x));
    } else {
      for (const k of Reflect.ownKeys(v)) {
        const d = Object.getOwnPropertyDescriptor(v, k);
        if (!d.enumerable) continue;
        const shown = d.get ? (d.set ? '[Getter/Setter]' : '[Getter]') : d.set ? '[Setter]' : sub(d.value);
        entries.push(`${formatKey(k)}: ${shown}`);
      }
    }
    ctx.indentationLvl -= 2;
    ctx.seen.pop();
    ctx.extra = extra;
    const result = reduceToSingleString(ctx, entries, base, braces, isArray, depth, isArray ? v : undefined);
    ctx.extra = false;
    return result;
  }

  function inspect(value) {
    return formatValue({ seen: [], indentationLvl: 0, currentDepth: 0, extra: false }, value, 0, true);
  }

  // console.log's formatting: printf-style directives in a first string
  // argument, then every other argument inspected, joined by spaces.
  function format(...args) {
    let first = 0, out = '';
    if (typeof args[0] === 'string' && args.length > 1 && args[0].includes('%')) {
      let a = 1;
      out = args[0].replace(/%([sdifjoOc%])/g, (m, c) => {
        if (c === '%') return '%';
        if (a >= args.length) return m;
        const x = args[a++];
        switch (c) {
          case 's': return typeof x === 'string' ? x : typeof x === 'bigint' ? `${x}n` : inspect(x);
          case 'd': case 'i': {
            if (typeof x === 'bigint') return `${x}n`;
            const n = Number(x);
            return c === 'i' ? String(Math.trunc(n)) : formatPrimitive(n, false);
          }
          case 'f': return String(parseFloat(x));
          case 'j': try { return JSON.stringify(x); } catch { return '[Circular]'; }
          case 'c': return '';
          default: return inspect(x);
        }
      });
      first = a;
    } else if (args.length > 0) {
      out = typeof args[0] === 'string' ? args[0] : inspect(args[0]);
      first = 1;
    }
    for (let i = first; i < args.length; i++) out += ' ' + (typeof args[i] === 'string' ? args[i] : inspect(args[i]));
    return out;
  }

  // ---- Events, stdin, stdout.
  class EventEmitter {
    constructor() { this._events = Object.create(null); }
    on(name, fn) { (this._events[name] ||= []).push(fn); this._listening?.(name); return this; }
    addListener(name, fn) { return this.on(name, fn); }
    once(name, fn) {
      const wrapper = (...a) => { this.off(name, wrapper); fn.apply(this, a); };
      return this.on(name, wrapper);
    }
    off(name, fn) { this._events[name] = (this._events[name] || []).filter((f) => f !== fn); return this; }
    removeListener(name, fn) { return this.off(name, fn); }
    removeAllListeners(name) { if (name) delete this._events[name]; else this._events = Object.create(null); return this; }
    emit(name, ...args) {
      const fns = this._events[name];
      if (!fns || fns.length === 0) return false;
      for (const fn of fns.slice()) fn.apply(this, args);
      return true;
    }
    listenerCount(name) { return (this._events[name] || []).length; }
  }

  let input = null;
  const stdinText = () => (input ??= host.readStdin());
  const lines = (text) => {
    const all = text.split(/\r?\n/);
    if (all[all.length - 1] === '') all.pop();
    return all;
  };

  // Tasks the run loop performs after the program's top level: stdin events
  // and timers, in order. Timers fire in order of their delay without
  // waiting, as if the machine were infinitely fast.
  const tasks = [];
  const timers = [];
  let timerSeq = 0, virtualNow = 0;
  host.nextTask = function nextTask() {
    if (tasks.length) { tasks.shift()(); return true; }
    if (timers.length) {
      timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const t = timers.shift();
      virtualNow = Math.max(virtualNow, t.at);
      if (t.every !== undefined) timers.push({ ...t, at: virtualNow + t.every, seq: timerSeq++ });
      t.fn(...t.args);
      return true;
    }
    return false;
  };
  function addTimer(fn, ms, args, every) {
    if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function');
    const delay = Math.max(1, Number(ms) || 0);
    const timer = { fn, args, at: virtualNow + delay, seq: timerSeq++, every: every ? delay : undefined };
    timers.push(timer);
    return { _timer: timer, ref() { return this; }, unref() { return this; }, hasRef() { return true; } };
  }
  function clearTimer(handle) {
    const i = timers.indexOf(handle && handle._timer);
    if (i >= 0) timers.splice(i, 1);
  }
  g.setTimeout = (fn, ms, ...args) => addTimer(fn, ms, args, false);
  g.setInterval = (fn, ms, ...args) => addTimer(fn, ms, args, true);
  g.setImmediate = (fn, ...args) => addTimer(fn, 0, args, false);
  g.clearTimeout = g.clearInterval = g.clearImmediate = clearTimer;
  if (typeof g.queueMicrotask !== 'function') {
    g.queueMicrotask = (fn) => { Promise.resolve().then(fn); };
  }

  const stdin = new EventEmitter();
  let stdinFlowing = false;
  stdin._listening = (name) => {
    if ((name === 'data' || name === 'end' || name === 'readable') && !stdinFlowing) {
      stdinFlowing = true;
      tasks.push(() => {
        const text = stdinText();
        if (text.length) { stdin.emit('data', text); stdin.emit('readable'); }
        stdin.emit('end');
        stdin.emit('close');
      });
    }
  };
  stdin.setEncoding = function () { return this; };
  stdin.resume = function () { return this; };
  stdin.pause = function () { return this; };
  stdin.read = () => { const text = stdinText(); input = ''; return text.length ? text : null; };
  stdin.fd = 0;
  stdin.isTTY = false;
  stdin[Symbol.asyncIterator] = async function* () { const text = stdinText(); if (text.length) yield text; };

  function writer(fd) {
    return {
      fd,
      isTTY: false,
      write(chunk, encoding, callback) {
        host.write(fd, typeof chunk === 'string' ? chunk : String(chunk));
        const done = typeof encoding === 'function' ? encoding : callback;
        if (typeof done === 'function') queueMicrotask(done);
        return true;
      },
      end(chunk) { if (chunk !== undefined) this.write(chunk); },
      on() { return this; },
      once() { return this; },
    };
  }
  const stdout = writer(1), stderr = writer(2);

  // ---- console.
  const counts = new Map(), timersByLabel = new Map(), groupIndent = [];
  const print = (fd, text) => {
    const indent = groupIndent.join('');
    host.write(fd, (indent ? text.split('\n').map((l) => indent + l).join('\n') : text) + '\n');
  };
  const out = (...a) => print(1, format(...a));
  const err = (...a) => print(2, format(...a));
  g.console = {
    log: out, info: out, debug: out, error: err, warn: err, trace: err,
    dir: (v) => print(1, inspect(v)),
    assert: (ok, ...a) => { if (!ok) err(a.length ? `Assertion failed: ${format(...a)}` : 'Assertion failed'); },
    count: (label = 'default') => { const n = (counts.get(label) || 0) + 1; counts.set(label, n); out(`${label}: ${n}`); },
    countReset: (label = 'default') => counts.delete(label),
    time: (label = 'default') => timersByLabel.set(label, Date.now()),
    timeEnd: (label = 'default') => { out(`${label}: ${Date.now() - (timersByLabel.get(label) ?? Date.now())}ms`); timersByLabel.delete(label); },
    timeLog: (label = 'default') => out(`${label}: ${Date.now() - (timersByLabel.get(label) ?? Date.now())}ms`),
    group: (...a) => { if (a.length) out(...a); groupIndent.push('  '); },
    groupEnd: () => { groupIndent.pop(); },
    table: (v) => out(v),
  };

  // ---- process.
  let exitCode = 0;
  const startedAt = Date.now();
  const processObject = new EventEmitter();
  Object.assign(processObject, {
    argv: ['/usr/local/bin/node', '/judgebox/main.js'],
    argv0: 'node',
    execArgv: [],
    env: {},
    platform: 'linux',
    arch: 'wasm32',
    pid: 1,
    version: 'v20.0.0',
    versions: { node: '20.0.0', quickjs: '0.16.2' },
    release: { name: 'node' },
    stdin, stdout, stderr,
    exit(code) { host.exit(code === undefined ? exitCode : Number(code) | 0); },
    cwd: () => '/judgebox',
    uptime: () => (Date.now() - startedAt) / 1000,
    hrtime: Object.assign((prev) => {
      const ns = Math.round(performanceNow() * 1e6);
      const t = [Math.floor(ns / 1e9), ns % 1e9];
      if (!prev) return t;
      let s = t[0] - prev[0], n = t[1] - prev[1];
      if (n < 0) { s--; n += 1e9; }
      return [s, n];
    }, { bigint: () => BigInt(Math.round(performanceNow() * 1e6)) }),
    memoryUsage: () => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }),
    nextTick: (fn, ...args) => queueMicrotask(() => fn(...args)),
    emitWarning: (w) => err(`Warning: ${w}`),
  });
  Object.defineProperty(processObject, 'exitCode', {
    get: () => exitCode,
    set: (v) => { exitCode = v === undefined ? 0 : Number(v) | 0; },
  });
  host.exitCode = () => exitCode;
  g.process = processObject;
  const performanceNow = () => Date.now() - startedAt;
  if (typeof g.performance !== 'object') g.performance = { now: performanceNow };

  // ---- Built-in modules.
  function noSuchFile(path, syscall = 'open') {
    const e = new Error(`ENOENT: no such file or directory, ${syscall} '${path}'`);
    Object.assign(e, { errno: -2, code: 'ENOENT', syscall, path: String(path) });
    return e;
  }
  const isStdin = (p) => p === 0 || p === '/dev/stdin' || p === 'stdin';
  const fs = {
    readFileSync(path) {
      if (isStdin(path)) return stdinText();
      throw noSuchFile(path);
    },
    writeFileSync(path, data) {
      if (path === 1 || path === '/dev/stdout') return stdout.write(String(data)), undefined;
      if (path === 2 || path === '/dev/stderr') return stderr.write(String(data)), undefined;
      const e = new Error(`EACCES: permission denied, open '${path}'`);
      throw Object.assign(e, { errno: -13, code: 'EACCES', syscall: 'open', path: String(path) });
    },
    existsSync: () => false,
    readFile(path, options, callback) {
      const cb = typeof options === 'function' ? options : callback;
      let result, error = null;
      try { result = fs.readFileSync(path); } catch (e) { error = e; }
      tasks.push(() => cb(error, result));
    },
  };
  fs.promises = { readFile: async (path) => fs.readFileSync(path) };

  class Interface extends EventEmitter {
    constructor() {
      super();
      this.closed = false;
      this._iterating = false;
      this._pending = null;
      tasks.push(() => {
        if (this._iterating) return;
        this._pending = lines(stdinText());
        const step = () => {
          if (this.closed) return;
          if (this._pending.length) {
            this.emit('line', this._pending.shift());
            tasks.push(step);
          } else this.close();
        };
        step();
      });
    }
    close() {
      if (this.closed) return;
      this.closed = true;
      this.emit('close');
    }
    question(query, callback) {
      stdout.write(String(query));
      this.once('line', callback);
    }
    setPrompt() {}
    prompt() {}
    pause() { return this; }
    resume() { return this; }
    [Symbol.asyncIterator]() {
      this._iterating = true;
      const queue = this._pending ?? lines(stdinText());
      this._pending = [];
      return (async function* (rl) {
        for (const line of queue) yield line;
        rl.close();
      })(this);
    }
  }
  const readline = {
    createInterface: () => new Interface(),
    Interface,
  };
  readline.promises = { createInterface: () => new Interface() };

  const util = {
    inspect,
    format,
    isDeepStrictEqual: (a, b) => inspect(a) === inspect(b),
    promisify: (fn) => (...a) => new Promise((resolve, reject) =>
      fn(...a, (e, v) => (e ? reject(e) : resolve(v)))),
    types: { isPromise: (v) => v instanceof Promise },
  };
  function assertionError(message) {
    const e = new Error(message);
    e.name = 'AssertionError';
    e.code = 'ERR_ASSERTION';
    return e;
  }
  function assert(value, message) { if (!value) throw assertionError(message || 'The expression evaluated to a falsy value'); }
  Object.assign(assert, {
    ok: assert,
    equal: (a, b, m) => { if (a != b) throw assertionError(m || `${inspect(a)} == ${inspect(b)}`); },
    strictEqual: (a, b, m) => { if (!Object.is(a, b)) throw assertionError(m || `Expected values to be strictly equal: ${inspect(a)} !== ${inspect(b)}`); },
    notStrictEqual: (a, b, m) => { if (Object.is(a, b)) throw assertionError(m || `Expected "actual" to be strictly unequal to: ${inspect(b)}`); },
    deepStrictEqual: (a, b, m) => { if (inspect(a) !== inspect(b)) throw assertionError(m || 'Expected values to be strictly deep-equal'); },
    throws: (fn, _e, m) => { try { fn(); } catch { return; } throw assertionError(m || 'Missing expected exception.'); },
  });
  assert.strict = assert;
  const os = { EOL: '\n', platform: () => 'linux', cpus: () => [{}], endianness: () => 'LE' };

  const modules = {
    fs, readline, util, assert, os, process: processObject,
    events: Object.assign(EventEmitter, { EventEmitter }),
    'fs/promises': fs.promises,
    'readline/promises': readline.promises,
    'assert/strict': assert,
  };
  // Node modules that could reach the network, processes or threads.
  const forbidden = new Set(['child_process', 'cluster', 'dgram', 'dns', 'http', 'http2', 'https',
    'inspector', 'net', 'tls', 'vm', 'worker_threads']);
  g.require = function require(name) {
    const id = String(name).replace(/^node:/, '');
    if (Object.prototype.hasOwnProperty.call(modules, id)) return modules[id];
    const e = forbidden.has(id)
      ? new Error(`Module '${id}' is not available in the judge sandbox (no network, processes or threads)`)
      : new Error(`Cannot find module '${name}'`);
    e.code = 'MODULE_NOT_FOUND';
    throw e;
  };
  g.module = { exports: {}, id: '.', filename: '/judgebox/main.js', loaded: false };
  g.exports = g.module.exports;
  g.__filename = '/judgebox/main.js';
  g.__dirname = '/judgebox';
  g.global = g;

  // What an uncaught exception or unhandled rejection prints, and a syntax error.
  host.formatUncaught = (value) => `Uncaught ${inspect(value)}`;
  host.inspect = inspect;
})(globalThis.__judgebox);
