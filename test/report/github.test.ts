/**
 * The GitHub Actions reporter's pieces: workflow commands escaped as GitHub's runner reads
 * them back (a reply cannot end a command or start another), and the step summary's Markdown
 * (nothing a server sent becomes markup).
 */
import { describe, expect, it } from 'vitest';
import type { LoadReport } from '../../src/loadtest/report.js';
import { markdownText, stepSummary, workflowCommand, type SummaryLoad } from '../../src/report/github.js';
import { CWD, RESULTS, SUMMARY } from './fixtures.js';
import { parseWorkflowCommands } from './workflow-commands.js';

describe('GitHub workflow commands', () => {
  it('escape %, CR and LF in the message, and : and , besides in properties', () => {
    const line = workflowCommand('error', { file: 'a:b,c%.yaml', line: 3, title: 'x\r\ny' }, '50% done\r\n::error::forged\nmore');
    expect(line).toBe('::error file=a%3Ab%2Cc%25.yaml,line=3,title=x%0D%0Ay::50%25 done%0D%0A::error::forged%0Amore');
    expect(line).not.toContain('\n');
    expect(parseWorkflowCommands(`${line}\n`)).toEqual([
      { command: 'error', properties: { file: 'a:b,c%.yaml', line: '3', title: 'x\r\ny' }, message: '50% done\r\n::error::forged\nmore' },
    ]);
  });
});

describe('the step summary', () => {
  it('has the counts and each failure with its place', () => {
    const md = stepSummary(RESULTS, SUMMARY, CWD);
    expect(md).toMatch(/^### convospec: 3 failed\n\n1 passed · 2 failed · 1 errored · 1 skipped\n/);
    expect(md).toContain('- **Submission port › AUTH PLAIN after STARTTLS** at `specs/fragments/login.yaml:4:12`');
    expect(md).toContain('<pre>expected reply code 235, got 535&#10;step: authenticate&#10;expected: 235&#10;received: 535 5.7.8 Error: authentication failed</pre>');
  });

  it('keeps markup a server sent as text', () => {
    expect(markdownText('<script>x</script> | [a](http://x) `c` *b*')).toBe(
      '&#60;script&#62;x&#60;/script&#62; \\| \\[a\\](http://x) \\`c\\` \\*b\\*',
    );
  });

  it('reads what it needs of a load report', () => {
    // Compile-time: a LoadReport is what the summary reads (report/ cannot import loadtest/).
    const fromReport = (report: LoadReport): SummaryLoad => report;
    expect(typeof fromReport).toBe('function');
  });
});
