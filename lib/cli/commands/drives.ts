import { listDrives } from '../../drive/discovery.js';
import { printJson, type CliContext } from '../io.js';

export async function drivesCommand(ctx: CliContext, options: { json: boolean }): Promise<number> {
  const drives = await (ctx.listDrives ?? (() => listDrives()))();
  if (options.json) {
    printJson(ctx, { drives });
    return 0;
  }
  if (drives.length === 0) {
    ctx.stdout.write(
      process.platform === 'linux'
        ? 'No optical drives found.\n'
        : `No optical drives found: drive access needs Linux (this is ${process.platform}).\n`,
    );
    return 0;
  }
  for (const d of drives) {
    const nodes = [d.blockDevice, d.genericDevice].filter((n) => n !== undefined).join(' ');
    const name = [d.vendor, d.model, d.revision].filter((s) => s.length > 0).join(' ');
    const mounted = d.mounted ? `  mounted at ${d.mountPoints.join(', ')}` : '';
    ctx.stdout.write(`${nodes.padEnd(20)} ${name}${mounted}\n`);
  }
  return 0;
}
