/**
 * What must not change while a file's bytes are trusted to be the ones that were hashed: size, mtime,
 * ctime, inode and device. A write changes mtime and ctime; putting mtime back (touch -d) changes
 * ctime, which user programs cannot set on Linux's own file systems (vfat and exFAT report the
 * creation time instead). Used by the digest cache (between runs) and by uploads (while a file is
 * read to be sent).
 */
import { fstatSync, statSync, type BigIntStats } from "node:fs";

export function fileStamp(stat: BigIntStats): string {
  return [stat.size, stat.mtimeNs, stat.ctimeNs, stat.ino, stat.dev].join(":");
}

export function statForStamp(path: string): BigIntStats {
  return statSync(path, { bigint: true });
}

/** The stamp of an open file: the bytes read through `fd` are its, whatever the path names now. */
export function openFileStamp(fd: number): string {
  return fileStamp(fstatSync(fd, { bigint: true }));
}
