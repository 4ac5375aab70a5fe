import { Drive, type OpenOptions, type SimulationStats } from '../../drive/drive.js';
import type { EmulatedAddressOptions } from '../../emulator/address.js';
import type { DiscToc } from '../../drive/toc.js';
import type { DriveCapabilities } from '../../drive/capabilities.js';
import { writeFile } from 'node:fs/promises';
import { NotReadyError, ScsiError } from '../../errors.js';
import { RecordingTransport } from '../../transport/recording.js';
import { printJson, type CliContext } from '../io.js';

interface InfoReport {
  path: string;
  inquiry: { vendor: string; product: string; revision: string; deviceType: number };
  capabilities: DriveCapabilities;
  medium: { present: boolean; reason?: string };
  toc?: DiscToc;
  /** Virtual-clock counters, for emulated drives. */
  drive?: SimulationStats;
}

export async function infoCommand(
  ctx: CliContext,
  options: { device: string; json: boolean; emulator?: EmulatedAddressOptions; record?: string | undefined },
): Promise<number> {
  const open = ctx.openDrive ?? ((path: string, o?: OpenOptions) => Drive.open(path, o));
  const opened = await open(options.device, options.emulator ? { emulator: options.emulator } : {});
  const recorder = options.record === undefined ? undefined : new RecordingTransport(opened.transport);
  const drive = recorder ? Drive.fromTransport(recorder) : opened;
  try {
    const signalOption = ctx.signal ? { signal: ctx.signal } : {};
    const inquiry = await drive.inquiry(signalOption);
    const report: InfoReport = {
      path: drive.path,
      inquiry: {
        vendor: inquiry.vendor,
        product: inquiry.product,
        revision: inquiry.revision,
        deviceType: inquiry.deviceType,
      },
      capabilities: await drive.capabilities(signalOption),
      medium: { present: false },
    };
    try {
      await drive.waitReady({ timeoutMs: 20_000, ...signalOption });
      report.medium = { present: true };
      report.toc = await drive.toc(signalOption);
    } catch (error) {
      if (!(error instanceof NotReadyError || (error instanceof ScsiError && error.senseKey === 0x05))) throw error;
      report.medium = { present: false, reason: error.message };
    }
    const simulation = drive.simulation;
    if (simulation) report.drive = simulation;
    if (options.json) printJson(ctx, report);
    else printHuman(ctx, report);
    return 0;
  } finally {
    await drive.close();
    if (recorder && options.record !== undefined) {
      await writeFile(options.record, `${JSON.stringify(recorder.recording(), null, 1)}\n`);
    }
  }
}

function printHuman(ctx: CliContext, r: InfoReport): void {
  const out = (line = '') => ctx.stdout.write(`${line}\n`);
  const c = r.capabilities;
  out(`Drive:        ${r.path}`);
  out(`Identity:     ${r.inquiry.vendor} ${r.inquiry.product} ${r.inquiry.revision}`);
  out(`Profile:      ${c.currentProfileName}`);
  if (c.profiles.length > 0) out(`Profiles:     ${c.profiles.map((p) => p.name).join(', ')}`);
  out(`C2 pointers:  ${yesNo(c.c2Pointers)}`);
  out(`Accurate stream: ${c.accurateStream === undefined ? 'unknown' : yesNo(c.accurateStream)}`);
  out(`CD-Text:      ${yesNo(c.cdText)}`);
  if (!r.medium.present) {
    out(`Medium:       none (${r.medium.reason ?? 'not ready'})`);
    return;
  }
  const toc = r.toc;
  if (!toc) return;
  if (r.drive) out(`Emulated:     ${r.drive.commands} commands, ${r.drive.simulatedSeconds.toFixed(3)} s simulated`);
  out(`Medium:       ${toc.sessions.length} session(s), tracks ${toc.firstTrack}-${toc.lastTrack}, lead-out at LBA ${toc.leadOutLba}`);
  for (const s of toc.sessions) {
    out(`  Session ${s.number}`);
    for (const t of s.tracks) {
      out(
        `    Track ${String(t.number).padStart(2, '0')}  ${t.isData ? 'data ' : 'audio'}  LBA ${String(t.startLba).padStart(6)}  ${String(t.sectorCount).padStart(6)} sectors`,
      );
    }
  }
}

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}
