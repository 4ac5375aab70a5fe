// Runs inside the QEMU guest (see scripts/kernel/run.mjs): the public API and the CLI against the
// real kernel's sr and sg drivers and an emulated optical drive. Two drives hold the same test
// disc: the clean one (lower SCSI address) and one whose backing fails reads of `badLbas`.
//
// Output, one line each, read by the host:
//   KT-RESULT ok - <name> [# note]      KT-RESULT not ok - <name> # <reason>
//   KT-NOTE <text>                      KT-LOG <text>   (diagnostics)
//   KT-RESULT not ok - <name> # TODO <known library issue>
//   KT-DONE <passed> <failed> <todo>

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  DeviceBusyError,
  Drive,
  IllegalRequestError,
  MediumError,
  ScsiError,
  TransportError,
  listDrives,
  openNativeTransport,
  scsi,
} from '../../dist/index.js';

const config = JSON.parse(readFileSync('/kt/config.json', 'utf8'));
const attachment = /(?:^|\s)kt\.attach=(\S+)/u.exec(readFileSync('/proc/cmdline', 'utf8'))?.[1] ?? 'unknown';
const iso = readFileSync('/kt/test.iso');
const sectorCount = iso.length / 2048;
const SECTOR = 2048;
const CLI = 'dist/cli/main.js';

/**
 * What each emulated drive answers where drives differ (QEMU 7.2). `readCd`/`readSubChannel`:
 * 'ok', a sense triple 'KK/AA/QQ' the drive refuses with, or 'host 0xNN' (host_status, no sense).
 */
const EXPECTED = {
  'scsi-cd': { product: 'QEMU CD-ROM', readCd: '05/20/00', readSubChannel: 'host 0x07', badSector: '03/11/00' },
  'ide-cd': { product: 'QEMU DVD-ROM', readCd: 'ok', readSubChannel: '05/20/00', badSector: '05/21/00' },
};
const expected = EXPECTED[attachment];

/**
 * Library defects this tier has found and that are not fixed yet. A failing test that matches one
 * (attachment, test name, failure message) is reported as `not ok … # TODO` and not counted as a
 * failure; once it passes, the report says so and the entry should go.
 */
/**
 * Library issues the real stack shows, matched on attachment, test name and failure message;
 * they print as TODO instead of failing. Empty: every issue found so far is fixed.
 */
const KNOWN_ISSUES = [];

function knownIssue(name, message) {
  return KNOWN_ISSUES.find(
    (k) => k.attachments.includes(attachment) && k.test.test(name) && (message === undefined || k.failure.test(message)),
  );
}

let passed = 0;
let failed = 0;
let todo = 0;
let clean = { path: '/dev/sr0', genericDevice: '/dev/sg0' };
let bad = { path: '/dev/sr1', genericDevice: '/dev/sg1' };

function emit(line) {
  process.stdout.write(`${line.replace(/\n/gu, ' | ')}\n`);
}

/** Diagnostics of the running test: printed only when it fails unexpectedly. */
let diagnostics = [];
function diagnose(text) {
  diagnostics.push(`KT-LOG   ${text}`);
}

async function test(name, fn) {
  const started = Date.now();
  diagnostics = [];
  try {
    const note = await fn();
    passed++;
    emit(`KT-RESULT ok - ${name} # ${Date.now() - started} ms${note ? `; ${note}` : ''}`);
    const stale = knownIssue(name);
    if (stale) emit(`KT-NOTE known issue no longer shows, remove it from KNOWN_ISSUES: ${stale.issue}`);
  } catch (error) {
    const known = knownIssue(name, error instanceof Error ? error.message : String(error));
    if (known) {
      todo++;
      emit(`KT-RESULT not ok - ${name} # TODO known library issue: ${known.issue}; here: ${describe(error)}`);
      return;
    }
    failed++;
    emit(`KT-RESULT not ok - ${name} # ${describe(error)}`);
    for (const line of diagnostics) emit(line);
    if (error?.stack) for (const line of error.stack.split('\n').slice(1, 6)) emit(`KT-LOG   ${line.trim()}`);
  }
}

