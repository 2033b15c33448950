// Node-style globals for programs written for `node`, on top of QuickJS-NG.
// Evaluated once at build time and snapshotted, so it costs nothing per run.
// `host` holds the few functions the Rust side provides (stdin, writes,
// exit, UTF-8, sleep); this file gives back to it the hooks the run loop
// calls.
(function (host) {
  'use strict';
  const g = globalThis;

  // ---- Math.random: QuickJS seeds it once, which the snapshot would freeze;
  // the host reseeds this xoshiro128** generator as every run starts.
  let s0 = 1, s1 = 2, s2 = 3, s3 = 4;
  const rotl = (x, k) => (x << k) | (x >>> (32 - k));
  function next32() {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
    return result;
  }
  const reseed = (a, b, c, d) => { s0 = a | 1; s1 = b | 0; s2 = c | 0; s3 = d | 0; };
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
    if (v instanceof Buffer) return `<Buffer ${hexBytes(v, INSPECT_MAX_BYTES)}>`;
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
    } else if (v instanceof ArrayBuffer) {
      braces = [`${name} {`, '}'];
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
    } else if (v instanceof ArrayBuffer) {
      entries.push(`[Uint8Contents]: <${hexBytes(new Uint8Array(v), MAX_ARRAY)}>`, `byteLength: ${sub(v.byteLength)}`);
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
    const list = isArray || typed;
    const result = reduceToSingleString(ctx, entries, base, braces, list, depth, list ? v : undefined);
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

  // ---- Bytes: Buffer (a Uint8Array, as in Node), TextEncoder/TextDecoder,
  // atob/btoa. UTF-8 goes through the host, which is far faster than a loop
  // in the interpreter on megabytes of input.
  const wellFormed = (s) => (s.isWellFormed() ? s : s.toWellFormed());
  const utf8Bytes = (s) => new Uint8Array(host.utf8Encode(wellFormed(s)));
  const utf8Text = (bytes, fatal = false) => {
    const text = host.utf8Decode(bytes, fatal);
    if (text === undefined) {
      throw nodeError(TypeError, 'ERR_ENCODING_INVALID_ENCODED_DATA', 'The encoded data was not valid for encoding utf-8');
    }
    return text;
  };
  const kMaxLength = 2 ** 32;
  const INSPECT_MAX_BYTES = 50;

  function nodeError(Type, code, message) {
    const e = new Type(message);
    e.code = code;
    return e;
  }
  function describe(v) {
    if (v === null || v === undefined) return `Received ${v}`;
    if (typeof v === 'function') return `Received function ${v.name}`;
    if (typeof v === 'object') return `Received an instance of ${constructorName(v) || 'Object'}`;
    const shown = typeof v === 'string' ? quote(v.length > 25 ? `${v.slice(0, 25)}...` : v) : formatPrimitive(v, true);
    return `Received type ${typeof v} (${shown})`;
  }
  function normalizeEncoding(encoding) {
    if (encoding === undefined || encoding === null) return 'utf8';
    switch (String(encoding).toLowerCase()) {
      case 'utf8': case 'utf-8': return 'utf8';
      case 'hex': return 'hex';
      case 'base64': return 'base64';
      case 'base64url': return 'base64url';
      case 'latin1': case 'binary': return 'latin1';
      case 'ascii': return 'ascii';
      case 'ucs2': case 'ucs-2': case 'utf16le': case 'utf-16le': return 'utf16le';
      default: return undefined;
    }
  }
  function encodingOf(encoding) {
    const normal = normalizeEncoding(encoding);
    if (normal === undefined) throw nodeError(TypeError, 'ERR_UNKNOWN_ENCODING', `Unknown encoding: ${encoding}`);
    return normal;
  }

  const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const BASE64URL = BASE64.slice(0, 62) + '-_';
  // Both alphabets decode; anything else (whitespace included) is skipped.
  const base64Values = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) {
    base64Values[BASE64.charCodeAt(i)] = i;
    base64Values[BASE64URL.charCodeAt(i)] = i;
  }
  const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
  const hexValue = (c) => (c >= 48 && c <= 57 ? c - 48 : (c | 32) >= 97 && (c | 32) <= 102 ? (c | 32) - 87 : -1);

  // A string in `encoding` to its bytes.
  function encode(string, encoding) {
    switch (encoding) {
      case 'utf8': return utf8Bytes(string);
      case 'latin1': case 'ascii': {
        const bytes = new Uint8Array(string.length);
        for (let i = 0; i < string.length; i++) bytes[i] = string.charCodeAt(i);
        return bytes;
      }
      case 'utf16le': {
        const bytes = new Uint8Array(string.length * 2);
        for (let i = 0; i < string.length; i++) {
          const c = string.charCodeAt(i);
          bytes[2 * i] = c;
          bytes[2 * i + 1] = c >> 8;
        }
        return bytes;
      }
      case 'hex': {
        // Stops at the first pair that is not hex, as Node does.
        const bytes = new Uint8Array(string.length >>> 1);
        let n = 0;
        for (; n < bytes.length; n++) {
          const hi = hexValue(string.charCodeAt(2 * n)), lo = hexValue(string.charCodeAt(2 * n + 1));
          if (hi < 0 || lo < 0) break;
          bytes[n] = hi * 16 + lo;
        }
        return bytes.subarray(0, n);
      }
      default: { // base64, base64url: decoding stops at the first '='.
        const bytes = new Uint8Array((string.length * 3) >>> 2);
        let n = 0, bits = 0, count = 0;
        for (let i = 0; i < string.length; i++) {
          const c = string.charCodeAt(i);
          if (c === 61) break;
          const v = c < 128 ? base64Values[c] : -1;
          if (v < 0) continue;
          bits = (bits << 6) | v;
          if (++count === 4) {
            bytes[n++] = bits >> 16; bytes[n++] = bits >> 8; bytes[n++] = bits;
            bits = 0; count = 0;
          }
        }
        if (count === 2) bytes[n++] = bits >> 4;
        else if (count === 3) { bytes[n++] = bits >> 10; bytes[n++] = bits >> 2; }
        return bytes.subarray(0, n);
      }
    }
  }

  const fromCodes = (codes) => {
    let text = '';
    for (let i = 0; i < codes.length; i += 8192) text += String.fromCharCode.apply(null, codes.subarray(i, i + 8192));
    return text;
  };
  // Bytes (a Uint8Array) to a string in `encoding`.
  function decode(bytes, encoding) {
    switch (encoding) {
      case 'utf8': return utf8Text(bytes);
      case 'latin1': return fromCodes(bytes);
      case 'ascii': return fromCodes(bytes.map((b) => b & 0x7f));
      case 'utf16le': return fromCodes(new Uint16Array(new Uint8Array(bytes.subarray(0, bytes.length & ~1)).buffer));
      case 'hex': {
        let text = '';
        for (let i = 0; i < bytes.length; i++) text += HEX[bytes[i]];
        return text;
      }
      default: {
        const alphabet = encoding === 'base64' ? BASE64 : BASE64URL;
        let text = '', i = 0;
        for (; i + 2 < bytes.length; i += 3) {
          const bits = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
          text += alphabet[bits >> 18] + alphabet[(bits >> 12) & 63] + alphabet[(bits >> 6) & 63] + alphabet[bits & 63];
        }
        const pad = encoding === 'base64' ? '=' : '';
        if (bytes.length - i === 1) {
          text += alphabet[bytes[i] >> 2] + alphabet[(bytes[i] & 3) << 4] + pad + pad;
        } else if (bytes.length - i === 2) {
          const bits = (bytes[i] << 8) | bytes[i + 1];
          text += alphabet[bits >> 10] + alphabet[(bits >> 4) & 63] + alphabet[(bits & 15) << 2] + pad;
        }
        return text;
      }
    }
  }

  // Any ArrayBuffer or view, as a Uint8Array over the same memory.
  function bytesOf(value, name = 'input') {
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    throw nodeError(TypeError, 'ERR_INVALID_ARG_TYPE',
      `The "${name}" argument must be an instance of ArrayBuffer or ArrayBufferView. ${describe(value)}`);
  }
  const clamp = (value, fallback, length) => {
    const n = value === undefined ? fallback : Math.trunc(Number(value)) || 0;
    return Math.min(Math.max(n < 0 ? length + n : n, 0), length);
  };
  function compareBytes(a, b) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
  }
  function checkSize(size) {
    if (typeof size !== 'number') {
      throw nodeError(TypeError, 'ERR_INVALID_ARG_TYPE', `The "size" argument must be of type number. ${describe(size)}`);
    }
    if (!(size >= 0 && size <= kMaxLength)) {
      throw nodeError(RangeError, 'ERR_OUT_OF_RANGE',
        `The value of "size" is out of range. It must be >= 0 && <= ${kMaxLength}. Received ${size}`);
    }
    return size;
  }

  class Buffer extends Uint8Array {
    // `new Buffer(...)` is deprecated in Node but still works; views made by
    // subarray/slice/map come here with Uint8Array's own arguments.
    constructor(value, encodingOrOffset, length) {
      if (typeof value === 'string') return Buffer.from(value, encodingOrOffset);
      super(value, encodingOrOffset, length);
    }

    static from(value, encodingOrOffset, length) {
      if (typeof value === 'string') return fromBytes(encode(value, encodingOf(encodingOrOffset)));
      if (value instanceof ArrayBuffer) {
        const offset = encodingOrOffset === undefined ? 0 : Number(encodingOrOffset) || 0;
        return new Buffer(value, offset, length === undefined ? value.byteLength - offset : length);
      }
      if (value !== null && typeof value === 'object') {
        const primitive = typeof value.valueOf === 'function' ? value.valueOf() : value;
        if (typeof primitive === 'string') return Buffer.from(primitive, encodingOrOffset);
        if (ArrayBuffer.isView(value) || typeof value.length === 'number' || Array.isArray(value)) {
          const copy = new Buffer(value.length >>> 0);
          for (let i = 0; i < copy.length; i++) copy[i] = value[i];
          return copy;
        }
        if (value.type === 'Buffer' && Array.isArray(value.data)) return Buffer.from(value.data);
      }
      throw nodeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The first argument must be of type string or an instance of ' +
        `Buffer, ArrayBuffer, or Array or an Array-like Object. ${describe(value)}`);
    }
    static alloc(size, fill, encoding) {
      const buffer = new Buffer(checkSize(size));
      if (fill !== undefined && fill !== 0 && size > 0) buffer.fill(fill, encoding);
      return buffer;
    }
    static allocUnsafe(size) { return new Buffer(checkSize(size)); }
    static allocUnsafeSlow(size) { return new Buffer(checkSize(size)); }
    static isBuffer(value) { return value instanceof Buffer; }
    static isEncoding(encoding) { return typeof encoding === 'string' && normalizeEncoding(encoding) !== undefined; }
    static byteLength(value, encoding) {
      if (typeof value !== 'string') return bytesOf(value, 'string').byteLength;
      switch (normalizeEncoding(encoding) ?? 'utf8') {
        case 'utf8': return utf8Bytes(value).length;
        case 'utf16le': return value.length * 2;
        case 'hex': return value.length >>> 1;
        case 'base64': case 'base64url': {
          let end = value.length;
          while (end > 0 && value.charCodeAt(end - 1) === 61) end--;
          return (end * 3) >>> 2;
        }
        default: return value.length;
      }
    }
    static concat(list, totalLength) {
      if (!Array.isArray(list)) {
        throw nodeError(TypeError, 'ERR_INVALID_ARG_TYPE', `The "list" argument must be an instance of Array. ${describe(list)}`);
      }
      const total = totalLength ?? list.reduce((sum, b) => sum + b.length, 0);
      const result = Buffer.alloc(total);
      let at = 0;
      for (const b of list) {
        if (at >= total) break;
        const bytes = bytesOf(b, 'list');
        result.set(bytes.subarray(0, total - at), at);
        at += bytes.length;
      }
      return result;
    }
    static compare(a, b) { return compareBytes(bytesOf(a, 'buf1'), bytesOf(b, 'buf2')); }

    toString(encoding, start, end) {
      const kind = encodingOf(encoding);
      const from = start === undefined || !(start > 0) ? 0 : Math.trunc(start);
      const to = end === undefined || end > this.length ? this.length : Math.trunc(end) || 0;
      if (to <= from) return '';
      return decode(from === 0 && to === this.length ? this : this.subarray(from, to), kind);
    }
    toLocaleString(encoding, start, end) { return this.toString(encoding, start, end); }
    toJSON() { return { type: 'Buffer', data: Array.from(this) }; }
    equals(other) {
      if (!(other instanceof Uint8Array)) {
        throw nodeError(TypeError, 'ERR_INVALID_ARG_TYPE', `The "otherBuffer" argument must be an instance of Buffer or Uint8Array. ${describe(other)}`);
      }
      return compareBytes(this, other) === 0;
    }
    compare(target, targetStart, targetEnd, sourceStart, sourceEnd) {
      const t = bytesOf(target, 'target');
      return compareBytes(
        this.subarray(sourceStart ?? 0, sourceEnd ?? this.length),
        t.subarray(targetStart ?? 0, targetEnd ?? t.length));
    }
    // Node's slice is a view, like subarray (Uint8Array's would copy).
    slice(start, end) { return this.subarray(start, end); }
    copy(target, targetStart = 0, sourceStart = 0, sourceEnd = this.length) {
      const bytes = this.subarray(sourceStart, sourceEnd).subarray(0, Math.max(0, target.length - targetStart));
      target.set(bytes, targetStart);
      return bytes.length;
    }
    // write(string[, offset[, length]][, encoding]): whole characters only.
    write(string, offset, length, encoding) {
      if (typeof offset === 'string') { encoding = offset; offset = 0; length = undefined; }
      else if (typeof length === 'string') { encoding = length; length = undefined; }
      const start = offset === undefined ? 0 : Number(offset) >>> 0;
      const room = Math.min(this.length - start, length === undefined ? Infinity : Number(length) >>> 0);
      const kind = encodingOf(encoding);
      let bytes = encode(String(string), kind);
      if (bytes.length > room) {
        let cut = Math.max(room, 0);
        if (kind === 'utf8') while (cut > 0 && (bytes[cut] & 0xc0) === 0x80) cut--;
        if (kind === 'utf16le') cut &= ~1;
        bytes = bytes.subarray(0, cut);
      }
      this.set(bytes, start);
      return bytes.length;
    }
    fill(value, offset, end, encoding) {
      if (typeof offset === 'string') { encoding = offset; offset = 0; end = this.length; }
      else if (typeof end === 'string') { encoding = end; end = this.length; }
      const from = clamp(offset, 0, this.length), to = clamp(end, this.length, this.length);
      if (typeof value === 'number' || typeof value === 'boolean') return super.fill(Number(value) & 255, from, to);
      const pattern = typeof value === 'string' ? encode(value, encodingOf(encoding)) : bytesOf(value, 'value');
      if (pattern.length === 0) return super.fill(0, from, to);
      for (let i = from; i < to; i++) this[i] = pattern[(i - from) % pattern.length];
      return this;
    }
    indexOf(value, byteOffset, encoding) { return search(this, value, byteOffset, encoding); }
    includes(value, byteOffset, encoding) { return search(this, value, byteOffset, encoding) !== -1; }
  }
  const fromBytes = (bytes) => new Buffer(bytes.buffer, bytes.byteOffset, bytes.length);
  function search(buffer, value, byteOffset, encoding) {
    if (typeof byteOffset === 'string') { encoding = byteOffset; byteOffset = 0; }
    const from = clamp(byteOffset, 0, buffer.length);
    if (typeof value === 'number') return Uint8Array.prototype.indexOf.call(buffer, value & 255, from);
    const needle = typeof value === 'string' ? encode(value, encodingOf(encoding)) : bytesOf(value, 'value');
    outer: for (let i = from; i + needle.length <= buffer.length; i++) {
      for (let j = 0; j < needle.length; j++) if (buffer[i + j] !== needle[j]) continue outer;
      return i;
    }
    return -1;
  }
  Buffer.poolSize = 8192;
  // How util.inspect shows bytes: the first `max` in hex.
  function hexBytes(bytes, max) {
    const shown = Array.from(bytes.subarray(0, max), (b) => HEX[b]).join(' ');
    const more = bytes.length - max;
    return `${shown}${more > 0 ? ` ... ${more} more byte${more > 1 ? 's' : ''}` : ''}`;
  }

  class TextEncoder {
    get encoding() { return 'utf-8'; }
    encode(input = '') { return utf8Bytes(String(input)); }
    encodeInto(source, destination) {
      const text = String(source);
      let read = 0, written = 0;
      for (const ch of text) {
        const bytes = utf8Bytes(ch);
        if (written + bytes.length > destination.length) break;
        destination.set(bytes, written);
        written += bytes.length;
        read += ch.length;
      }
      return { read, written };
    }
  }
  class TextDecoder {
    #fatal; #ignoreBOM;
    constructor(label = 'utf-8', options = {}) {
      if (!['utf-8', 'utf8', 'unicode-1-1-utf-8'].includes(String(label).trim().toLowerCase())) {
        throw nodeError(RangeError, 'ERR_ENCODING_NOT_SUPPORTED', `The "${label}" encoding is not supported`);
      }
      this.#fatal = Boolean(options?.fatal);
      this.#ignoreBOM = Boolean(options?.ignoreBOM);
    }
    get encoding() { return 'utf-8'; }
    get fatal() { return this.#fatal; }
    get ignoreBOM() { return this.#ignoreBOM; }
    decode(input) {
      if (input === undefined) return '';
      const text = utf8Text(bytesOf(input), this.#fatal);
      return !this.#ignoreBOM && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    }
  }

  class DOMException extends Error {
    #name;
    constructor(message = '', name = 'Error') {
      super(message);
      this.#name = String(name);
    }
    get name() { return this.#name; }
    get code() { return { InvalidCharacterError: 5, DataCloneError: 25 }[this.#name] ?? 0; }
  }
  function btoa(text) {
    text = String(text);
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) > 255) throw new DOMException('Invalid character', 'InvalidCharacterError');
    }
    return decode(encode(text, 'latin1'), 'base64');
  }
  function atob(text) {
    text = String(text).replace(/[\t\n\f\r ]/g, '');
    if (text.length % 4 === 0) text = text.replace(/==?$/, '');
    if (text.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(text)) {
      throw new DOMException('The string to be decoded is not correctly encoded.', 'InvalidCharacterError');
    }
    return decode(encode(text, 'base64'), 'latin1');
  }

  // structuredClone: what the HTML algorithm copies (no prototypes, no
  // functions or symbols), cycles and shared references kept.
  const ERRORS = { Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError };
  function structuredClone(value) {
    const copies = new Map();
    const uncloneable = (v) => new DOMException(
      `${typeof v === 'object' ? `#<${constructorName(v) || 'Object'}>` : String(v)} could not be cloned.`, 'DataCloneError');
    const copy = (v) => {
      if (typeof v === 'function' || typeof v === 'symbol') throw uncloneable(v);
      if (v === null || typeof v !== 'object') return v;
      if (copies.has(v)) return copies.get(v);
      const keep = (c) => (copies.set(v, c), c);
      const fill = (target, source) => {
        for (const key of Object.keys(source)) target[key] = copy(source[key]);
        return target;
      };
      if (Array.isArray(v)) return fill(keep(new Array(v.length)), v);
      if (v instanceof Date) return keep(new Date(v.getTime()));
      if (v instanceof RegExp) return keep(new RegExp(v.source, v.flags));
      if (v instanceof Map) {
        const map = keep(new Map());
        for (const [k, x] of v) map.set(copy(k), copy(x));
        return map;
      }
      if (v instanceof Set) {
        const set = keep(new Set());
        for (const x of v) set.add(copy(x));
        return set;
      }
      if (v instanceof ArrayBuffer) return keep(v.slice(0));
      if (v instanceof DataView) return keep(new DataView(copy(v.buffer), v.byteOffset, v.byteLength));
      if (ArrayBuffer.isView(v)) {
        // The built-in constructor (a Buffer comes back as a Uint8Array).
        const View = g[Object.prototype.toString.call(v).slice(8, -1)];
        return keep(new View(copy(v.buffer), v.byteOffset, v.length));
      }
      for (const Box of [Boolean, Number, String, BigInt]) {
        if (Object.prototype.toString.call(v) === `[object ${Box.name}]`) return keep(Object(Box.prototype.valueOf.call(v)));
      }
      if (v instanceof Error) {
        const Type = Object.prototype.hasOwnProperty.call(ERRORS, v.name) ? ERRORS[v.name] : Error;
        const error = keep(new Type(v.message));
        if (typeof v.stack === 'string') error.stack = v.stack;
        return error;
      }
      if (v instanceof Promise || v instanceof WeakMap || v instanceof WeakSet || v instanceof WeakRef) {
        throw uncloneable(v);
      }
      return fill(keep({}), v);
    };
    return copy(value);
  }
  Object.assign(g, { Buffer, TextEncoder, TextDecoder, DOMException, structuredClone, atob, btoa });

  // ---- Clocks. The snapshot was taken long before a run starts, so the
  // host restarts them (with Math.random) at the start of every run.
  const monotonicNow = typeof g.performance?.now === 'function' ? g.performance.now.bind(g.performance) : Date.now;
  let startedAt = 0, monotonicOrigin = 0;
  const performanceNow = () => monotonicNow() - monotonicOrigin;
  g.performance = { now: performanceNow, get timeOrigin() { return startedAt; } };
  host.start = (a, b, c, d) => {
    reseed(a, b, c, d);
    startedAt = Date.now();
    monotonicOrigin = monotonicNow();
  };

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

  // Standard input, either all of it at once (fs.readFileSync), kept as
  // bytes and decoded (as UTF-8) once; or a chunk at a time as it comes
  // (stdin events, readline), as an interactive problem's judge writes it.
  let inputBytes = null, inputText = null, inputEnded = false;
  const stdinBytes = () => {
    if (inputBytes === null) {
      inputBytes = inputEnded ? new Uint8Array(0) : new Uint8Array(host.readStdin());
      inputEnded = true;
    }
    return inputBytes;
  };
  // The next chunk of bytes, or null at the end.
  const readChunk = () => {
    if (inputEnded) return null;
    const chunk = new Uint8Array(host.readChunk());
    if (chunk.length === 0) inputEnded = true;
    return chunk.length ? chunk : null;
  };
  // The next chunk as text, a character cut between chunks kept for the
  // next; null at the end.
  let carried = new Uint8Array(0);
  const readText = () => {
    const chunk = readChunk();
    if (chunk === null) {
      if (!carried.length) return null;
      const rest = carried;
      carried = new Uint8Array(0);
      return utf8Text(rest);
    }
    const bytes = carried.length ? concatBytes(carried, chunk) : chunk;
    const whole = wholeCharacters(bytes);
    carried = bytes.slice(whole);
    return utf8Text(bytes.subarray(0, whole));
  };
  const concatBytes = (a, b) => {
    const both = new Uint8Array(a.length + b.length);
    both.set(a);
    both.set(b, a.length);
    return both;
  };
  // How many of `bytes` end on a whole UTF-8 character.
  const wholeCharacters = (bytes) => {
    let lead = bytes.length - 1;
    while (lead >= 0 && bytes.length - lead < 4 && (bytes[lead] & 0xc0) === 0x80) lead--;
    if (lead < 0) return bytes.length;
    const b = bytes[lead];
    const size = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return bytes.length - lead < size ? lead : bytes.length;
  };
  const stdinText = () => (inputText ??= utf8Text(stdinBytes()));
  // A copy each time, so a program changing one cannot change the next read.
  const stdinAs = (encoding) => {
    if (encoding === 'utf8') return stdinText();
    const buffer = Buffer.from(stdinBytes());
    return encoding ? buffer.toString(encoding) : buffer;
  };

  // ---- The event loop, turned by the host's run loop through nextTask:
  // one callback per call, promise jobs run in between. Like Node's loop, a
  // turn runs the timers that are due, then I/O callbacks (stdin events, fs
  // callbacks), then immediates. When a whole turn found nothing to do and
  // timers are left, the host sleeps until the first is due: timers take
  // real time but no CPU.
  const tasks = [];
  const immediates = [];
  let ready = [], readyAt = 0;
  const TIMERS = 0, IO = 1, IMMEDIATES = 2;
  let phase = TIMERS, idleTurn = true;
  host.nextTask = function nextTask() {
    while (readyAt === ready.length) {
      ready = [];
      readyAt = 0;
      if (!nextPhase()) return false;
    }
    const task = ready[readyAt];
    ready[readyAt++] = undefined;
    task();
    return true;
  };
  // Fills `ready` with the next phase's callbacks; false once nothing is left.
  function nextPhase() {
    for (;;) {
      if (phase === TIMERS && timerQueue.length) {
        const now = performanceNow();
        while (timerQueue.length && timerQueue[0].at <= now) {
          const entry = popTimer();
          ready.push(() => { if (entry.timer._live(entry)) entry.timer._fire(); });
        }
      } else if (phase === IO) {
        ready.push(...tasks.splice(0));
      } else {
        ready.push(...immediates.splice(0).map((immediate) => () => immediate._fire()));
      }
      phase = (phase + 1) % 3;
      if (ready.length) {
        idleTurn = false;
        return true;
      }
      if (phase !== TIMERS) continue;
      if (!idleTurn) {
        idleTurn = true;
        continue;
      }
      while (timerQueue.length && !timerQueue[0].timer._live(timerQueue[0])) popTimer();
      if (timerQueue.length === 0 || refedTimers === 0) return false;
      host.sleep(timerQueue[0].at - performanceNow());
    }
  }

  // Pending timers: a binary heap on (deadline, creation order). Cleared and
  // rescheduled timers leave stale entries behind, skipped when popped.
  const timerQueue = [];
  const earlier = (a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq);
  function pushTimer(entry) {
    let i = timerQueue.push(entry) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(timerQueue[i], timerQueue[parent])) break;
      [timerQueue[i], timerQueue[parent]] = [timerQueue[parent], timerQueue[i]];
      i = parent;
    }
  }
  function popTimer() {
    const top = timerQueue[0];
    const last = timerQueue.pop();
    if (timerQueue.length) {
      timerQueue[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1;
        let least = i;
        if (l < timerQueue.length && earlier(timerQueue[l], timerQueue[least])) least = l;
        if (r < timerQueue.length && earlier(timerQueue[r], timerQueue[least])) least = r;
        if (least === i) break;
        [timerQueue[i], timerQueue[least]] = [timerQueue[least], timerQueue[i]];
        i = least;
      }
    }
    return top;
  }

  let timerSeq = 0, timerIds = 0, refedTimers = 0;
  const activeTimers = new Map();
  const checkCallback = (fn) => {
    if (typeof fn !== 'function') {
      throw nodeError(TypeError, 'ERR_INVALID_ARG_TYPE', `The "callback" argument must be of type function. ${describe(fn)}`);
    }
  };
  // What setTimeout and setInterval return, as in Node.
  class Timeout {
    #fn; #args; #delay; #repeat; #seq = -1; #refed = true; #id = ++timerIds;
    constructor(fn, ms, args, repeat) {
      checkCallback(fn);
      const delay = Number(ms);
      // Node's rule: anything outside 1 ms to 2^31-1 ms is 1 ms.
      this.#delay = delay >= 1 && delay <= 2147483647 ? delay : 1;
      this.#fn = fn;
      this.#args = args;
      this.#repeat = repeat;
      this.#schedule();
    }
    #schedule() {
      if (this.#seq < 0 && this.#refed) refedTimers++;
      this.#seq = timerSeq++;
      activeTimers.set(this.#id, this);
      pushTimer({ at: performanceNow() + this.#delay, seq: this.#seq, timer: this });
    }
    _live(entry) { return entry.seq === this.#seq; }
    _fire() {
      if (!this.#repeat) this.close();
      this.#fn.apply(this, this.#args);
      if (this.#repeat && this.#seq >= 0) this.#schedule();
    }
    close() {
      if (this.#seq >= 0 && this.#refed) refedTimers--;
      this.#seq = -1;
      activeTimers.delete(this.#id);
      return this;
    }
    refresh() {
      if (this.#seq >= 0) this.#schedule();
      return this;
    }
    ref() {
      if (!this.#refed && this.#seq >= 0) refedTimers++;
      this.#refed = true;
      return this;
    }
    unref() {
      if (this.#refed && this.#seq >= 0) refedTimers--;
      this.#refed = false;
      return this;
    }
    hasRef() { return this.#refed; }
    [Symbol.toPrimitive]() { return this.#id; }
  }
  class Immediate {
    #fn; #args; #pending = true;
    constructor(fn, args) {
      checkCallback(fn);
      this.#fn = fn;
      this.#args = args;
      immediates.push(this);
    }
    _fire() {
      if (!this.#pending) return;
      this.#pending = false;
      this.#fn.apply(this, this.#args);
    }
    _clear() { this.#pending = false; }
    ref() { return this; }
    unref() { return this; }
    hasRef() { return true; }
  }
  function clearTimer(timer) {
    if (timer instanceof Immediate) timer._clear();
    else if (timer instanceof Timeout) timer.close();
    else if (typeof timer === 'number' || typeof timer === 'string') activeTimers.get(Number(timer))?.close();
  }
  g.setTimeout = (fn, ms, ...args) => new Timeout(fn, ms, args, false);
  g.setInterval = (fn, ms, ...args) => new Timeout(fn, ms, args, true);
  g.setImmediate = (fn, ...args) => new Immediate(fn, args);
  g.clearTimeout = g.clearInterval = g.clearImmediate = clearTimer;
  if (typeof g.queueMicrotask !== 'function') {
    g.queueMicrotask = (fn) => { Promise.resolve().then(fn); };
  }
  const timers = {
    setTimeout: g.setTimeout, setInterval: g.setInterval, setImmediate: g.setImmediate,
    clearTimeout: clearTimer, clearInterval: clearTimer, clearImmediate: clearTimer,
  };
  const timersPromises = {
    setTimeout: (ms, value) => new Promise((resolve) => setTimeout(resolve, ms, value)),
    setImmediate: (value) => new Promise((resolve) => setImmediate(resolve, value)),
    scheduler: { wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
  };

  const stdin = new EventEmitter();
  // `unread`: the chunk a 'readable' event announces, for read() to take.
  let stdinFlowing = false, stdinEncoding = null, stdinRead = false, unread = null;
  stdin._listening = (name) => {
    if ((name === 'data' || name === 'end' || name === 'readable') && !stdinFlowing) {
      stdinFlowing = true;
      // A chunk per task, as it comes.
      const pump = () => {
        const chunk = stdinEncoding === 'utf8' ? readText() : readChunk();
        if (chunk === null) {
          stdin.emit('end');
          stdin.emit('close');
          return;
        }
        const buffer = stdinEncoding === 'utf8' ? chunk : Buffer.from(chunk);
        const data = stdinEncoding && stdinEncoding !== 'utf8' ? buffer.toString(stdinEncoding) : buffer;
        stdin.emit('data', data);
        unread = data;
        stdin.emit('readable');
        unread = null;
        tasks.push(pump);
      };
      tasks.push(pump);
    }
  };
  // Chunks are Buffers, or strings once an encoding is set.
  stdin.setEncoding = function (encoding) { stdinEncoding = encodingOf(encoding); return this; };
  stdin.resume = function () { return this; };
  stdin.pause = function () { return this; };
  stdin.read = () => {
    if (stdinFlowing) {
      const data = unread;
      unread = null;
      return data;
    }
    if (stdinRead || stdinBytes().length === 0) return null;
    stdinRead = true;
    return stdinAs(stdinEncoding);
  };
  stdin.fd = 0;
  stdin.isTTY = false;
  stdin[Symbol.asyncIterator] = async function* () {
    for (let chunk; (chunk = stdinEncoding === 'utf8' ? readText() : readChunk()) !== null;) {
      yield stdinEncoding === 'utf8' ? chunk : Buffer.from(chunk);
    }
  };

  function writer(fd) {
    return {
      fd,
      isTTY: false,
      write(chunk, encoding, callback) {
        host.write(fd, typeof chunk === 'string' ? chunk : ArrayBuffer.isView(chunk) ? utf8Text(bytesOf(chunk)) : String(chunk));
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

  // ---- Built-in modules.
  function noSuchFile(path, syscall = 'open') {
    const e = new Error(`ENOENT: no such file or directory, ${syscall} '${path}'`);
    Object.assign(e, { errno: -2, code: 'ENOENT', syscall, path: String(path) });
    return e;
  }
  const isStdin = (p) => p === 0 || p === '/dev/stdin' || p === 'stdin';
  const fs = {
    // A Buffer, or a string when an encoding is given.
    readFileSync(path, options) {
      if (!isStdin(path)) throw noSuchFile(path);
      const encoding = typeof options === 'string' ? options : options?.encoding;
      return stdinAs(encoding == null ? null : encodingOf(encoding));
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
      try { result = fs.readFileSync(path, typeof options === 'function' ? undefined : options); } catch (e) { error = e; }
      tasks.push(() => cb(error, result));
    },
  };
  fs.promises = { readFile: async (path, options) => fs.readFileSync(path, options) };

  // Lines as they come: a line is emitted as soon as its end is read.
  class Interface extends EventEmitter {
    constructor() {
      super();
      this.closed = false;
      this._iterating = false;
      this._pending = [];
      this._partial = '';
      const step = () => {
        if (this.closed || this._iterating) return;
        if (this._pending.length || this._fill()) {
          if (this._pending.length) this.emit('line', this._pending.shift());
          tasks.push(step);
        } else this.close();
      };
      tasks.push(step);
    }
    // Reads another chunk into the pending lines; false at the end of the
    // input with nothing left.
    _fill() {
      const text = readText();
      if (text === null) {
        if (this._partial === '') return false;
        this._pending.push(this._partial.replace(/\r$/, ''));
        this._partial = '';
        return true;
      }
      const parts = (this._partial + text).split('\n');
      this._partial = parts.pop();
      for (const line of parts) this._pending.push(line.replace(/\r$/, ''));
      return true;
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
      return (async function* (rl) {
        while (rl._pending.length || rl._fill()) {
          if (rl._pending.length) yield rl._pending.shift();
        }
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
    TextEncoder,
    TextDecoder,
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

  // Decodes chunks whole: stdin comes as one chunk.
  class StringDecoder {
    constructor(encoding) { this.encoding = encodingOf(encoding); }
    write(chunk) { return typeof chunk === 'string' ? chunk : decode(bytesOf(chunk, 'buf'), this.encoding); }
    end(chunk) { return chunk === undefined ? '' : this.write(chunk); }
  }

  const modules = {
    fs, readline, util, assert, os, process: processObject, timers,
    buffer: { Buffer, atob, btoa, kMaxLength, constants: { MAX_LENGTH: kMaxLength }, INSPECT_MAX_BYTES },
    string_decoder: { StringDecoder },
    'timers/promises': timersPromises,
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
