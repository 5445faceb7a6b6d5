/**
 * The load-time check of serve mode (format §9): every `s:` must be a reply that can be sent,
 * and every `c:` regex must compile and be safe to search in a hostile client's lines. Run
 * after the loader, before any port is opened; each problem at its file:line:col.
 */
import type { Diagnostic } from '../kernel/diagnostic.js';
import { MAIN_CONNECTION, type ProtocolName, type Step, type Suite, type TlsOptions } from '../kernel/model.js';
import { lineRegex } from '../kernel/client-line.js';
import { regexHazard } from '../match/linear.js';
import { isUnsendable, serveReply } from './reply.js';

export function checkServable(suites: readonly Suite[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const suite of suites) {
    for (const test of suite.tests) {
      const protocols = new Map<string, ProtocolName>();
      let current: ProtocolName | undefined;
      if (test.connect) {
        current = test.connect.protocol;
        protocols.set(test.connect.as ?? MAIN_CONNECTION, current);
      }
      const walk = (steps: readonly Step[], included: readonly Step[]): void => {
        for (const step of steps) {
          const report = (d: Omit<Diagnostic, 'code' | 'includedFrom'>): void => {
            out.push({ code: 'serve-unsendable', ...d, ...(included.length ? { includedFrom: included.map((s) => s.span).reverse() } : {}) });
          };
          switch (step.kind) {
            case 's': {
              if (!current) break;
              const reply = serveReply(step.matcher, current);
              if (isUnsendable(reply)) report({ span: reply.span, message: reply.message, ...(reply.hint ? { hint: reply.hint } : {}) });
              break;
            }
            case 'c':
              for (const line of step.lines) {
                const regex = lineRegex(line);
                if (!regex) continue;
                const probe = regex.source.parts.map((p) => (p.kind === 'text' ? p.value : '0')).join('');
                try {
                  new RegExp(probe, regex.flags);
                } catch (error) {
                  report({ span: line.span, message: `the regex does not compile: ${(error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '')}` });
                  continue;
                }
                const hazard = regexHazard(probe, regex.flags);
                if (hazard) report({ span: line.span, message: hazard.message, hint: hazard.hint });
              }
              break;
            case 'connect':
              current = step.connect.protocol;
              protocols.set(step.connect.as ?? `connection ${protocols.size + 1}`, current);
              break;
            case 'use':
              current = protocols.get(step.connection) ?? current;
              break;
            case 'repeat':
            case 'retry':
              walk(step.steps, included);
              break;
            case 'include':
              walk(step.fragment.steps, [...included, step]);
              break;
            default:
              break;
          }
        }
      };
      walk(test.steps, []);
    }
  }
  return out;
}

/**
 * Whether any selected test does TLS, and the literal `servername`s it asks for: what the
 * certificate made at start-up must name (format §9).
 */
export function tlsNeeds(suites: readonly Suite[]): { readonly tls: boolean; readonly names: readonly string[] } {
  let tls = false;
  const names = new Set<string>();
  const note = (options: TlsOptions | undefined): void => {
    if (!options) return;
    tls = true;
    const name = options.servername;
    if (name && name.parts.every((p) => p.kind === 'text')) names.add(name.source);
  };
  const walk = (steps: readonly Step[]): void => {
    for (const step of steps) {
      if (step.kind === 'tls') note(step.options);
      else if (step.kind === 'connect') note(step.connect.tls);
      else if (step.kind === 'repeat' || step.kind === 'retry') walk(step.steps);
      else if (step.kind === 'include') walk(step.fragment.steps);
    }
  };
  for (const suite of suites) {
    for (const test of suite.tests) {
      note(test.connect?.tls);
      walk(test.steps);
    }
  }
  return { tls, names: [...names] };
}
