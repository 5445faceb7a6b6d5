/**
 * The one place that knows the structural IMAP matcher's form (`s: { imap: … }`): adapt
 * here if that form changes.
 */

export interface Expectation {
  /** `*` lines, verbatim imaptest patterns. */
  readonly untagged: readonly string[];
  /** `?` lines, verbatim, starting with `*`. */
  readonly optional: readonly string[];
  /** `!` lines, verbatim, starting with `*`. */
  readonly forbid: readonly string[];
  /** `ignore_extra_untagged` */
  readonly extra: boolean;
  /** Per tag: `OK`, `NO`, `BAD` or `any`, then the prefix the completion's text starts with. */
  readonly tagged: readonly { readonly tag: string; readonly status: string; readonly prefix: string | undefined }[];
}

export function imapMatcher(e: Expectation): Record<string, unknown> {
  const imap: Record<string, unknown> = {};
  if (e.untagged.length > 0) imap.untagged = [...e.untagged];
  if (e.optional.length > 0) imap.optional = [...e.optional];
  if (e.forbid.length > 0) imap.forbid = [...e.forbid];
  if (!e.extra) imap.extra = false;
  const completion = (t: Expectation['tagged'][number]): string => (t.prefix === undefined ? t.status : `${t.status} ${t.prefix}`);
  const [only] = e.tagged;
  if (e.tagged.length === 1 && only) imap.tagged = completion(only);
  else imap.tagged = Object.fromEntries(e.tagged.map((t) => [t.tag, completion(t)]));
  return { imap };
}
