import { Drive, type OpenOptions, type SimulationStats } from '../../drive/drive.js';
import type { EmulatedAddressOptions } from '../../emulator/address.js';
import type { DiscToc } from '../../drive/toc.js';
import type { DriveCapabilities } from '../../drive/capabilities.js';
import { writeFile } from 'node:fs/promises';
import { FormatError, MalformedResponseError, NotReadyError, ScsiError, UnsupportedError } from '../../errors.js';
import { RecordingTransport } from '../../transport/recording.js';
import { printJson, type CliContext } from '../io.js';
import { analyzeDisc, type DiscAnalysis, type FileSystemSummary } from '../../analysis/disc-analysis.js';

interface InfoReport {
  path: string;
  inquiry: { vendor: string; product: string; revision: string; deviceType: number };
  capabilities: DriveCapabilities;
  medium: { present: boolean; reason?: string };
  toc?: DiscToc;
  /** Disc type, sessions, tracks and their filesystems (cd-info's analysis report plus isoinfo -d). */
  analysis?: DiscAnalysis;
  /** Why the analysis is missing, when the drive failed it. */
  analysisError?: string;
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
      report.toc = await drive.toc(signalOption).catch((error: unknown) => {
        // DVD and BD drives may refuse the TOC; the analysis reads READ CAPACITY instead.
        if (error instanceof ScsiError && error.senseKey === 0x05) return undefined;
        throw error;
      });
      if (report.toc === undefined) delete report.toc;
      try {
        report.analysis = await analyzeDisc(drive, signalOption);
      } catch (error) {
        // The drive's identity and TOC are still worth printing when the analysis fails.
        if (!(error instanceof ScsiError || error instanceof FormatError || error instanceof UnsupportedError || error instanceof MalformedResponseError)) throw error;
        report.analysisError = error.message;
      }
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
  if (r.drive) out(`Emulated:     ${r.drive.commands} commands, ${r.drive.simulatedSeconds.toFixed(3)} s simulated`);
  const toc = r.toc;
  if (toc) out(`Medium:       ${toc.sessions.length} session(s), tracks ${toc.firstTrack}-${toc.lastTrack}, lead-out at LBA ${toc.leadOutLba}`);
  if (r.analysisError !== undefined) out(`Disc analysis failed: ${r.analysisError}`);
  const a = r.analysis;
  if (!a) return;
  out('');
  out('Disc analysis');
  out(`  Disc type:  ${a.discTypeName}`);
  if (a.mcn !== undefined) out(`  MCN:        ${a.mcn}`);
  for (const s of a.sessions) {
    out(`  Session ${s.number} (lead-out at LBA ${s.leadOutLba})`);
    for (const t of s.tracks) {
      const flags = [t.control.preEmphasis ? (t.type === 'audio' ? 'pre-emphasis' : 'incremental') : '', t.control.copyPermitted ? 'copy permitted' : '', t.control.fourChannel ? 'four channels' : '']
        .filter(Boolean)
        .join(', ');
      out(
        `    Track ${String(t.number).padStart(2, '0')}  ${t.mode.padEnd(8)}  LBA ${String(t.startLba).padStart(7)}  ${String(t.lengthSectors).padStart(7)} sectors` +
          (flags ? `  [${flags}]` : '') +
          (t.isrc !== undefined ? `  ISRC ${t.isrc}` : ''),
      );
      for (const fs of t.fileSystems) printFileSystem(out, fs);
      if (t.type === 'data' && t.fileSystems.length === 0) out('      no filesystem recognised');
    }
  }
}

function printFileSystem(out: (line?: string) => void, fs: FileSystemSummary): void {
  out(`      ${fs.version}: "${fs.label}", ${fs.blockCount} blocks of ${fs.blockSize} bytes${fs.partition ? ` (${fs.partition.map} partition ${fs.partition.index})` : ''}`);
  const fields: [string, string | undefined][] = [
    ['System id', fs.systemId],
    ['Volume set id', fs.volumeSetId],
    ['Publisher id', fs.publisher],
    ['Data preparer id', fs.dataPreparer],
    ['Application id', fs.application],
    ['Joliet volume id', fs.jolietLabel],
  ];
  for (const [name, value] of fields) if (value) out(`        ${`${name}:`.padEnd(18)}${value}`);
}

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}
