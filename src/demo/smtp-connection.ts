/**
 * smtp-server with two corrections the demo needs, made where smtp-server has its one reply
 * writer (`SMTPConnection.send`) instead of patching its command handlers:
 * - a handler error whose message starts with an RFC 3463 code (`5.7.1 Relay access denied`)
 *   is answered with that code, not smtp-server's per-reply-code default (554 → 5.6.0);
 * - AUTH before STARTTLS is answered `530 5.7.0` as RFC 3207 §4 says, not with smtp-server's
 *   non-standard 538.
 * smtp-server is pinned in package.json; test/demo asserts both replies on the wire.
 */
import type net from 'node:net';
import type tls from 'node:tls';
import { SMTPServer } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import type { SMTPConnectionOptions } from 'smtp-server/lib/smtp-connection.js';

const ENHANCED_PREFIX = /^([245]\.\d{1,3}\.\d{1,3}) (.*)$/s;
const EXPLICIT = /^[245]\.\d{1,3}\.\d{1,3}$/;

/** RFC 3207 §4: "530 5.7.0 Must issue a STARTTLS command first". */
const STARTTLS_FIRST = 538;

class DemoConnection extends SMTPConnection {
  override send(code: number, data?: string | string[] | null, context?: string | false): void {
    const replyCode = code === STARTTLS_FIRST ? 530 : code;
    if (context === undefined && typeof data === 'string') {
      const match = ENHANCED_PREFIX.exec(data);
      if (match) return super.send(replyCode, match[2], match[1]);
    }
    super.send(replyCode, data, context);
  }

  override _getEnhancedStatusCode(code: number, context?: string | false): string {
    if (typeof context === 'string' && EXPLICIT.test(context)) return this._useEnhancedStatusCodes() ? context : '';
    return super._getEnhancedStatusCode(code, context);
  }
}

/** An SMTPServer whose connections are DemoConnections (the body of SMTPServer.connect). */
export class DemoSmtpServer extends SMTPServer {
  override connect(socket: net.Socket | tls.TLSSocket, socketOptions?: SMTPConnectionOptions | null): void {
    const connection = new DemoConnection(this, socket, socketOptions);
    this.connections.add(connection);
    connection.on('error', (error: Error) => this._onError(error));
    connection.on('connect', (data) => this._onClientConnect(data));
    connection.init();
  }
}