function describe(error) {
  if (!(error instanceof Error)) return String(error);
  const facts = [];
  if (error.code) facts.push(error.code);
  if (error instanceof ScsiError && error.sense) facts.push(`sense ${senseTriple(error)}`);
  if (error.hostStatus !== undefined) facts.push(`host 0x${hex(error.hostStatus)}`);
  if (error.driverStatus !== undefined) facts.push(`driver 0x${hex(error.driverStatus)}`);
  return `${error.constructor.name}: ${error.message}${facts.length ? ` (${facts.join(', ')})` : ''}`;
}

function hex(n, width = 2) {
  return n.toString(16).toUpperCase().padStart(width, '0');
}

function senseTriple(error) {
  return `${hex(error.senseKey ?? 0)}/${hex(error.asc ?? 0)}/${hex(error.ascq ?? 0)}`;
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

function equalBytes(a, b) {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}

function isoSector(lba, count = 1) {
  return iso.subarray(lba * SECTOR, (lba + count) * SECTOR);
}

function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/** How a refusal looks: 'KK/AA/QQ' for sense, 'host 0xNN' for a host status, else the error. */
function refusalOf(error) {
  if (error instanceof ScsiError) return senseTriple(error);
  if (error instanceof TransportError && error.hostStatus) return `host 0x${hex(error.hostStatus)}`;
  throw error;
}

/** Runs the command; 'answered' or the refusal (ILLEGAL REQUEST only: anything else fails). */
async function answeredOrRefused(fn) {
  try {
    return { answer: await fn() };
  } catch (error) {
    if (error instanceof IllegalRequestError) return { refused: senseTriple(error) };
    throw error;
  }
}

function cli(args) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { ...r, ms: Date.now() - started };
}

function logOutput(r) {
  for (const line of `${r.stdout}\n${r.stderr}`.split('\n').filter(Boolean).slice(-20)) diagnose(line);
}

/** Parses a GNU ddrescue mapfile by itself (independent of the library's parser). */
function parseMapfileText(text) {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const blocks = lines.slice(1).map((line) => {
    const [pos, size, status] = line.split(/\s+/u);
    return { pos: Number(pos), size: Number(size), status };
  });
  return blocks;
}

function sortByAddress(drives) {
  const key = (d) => (d.scsiAddress ?? '9999:0:0:0').split(':').map(Number);
  return [...drives].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < 4; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
    return 0;
  });
}

async function withDrive(path, fn, options = {}) {
  const drive = await Drive.open(path, options);
  try {
    return await fn(drive);
  } finally {
    await drive.close();
  }
}

