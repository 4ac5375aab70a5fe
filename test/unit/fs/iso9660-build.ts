/**
 * A tiny ISO 9660 writer for tests: hand-placed directories and files, with optional System Use
 * bytes, so hostile structures (loops, extents past the end, evil Rock Ridge names) can be made
 * without any external tool.
 */

export interface RecordSpec {
  /** '\0' for '.', '\x01' for '..'. */
  name: string;
  extent: number;
  size: number;
  flags?: number;
  systemUse?: Uint8Array;
  /** Raw record date bytes (7); default 2020-05-06 07:08:09 +00. */
  date?: number[];
}

export interface IsoSpec {
  /** Total sectors of the image. */
  sectors: number;
  volumeId?: string;
  /** Volume space size recorded in the PVD (default `sectors`). */
  volumeSpaceSize?: number;
  rootExtent: number;
  rootSize?: number;
  /** Directory contents by block. */
  directories: { block: number; records: RecordSpec[] }[];
  /** File contents by block. */
  files?: { block: number; data: Uint8Array }[];
  /** Extra raw bytes placed at byte addresses. */
  raw?: { at: number; bytes: Uint8Array }[];
}

const DATE = [120, 5, 6, 7, 8, 9, 0];

export function both32(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24, value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

function both16(value: number): number[] {
  return [value & 0xff, value >>> 8, value >>> 8, value & 0xff];
}

/** One directory record. */
export function record(spec: RecordSpec): Uint8Array {
  const name = Buffer.from(spec.name, 'latin1');
  const pad = name.length % 2 === 0 ? 1 : 0;
  const su = spec.systemUse ?? new Uint8Array(0);
  let length = 33 + name.length + pad + su.length;
  if (length % 2 !== 0) length++;
  const out = new Uint8Array(length);
  out[0] = length;
  out.set(both32(spec.extent), 2);
  out.set(both32(spec.size), 10);
  out.set(spec.date ?? DATE, 18);
  out[25] = spec.flags ?? 0;
  out.set(both16(1), 28);
  out[32] = name.length;
  out.set(name, 33);
  out.set(su, 33 + name.length + pad);
  return out;
}

/** A System Use entry. */
export function suEntry(sig: string, data: number[] | Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + data.length);
  out[0] = sig.charCodeAt(0);
  out[1] = sig.charCodeAt(1);
  out[2] = out.length;
  out[3] = 1;
  out.set(data, 4);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** SP + ER(RRIP_1991A): what the root '.' record carries on a Rock Ridge volume. */
export function rockRidgeRoot(): Uint8Array {
  const id = Buffer.from('RRIP_1991A');
  const er = suEntry('ER', [id.length, 0, 0, 1, ...id]);
  return concat(suEntry('SP', [0xbe, 0xef, 0]), er);
}

export function nm(name: string | Uint8Array, flags = 0): Uint8Array {
  return suEntry('NM', [flags, ...(typeof name === 'string' ? Buffer.from(name) : name)]);
}

export function px(mode: number, nlink = 1, uid = 0, gid = 0): Uint8Array {
  return suEntry('PX', [...both32(mode), ...both32(nlink), ...both32(uid), ...both32(gid)]);
}

/** The image bytes. */
export function buildIso(spec: IsoSpec): Uint8Array {
  const image = new Uint8Array(spec.sectors * 2048);
  const pvd = image.subarray(16 * 2048, 17 * 2048);
  pvd[0] = 1;
  pvd.set(Buffer.from('CD001'), 1);
  pvd[6] = 1;
  pvd.fill(0x20, 8, 72);
  pvd.set(Buffer.from(spec.volumeId ?? 'TEST'), 40);
  pvd.set(both32(spec.volumeSpaceSize ?? spec.sectors), 80);
  pvd.set(both16(1), 120);
  pvd.set(both16(1), 124);
  pvd.set(both16(2048), 128);
  pvd.set(record({ name: '\0', extent: spec.rootExtent, size: spec.rootSize ?? 2048, flags: 2 }), 156);
  pvd.fill(0x20, 190, 813);
  pvd.fill(0x30, 813, 813 + 16 * 4 + 3);
  pvd[881] = 1;
  const term = image.subarray(17 * 2048, 18 * 2048);
  term[0] = 255;
  term.set(Buffer.from('CD001'), 1);
  term[6] = 1;
  for (const dir of spec.directories) {
    let at = dir.block * 2048;
    for (const r of dir.records) {
      const bytes = record(r);
      // Records do not cross sectors: move to the next one as writers do.
      if (Math.floor(at / 2048) !== Math.floor((at + bytes.length - 1) / 2048)) at = Math.ceil(at / 2048) * 2048;
      image.set(bytes, at);
      at += bytes.length;
    }
  }
  for (const f of spec.files ?? []) image.set(f.data, f.block * 2048);
  for (const r of spec.raw ?? []) image.set(r.bytes, r.at);
  return image;
}
