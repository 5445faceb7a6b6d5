/**
 * The programmatic API, `import { run, validate } from 'convospec'` (docs/api.md): the
 * commands `run` and `validate` as functions, with typed results and events.
 */
export { run } from './run.js';
export type { ConsoleOutput, ReportOptions, RunResult, RunSettings, RunStatus } from './run.js';
export { validate } from './validate.js';
export type { InMemorySpecs, ValidateOptions, ValidateResult } from './validate.js';
export type { ConvospecEvent, InvalidSpecsEvent, OnEvent } from './events.js';
export type {
  Failure,
  FailureKind,
  InvalidFile,
  RunSummary,
  SuiteInfo,
  TestInfo,
  TestResult,
  TestStatus,
  TranscriptDirection,
  TranscriptEntry,
} from '../engine/events.js';
export type { Diagnostic, DiagnosticCode } from '../kernel/diagnostic.js';
export type { Span } from '../kernel/span.js';
export type { Reporter, LoadStatistics } from '../report/types.js';
export type { Shard } from '../engine/shard.js';
