import { parseArgs } from 'node:util';
import { DiscError } from '../errors.js';
import { packageVersion } from '../version.js';
import type { EmulatedAddressOptions } from '../emulator/address.js';
import { UsageError, type CliContext } from './io.js';

// Each command's module is imported when that command runs: start-up loads only what it needs.

const HELP = `Usage: discrescue <command> [options]

Commands:
  demo                                 Rescue the built-in damaged demo disc and print the report
  drives                               List optical drives and whether a disc is mounted
  info <device>                        The drive, its capabilities, and the disc: type, sessions, tracks, filesystems
  image <device> <out.iso>             Read a disc straight into an image (retries, then a mapfile)
  rescue <source> <out.img> <mapfile>  Rescue a damaged disc, ddrescue-style, resumable
  merge <out.img> <out.map> <in.img> <in.map> [...]
                                       Combine rescues made on other drives or machines
  compare <source> <image> [--mapfile m]  Re-read the disc and report sectors that differ
  map <mapfile> [--svg out.svg]        Totals of a mapfile, and a picture of it
  ls <source> [-l]                     List the files of a volume (ISO 9660, UDF, HFS, HFS+; like isoinfo -f / -l)
  extract <source> <path> <dest>       Copy a file or a tree off the volume (unreadable parts as zeros)
  verify <image> [--mapfile m]         Check the image is as long as its filesystems say (isolyzer-style)
  identify <source>                    Partition maps and filesystems (ISO 9660, UDF, HFS, HFS+), hybrids too
  convert <in.toc|in.cue> <out.cue|out.toc>
                                       Convert between cdrdao TOC files and cue sheets
  split <in.cue> <outdir> [--mountable]  One ISO or WAV file per track of a CUE/BIN image
  dump <device> <out.cue> [--single-bin]  Raw dump of every session: BIN/CUE/TOC/JSON, resumable
  discid <source|file.cue|file.toc>    MusicBrainz, FreeDB, AccurateRip and CTDB ids, MCN and ISRCs
  rip <source> <outdir>                Secure audio rip: WAV per track (or --image WAV+CUE), text and JSON logs

Devices are paths like /dev/sr0 or /dev/sg1, or emulated drives:
  emu:<image.iso|.cue|.toc>   an emulated drive with that image
  emu:demo-data, emu:demo-audio, emu:demo-mixed, emu:demo-cdextra   built-in demo discs
  replay:<capture.json>       a recorded session answers instead of a drive
A rescue source may also be an image file or a block device.

Rescue options (GNU ddrescue's names where they apply):
  -r, --retry-passes <n>  Retry passes over bad sectors (default 0)
  -R, --reverse           First copying pass backwards
  -d, --direct            Bypass the drive cache (FUA reads)
      --cpass <list>      Copying passes to run, e.g. 1,3 or 2-3; 0 skips copying (default 1-3)
  -N, --no-trim           Skip the trimming phase
  -n, --no-scrape         Skip the scraping phase
  -b, --sector-size <n>   Sector size of file sources (default 2048)
  -c, --cluster-size <n>  Sectors per read while copying (default 32, as ddrescue)
      --raw               Read raw 2352-byte sectors with READ CD
  -m, --domain-mapfile <f>  Only rescue the blocks finished in this mapfile
      --max-read-rate <n> Bytes per second at most
      --mapfile-interval <s>  Save the mapfile at most every <s> seconds (default 5)
      --no-checksums      Leave out the image's MD5/SHA-1/SHA-256 (hashed while writing when linear)
  -f, --force             Write over an image without its mapfile, or onto a block device
Other options:
      --record <f.json>   info: record every command and answer (send us captures of your drive);
                          replay them later with the device replay:<f.json>
      --check             merge: compare overlapping finished blocks
      --mapfile <m>       compare: only the finished sectors of this mapfile
      --svg <out.svg>     map: write a picture
  -l, --long              ls: directory listings with modes, sizes, dates and extents
      --names <ns>        ls, extract: iso, joliet or rr names (default rr, else joliet, else iso)
      --fs <type>         ls, extract: iso, udf, hfs or hfsplus (default iso, else udf, hfsplus, hfs)
      --offset <lba>      ls, extract: the session whose volume descriptors are at lba+16
                          verify, identify: LBA of the image's first sector on the disc
      --mountable         split: put a later session's ISO at its disc address (zero blocks in front)
      --single-bin        dump: one BIN named like the cue sheet instead of one per track
      --subchannel        dump: also write <base>.sub (96 bytes of P-W per sector, CloneCD layout)
      --no-c2             dump: do not read C2 pointers (read and counted when the drive has them)
      --offset=<samples>  dump: the drive's audio read offset correction (AccurateRip value, either sign)
Rip options:
      --mode <m>          secure (default: every sample proven by agreeing reads), burst, paranoia
      --offset <n>        rip: read offset correction in samples, either sign (default 0)
      --max-retries <n>   rip: rounds of targeted re-reads (default 10)
      --name-format <f>   rip: file names, e.g. "{nn} - Track {nn}.wav" (default) or cdparanoia
      --image             rip: one image.wav with image.cue instead of a file per track
      --format <f>        rip: wav (default) or flac (our encoder, tags from CD-Text; image.flac with --image)
      --gaps <g>          rip: append (pregaps end the previous track, default) or prepend
      --overread          rip: read into the lead-in/lead-out for the offset (else zero-filled)
      --accuraterip <f>   rip: AccurateRip response dBAR-…bin (download it from the URL rip and discid print)
      --drive-offsets <f> rip: AccurateRip DriveOffsets.bin: the offset of the drive by its model
      --find-offset       rip: find the offset with --accuraterip before ripping, and rip with it
Image options:
      --retries <n>       Retry passes after the straight read (default 4)
      --speed <kB/s|max>  Read speed
Emulated drives:
      --defects <mapfile> Unreadable areas, as a GNU ddrescue mapfile
      --drive-profile <p> good, cheap, dvd-bd, qemu-scsi-cd, or a JSON file
      --seed <n>          Seed of the random faults (default 0)
General:
      --json              Print one JSON document on stdout
  -h, --help              Show this help
  -v, --version           Show the version

Exit codes: 0 success, 1 failure or sectors left unrescued, 2 usage mistake.

Examples:
  discrescue demo
  discrescue drives
  discrescue info /dev/sr0 --json
  discrescue image /dev/sr0 disc.iso
  discrescue rescue /dev/sr0 disc.iso disc.map -r3
`;

