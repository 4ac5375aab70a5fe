// QEMU command lines for the two optical attachments, blkdebug error injection, and one boot
// with a timeout whose console is kept in a log file.

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';

/**
 * The controller and drive devices of an attachment. Drive i is backed by `-drive id=cd<i>`.
 * Both layouts give the clean drive the lower SCSI address: target 0 then 1 on one virtio-scsi
 * bus; the primary then the secondary IDE channel (two ata_piix ports, two SCSI hosts).
 */
export const ATTACHMENTS = {
  'scsi-cd': (count) => [
    '-device', 'virtio-scsi-pci,id=scsi0',
    ...Array.from({ length: count }, (_, i) => ['-device', `scsi-cd,bus=scsi0.0,channel=0,scsi-id=${i},lun=0,drive=cd${i}`]).flat(),
  ],
  'ide-cd': (count) => {
    if (count > 2) throw new RangeError('ide-cd: at most two drives (one per channel)');
    return Array.from({ length: count }, (_, i) => ['-device', `ide-cd,bus=ide.${i},unit=0,drive=cd${i}`]).flat();
  },
};

/** A read-only CD backend: the image itself, or the image behind blkdebug with `configFile`. */
export function driveBackend(id, isoPath, configFile) {
  const common = `if=none,id=${id},media=cdrom,readonly=on`;
  if (!configFile) return ['-drive', `${common},file=${isoPath},format=raw`];
  return [
    '-drive',
    `${common},driver=raw,file.driver=blkdebug,file.config=${configFile},file.image.driver=file,file.image.filename=${isoPath}`,
  ];
}

/** blkdebug rules failing every read of the given 2048-byte LBAs with `errno` (61 = ENODATA). */
export function writeBlkdebugConfig(path, badLbas, errno = 61) {
  const blocks = badLbas.map(
    (lba) => `[inject-error]\nevent = "read_aio"\nerrno = "${errno}"\nsector = "${lba * 4}"\nonce = "off"\nimmediately = "off"\n`,
  );
  writeFileSync(path, blocks.join('\n'));
  return path;
}

export function qemuArgs({ vmlinuz, initrd, append, devices, memoryMb = 1024 }) {
  return [
    '-machine', 'pc,accel=tcg',
    '-cpu', 'max',
    '-smp', '1',
    '-m', String(memoryMb),
    '-nographic',
    '-no-reboot',
    '-nodefaults',
    '-serial', 'stdio',
    '-kernel', vmlinuz,
    '-initrd', initrd,
    '-append', append,
    ...devices,
  ];
}

/**
 * Runs QEMU until it exits or `timeoutMs` passes (then kills it). Resolves with the console text,
 * whether it timed out, and the wall time; the console also goes to `logPath`. `onLine` sees each
 * console line as it arrives.
 */
export function boot({ args, timeoutMs, logPath, onLine }) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let console = '';
    let pending = '';
    let timedOut = false;
    const take = (text) => {
      console += text;
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine?.(line.replace(/\r$/u, ''));
    };
    child.stdout.setEncoding('utf8').on('data', take);
    child.stderr.setEncoding('utf8').on('data', take);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (pending) onLine?.(pending.replace(/\r$/u, ''));
      writeFileSync(logPath, `# qemu-system-x86_64 ${args.map(quote).join(' ')}\n${console}`);
      resolve({ console, timedOut, code, signal, wallMs: Date.now() - started });
    });
  });
}

function quote(arg) {
  return /^[\w@%+=:,./-]+$/u.test(arg) ? arg : `'${arg.replace(/'/gu, `'\\''`)}'`;
}
