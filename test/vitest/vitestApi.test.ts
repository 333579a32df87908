/**
 * The vitest API from the repository's sources. Its own registrations are real suites here:
 * the reference passes a campaign, and the reference passes every timeline in
 * test/regressions (each of which caught a specimen). The checks behind the failing cases are
 * asserted directly: what a failing test says, the failure file it writes, the same verdict
 * for the same seed (and as `baileys-sim audit`), and one-line refusals of bad arguments. The
 * package test runs the same API from an installed tarball, through vitest.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFailureFile } from '../../properties/campaigns/failureFile.js';
import { builtInSendPath } from '../../properties/paths/sendPaths.js';
import { formatViolation } from '../../report/text.js';
import type { SendPathFactory } from '../../src/ports.js';
import { referenceSendPath } from '../../src/reference.js';
import { checkSendPath, unnamedModule } from '../../vitest/checkSendPath.js';
import { describeSendPath, replayFailures } from '../../vitest/index.js';
import { resolveSuiteOptions } from '../../vitest/options.js';
import type { CampaignSummary } from '../../report/verdict.js';
import { checkFailureFile } from '../../vitest/replayFailures.js';
import { repoRoot, runCli } from '../cli/runCli.js';
import { createSendPath as moduleCounterIds } from '../fixtures/paths/moduleCounterIds.js';
import { createSendPath as neverConnects } from '../fixtures/paths/neverConnects.js';
import { explainProperty } from '../../properties/judging/propertyTexts.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'bsim-vitest-'));
}

describeSendPath('the reference send path', referenceSendPath, {
  runs: 300,
  seed: 2,
  failuresDir: tempDir(),
});

replayFailures('test/regressions', referenceSendPath);

const capturedSocket = builtInSendPath('specimen:captured-socket').factory;

/** A buggy send path module the CLI can load: the compiled specimen (npm test builds dist/). */
function buggyModuleIn(dir: string): string {
  writeFileSync(
    join(dir, 'buggy.mjs'),
    `export { capturedSocket as createSendPath } from ` +
      `${JSON.stringify(join(repoRoot, 'dist/properties/specimens/capturedSocket.js'))};\n`,
  );
  return './buggy.mjs';
}