const OPTIONS = {
  json: { type: 'boolean' },
  defects: { type: 'string' },
  'drive-profile': { type: 'string' },
  seed: { type: 'string' },
  'retry-passes': { type: 'string', short: 'r' },
  reverse: { type: 'boolean', short: 'R' },
  direct: { type: 'boolean', short: 'd' },
  cpass: { type: 'string' },
  'no-trim': { type: 'boolean', short: 'N' },
  'no-scrape': { type: 'boolean', short: 'n' },
  'sector-size': { type: 'string', short: 'b' },
  raw: { type: 'boolean' },
  'domain-mapfile': { type: 'string', short: 'm' },
  'max-read-rate': { type: 'string' },
  force: { type: 'boolean', short: 'f' },
  'mapfile-interval': { type: 'string' },
  'no-checksums': { type: 'boolean' },
  'cluster-size': { type: 'string', short: 'c' },
  retries: { type: 'string' },
  speed: { type: 'string' },
  mapfile: { type: 'string' },
  svg: { type: 'string' },
  long: { type: 'boolean', short: 'l' },
  names: { type: 'string' },
  fs: { type: 'string' },
  offset: { type: 'string' },
  mountable: { type: 'boolean' },
  mode: { type: 'string' },
  'max-retries': { type: 'string' },
  'name-format': { type: 'string' },
  format: { type: 'string' },
  image: { type: 'boolean' },
  gaps: { type: 'string' },
  overread: { type: 'boolean' },
  accuraterip: { type: 'string' },
  'drive-offsets': { type: 'string' },
  'find-offset': { type: 'boolean' },
  'single-bin': { type: 'boolean' },
  subchannel: { type: 'boolean' },
  'no-c2': { type: 'boolean' },
  check: { type: 'boolean' },
  record: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

type OptionName = keyof typeof OPTIONS;

const EMULATOR_OPTIONS: OptionName[] = ['defects', 'drive-profile', 'seed'];
const RESCUE_OPTIONS: OptionName[] = [
  'retry-passes', 'reverse', 'direct', 'cpass', 'no-trim', 'no-scrape', 'sector-size', 'raw',
  'domain-mapfile', 'max-read-rate', 'force', 'mapfile-interval', 'no-checksums', 'cluster-size',
];

const ALLOWED: Record<string, OptionName[]> = {
  drives: ['json'],
  info: ['json', 'record', ...EMULATOR_OPTIONS],
  rescue: ['json', ...EMULATOR_OPTIONS, ...RESCUE_OPTIONS],
  image: ['json', ...EMULATOR_OPTIONS, 'retries', 'speed', 'raw', 'force', 'direct', 'no-checksums'],
  demo: ['json', 'seed', 'drive-profile'],
  merge: ['json', 'check'],
  compare: ['json', 'mapfile', 'raw', ...EMULATOR_OPTIONS],
  map: ['json', 'svg', 'sector-size'],
  ls: ['json', 'long', 'names', 'offset', 'fs', ...EMULATOR_OPTIONS],
  extract: ['json', 'names', 'offset', 'fs', ...EMULATOR_OPTIONS],
  verify: ['json', 'offset', 'mapfile'],
  identify: ['json', 'offset', ...EMULATOR_OPTIONS],
  convert: ['json'],
  split: ['json', 'mountable'],
  discid: ['json', ...EMULATOR_OPTIONS],
  rip: ['json', ...EMULATOR_OPTIONS, 'mode', 'offset', 'max-retries', 'name-format', 'image', 'gaps', 'overread', 'format', 'accuraterip', 'drive-offsets', 'find-offset'],
  dump: ['json', ...EMULATOR_OPTIONS, 'retry-passes', 'single-bin', 'force', 'no-checksums', 'subchannel', 'no-c2', 'offset', 'mapfile-interval'],
};

/** Runs the CLI; returns the exit code. Never calls process.exit, so it can be tested in-process. */
export async function run(argv: string[], ctx: CliContext): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
    if (values.version) {
      ctx.stdout.write(`${packageVersion()}\n`);
      return 0;
    }
    const [command, ...rest] = positionals;
    if (values.help || command === undefined || command === 'help') {
      ctx.stdout.write(HELP);
      return command === undefined && !values.help ? 2 : 0;
    }
    const allowed = ALLOWED[command];
    if (!allowed) throw new UsageError(`unknown command "${command}"`);
    for (const [name, value] of Object.entries(values)) {
      if (value !== undefined && !allowed.includes(name as OptionName)) throw new UsageError(`"${command}" does not take --${name}`);
    }
    const json = values.json ?? false;
    const emulator = emulatorOptions(values);
    const commandLine = ['discrescue', ...argv].join(' ');
    switch (command) {
      case 'drives':
        expectArgs(command, rest, 0, '');
        return await (await import('./commands/drives.js')).drivesCommand(ctx, { json });
      case 'info':
        expectArgs(command, rest, 1, 'a device, for example /dev/sr0');
        return await (await import('./commands/info.js')).infoCommand(ctx, { device: rest[0]!, json, emulator, record: values.record });
      case 'rescue': {
        expectArgs(command, rest, 3, '<source> <out.img> <mapfile>');
        const { code } = await (await import('./commands/rescue.js')).rescueCommand(ctx, {
          source: rest[0]!,
          image: rest[1]!,
          mapfile: rest[2]!,
          json,
          emulator,
          raw: values.raw ?? false,
          sectorSize: optionalInt('sector-size', values['sector-size'], 1, 1 << 20),
          retryPasses: optionalInt('retry-passes', values['retry-passes'], 0, 1000) ?? 0,
          reverse: values.reverse ?? false,
          direct: values.direct ?? false,
          noTrim: values['no-trim'] ?? false,
          noScrape: values['no-scrape'] ?? false,
          copyPasses: values.cpass === undefined ? undefined : (await import('./commands/rescue.js')).parseCopyPasses(values.cpass),
          domainMapfile: values['domain-mapfile'],
          maxReadRate: optionalInt('max-read-rate', values['max-read-rate'], 1, Number.MAX_SAFE_INTEGER),
          force: values.force ?? false,
          mapfileIntervalMs: parseSeconds('mapfile-interval', values['mapfile-interval']),
          checksums: !(values['no-checksums'] ?? false),
          clusterSectors: optionalInt('cluster-size', values['cluster-size'], 1, 65536),
          commandLine,
        });
        return code;
      }
      case 'image':
        expectArgs(command, rest, 2, '<device> <out.iso>');
        return await (await import('./commands/image.js')).imageCommand(ctx, {
          source: rest[0]!,
          image: rest[1]!,
          json,
          emulator,
          retries: optionalInt('retries', values.retries, 0, 1000) ?? 4,
          speed: parseSpeed(values.speed),
          raw: values.raw ?? false,
          direct: values.direct ?? false,
          force: values.force ?? false,
          checksums: !(values['no-checksums'] ?? false),
          commandLine,
        });
      case 'merge':
        return await (await import('./commands/tools.js')).mergeCommand(ctx, { args: rest, json, check: values.check ?? false, commandLine });
      case 'compare':
        expectArgs(command, rest, 2, '<source> <image>');
        return await (await import('./commands/tools.js')).compareCommand(ctx, { source: rest[0]!, image: rest[1]!, mapfile: values.mapfile, json, raw: values.raw ?? false, emulator });
      case 'map':
        expectArgs(command, rest, 1, '<mapfile>');
        return await (await import('./commands/tools.js')).mapCommand(ctx, { mapfile: rest[0]!, svg: values.svg, json, sectorSize: optionalInt('sector-size', values['sector-size'], 1, 1 << 20) ?? 2048 });
      case 'convert':
        expectArgs(command, rest, 2, '<in.toc|in.cue> <out.cue|out.toc>');
        return await (await import('./commands/convert.js')).convertCommand(ctx, { input: rest[0]!, output: rest[1]!, json });
      case 'split':
        expectArgs(command, rest, 2, '<in.cue> <outdir>');
        return await (await import('./commands/split.js')).splitCommand(ctx, { sheet: rest[0]!, outDir: rest[1]!, mountable: values.mountable ?? false, json });
      case 'rip':
        expectArgs(command, rest, 2, '<source> <outdir>');
        return await (await import('./commands/rip.js')).ripCommand(ctx, {
          source: rest[0]!,
          outDir: rest[1]!,
          json,
          emulator,
          mode: values.mode,
          offset: values.offset,
          maxRetries: optionalInt('max-retries', values['max-retries'], 0, 1000),
          nameFormat: values['name-format'],
          image: values.image ?? false,
          gaps: values.gaps,
          overread: values.overread ?? false,
          format: values.format,
          accuraterip: values.accuraterip,
          driveOffsets: values['drive-offsets'],
          findOffset: values['find-offset'] ?? false,
        });
      case 'discid':
        expectArgs(command, rest, 1, '<source|file.cue|file.toc>');
        return await (await import('./commands/discid.js')).discIdCommand(ctx, { source: rest[0]!, json, emulator });
      case 'dump':
        expectArgs(command, rest, 2, '<device> <out.cue>');
        return await (await import('./commands/dump.js')).dumpCommand(ctx, {
          source: rest[0]!,
          cue: rest[1]!,
          json,
          emulator,
          singleBin: values['single-bin'] ?? false,
          retryPasses: optionalInt('retry-passes', values['retry-passes'], 0, 1000) ?? 0,
          force: values.force ?? false,
          checksums: !(values['no-checksums'] ?? false),
          commandLine,
          subchannel: values.subchannel ?? false,
          c2: !(values['no-c2'] ?? false),
          offset: values.offset,
          mapfileIntervalMs: parseSeconds('mapfile-interval', values['mapfile-interval']),
        });
      case 'ls':
        expectArgs(command, rest, 1, '<source>');
        return await (await import('./commands/ls.js')).lsCommand(ctx, { source: rest[0]!, long: values.long ?? false, json, names: values.names, offset: optionalInt('offset', values.offset, 0, 0x7fffffff), fs: values.fs, emulator });
      case 'extract':
        expectArgs(command, rest, 3, '<source> <path> <dest>');
        return await (await import('./commands/extract.js')).extractCommand(ctx, { source: rest[0]!, path: rest[1]!, dest: rest[2]!, json, names: values.names, offset: optionalInt('offset', values.offset, 0, 0x7fffffff), fs: values.fs, emulator });
      case 'verify':
        expectArgs(command, rest, 1, '<image>');
        return await (await import('./commands/verify.js')).verifyCommand(ctx, { image: rest[0]!, offset: optionalInt('offset', values.offset, 0, 0x7fffffff), mapfile: values.mapfile, json });
      case 'identify':
        expectArgs(command, rest, 1, '<source>');
        return await (await import('./commands/identify.js')).identifyCommand(ctx, { source: rest[0]!, offset: optionalInt('offset', values.offset, 0, 0x7fffffff), json, emulator });
      case 'demo':
        expectArgs(command, rest, 0, '');
        return await (await import('./commands/demo.js')).demoCommand(ctx, { json, emulator, commandLine });
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    return reportError(ctx, error);
  }
}

