/** The `${…}` template language (format §7): parse at load time, evaluate at run time. */
export type { Template, TemplatePart, Expr, Value, Scope } from './types.js';
export { parseTemplate, NAME_PATTERN } from './parse.js';
export type { ParseResult } from './parse.js';
export { templateRefs } from './refs.js';
export { envLookup } from './env.js';
export type { TemplateRefs } from './refs.js';
export { FUNCTIONS, MAX_REPEAT_CHARS, MAX_RANDOM_DIGITS, rfc5322Date } from './functions.js';
export type { TemplateFunction } from './functions.js';
export { evaluate, evaluateParts } from './evaluate.js';
export { evaluateRegex, escapeRegex, RegexCache } from './regex.js';
export { Redactor } from './redact.js';
export { TemplateError } from './error.js';
export { literalValue, derivedValue } from './value.js';