describe('checkSendPath (the test describeSendPath registers)', () => {
  it(
    'fails with one block per broken property: its violations, its shrunk timeline, its ' +
      'failure file and replay command',
    async () => {
      // Arrange
      const cwd = tempDir();
      const options = resolveSuiteOptions('test', { runs: 200, seed: 1 }, cwd);
      // Act
      const check = await checkSendPath('captured socket', capturedSocket, options, cwd);
      // Assert
      expect(check.passed).toBe(false);
      const lines = check.message.split('\n');
      expect(lines[0]).toBe(
        `captured socket: ${check.failureFiles.length} properties violated (seed 1, 200 runs)`,
      );
      expect(check.failureFiles.length).toBeGreaterThan(1);
      const properties: string[] = [];
      for (const [i, file] of check.failureFiles.entries()) {
        const failure = await readFailureFile(file);
        properties.push(failure.property!);
        expect(lines).toContain(
          `FAIL ${i + 1}/${check.failureFiles.length}  ${failure.property}: ` +
            `${lines.find((l) => l.startsWith(`FAIL ${i + 1}/`))!.split(': ')[1]}`,
        );
        for (const violation of failure.violations.filter((v) => v.property === failure.property))
          expect(lines).toContain(`  ${formatViolation(violation)}`);
        const shown = file.slice(cwd.length + 1);
        expect(shown).toMatch(
          new RegExp(
            `^\\.baileys-sim/failures/captured-socket-${failure.property}-[0-9a-f]{12}\\.json$`,
          ),
        );
        expect(lines).toContain(
          `  replay:       npx baileys-sim replay ${shown} --path ${unnamedModule}`,
        );
        expect(failure.path).toBe('captured socket');
      }
      expect(lines.filter((line) => line.startsWith('timeline ('))).toHaveLength(
        check.failureFiles.length,
      );
      expect(lines.at(-1)).toBe(
        `FAIL: ${properties.length} properties violated, the worst for a user first: ` +
          `${properties.join(', ')}`,
      );
    },
  );

  it('gives the same verdict, message and files for the same seed', async () => {
    // Arrange
    const [first, second] = [tempDir(), tempDir()];
    const options = { runs: 300, seed: 9 };
    // Act
    const a = await checkSendPath(
      'p',
      capturedSocket,
      resolveSuiteOptions('test', options, first),
      first,
    );
    const b = await checkSendPath(
      'p',
      capturedSocket,
      resolveSuiteOptions('test', options, second),
      second,
    );
    // Assert
    expect(b.message).toBe(a.message);
    expect(b.failureFiles.map((f) => f.slice(second.length))).toEqual(
      a.failureFiles.map((f) => f.slice(first.length)),
    );
  });

  it(
    'with its module named, finds what `baileys-sim audit` finds and prints replay ' +
      'commands that reproduce it',
    async () => {
      // Arrange
      const cwd = tempDir();
      const module = buggyModuleIn(cwd);
      // Act
      const check = await checkSendPath(
        'mine',
        capturedSocket,
        resolveSuiteOptions(
          'test',
          { runs: 300, seed: 4, module, failuresDir: 'vitest-failures' },
          cwd,
        ),
        cwd,
      );
      const audit = await runCli(['audit', module, '--runs', '300', '--seed', '4', '--json'], cwd);
      const replayCommand = check.message
        .split('\n')
        .find((line) => line.startsWith('  replay: '))!
        .replace(/^ {2}replay: +/, '');
      const replay = await runCli(replayCommand.split(' ').slice(2), cwd);
      // Assert
      const summary = JSON.parse(audit.stdout) as CampaignSummary;
      expect(check.failureFiles.map((f) => f.split('/').at(-1))).toEqual(
        summary.failures.map((f) => f.file!.split('/').at(-1)),
      );
      for (const failure of summary.failures)
        expect(check.message).toContain(`  first in run ${failure.runIndex! + 1};`);
      expect(replayCommand).toBe(
        `npx baileys-sim replay ${check.failureFiles[0]!.slice(cwd.length + 1)}`,
      );
      expect(replay.code).toBe(1);
      expect(replay.stdout).toContain(`FAIL: still violates ${summary.failures[0]!.property}`);
    },
  );

  it('passes a correct send path without writing anything', async () => {
    const cwd = tempDir();
    const check = await checkSendPath(
      'ok',
      referenceSendPath,
      resolveSuiteOptions('test', { runs: 100 }, cwd),
      cwd,
    );
    expect(check).toEqual({ passed: true, runs: 100, message: '', failureFiles: [] });
    expect(existsSync(join(cwd, '.baileys-sim'))).toBe(false);
  });

  it(
    'fails a send path that reads randomness outside the ports on uses-ports, naming the ' +
      'global and the port',
    async () => {
      // Arrange: Math.random decides whether a reply is preceded by a composing presence.
      const sloppy: SendPathFactory = (env) => {
        const path = referenceSendPath(env);
        return {
          start: (onMessage) =>
            path.start((msg) => {
              if (Math.random() < 0.5) void msg.sendComposing().catch(() => undefined);
              onMessage(msg);
            }),
          stop: () => path.stop(),
        };
      };
      const cwd = tempDir();
      // Act
      const check = await checkSendPath(
        'sloppy',
        sloppy,
        resolveSuiteOptions('test', { runs: 200 }, cwd),
        cwd,
      );
      // Assert
      expect(check.passed).toBe(false);
      expect(check.message).toMatch(/^FAIL( \d+\/\d+)? {2}uses-ports: \d+ runs? violated it$/m);
      expect(check.message).toMatch(
        /^ {2}the send path called the global Math\.random at \d+ ms \(virtual\).*use env\.random\(\)/m,
      );
    },
  );

  it(
    'fails a send path that is not deterministic on deterministic, with the first ' + 'difference',
    async () => {
      const cwd = tempDir();
      const check = await checkSendPath(
        'counter ids',
        moduleCounterIds,
        resolveSuiteOptions('test', { runs: 100 }, cwd),
        cwd,
      );
      expect(check.passed).toBe(false);
      expect(check.message).toMatch(/^FAIL( \d+\/\d+)? {2}deterministic: \d+ runs? violated it$/m);
      expect(check.message).toMatch(
        /^ {2}the same timeline gave a different history the second time: \$\.attempts\[\d+\]\.messageId: /m,
      );
    },
  );

  it('fails a send path that never connects on exercised, without a failure file', async () => {
    const cwd = tempDir();
    const check = await checkSendPath(
      'adapter',
      neverConnects,
      resolveSuiteOptions('test', { runs: 60 }, cwd),
      cwd,
    );
    expect(check).toMatchObject({ passed: false, runs: 60, failureFiles: [] });
    expect(check.message).toMatch(
      /^FAIL {2}exercised\n {2}the bot received no message in any of the \d+ runs that sent one/m,
    );
  });
});