function expectArgs(command: string, args: string[], count: number, what: string): void {
  if (args.length !== count) {
    throw new UsageError(count === 0 ? `"${command}" takes no arguments` : `"${command}" needs ${what}`);
  }
}

function optionalInt(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = /^(0x[0-9a-f]+|\d+)$/iu.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} needs an integer from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

function parseSeconds(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d+(\.\d+)?$/u.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value) || value > 86_400) throw new UsageError(`--${name} needs a number of seconds, got "${text}"`);
  return Math.round(value * 1000);
}

function parseSpeed(text: string | undefined): number | 'max' | undefined {
  if (text === undefined || text === 'max') return text;
  return optionalInt('speed', text, 1, 0xfffe);
}

function emulatorOptions(values: { defects?: string | undefined; 'drive-profile'?: string | undefined; seed?: string | undefined }): EmulatedAddressOptions {
  const options: EmulatedAddressOptions = {};
  if (values.defects !== undefined) options.defects = { path: values.defects };
  if (values['drive-profile'] !== undefined) options.driveProfile = values['drive-profile'];
  const seed = optionalInt('seed', values.seed, 0, 0xffffffff);
  if (seed !== undefined) options.seed = seed;
  return options;
}

function reportError(ctx: CliContext, error: unknown): number {
  if (error instanceof UsageError || isParseArgsError(error)) {
    ctx.stderr.write(`discrescue: ${(error as Error).message}\nRun "discrescue --help" for usage.\n`);
    return 2;
  }
  if (error instanceof DiscError) {
    ctx.stderr.write(`discrescue: ${error.message} [${error.code}]\n`);
    return 1;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  ctx.stderr.write(`discrescue: unexpected error: ${message}\n`);
  return 70;
}

function isParseArgsError(error: unknown): boolean {
  const code: unknown = (error as { code?: unknown } | null)?.code;
  return error instanceof TypeError && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
