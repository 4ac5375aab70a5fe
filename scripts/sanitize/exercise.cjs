'use strict';
/**
 * Exercises every entry point of the native addon for the memory checkers (scripts/sanitize/run.mjs):
 * open() failures of every kind, SG_IO on descriptors that are not sg nodes (/dev/null, /dev/zero,
 * a loop block device), argument abuse of every parameter, transfer sizes from 0 to 16 MiB,
 * edcEccVerify on good and corrupted sectors (checked against the TypeScript loop), concurrency,
 * close() with commands in flight, and worker threads that load the addon and are terminated
 * mid-operation. It checks results as it goes and, at the end, that no descriptor leaked.
 *
 *   node scripts/sanitize/exercise.cjs <addon.node> [--rounds n] [--light]
 *
 * The addon should be a test build (DISCRESCUE_TESTING: openUnchecked); a release build exercises
 * open() and edcEccVerify only. --light runs fewer rounds (valgrind is ~50× slower).
 * Exit 0 when every check passed; 1 with the failed checks on stderr.
 */

const { readdirSync, readlinkSync, writeFileSync, mkdtempSync, rmSync, accessSync, constants } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');

// ---- worker side: load the addon in a worker and keep it busy until told to stop or terminated ----

if (!isMainThread) {
  const addon = require(workerData.addonPath);
  const cdb = Uint8Array.of(0x12, 0, 0, 0, 96, 0);
  let stop = false;
  parentPort.on('message', (message) => {
    if (message === 'stop') stop = true;
  });
  // The port alone must not keep the worker alive once its work is done.
  parentPort.unref();
  (async () => {
    let operations = 0;
    while (!stop && operations < workerData.maxOperations) {
      const pending = [addon.open('/dev/null').catch((e) => e.code), addon.open('/nonexistent/sr0').catch((e) => e.code)];
      if (typeof addon.openUnchecked === 'function') {
        const device = await addon.openUnchecked('/dev/null');
        pending.push(device.execute(cdb, 'in', 4096, 1000).catch((e) => e.code));
        pending.push(device.execute(cdb, 'out', new Uint8Array(512), 1000).catch((e) => e.code));
        // Closed with both commands in flight: they complete on their duplicates.
        device.close();
      }
      const sector = new Uint8Array(2352 * 2);
      const out = new Uint16Array(2);
      addon.edcEccVerify(sector, 2, 0, 0, out);
      await Promise.all(pending);
      operations++;
      if (workerData.postEvery && operations % workerData.postEvery === 0) parentPort.postMessage({ operations });
    }
    parentPort.postMessage({ done: operations });
  })().catch((error) => parentPort.postMessage({ crashed: String(error && error.stack ? error.stack : error) }));
  return;
}

// ---- main thread ----

const args = process.argv.slice(2);
const addonPath = args[0] ? resolve(args[0]) : undefined;
if (!addonPath) {
  process.stderr.write('usage: exercise.cjs <addon.node> [--rounds n] [--light]\n');
  process.exit(2);
}
const light = args.includes('--light');
const roundsAt = args.indexOf('--rounds');
const ROUNDS = roundsAt >= 0 ? Number(args[roundsAt + 1]) : light ? 2 : 20;

const addon = require(addonPath);
const testing = typeof addon.openUnchecked === 'function';
const failures = [];
const trace = process.env.EXERCISE_TRACE ? (what) => process.stderr.write(`[${new Date().toISOString().slice(11, 23)}] ${what} (${openDescriptors().filter((d) => /dev.(null|zero|full|loop)/u.test(d)).join(' ')})\n`) : () => {};
const counts = { checks: 0, calls: 0 };

function check(condition, what) {
  counts.checks++;
  if (!condition) failures.push(what);
}

