/** Human-readable sizes for transport error messages. */

const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;

const BYTE_UNITS: readonly (readonly [number, string])[] = [
  [GIB, 'GiB'],
  [MIB, 'MiB'],
  [KIB, 'KiB'],
];

/**
 * `64 KiB`, `16 MiB`, `1.5 KiB`, `100 bytes`: the unit a user would have written in `limits`,
 * and never rounded (a limit of 1 MiB and a count of 1048577 bytes must not read alike).
 */
export function formatBytes(count: number): string {
  for (const [size, unit] of BYTE_UNITS) {
    if (count >= size && (count * 10) % size === 0) return `${(count * 10) / size / 10} ${unit}`;
  }
  return count === 1 ? '1 byte' : `${count} bytes`;
}
