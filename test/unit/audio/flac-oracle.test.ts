/**
 * Debian's flac and metaflac (1.4) as oracles for our encoder: `flac -t` accepts every file,
 * `flac -d` gives back the exact PCM, metaflac reads the same MD5, sample count and tags, and on a
 * real CD recording our size is within 3% of `flac -5`. Never used at runtime.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createFlacWriter, encodeFlac, flacVendorString, type FlacEncoderOptions } from '../../../lib/audio/flac/index.js';
import { parseWavHeader } from '../../../lib/audio/wav.js';
import { extremes, halfSilent, musicLike, noise, pcmFrom, prng, roughWalk, silence, sine, square } from './flac-signals.js';

const HAVE_FLAC = spawnSync('flac', ['--version']).status === 0 && spawnSync('metaflac', ['--version']).status === 0;
const SAMPLE_WAV = fileURLToPath(new URL('../../../../shared/corpus/ARver/tests/data/samples/sample.wav', import.meta.url));
const HAVE_SAMPLE = existsSync(SAMPLE_WAV);

/** Made by the describe block, so a run without flac leaves nothing behind. */
let work = '';

function run(command: string, args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd: work, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** flac -t, flac -d to raw bytes, metaflac's MD5 and sample count; returns the decoded PCM. */
function checkWithFlac(path: string, pcm: Uint8Array, options: FlacEncoderOptions = {}): Uint8Array {
  const test = run('flac', ['-t', '-s', path]);
  expect(test.stderr).toBe('');
  expect(test.status).toBe(0);
  const raw = `${path}.raw`;
  const decode = run('flac', ['-d', '-s', '-f', '--force-raw-format', '--endian=little', '--sign=signed', '-o', raw, path]);
  expect(decode.status, decode.stderr).toBe(0);
  const decoded = readFileSync(raw);
  rmSync(raw);
  expect(decoded.length).toBe(pcm.length);
  expect(decoded.equals(Buffer.from(pcm))).toBe(true);
  const channels = options.channels ?? 2;
  const bytes = (options.bitsPerSample ?? 16) / 8;
  const meta = run('metaflac', ['--show-md5sum', '--show-total-samples', '--show-channels', '--show-bps', '--show-sample-rate', path]);
  expect(meta.status).toBe(0);
  expect(meta.stdout.trim().split('\n')).toEqual([
    createHash('md5').update(pcm).digest('hex'),
    String(pcm.length / channels / bytes),
    String(channels),
    String(options.bitsPerSample ?? 16),
    String(options.sampleRate ?? 44100),
  ]);
  return decoded;
}

/** 24-bit audio with residuals near 2^17: 5-bit Rice parameters. */
function loud24(samples: number): Uint8Array {
  const random = prng(5);
  return pcmFrom(samples, 2, 24, (i) => 6e6 * Math.sin(i / 50) + (random() - 0.5) * 2 ** 19);
}

function encodeTo(name: string, pcm: Uint8Array, options: FlacEncoderOptions = {}): string {
  const path = join(work, name);
  writeFileSync(path, encodeFlac(pcm, options));
  return path;
}

describe.skipIf(!HAVE_FLAC)('FLAC encoder against flac 1.4 (skipped without flac)', () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'discrescue-flac-oracle-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const signals: Array<[string, () => Uint8Array]> = [
    ['random noise', () => noise(3 * 4096 + 100, 11)],
    ['silence', () => silence(9000)],
    ['sine waves', () => sine(30_000)],
    ['square waves', () => square(30_000)],
    ['full-scale square', () => square(30_000, 2, 32767)],
    ['extremes', () => extremes(9000)],
    ['one sample', () => musicLike(1)],
    ['4095 samples', () => musicLike(4095)],
    ['4096 samples', () => musicLike(4096)],
    ['4097 samples', () => musicLike(4097)],
    ['music-like', () => musicLike(12 * 4096 + 7)],
    ['half silent (escaped partitions)', () => halfSilent(3 * 4096 + 5)],
    ['rough walk', () => roughWalk(40_000, 1)],
    ['wasted bits', () => pcmFrom(9000, 2, 16, (i, c) => Math.round(1500 * Math.sin(i / (20 + c))) * 16)],
  ];
  it.each(signals)('%s: flac -t passes and flac -d gives the PCM back', (name, make) => {
    const pcm = make();
    checkWithFlac(encodeTo(`${name.replace(/ /gu, '-')}.flac`, pcm), pcm);
  });

  it('every encoder setting decodes exactly', () => {
    const pcm = musicLike(6 * 4096 + 3);
    const settings: FlacEncoderOptions[] = [
      { exhaustiveStereo: true, maxLpcOrder: 12 },
      { maxLpcOrder: 32, maxPartitionOrder: 8 },
      { maxLpcOrder: 0, maxPartitionOrder: 0 },
      { blockSize: 1152 },
      { blockSize: 1000 },
      { blockSize: 16 },
    ];
    settings.forEach((options, i) => checkWithFlac(encodeTo(`setting-${i}.flac`, pcm, options), pcm, options));
  });

  it('other formats: 8 and 24 bits, mono, 6 channels, other sample rates', () => {
    const cases: Array<[Uint8Array, FlacEncoderOptions]> = [
      [noise(5000, 5, 8, 1), { channels: 1, bitsPerSample: 8, sampleRate: 8000 }],
      [pcmFrom(7000, 2, 24, (i, c) => 4_000_000 * Math.sin(i / (9 + c)) + ((i * 7919) % 301)), { bitsPerSample: 24, sampleRate: 96000 }],
      [noise(5000, 9, 24, 2), { bitsPerSample: 24, sampleRate: 48000 }],
      [loud24(9000), { bitsPerSample: 24 }],
      [pcmFrom(6000, 6, 16, (i, c) => 5000 * Math.sin(i / (5 + c))), { channels: 6, sampleRate: 22050 }],
      [musicLike(5000), { sampleRate: 44056 }],
      [musicLike(5000), { sampleRate: 37800 }],
      [musicLike(5000), { sampleRate: 655350 }],
    ];
    cases.forEach(([pcm, options], i) => checkWithFlac(encodeTo(`format-${i}.flac`, pcm, options), pcm, options));
  });

  it('an empty stream passes flac -t', async () => {
    const path = join(work, 'empty.flac');
    await createFlacWriter(path).close();
    expect(run('flac', ['-t', '-s', path]).status).toBe(0);
    expect(run('metaflac', ['--show-total-samples', path]).stdout.trim()).toBe('0');
  });

  it('metaflac exports our vendor string and tags', () => {
    const path = encodeTo('tags.flac', sine(100), {
      tags: { TITLE: 'Ünïcode ☃', ARTIST: ['One', 'Two'], ALBUM: 'Album', TRACKNUMBER: 7, ISRC: 'GBAYE0000351' },
    });
    const exported = run('metaflac', ['--export-tags-to=-', path]);
    expect(exported.stdout).toBe('TITLE=Ünïcode ☃\nARTIST=One\nARTIST=Two\nALBUM=Album\nTRACKNUMBER=7\nISRC=GBAYE0000351\n');
    const list = run('metaflac', ['--list', '--block-type=VORBIS_COMMENT', path]);
    expect(list.stdout).toContain(`vendor string: ${flacVendorString()}`);
  });

  it.skipIf(!HAVE_SAMPLE)('sample.wav (real CD audio): exact, and within 3% of flac -5 (skipped without the corpus)', async () => {
    const wav = readFileSync(SAMPLE_WAV);
    const info = parseWavHeader(wav, wav.length);
    expect(info.cdAudio).toBe(true);
    const pcm = wav.subarray(info.dataOffset, info.dataOffset + info.dataBytes);
    const path = join(work, 'sample.flac');
    const writer = createFlacWriter(path, { padding: 0, totalSamples: pcm.length / 4 });
    for (let at = 0; at < pcm.length; at += 2352 * 10) await writer.write(pcm.subarray(at, Math.min(pcm.length, at + 2352 * 10)));
    const summary = await writer.close();
    checkWithFlac(path, pcm);
    const reference = join(work, 'reference.flac');
    expect(run('flac', ['-5', '-s', '-f', '--no-padding', '--no-seektable', '-o', reference, SAMPLE_WAV]).status).toBe(0);
    const ours = statSync(path).size;
    const theirs = statSync(reference).size;
    console.log(`sample.wav (${pcm.length} bytes of PCM): ours ${ours} bytes, flac -5 ${theirs} bytes, ratio ${(ours / theirs).toFixed(4)}`);
    expect(summary.bytes).toBe(ours);
    expect(ours / theirs).toBeLessThan(1.03);
  });
});