/** fn must throw synchronously a TypeError or RangeError (or, with `kind`, that class). */
function expectThrow(fn, what, kind) {
  counts.calls++;
  let thrown;
  try {
    const result = fn();
    if (result && typeof result.then === 'function') result.then(() => {}, () => {});
  } catch (error) {
    thrown = error;
  }
  const ok = thrown !== undefined && (kind ? thrown instanceof kind : thrown instanceof TypeError || thrown instanceof RangeError);
  check(ok, `${what}: expected a synchronous ${kind ? kind.name : 'TypeError/RangeError'}, got ${thrown === undefined ? 'no throw' : String(thrown)}`);
}

/** The promise must reject with this code. */
async function expectReject(promise, code, what) {
  counts.calls++;
  try {
    await promise;
    check(false, `${what}: resolved, expected ${code}`);
  } catch (error) {
    check(error && error.code === code, `${what}: expected ${code}, got ${error && error.code} (${error && error.message})`);
  }
}

/** Open descriptors as "fd -> target", leaving out anon inodes (epoll, eventfd: node's own). */
function openDescriptors() {
  const out = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (!target.startsWith('anon_inode:')) out.push(`${fd} -> ${target}`);
    } catch {
      // Closed meanwhile (the readdir descriptor itself).
    }
  }
  return out;
}

const garbage = [undefined, null, 0, -1, 1.5, NaN, Infinity, -Infinity, 2 ** 53, 2 ** 64, '', 'x', true, {}, [], () => {}, Symbol('s'), 10n,
  new Uint16Array(6), new Int8Array(6), new Uint8ClampedArray(6), new ArrayBuffer(6), new DataView(new ArrayBuffer(6)), new Float64Array(2)];

async function exerciseOpen(open, name) {
  const temp = mkdtempSync(join(tmpdir(), 'discrescue-sanitize-'));
  const regular = join(temp, 'regular.bin');
  writeFileSync(regular, new Uint8Array(4096));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      await expectReject(open('/nonexistent/sr0'), 'ENOENT', `${name}: missing path`);
      await expectReject(open(regular), 'ENOTTY', `${name}: a regular file`);
      await expectReject(open(temp), 'ENOTTY', `${name}: a directory`);
      await expectReject(open(`${regular}/below`), 'ENOTDIR', `${name}: a path through a file`);
      await expectReject(open('/' + 'a'.repeat(5000)), 'ENAMETOOLONG', `${name}: a 5000-byte path`);
      await expectReject(open(join(temp, 'x'.repeat(300))), 'ENAMETOOLONG', `${name}: a 300-byte name`);
      if (name === 'open') await expectReject(open('/dev/null', { writable: true, exclusive: true }), 'ENOTTY', 'open: /dev/null is no SCSI device');
      else (await open('/dev/null', { writable: true, exclusive: true })).close();
      for (const path of garbage.filter((v) => typeof v !== 'string')) expectThrow(() => open(path), `${name}(${typeof path})`);
      expectThrow(() => open(''), `${name}('')`);
      expectThrow(() => open('/dev/null\0/etc/passwd'), `${name}(path with NUL)`);
      expectThrow(() => open('\u{1F4BF}\0'), `${name}(non-ASCII with NUL)`);
      for (const options of [0, 'x', true, [], () => {}, Symbol('o'), 5n]) expectThrow(() => open('/dev/null', options), `${name}(options ${typeof options})`);
      for (const exclusive of [0, 1, 'true', null, {}, []]) expectThrow(() => open('/dev/null', { exclusive }), `${name}(exclusive ${String(exclusive)})`);
      for (const writable of [0, 1, 'true', 'yes', null, {}, []]) expectThrow(() => open('/dev/null', { writable }), `${name}(writable ${String(writable)})`);
      const throwing = Object.defineProperty({}, 'exclusive', { get() { throw new Error('getter'); } });
      counts.calls++;
      try {
        open('/dev/null', throwing);
        check(false, `${name}: an options getter that throws`);
      } catch (error) {
        check(error.message === 'getter', `${name}: the getter's error comes through, got ${String(error)}`);
      }
      // Non-ASCII paths go through UTF-8 conversion.
      await expectReject(open(join(temp, 'disc-\u00e9\u{1F4BF}')), 'ENOENT', `${name}: a non-ASCII path`);
    }
    // A burst of concurrent opens on the thread pool.
    const burst = await Promise.allSettled(Array.from({ length: 64 * ROUNDS }, (_, i) => open(['/dev/null', '/nonexistent', regular, temp][i % 4])));
    const expected = (i) => (name === 'open' || i % 4 !== 0 ? 'rejected' : 'fulfilled');
    check(burst.every((r, i) => r.status === expected(i)), `${name}: concurrent opens`);
    for (const r of burst) if (r.status === 'fulfilled') r.value.close();
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

