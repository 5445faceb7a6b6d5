/**
 * Report files are written whole or not at all: a temporary file beside the target, renamed
 * over it. Two writers of one path leave one of their texts, never a mix; nothing is left
 * behind; a path that cannot take a report is said before the run.
 */
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportWriteError, checkOutputPath, writeReportFile } from '../../src/report/output-file.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convospec-output-'));
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('writeReportFile', () => {
  it('replaces the file by a rename (a new inode), creating folders, leaving no temporary file', async () => {
    const file = join(dir, 'a/b/report.xml');
    await writeReportFile(file, 'first\n');
    const before = await stat(file);
    await writeReportFile(file, 'second\n');
    expect(await readFile(file, 'utf8')).toBe('second\n');
    expect((await stat(file)).ino).not.toBe(before.ino);
    expect(await readdir(join(dir, 'a/b'))).toEqual(['report.xml']);
  });

  it('two runs writing one path leave one whole report, not a mix', async () => {
    const file = join(dir, 'shared.json');
    const big = (c: string): string => c.repeat(4 * 1024 * 1024);
    for (let round = 0; round < 5; round++) {
      await Promise.all([writeReportFile(file, big('a')), writeReportFile(file, big('b'))]);
      const text = await readFile(file, 'utf8');
      expect(text.length).toBe(4 * 1024 * 1024);
      expect([big('a'), big('b')]).toContain(text);
    }
    expect(await readdir(dir)).not.toContainEqual(expect.stringMatching(/\.tmp$/));
  });

  it('a failure is a ReportWriteError naming the file, and the old report stays whole', async () => {
    const file = join(dir, 'kept.xml');
    await writeFile(file, 'old report\n');
    await expect(writeReportFile(join(file, 'inside.xml'), 'x')).rejects.toThrow(ReportWriteError);
    await expect(writeReportFile(join(file, 'inside.xml'), 'x')).rejects.toThrow(`cannot write ${join(file, 'inside.xml')}: a part of the path is a file`);
    await expect(writeReportFile(dir, 'x')).rejects.toThrow(/is a folder/);
    expect(await readFile(file, 'utf8')).toBe('old report\n');
  });
});

describe('checkOutputPath', () => {
  it('takes a new file in a new folder, and an existing file', async () => {
    expect(await checkOutputPath(join(dir, 'new/folder/junit.xml'), 'file')).toBeUndefined();
    expect(await checkOutputPath(join(dir, 'kept.xml'), 'file')).toBeUndefined();
    expect(await checkOutputPath(join(dir, 'transcripts'), 'folder')).toBeUndefined();
    expect(await readdir(join(dir, 'new/folder'))).toEqual([]);
  });

  it('refuses a folder for a file, a file for a folder, a device, and a folder that cannot exist', async () => {
    expect(await checkOutputPath(dir, 'file')).toMatch(/is a folder/);
    expect(await checkOutputPath(join(dir, 'kept.xml'), 'folder')).toMatch(/is a file/);
    expect(await checkOutputPath('/dev/null', 'file')).toMatch(/not a regular file/);
    expect(await checkOutputPath('/proc/nonexistent/junit.xml', 'file')).toMatch(/cannot be created/);
  });
});