describe('checkFailureFile (the tests replayFailures registers)', () => {
  const specimenFile = join(repoRoot, 'test/regressions/specimen-captured-socket.json');

  it(
    'fails when the recorded properties are violated again, with the timeline and the ' +
      'replay command',
    async () => {
      // Act
      const check = await checkFailureFile(
        specimenFile,
        'saved.json',
        undefined,
        'test/regressions',
      );
      // Assert
      const failure = await readFailureFile(specimenFile);
      const recorded = [...new Set(failure.violations.map((v) => v.property))].join(', ');
      expect(check.passed).toBe(false);
      expect(check.message.split('\n')[0]).toBe(
        `saved.json: violates ${recorded} again (recorded: ${recorded})`,
      );
      expect(check.message).toContain('timeline (▶ = timeline event');
      expect(check.message.split('\n').at(-1)).toBe('replay: npx baileys-sim replay saved.json');
    },
  );

  it('passes once the send path it replays against is fixed', async () => {
    await expect(
      checkFailureFile(specimenFile, 'saved.json', referenceSendPath, 'dir'),
    ).resolves.toEqual({ passed: true, message: '' });
  });

  it('picks the factory by the send path name the file records', async () => {
    await expect(
      checkFailureFile(
        specimenFile,
        'saved.json',
        { 'specimen:captured-socket': referenceSendPath },
        'dir',
      ),
    ).resolves.toMatchObject({ passed: true });
  });

  it('asks for the factory of a file that names a module', async () => {
    // Arrange
    const dir = tempDir();
    const failure = await readFailureFile(specimenFile);
    writeFileSync(
      join(dir, 'mine.json'),
      JSON.stringify({ ...failure, path: './src/sendPath.ts' }),
    );
    // Act, Assert
    await expect(
      checkFailureFile(
        join(dir, 'mine.json'),
        'mine.json',
        { other: referenceSendPath },
        'failures',
      ),
    ).rejects.toThrow(
      'mine.json: names the send path "./src/sendPath.ts": give its factory, e.g. ' +
        'replayFailures("failures", createSendPath) (given: "other")',
    );
  });

  it('refuses a broken file in one line naming it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'broken.json'), '{ "format": "baileys-sim/failure@1" }');
    await expect(
      checkFailureFile(join(dir, 'broken.json'), 'broken.json', referenceSendPath, 'dir'),
    ).rejects.toThrow(/^broken\.json: path: /);
  });
});

describe('bad arguments throw one line when the file is collected', () => {
  it.each([
    [{ runs: 0 }, 'describeSendPath("p"): runs must be a whole number from 1 to 10000000 (got 0)'],
    [
      { runs: 1.5 },
      'describeSendPath("p"): runs must be a whole number from 1 to 10000000 (got 1.5)',
    ],
    [
      { runs: '500' },
      'describeSendPath("p"): runs must be a whole number from 1 to 10000000 (got "500")',
    ],
    [
      { seed: -1 },
      'describeSendPath("p"): seed must be a whole number from 0 to 4294967295 (got -1)',
    ],
    [
      { timeBudgetMs: 0 },
      'describeSendPath("p"): timeBudgetMs must be a whole number from 1 to 86400000 (got 0)',
    ],
    [{ failuresDir: '' }, 'describeSendPath("p"): failuresDir must be a directory path (got "")'],
    [
      { module: 'sendPath' },
      'describeSendPath("p"): module must be a .ts, .mts, .js or .mjs module file such ' +
        'as ./src/sendPath.ts (got "sendPath")',
    ],
    [
      { module: './src' },
      'describeSendPath("p"): module must be a .ts, .mts, .js or .mjs module file such ' +
        'as ./src/sendPath.ts (got "./src")',
    ],
    [{ module: './nope.ts' }, 'describeSendPath("p"): module ./nope.ts: no such file (from '],
    [
      { run: 500 },
      'describeSendPath("p"): unknown option "run" (options: runs, seed, timeBudgetMs, ' +
        'failuresDir, module, testTimeoutMs, failFast, only, skip)',
    ],
    ['fast', 'describeSendPath("p"): options must be an object (got "fast")'],
    [
      { only: ['exactly-twice'] },
      'describeSendPath("p"): only must be a list of property names: exactly-once, live-socket,',
    ],
    [{ skip: [] }, 'describeSendPath("p"): skip must be a list of property names: exactly-once,'],
    [{ failFast: 'yes' }, 'describeSendPath("p"): failFast must be true or false (got "yes")'],
    [
      { only: ['order'], skip: ['clean'] },
      'describeSendPath("p"): only and skip cannot be combined',
    ],
  ])('describeSendPath options %j', (options, message) => {
    expect(() => describeSendPath('p', referenceSendPath, options as never)).toThrow(message);
  });

  it.each([
    [
      () => describeSendPath('', referenceSendPath),
      'describeSendPath: the name must be a non-empty string (got "")',
    ],
    [
      () => describeSendPath('p', {} as never),
      'describeSendPath("p"): the send path must be a SendPathFactory function (got {})',
    ],
    [() => replayFailures(''), 'replayFailures: the folder must be a non-empty path (got "")'],
    [
      () => replayFailures('dir', 42 as never),
      'replayFailures("dir"): the send path must be a SendPathFactory or an object of ' +
        'them by name (got 42)',
    ],
    [
      () => replayFailures('dir', { mine: 'x' } as never),
      'replayFailures("dir"): the send path must be a SendPathFactory or an object of ' +
        'them by name (got "mine": "x")',
    ],
  ])('%s', (call, message) => {
    expect(call).toThrow(message);
  });

  it('as errors without a stack trace', () => {
    let thrown: unknown;
    try {
      describeSendPath('p', referenceSendPath, { seed: -1 });
    } catch (error) {
      thrown = error;
    }
    expect((thrown as Error).stack).toBe(`SuiteOptionsError: ${(thrown as Error).message}`);
  });
});