async function exerciseDevice(path, expectedKind) {
  const inquiry = Uint8Array.of(0x12, 0, 0, 0, 96, 0);
  for (let round = 0; round < ROUNDS; round++) {
    const device = await addon.openUnchecked(path, { writable: round % 2 === 0 ? 'auto' : false, exclusive: round % 3 === 0 });
    check(device.path === path && device.kind === expectedKind && device.closed === false, `${path}: properties`);
    check(device.maxTransferBytes === 65536, `${path}: maxTransferBytes ${device.maxTransferBytes}`);
    check(typeof device.writable === 'boolean' && typeof device.exclusive === 'boolean', `${path}: flags`);
    // SG_IO on a node that does not speak it: the ioctl fails (ENOTTY, or EINVAL on some drivers).
    const sizes = [0, 1, 18, 96, 2352, 4096, 65536, 1 << 20, 16 * 1024 * 1024];
    for (const size of round < 1 ? sizes : [0, 96, 65536]) {
      for (const [direction, data] of [['in', size], ['out', new Uint8Array(size)]]) {
        counts.calls++;
        try {
          await device.execute(inquiry, direction, data, 1000);
          check(false, `${path}: SG_IO ${direction} ${size} resolved`);
        } catch (error) {
          check(error.syscall === 'ioctl' && ['ENOTTY', 'EINVAL'].includes(error.code), `${path}: SG_IO ${direction} ${size}: ${error.code} ${error.message}`);
        }
      }
    }
    await device.execute(new Uint8Array(16), 'none', undefined, 1).catch((e) => check(e.syscall === 'ioctl', `${path}: 16-byte CDB`));
    await device.execute(Uint8Array.of(0, 0, 0, 0, 0, 0), 'none', null, 2 ** 31 - 1).catch((e) => check(e.syscall === 'ioctl', `${path}: longest timeout`));
    // A CDB and data that are views into larger buffers, at odd offsets.
    const big = new Uint8Array(4099);
    await device.execute(big.subarray(3, 15), 'out', big.subarray(7, 4099), 10).catch((e) => check(e.syscall === 'ioctl', `${path}: views`));
    // A CDB on a SharedArrayBuffer, changed by nobody, and a Buffer.
    const shared = new Uint8Array(new SharedArrayBuffer(10));
    await device.execute(shared, 'in', 8, 10).catch((e) => check(e.syscall === 'ioctl', `${path}: shared CDB`));
    await device.execute(Buffer.alloc(12), 'out', Buffer.alloc(3), 10).catch((e) => check(e.syscall === 'ioctl', `${path}: Buffers`));

    // Argument abuse, every parameter.
    const cdb = new Uint8Array(6);
    for (const value of garbage) {
      if (!(value instanceof Uint8Array)) expectThrow(() => device.execute(value, 'none', undefined, 1000), `execute(cdb ${typeof value})`);
      if (typeof value !== 'string') expectThrow(() => device.execute(cdb, value, undefined, 1000), `execute(direction ${String(typeof value)})`);
      if (!Number.isInteger(value) || value < 0 || value > 16 * 1024 * 1024) {
        if (value !== undefined && value !== null) expectThrow(() => device.execute(cdb, 'in', value, 1000), `execute(dataLength ${String(typeof value)})`);
      }
      if (!(value instanceof Uint8Array)) expectThrow(() => device.execute(cdb, 'out', value, 1000), `execute(data ${typeof value})`);
      if (!Number.isInteger(value) || value < 1 || value > 2 ** 31 - 1) expectThrow(() => device.execute(cdb, 'none', undefined, value), `execute(timeout ${String(typeof value)})`);
    }
    for (const length of [0, 1, 5, 17, 32, 260]) expectThrow(() => device.execute(new Uint8Array(length), 'none', undefined, 1000), `execute(cdb of ${length})`, RangeError);
    for (const length of [-1, 0.5, 16 * 1024 * 1024 + 1, 2 ** 32, 2 ** 53]) expectThrow(() => device.execute(cdb, 'in', length, 1000), `execute(dataLength ${length})`, RangeError);
    for (const timeout of [0, -1, 0.5, 2 ** 31, 2 ** 32 + 1]) expectThrow(() => device.execute(cdb, 'none', undefined, timeout), `execute(timeout ${timeout})`, RangeError);
    expectThrow(() => device.execute(cdb, 'in', undefined, 1000), 'execute(in without a length)', TypeError);
    expectThrow(() => device.execute(cdb, 'none', new Uint8Array(1), 1000), 'execute(none with data)', TypeError);
    expectThrow(() => device.execute(cdb, 'out', new Uint8Array(16 * 1024 * 1024 + 1), 1000), 'execute(17 MiB out)', RangeError);
    expectThrow(() => device.execute(), 'execute()');
    expectThrow(() => device.execute(cdb), 'execute(cdb)');
    expectThrow(() => device.execute(cdb, 'IN', 1, 1000), "execute(direction 'IN')");
    expectThrow(() => device.execute(cdb, 'in\0', 1, 1000), 'execute(direction with NUL)');
    // A detached buffer has length 0: a CDB of 0 bytes.
    const detached = new Uint8Array(6);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    expectThrow(() => device.execute(detached, 'none', undefined, 1000), 'execute(detached cdb)', RangeError);
    const detachedData = new Uint8Array(64);
    structuredClone(detachedData.buffer, { transfer: [detachedData.buffer] });
    await device.execute(cdb, 'out', detachedData, 1000).catch((e) => check(e.syscall === 'ioctl', `${path}: detached data`));

    // Many commands at once, then close with them in flight.
    const inFlight = Array.from({ length: 32 }, (_, i) => device.execute(inquiry, i % 2 ? 'in' : 'out', i % 2 ? 65536 : new Uint8Array(2048), 1000).then(() => 'ok', (e) => e.code));
    device.close();
    device.close();
    const codes = await Promise.all(inFlight);
    check(codes.every((code) => code === 'ENOTTY' || code === 'EINVAL'), `${path}: commands in flight at close: ${[...new Set(codes)].join(',')}`);
    check(device.closed === true && device.path === path, `${path}: closed`);
    for (const name of ['writable', 'exclusive', 'maxTransferBytes', 'kind']) {
      counts.calls++;
      try {
        void device[name];
        check(false, `${path}: ${name} after close`);
      } catch (error) {
        check(error.code === 'ERR_TRANSPORT_CLOSED', `${path}: ${name} after close: ${error.code}`);
      }
    }
    counts.calls++;
    try {
      device.execute(inquiry, 'in', 96, 1000);
      check(false, `${path}: execute after close`);
    } catch (error) {
      check(error.code === 'ERR_TRANSPORT_CLOSED', `${path}: execute after close: ${error.code}`);
    }
  }
}

