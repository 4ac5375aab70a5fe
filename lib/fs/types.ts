/**
 * What every filesystem reader in lib/fs gives: a tree of nodes whose data lies in byte extents
 * of the source. Deep verification, `ls` and `extract` work on this shape only, whatever the
 * filesystem.
 */

/** Bytes of a node's data on the source: absolute byte address (LBA × sector size + offset) and length. */
export interface FsExtent {
  start: number;
  length: number;
}

export type FsNodeKind = 'file' | 'directory' | 'symlink' | 'device' | 'fifo' | 'socket' | 'other';

export interface FsNode {
  /** Name in its directory, in the namespace the reader was opened with. */
  name: string;
  /** Full path from the root, '/'-separated, starting with '/'. The root is '/'. */
  path: string;
  kind: FsNodeKind;
  /** Data length in bytes (for directories, the length of their records). */
  size: number;
  /** Where the data is, in order; their lengths add up to `size` unless the data is inline or sparse. */
  extents: FsExtent[];
  /** Data stored inside the metadata (UDF embedded files), when there is no extent. */
  inline?: Uint8Array;
  mtime?: Date;
  atime?: Date;
  ctime?: Date;
  birthtime?: Date;
  /** POSIX mode bits (type and permissions) when the filesystem records them (Rock Ridge, UDF, HFS+). */
  mode?: number;
  uid?: number;
  gid?: number;
  nlink?: number;
  /** Symbolic link target. */
  linkTarget?: string;
  hidden?: boolean;
  /** Identity on the volume (a directory's extent, a catalog node id): equal ids are the same object. */
  id: string;
}

export type FsType = 'iso9660' | 'high-sierra' | 'udf' | 'hfs' | 'hfsplus';

/** A mounted-for-reading filesystem. */
export interface FileSystemReader {
  readonly type: FsType;
  /** Volume name as the filesystem's tools show it. */
  readonly label: string;
  root(): Promise<FsNode>;
  /** Entries of a directory, without '.' and '..'. */
  readDir(dir: FsNode): Promise<FsNode[]>;
}

/** A non-fatal finding about the volume (conformance problems, odd but readable structures). */
export interface FsWarning {
  code: string;
  message: string;
  path?: string;
}