async function main() {
  emit(`KT-NOTE attachment ${attachment}, disc ${sectorCount} sectors, bad LBAs ${config.badLbas.join(',')}`);
  if (!expected) throw new Error(`unknown attachment "${attachment}"`);

  await test('discovery: listDrives finds both drives with sr and sg nodes, vendor QEMU', async () => {
    const drives = await listDrives();
    check(drives.length === config.drives, `expected ${config.drives} drives, got ${JSON.stringify(drives)}`);
    for (const d of drives) {
      check(/^\/dev\/sr\d+$/u.test(d.blockDevice ?? ''), `blockDevice ${d.blockDevice}`);
      check(/^\/dev\/sg\d+$/u.test(d.genericDevice ?? ''), `genericDevice ${d.genericDevice}`);
      check(d.path === d.blockDevice, `path ${d.path} is not the block device`);
      check(d.vendor === 'QEMU', `vendor "${d.vendor}"`);
      check(d.model === expected.product, `model "${d.model}", expected "${expected.product}"`);
      check(!d.mounted, `${d.path} reported mounted`);
    }
    [clean, bad] = sortByAddress(drives);
    return drives.map((d) => `${d.path}+${d.genericDevice} ${d.scsiAddress} "${d.vendor}" "${d.model}" "${d.revision}"`).join(', ');
  });

  await test('cli: drives --json', async () => {
    const r = cli(['drives', '--json']);
    if (r.status !== 0) logOutput(r);
    check(r.status === 0, `exit ${r.status}`);
    const text = r.stdout;
    check(text.includes(clean.path) && text.includes(bad.path), `output lacks ${clean.path}/${bad.path}: ${text.slice(0, 300)}`);
    JSON.parse(text);
    return `${r.ms} ms`;
  });

  await withDrive(clean.path, async (drive) => {
    emit(`KT-NOTE ${clean.path}: kind ${drive.transport.kind}, writable ${drive.transport.writable}, maxTransferBytes ${drive.transport.maxTransferBytes}`);

    await test('TEST UNIT READY: waitReady', async () => {
      const r = await drive.waitReady({ timeoutMs: 20_000 });
      return `polls ${r.polls}, mediumChanged ${r.mediumChanged}`;
    });

    await test('INQUIRY', async () => {
      const q = await drive.inquiry();
      check(q.deviceType === 5, `deviceType ${q.deviceType}`);
      check(q.removable === true, 'not removable');
      check(q.vendor === 'QEMU', `vendor "${q.vendor}"`);
      check(q.product === expected.product, `product "${q.product}"`);
      return `"${q.vendor}" "${q.product}" "${q.revision}"`;
    });

    await test('READ CAPACITY(10)', async () => {
      const c = await drive.readCapacity();
      check(c.blockLength === SECTOR, `block length ${c.blockLength}`);
      check(c.lastLba === sectorCount - 1, `last LBA ${c.lastLba}, disc has ${sectorCount} sectors`);
      return `last LBA ${c.lastLba}`;
    });

    await test('READ TOC: drive.toc()', async () => {
      const toc = await drive.toc();
      check(toc.tracks.length === 1, `${toc.tracks.length} tracks`);
      const [t] = toc.tracks;
      check(t.number === 1 && t.isData && t.startLba === 0, `track ${JSON.stringify(t)}`);
      check(toc.leadOutLba === sectorCount, `lead-out ${toc.leadOutLba}, expected ${sectorCount}`);
      check(t.sectorCount === sectorCount, `track sectors ${t.sectorCount}`);
      // The drive answers format 2 (see the raw tests below), so the full TOC is expected.
      check(toc.source === 'full-toc', `full TOC not used: source "${toc.source}"`);
      return `source ${toc.source}, ${toc.sessions.length} session(s), lead-out ${toc.leadOutLba}`;
    });

    await test('READ TOC format 0 (raw command, parseToc)', async () => {
      const toc = scsi.parseToc(await drive.execute(scsi.buildReadToc({ format: 0, allocationLength: 1024 })), { msf: false });
      check(toc.firstTrack === 1 && toc.lastTrack === 1, `tracks ${toc.firstTrack}-${toc.lastTrack}`);
      const leadOut = toc.tracks.find((t) => t.isLeadOut);
      check(leadOut?.lba === sectorCount, `lead-out ${leadOut?.lba}`);
      check(toc.tracks[0]?.isData && toc.tracks[0].lba === 0, 'track 1 is not data at LBA 0');
      const msf = scsi.parseToc(await drive.execute(scsi.buildReadToc({ format: 0, msf: true, allocationLength: 1024 })), { msf: true });
      const msfLeadOut = msf.tracks.find((t) => t.isLeadOut);
      check(msfLeadOut?.lba === sectorCount, `MSF lead-out ${JSON.stringify(msfLeadOut)}`);
      return `lead-out ${leadOut.lba} (MSF ${msfLeadOut.msf.minute}:${msfLeadOut.msf.second}:${msfLeadOut.msf.frame})`;
    });

    await test('READ TOC format 1 (raw command, parseSessionInfo)', async () => {
      const info = scsi.parseSessionInfo(await drive.execute(scsi.buildReadToc({ format: 1, allocationLength: 12 })), { msf: false });
      check(info.firstSession === 1 && info.lastSession === 1, `sessions ${info.firstSession}-${info.lastSession}`);
      check(info.lastSessionStartLba === 0, `last session starts at ${info.lastSessionStartLba}`);
      return JSON.stringify(info);
    });

    await test('READ TOC format 2 with MSF=1 (raw command, parseFullToc)', async () => {
      const data = await drive.execute(scsi.buildReadToc({ format: 2, msf: true, allocationLength: 1024 }));
      const [session, ...more] = scsi.summarizeFullToc(scsi.parseFullToc(data)).sessions;
      check(session && more.length === 0, 'not one session');
      check(session.leadOutLba === sectorCount, `A2h lead-out ${session.leadOutLba}`);
      check(session.tracks.length === 1 && session.tracks[0].startLba === 0, `tracks ${JSON.stringify(session.tracks)}`);
      return `${(((data[0] << 8) | data[1]) - 2) / 11} descriptors, first/last track ${session.firstTrack}/${session.lastTrack}, lead-out ${session.leadOutLba}`;
    });

    await test('READ TOC format 2 with MSF=0: what the drive answers', async () => {
      // MMC defines the full TOC's addresses as MSF only; tools send MSF=1. Recorded, not judged.
      const data = await drive.execute(scsi.buildReadToc({ format: 2, msf: false, allocationLength: 1024 }));
      const entries = scsi.parseFullToc(data).descriptors.map(
        (d) => `${hex(d.point)}:${hex(d.zero)} ${hex(d.pmin)} ${hex(d.psec)} ${hex(d.pframe)}`,
      );
      let verdict;
      try {
        const [session] = scsi.summarizeFullToc(scsi.parseFullToc(data)).sessions;
        const ok = session.leadOutLba === sectorCount && session.tracks[0]?.startLba === 0;
        verdict = `${ok ? 'same as MSF=1' : 'WRONG'}: lead-out ${session.leadOutLba}, track 1 at ${session.tracks[0]?.startLba}`;
      } catch (error) {
        verdict = `rejected: ${error.message}`;
      }
      emit(`KT-NOTE READ TOC format 2, MSF=0: point:zero pmin psec pframe = ${entries.join(', ')}; parsed ${verdict}`);
      return verdict;
    });

    await test('READ TOC format field: byte 2 alone vs byte 9 bits 7-6', async () => {
      // A format 0 answer with one track is 4 + 2×8 bytes; a full TOC is 4 + n×11.
      const shape = (data) => {
        const length = ((data[0] << 8) | data[1]) + 2;
        return length === 4 + 2 * 8 ? 'format 0' : (length - 4) % 11 === 0 ? 'format 2' : `${length} bytes`;
      };
      const byte2Only = shape(await drive.execute(scsi.buildReadToc({ format: 2, legacyFormatField: false, allocationLength: 1024 })));
      const both = shape(await drive.execute(scsi.buildReadToc({ format: 2, allocationLength: 1024 })));
      check(both === 'format 2', `format 2 in both places answered as ${both}`);
      emit(`KT-NOTE READ TOC format 2 in byte 2 only: answered as ${byte2Only}`);
      return `format 2 in byte 2 only: ${byte2Only}; in bytes 2 and 9: ${both}`;
    });

    await test('GET CONFIGURATION and capabilities()', async () => {
      const configuration = await answeredOrRefused(() => drive.configuration());
      const caps = await drive.capabilities();
      const profiles = caps.profiles.map((p) => `${hex(p.profile, 4)}${p.current ? '*' : ''}`).join(' ');
      const features = caps.features.map((f) => hex(f.code, 4)).join(' ');
      check(caps.hasConfiguration === Boolean(configuration.answer), 'hasConfiguration disagrees with GET CONFIGURATION');
      return configuration.refused
        ? `GET CONFIGURATION refused ${configuration.refused}`
        : `current profile ${hex(caps.currentProfile, 4)} (${caps.currentProfileName}); profiles ${profiles}; features ${features}`;
    });

    await test('MODE SENSE(10) page 2Ah', async () => {
      const r = await answeredOrRefused(() => drive.modeSensePage(scsi.ModePage.CD_CAPABILITIES));
      if (r.refused) return `refused ${r.refused}`;
      const page = scsi.parseCapabilitiesPage(r.answer);
      return JSON.stringify(page).slice(0, 240);
    });

    await test('GET EVENT STATUS NOTIFICATION: mediaStatus()', async () => {
      const raw = await drive.execute(scsi.buildGetEventStatusNotification({ allocationLength: 8 }));
      const bytes = Buffer.from(raw).toString('hex').replace(/(..)(?!$)/gu, '$1 ');
      check(raw.length === 8 && (raw[2] & 0x07) === 4, `raw answer ${bytes}`);
      check((raw[5] & 0x02) !== 0, `media present bit clear: ${bytes}`);
      try {
        const status = await drive.mediaStatus();
        check(status.media?.mediaPresent === true, `parsed ${JSON.stringify(status)}`);
        return `${bytes}; ${JSON.stringify(status)}`;
      } catch (error) {
        // Event Data Length 4 for an 8-byte answer: counted from byte 4, where MMC counts from byte 2.
        if (error.code === 'ERR_MALFORMED_RESPONSE' && ((raw[0] << 8) | raw[1]) === 4) {
          emit(`KT-NOTE GET EVENT STATUS NOTIFICATION answers ${bytes} (Event Data Length 4, MMC says 6): mediaStatus() throws ${error.message}`);
          return `known quirk, Event Data Length 4: ${error.message}`;
        }
        throw error;
      }
    });

    await test('READ DISC INFORMATION', async () => {
      const r = await answeredOrRefused(() => drive.discInformation());
      if (r.refused) return `refused ${r.refused}`;
      const d = r.answer;
      return `status ${d.discStatus}, sessions ${d.numberOfSessions}, tracks ${d.firstTrackNumber}-${d.lastTrackInLastSession}`;
    });

    await test('READ(10): the primary volume descriptor', async () => {
      const pvd = await drive.readSectors(16, 1);
      check(Buffer.from(pvd.subarray(1, 6)).toString('latin1') === 'CD001', 'no CD001 at LBA 16');
      check(equalBytes(pvd, isoSector(16)), 'LBA 16 differs from the image');
      return `volume "${Buffer.from(pvd.subarray(40, 72)).toString('latin1').trim()}"`;
    });

    await test('READ(10): the whole disc through readSectors', async () => {
      const started = Date.now();
      const all = await drive.readSectors(0, sectorCount);
      check(sha256(all) === config.isoSha256, 'sha256 differs from the image');
      return `${sectorCount} sectors in ${Date.now() - started} ms, maxTransferBytes ${drive.transport.maxTransferBytes}`;
    });

    await test('READ(10) past the end: ILLEGAL REQUEST 05/21/00', async () => {
      try {
        await drive.readSectors(sectorCount, 1);
      } catch (error) {
        check(error instanceof IllegalRequestError, `got ${describe(error)}`);
        check(senseTriple(error) === '05/21/00', `sense ${senseTriple(error)}`);
        return `${error.message}; INFORMATION ${error.sense.information === undefined ? 'not valid' : `${error.sense.information} (VALID set)`}`;
      }
      throw new Error('read past the end succeeded');
    });

    await test(`READ CD: ${expected.readCd === 'ok' ? 'answered' : `refused ${expected.readCd}`}`, async () => {
      let outcome;
      let result;
      try {
        result = await drive.readCd(16, 2);
        outcome = 'ok';
      } catch (error) {
        outcome = refusalOf(error);
        if (outcome !== expected.readCd) throw error;
        return `${error.constructor.name}: ${error.message}`;
      }
      check(outcome === expected.readCd, `READ CD answered, expected ${expected.readCd}`);
      check(result.bytesPerSector === 2352 && result.data.length === 2 * 2352, `${result.data.length} bytes`);
      const sector = result.data.subarray(0, 2352);
      const sync = Buffer.from([0, ...Array(10).fill(0xff), 0]);
      check(Buffer.compare(Buffer.from(sector.subarray(0, 12)), sync) === 0, 'no sync pattern');
      check(sector[15] === 1, `mode byte ${sector[15]}`);
      check(equalBytes(sector.subarray(16, 16 + SECTOR), isoSector(16)), 'user data differs');
      const q = await answeredOrRefused(() => drive.readCd(16, 1, { subchannel: 'q' }));
      let withQ = q.refused;
      if (q.answer) {
        const subchannel = q.answer.data.subarray(2352);
        withQ = `${q.answer.data.length} bytes, Q ${subchannel.every((b) => b === 0) ? 'all zero (selection ignored, resid 0)' : Buffer.from(subchannel).toString('hex')}`;
        emit(`KT-NOTE READ CD with formatted Q sub-channel: ${withQ}`);
      }
      return `2352-byte sectors, mode 1 header ${hex(sector[12])}:${hex(sector[13])}:${hex(sector[14])}; with Q sub-channel: ${withQ}`;
    });

    await test(`READ SUB-CHANNEL: refused ${expected.readSubChannel}`, async () => {
      try {
        const mcn = await drive.mcn();
        throw new Error(`answered (MCN ${mcn}), expected ${expected.readSubChannel}`);
      } catch (error) {
        if (!(error instanceof DiscErrorLike)) throw error;
        const outcome = refusalOf(error);
        check(outcome === expected.readSubChannel, `${describe(error)}; expected ${expected.readSubChannel}`);
        return `${error.constructor.name}: ${error.message}`;
      }
    });
  });

  await test('cli: info --json', async () => {
    const r = cli(['info', clean.path, '--json']);
    if (r.status !== 0) logOutput(r);
    check(r.status === 0, `exit ${r.status}`);
    JSON.parse(r.stdout);
    return `${r.ms} ms`;
  });

  await test('cli: image produces the disc bit for bit', async () => {
    const r = cli(['image', clean.path, '/tmp/image.iso']);
    if (r.status !== 0) logOutput(r);
    check(r.status === 0, `exit ${r.status}`);
    const digest = sha256(readFileSync('/tmp/image.iso'));
    check(digest === config.isoSha256, `sha256 ${digest}, expected ${config.isoSha256}`);
    return `sha256 ${digest.slice(0, 16)}, ${r.ms} ms`;
  });

  await test(`bad sector: READ(10) of LBA ${config.badLbas[0]} fails with ${expected.badSector}`, async () => {
    await withDrive(bad.path, async (drive) => {
      await drive.waitReady({ timeoutMs: 20_000 });
      const before = config.badLbas[0] - 1;
      if (before >= 0) check(equalBytes(await drive.readSectors(before, 1), isoSector(before)), `LBA ${before} differs`);
      try {
        await drive.readSectors(config.badLbas[0], 1);
      } catch (error) {
        if (!(error instanceof ScsiError)) throw error;
        check(senseTriple(error) === expected.badSector, `${describe(error)}; expected ${expected.badSector}`);
        if (expected.badSector.startsWith('03')) check(error instanceof MediumError, `${error.constructor.name}, expected MediumError`);
        emit(`KT-NOTE bad sector LBA ${config.badLbas[0]}: ${error.constructor.name} ${senseTriple(error)}, response code 0x${hex(error.sense.responseCode)}, INFORMATION ${error.sense.information === undefined ? 'not valid' : `${error.sense.information} (VALID set)`}, error.lba ${error.lba}`);
        return;
      }
      throw new Error('the bad sector was read');
    });
  });

  await test('cli: rescue marks exactly the bad LBAs and copies every other sector', async () => {
    const r = cli(['rescue', bad.path, '/tmp/rescue.img', '/tmp/rescue.map']);
    if (r.status !== 1) logOutput(r);
    check(r.status === 1, `exit ${r.status}, expected 1 (sectors left unrescued)`);
    const blocks = parseMapfileText(readFileSync('/tmp/rescue.map', 'utf8'));
    const badSet = new Set(config.badLbas);
    const status = new Array(sectorCount).fill(undefined);
    for (const b of blocks) {
      check(b.pos % SECTOR === 0 && b.size % SECTOR === 0, `block ${b.pos}+${b.size} not sector-aligned`);
      for (let lba = b.pos / SECTOR; lba < (b.pos + b.size) / SECTOR; lba++) status[lba] = b.status;
    }
    const wrong = [];
    for (let lba = 0; lba < sectorCount; lba++) {
      const want = badSet.has(lba) ? '-' : '+';
      if (status[lba] !== want) wrong.push(`${lba}:${status[lba]}`);
    }
    if (wrong.length) {
      for (const line of readFileSync('/tmp/rescue.map', 'utf8').split('\n')) diagnose(line);
      logOutput(r);
    }
    check(wrong.length === 0, `mapfile status differs at LBA:status ${wrong.slice(0, 12).join(' ')}${wrong.length > 12 ? ' ...' : ''}`);
    const image = readFileSync('/tmp/rescue.img');
    check(image.length === iso.length, `image is ${image.length} bytes, disc ${iso.length}`);
    const differ = [];
    for (let lba = 0; lba < sectorCount; lba++) {
      if (!badSet.has(lba) && !equalBytes(image.subarray(lba * SECTOR, (lba + 1) * SECTOR), isoSector(lba))) differ.push(lba);
    }
    check(differ.length === 0, `rescued sectors differ from the disc at ${differ.slice(0, 12).join(',')}`);
    return `bad ${config.badLbas.join(',')}, ${blocks.length} mapfile blocks, ${r.ms} ms`;
  });

  await test('exclusive open twice (block node): EBUSY, DeviceBusyError', async () => {
    const first = await openNativeTransport(clean.path, { exclusive: true });
    try {
      const error = await openNativeTransport(clean.path, { exclusive: true }).then(
        async (t) => {
          await t.close();
          throw new Error('the second exclusive open succeeded');
        },
        (e) => e,
      );
      check(error instanceof DeviceBusyError, `got ${describe(error)}`);
      check(error.code === 'ERR_DEVICE_BUSY' && error.errnoCode === 'EBUSY', `code ${error.code}, errno ${error.errnoCode}`);
      check(/EBUSY/u.test(error.message) && /another program/u.test(error.message), `message "${error.message}"`);
      const viaDrive = await Drive.open(clean.path, { exclusive: true }).then(
        async (d) => {
          await d.close();
          throw new Error('Drive.open exclusive succeeded while held');
        },
        (e) => e,
      );
      check(viaDrive instanceof DeviceBusyError, `Drive.open: got ${describe(viaDrive)}`);
      return error.message;
    } finally {
      await first.close();
      await (await openNativeTransport(clean.path, { exclusive: true })).close(); // released: opens again
    }
  });

  await test('exclusive open twice (sg node): EBUSY, DeviceBusyError', async () => {
    const first = await openNativeTransport(clean.genericDevice, { exclusive: true, writable: true });
    try {
      const error = await openNativeTransport(clean.genericDevice, { exclusive: true, writable: true }).then(
        async (t) => {
          await t.close();
          throw new Error('the second exclusive open succeeded');
        },
        (e) => e,
      );
      check(error instanceof DeviceBusyError, `got ${describe(error)}`);
      const readOnly = await openNativeTransport(clean.genericDevice, { exclusive: true, writable: false }).then(
        async (t) => {
          await t.close();
          return 'opened';
        },
        (e) => `${e.constructor.name} ${e.errnoCode ?? ''}`,
      );
      return `${error.message}; read-only exclusive while held: ${readOnly}`;
    } finally {
      await first.close();
    }
  });

  await test('mounted disc: Drive.open refused with "unmount it first"', async () => {
    const mount = spawnSync('mount', ['-t', 'iso9660', '-o', 'ro', clean.path, '/mnt'], { encoding: 'utf8' });
    check(mount.status === 0, `mount failed: ${mount.stderr}`);
    try {
      const readme = readFileSync('/mnt/README.TXT', 'utf8');
      check(readme.includes(config.readmeMarker), 'README.TXT on the mounted disc lacks the marker');
      const info = (await listDrives()).find((d) => d.path === clean.path);
      check(info?.mounted === true && info.mountPoints.includes('/mnt'), `listDrives: ${JSON.stringify(info)}`);
      const error = await Drive.open(clean.path).then(
        async (d) => {
          await d.close();
          throw new Error('Drive.open succeeded on a mounted disc');
        },
        (e) => e,
      );
      check(error instanceof DeviceBusyError, `got ${describe(error)}`);
      check(error.message.includes('unmount it first') && error.message.includes('/mnt'), `message "${error.message}"`);
      const exclusive = await openNativeTransport(clean.path, { exclusive: true }).then(
        async (t) => {
          await t.close();
          return 'opened';
        },
        (e) => `${e.constructor.name} ${e.errnoCode}`,
      );
      check(exclusive === 'DeviceBusyError EBUSY', `exclusive open of the mounted node: ${exclusive}`);
      const r = cli(['info', clean.path]);
      check(r.status === 1 && r.stderr.includes('unmount it first'), `cli info: exit ${r.status}, stderr ${r.stderr.trim()}`);
      return error.message;
    } finally {
      spawnSync('umount', ['/mnt']);
    }
  });
}

/** Errors of the library (any DiscError), whatever module instance threw them. */
const DiscErrorLike = { [Symbol.hasInstance]: (e) => e instanceof ScsiError || e instanceof TransportError };

try {
  await main();
} catch (error) {
  failed++;
  emit(`KT-RESULT not ok - guest script # ${describe(error)}`);
}
emit(`KT-DONE ${passed} ${failed} ${todo}`);