/** Devices dropped without close(): their finalizers close the descriptors after a collection. */
async function exerciseDropped() {
  const count = () => openDescriptors().filter((entry) => entry.endsWith('-> /dev/zero')).length;
  const already = count();
  for (let i = 0; i < 8 * ROUNDS; i++) await addon.openUnchecked('/dev/zero');
  check(count() === already + 8 * ROUNDS, `dropped devices: ${count() - already} of ${8 * ROUNDS} open before a collection`);
  let rounds = 0;
  while (count() > already && rounds < 100) {
    globalThis.gc?.();
    await new Promise((r) => setTimeout(r, 20));
    rounds++;
  }
  check(count() === already, `dropped devices: ${count() - already} of ${8 * ROUNDS} still open after ${rounds} collections`);
}

function exerciseDeviceClass() {
  const { Device } = addon;
  expectThrow(() => new Device(), 'new Device()', TypeError);
  expectThrow(() => new Device({ fd: 0 }), 'new Device({fd})', TypeError);
  expectThrow(() => new Device(1, 2, 3), 'new Device(1, 2, 3)', TypeError);
  expectThrow(() => Device(), 'Device()', TypeError);
  class Sub extends Device {}
  expectThrow(() => new Sub(), 'new Sub()', TypeError);
  const proto = Device.prototype;
  for (const receiver of [{}, Object.create(proto), 7, null]) {
    counts.calls += 2;
    try {
      proto.execute.call(receiver, new Uint8Array(6), 'none', undefined, 1000);
      check(false, 'execute on a foreign receiver');
    } catch {
      // Expected.
    }
    try {
      proto.close.call(receiver);
      check(false, 'close on a foreign receiver');
    } catch {
      // Expected.
    }
    for (const name of ['path', 'writable', 'exclusive', 'maxTransferBytes', 'closed', 'kind']) {
      counts.calls++;
      try {
        Object.getOwnPropertyDescriptor(proto, name).get.call(receiver);
        check(false, `getter ${name} on a foreign receiver`);
      } catch {
        // Expected.
      }
    }
  }
}

