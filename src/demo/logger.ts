/**
 * Where the demo reports its lifecycle (listening ports, listener errors). It never logs
 * conversation content, so no credential can reach a log. `console` fits.
 */
export interface DemoLogger {
  info(message: string): void;
  error(message: string): void;
}

export const SILENT_LOGGER: DemoLogger = {
  info: () => undefined,
  error: () => undefined,
};
