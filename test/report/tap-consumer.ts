/**
 * A real TAP consumer for the tests: Perl's TAP::Parser (what `prove` runs), given the text
 * on stdin, prints each test point and YAML block it read as JSON. It knows TAP up to
 * version 13, so it says "TAP specified version 14 but we don't know about versions later
 * than 13" for the first line; every other parse error is one of ours.
 */
import { spawnSync } from 'node:child_process';

export interface TapPoint {
  readonly ok: boolean;
  readonly actualOk: boolean;
  readonly number: number;
  readonly description: string;
  readonly directive: string;
  readonly explanation: string;
  /** The YAML diagnostic block after it, as TAP::Parser's YAMLish reader read it. */
  yaml?: unknown;
}

export interface TapParse {
  readonly points: TapPoint[];
  readonly plan: string;
  readonly errors: string[];
}

const SCRIPT = String.raw`
use strict; use warnings; use TAP::Parser; use JSON::PP;
binmode STDIN, ':encoding(UTF-8)';
my $tap = do { local $/; <STDIN> };
my $p = TAP::Parser->new({ tap => $tap });
my $json = JSON::PP->new->utf8->canonical;
while (my $r = $p->next) {
  if ($r->is_test) {
    print $json->encode({ ok => $r->is_ok ? JSON::PP::true : JSON::PP::false, actualOk => $r->is_actual_ok ? JSON::PP::true : JSON::PP::false,
      number => $r->number + 0, description => $r->description, directive => $r->directive, explanation => $r->explanation }), "\n";
  } elsif ($r->is_yaml) {
    print $json->encode({ yaml => $r->data }), "\n";
  }
}
print $json->encode({ plan => $p->plan, errors => [$p->parse_errors] }), "\n";
`;

export const havePerlTap = spawnSync('perl', ['-MTAP::Parser', '-MJSON::PP', '-e', '1']).status === 0;

export function parseTap(text: string): TapParse {
  const run = spawnSync('perl', ['-e', SCRIPT], { input: text, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`TAP::Parser: ${run.stderr}`);
  const points: TapPoint[] = [];
  let tail: { plan: string; errors: string[] } = { plan: '', errors: [] };
  for (const line of run.stdout.trimEnd().split('\n')) {
    const item = JSON.parse(line) as TapPoint | { yaml: unknown } | { plan: string; errors: string[] };
    if ('yaml' in item && !('number' in item)) points.at(-1)!.yaml = item.yaml;
    else if ('plan' in item) tail = item;
    else points.push(item);
  }
  const errors = tail.errors.filter((e) => !/TAP specified version 14 but we don't know about versions later than 13/.test(e));
  return { points, plan: tail.plan, errors };
}