async function exerciseEdcEcc() {
  const cd = await import(pathToFileURL(join(__dirname, '..', '..', 'dist', 'cd', 'index.js')).href);
  const { verifyRawSectorsTs } = await import(pathToFileURL(join(__dirname, '..', '..', 'dist', 'cd', 'verify-raw.js')).href);
  const SECTOR = 2352;
  const count = 48;
  const firstLba = 1000;
  const data = new Uint8Array(count * SECTOR + 1);
  const user = (lba, size) => Uint8Array.from({ length: size }, (_, i) => (i * 31 + lba * 7) & 0xff);
  for (let i = 0; i < count; i++) {
    const lba = firstLba + i;
    const out = data.subarray(i * SECTOR, (i + 1) * SECTOR);
    switch (i % 4) {
      case 0: cd.buildMode1Sector(lba, user(lba, 2048), out); break;
      case 1: cd.buildMode2Form1Sector(lba, Uint8Array.of(0, 0, 0x08, 0), user(lba, 2048), out); break;
      case 2: cd.buildMode2Form2Sector(lba, Uint8Array.of(0, 0, 0x20, 0), user(lba, 2324), { out }); break;
      default: cd.buildMode2Form2Sector(lba, Uint8Array.of(0, 0, 0x20, 0), user(lba, 2324), { out, edc: false }); break;
    }
  }
  const both = (bytes, n, lba, mode) => {
    const native = new Uint16Array(n);
    const ts = new Uint16Array(n);
    addon.edcEccVerify(bytes, n, lba, mode, native);
    verifyRawSectorsTs(bytes, n, lba, mode, ts);
    return { native, ts };
  };
  const good = both(data.subarray(0, count * SECTOR), count, firstLba, 0);
  check(good.native.every((code, i) => (code & 0xff) === 0), `edcEccVerify: good sectors report no problem: ${[...good.native].map((c) => c.toString(16))}`);
  check(good.native.every((code, i) => code === good.ts[i]), 'edcEccVerify: native = TypeScript on good sectors');
  // Corrupt bytes in every region (sync, header, subheader, user data, EDC, zero field, P, Q), at random.
  let state = 0x2545f491;
  const random = () => ((state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
  const rounds = ROUNDS * 20;
  let mismatches = 0;
  for (let round = 0; round < rounds; round++) {
    const copy = data.slice(0, count * SECTOR);
    const hits = 1 + Math.floor(random() * 8);
    for (let h = 0; h < hits; h++) copy[Math.floor(random() * copy.length)] ^= 1 + Math.floor(random() * 255);
    if (round % 7 === 0) copy.fill(0, 0, SECTOR); // an unread sector
    const mode = round % 3;
    const result = both(copy, count, firstLba + (round % 5 === 0 ? 1 : 0), mode);
    if (!result.native.every((code, i) => code === result.ts[i])) mismatches++;
  }
  check(mismatches === 0, `edcEccVerify: native = TypeScript on ${rounds} corrupted batches (${mismatches} differ)`);
  // An odd byteOffset, LBAs at the ends of the range, count 0, every mode.
  const odd = data.subarray(1, 1 + 2 * SECTOR);
  // The ends of the int32 range: native only (the TypeScript checks keep firstLba + count in range).
  for (const lba of [-2147483648, 2147483647]) addon.edcEccVerify(odd, 2, lba, 0, new Uint16Array(2));
  for (const lba of [-2147483647 + 2, -45151, -45150, -151, -150, 0, 404849, 404850, 2147483647 - 2]) {
    for (const mode of [0, 1, 2]) {
      const result = both(odd, 2, lba, mode);
      check(result.native[0] === result.ts[0] && result.native[1] === result.ts[1], `edcEccVerify at LBA ${lba} mode ${mode}`);
    }
  }
  addon.edcEccVerify(new Uint8Array(0), 0, 0, 0, new Uint16Array(0));
  addon.edcEccVerify(data, 0, 0, 0, new Uint16Array(0));
  // A Uint16Array over the data itself: odd, but memory-safe.
  const aliased = data.slice(0, 2 * SECTOR);
  addon.edcEccVerify(aliased, 2, 0, 0, new Uint16Array(aliased.buffer, 0, 2));
  // Argument abuse.
  const out = new Uint16Array(count);
  const whole = data.subarray(0, count * SECTOR);
  for (const value of garbage) {
    if (!(value instanceof Uint8Array)) expectThrow(() => addon.edcEccVerify(value, 1, 0, 0, out), `edcEccVerify(data ${typeof value})`);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > count) expectThrow(() => addon.edcEccVerify(whole, value, 0, 0, out), `edcEccVerify(count ${String(typeof value)})`);
    if (typeof value !== 'number' || !Number.isInteger(value) || Math.abs(value) > 2 ** 31) expectThrow(() => addon.edcEccVerify(whole, 1, value, 0, out), `edcEccVerify(firstLba ${String(typeof value)})`);
    if (value !== 0) expectThrow(() => addon.edcEccVerify(whole, 1, 0, value, out), `edcEccVerify(mode ${String(typeof value)})`);
    if (!(value instanceof Uint16Array)) expectThrow(() => addon.edcEccVerify(whole, 1, 0, 0, value), `edcEccVerify(out ${typeof value})`);
  }
  expectThrow(() => addon.edcEccVerify(whole, count + 1, 0, 0, new Uint16Array(count + 1)), 'edcEccVerify(count past the data)', RangeError);
  expectThrow(() => addon.edcEccVerify(whole.subarray(0, SECTOR - 1), 1, 0, 0, out), 'edcEccVerify(a short sector)', RangeError);
  expectThrow(() => addon.edcEccVerify(whole, count, 0, 0, new Uint16Array(count - 1)), 'edcEccVerify(out too short)', RangeError);
  expectThrow(() => addon.edcEccVerify(whole, 1, 0, 3, out), 'edcEccVerify(mode 3)', RangeError);
  expectThrow(() => addon.edcEccVerify(whole, 1, 2 ** 31, 0, out), 'edcEccVerify(firstLba 2^31)', RangeError);
  expectThrow(() => addon.edcEccVerify(whole, 1, 0, 0, new Int16Array(1)), 'edcEccVerify(Int16Array out)', TypeError);
  const detached = new Uint8Array(SECTOR);
  structuredClone(detached.buffer, { transfer: [detached.buffer] });
  expectThrow(() => addon.edcEccVerify(detached, 1, 0, 0, out), 'edcEccVerify(detached data)', RangeError);
  addon.edcEccVerify(detached, 0, 0, 0, out);
  const detachedOut = new Uint16Array(4);
  structuredClone(detachedOut.buffer, { transfer: [detachedOut.buffer] });
  expectThrow(() => addon.edcEccVerify(whole, 1, 0, 0, detachedOut), 'edcEccVerify(detached out)', RangeError);
}

/** Workers that load the addon: some run to the end, some are terminated with operations in flight. */
async function exerciseWorkers() {
  const runOne = (terminateAfterMs) =>
    new Promise((resolveRun, reject) => {
      const worker = new Worker(__filename, { workerData: { addonPath, maxOperations: light ? 3 : 10, postEvery: 1 } });
      let report;
      worker.on('message', (message) => {
        if (message.crashed) reject(new Error(message.crashed));
        if (message.done !== undefined) report = message;
        if (message.operations === 1 && terminateAfterMs !== undefined) setTimeout(() => worker.terminate(), terminateAfterMs);
      });
      worker.on('error', reject);
      worker.on('exit', (code) => resolveRun({ code, report }));
    });
  const finished = await Promise.all([runOne(), runOne(), runOne()]);
  check(finished.every((r) => r.code === 0 && r.report && r.report.done > 0), `workers ran to the end: ${JSON.stringify(finished)}`);
  const terminated = await Promise.all([runOne(0), runOne(1), runOne(5), runOne(0)]);
  check(terminated.every((r) => r.code === 0 || r.code === 1), `terminated workers exit: ${JSON.stringify(terminated)}`);
  // And terminated before the first operation even finishes.
  const early = await Promise.all(Array.from({ length: 3 }, () => new Promise((resolveRun) => {
    const worker = new Worker(__filename, { workerData: { addonPath, maxOperations: 5 } });
    setTimeout(() => worker.terminate().then(resolveRun), 20);
  })));
  check(early.length === 3, 'workers terminated at start');
}

async function main() {
  const started = Date.now();
  // Node opens /dev/null when it first sets up a piped stdout/stderr: do that before counting.
  void process.stdout.fd;
  void process.stderr.fd;
  const before = openDescriptors();
  trace('open');
  await exerciseOpen(addon.open, 'open');
  trace('Device class');
  exerciseDeviceClass();
  if (testing) {
    trace('openUnchecked');
    await exerciseOpen(addon.openUnchecked, 'openUnchecked');
    for (const [path, kind] of light ? [['/dev/null', 'sg']] : [['/dev/null', 'sg'], ['/dev/zero', 'sg'], ['/dev/full', 'sg']]) {
      trace(`device ${path}`);
      await exerciseDevice(path, kind);
    }
    const loop = readdirSync('/dev').find((name) => /^loop\d+$/u.test(name));
    if (loop) {
      let readable = true;
      try {
        accessSync(`/dev/${loop}`, constants.R_OK);
      } catch {
        readable = false;
      }
      trace(`device /dev/${loop}`);
      if (readable) await exerciseDevice(`/dev/${loop}`, 'block');
    }
  }
  if (testing) {
    trace('dropped devices');
    await exerciseDropped();
  }
  trace('edcEccVerify');
  await exerciseEdcEcc();
  trace('workers');
  await exerciseWorkers();
  trace('done');
  // Dropped Devices are closed by their finalizers, which run some time after a collection.
  for (let i = 0; i < 10; i++) {
    globalThis.gc?.();
    await new Promise((r) => setTimeout(r, 20));
  }
  const after = openDescriptors();
  const leaked = after.filter((entry) => !before.includes(entry));
  check(leaked.length === 0, `descriptors left open: ${leaked.join(', ')}`);
  const summary = `${counts.checks} checks, ${counts.calls} abusive calls, ${ROUNDS} rounds, ${testing ? 'test build (Device methods too)' : 'release build (open, edcEccVerify)'}, ${Date.now() - started} ms`;
  if (failures.length > 0) {
    process.stderr.write(`exercise.cjs: ${failures.length} check(s) failed of ${summary}:\n${failures.slice(0, 50).map((f) => `  ${f}`).join('\n')}\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`exercise.cjs: all passed: ${summary}\n`);
  }
}

main().catch((error) => {
  process.stderr.write(`exercise.cjs: crashed: ${error && error.stack ? error.stack : error}\n`);
  process.exitCode = 1;
});
