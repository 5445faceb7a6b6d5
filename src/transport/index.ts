export { openConnection } from './open.js';
export { readLine, SocketConnection } from './connection.js';
export type { SocketConnectionOptions } from './connection.js';
export { LineReader } from './line-reader.js';
export { ByteQueue } from './byte-queue.js';
export { formatBytes } from './format.js';
export { blockCost, LINE_OVERHEAD_BYTES } from './limits.js';
export { formatName } from './tls-info.js';
export { StopToken, stopSignalOf } from './stop.js';
export { TransportError } from './types.js';
export type {
  Clock,
  Connection,
  ConnectOptions,
  OpenConnection,
  ResolvedTls,
  StopSignal,
  TlsInfo,
  TransportErrorKind,
} from './types.js';
export { adoptSocket } from './accept.js';
export type { AcceptOptions } from './accept.js';
export type { ServerTls } from './tls-accept.js';
