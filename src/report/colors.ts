/**
 * The console's colours by role, not by hue. Made per reporter from `context.color`
 * (the CLI decides: TTY and NO_COLOR); picocolors' shared default instance reads
 * process state, so it is never used.
 */
import picocolors from 'picocolors';

export type Paint = (text: string) => string;

export interface Palette {
  readonly pass: Paint;
  readonly fail: Paint;
  readonly skip: Paint;
  readonly dim: Paint;
  readonly bold: Paint;
  readonly location: Paint;
  readonly expected: Paint;
  readonly actual: Paint;
  readonly client: Paint;
  readonly slow: Paint;
}

export function createPalette(enabled: boolean): Palette {
  const c = picocolors.createColors(enabled);
  return {
    pass: c.green,
    fail: c.red,
    skip: c.yellow,
    dim: c.dim,
    bold: c.bold,
    location: c.cyan,
    expected: c.green,
    actual: c.red,
    client: c.blue,
    slow: c.yellow,
  };
}
