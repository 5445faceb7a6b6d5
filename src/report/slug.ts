/** File-system-safe names for transcript files: readable, bounded, unique within a folder. */

const MAX_SLUG = 80;

/** `specs/Auth & TLS.yaml` → `specs-auth-tls`; never empty. */
export function slugify(text: string, fallback = 'test'): string {
  const slug = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/\.ya?ml$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9._]+/g, '-')
    // A dot stays only between other characters (`v1.2`): no `..`, no hidden names.
    .replace(/[-.]{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, MAX_SLUG)
    .replace(/[-.]+$/, '');
  return slug === '' ? fallback : slug;
}

/** Hands out slugs, adding `-2`, `-3`… when a slug is taken in the same folder. */
export function createSlugger(): (folder: string, text: string) => string {
  const taken = new Set<string>();
  return (folder, text) => {
    const base = slugify(text);
    let slug = base;
    for (let n = 2; taken.has(`${folder}/${slug}`); n++) slug = `${base}-${n}`;
    taken.add(`${folder}/${slug}`);
    return slug;
  };
}
