import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { DiscError } from '../errors.js';
import { drivesCommand } from './commands/drives.js';
import { infoCommand } from './commands/info.js';
import { UsageError, type CliContext } from './io.js';

const require = createRequire(import.meta.url);

const HELP = `Usage: discrescue <command> [options]

Commands:
  drives                 List optical drives and whether a disc is mounted
  info <device>          Identify a drive, its capabilities and the disc's TOC

Options:
  --json                 Print one JSON document on stdout
  -h, --help             Show this help
  -v, --version          Show the version

Examples:
  discrescue drives
  discrescue info /dev/sr0 --json
`;

/** Runs the CLI; returns the exit code. Never calls process.exit, so it can be tested in-process. */
export async function run(argv: string[], ctx: CliContext): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
    if (values.version) {
      ctx.stdout.write(`${(require('../../package.json') as { version: string }).version}\n`);
      return 0;
    }
    const [command, ...rest] = positionals;
    if (values.help || command === undefined || command === 'help') {
      ctx.stdout.write(HELP);
      return command === undefined && !values.help ? 2 : 0;
    }
    const json = values.json ?? false;
    switch (command) {
      case 'drives':
        if (rest.length > 0) throw new UsageError(`"drives" takes no arguments`);
        return await drivesCommand(ctx, { json });
      case 'info': {
        const [device, ...extra] = rest;
        if (device === undefined) throw new UsageError(`"info" needs a device, for example /dev/sr0`);
        if (extra.length > 0) throw new UsageError(`"info" takes one device`);
        return await infoCommand(ctx, { device, json });
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    return reportError(ctx, error);
  }
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
