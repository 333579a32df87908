/**
 * `audit` on send paths as written, through the built CLI as a user runs it: modules that import
 * `makeWASocket` and sleep with `setTimeout` (`test/fixtures/as-written/`) are audited with
 * Baileys and the globals intercepted, judged by the properties of their seam specimens, and
 * deterministic; the summary says which settings the checkers judged by.
 */
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { specimens, type Specimen } from '../../properties/specimens/index.js';
import { repoRoot, runCli } from './runCli.js';

/** A specimen of the catalog (one a single run can fail), by name. */
function catchingSpecimen(name: string): Specimen {
  const found = specimens.find((s) => s.name === name);
  if (found === undefined) throw new Error(`no specimen ${name} in the catalog`);
  return found;
}

const fixture = (name: string) => join(repoRoot, 'test/fixtures/as-written', `${name}.ts`);

/** A scratch directory whose modules resolve Baileys, as a bot's project does. */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bsim-intercept-cli-'));
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

function failureFileIn(stdout: string): string {
  const match = /failure file: (\S+)/.exec(stdout);
  if (!match) throw new Error(`no failure file in:\n${stdout}`);
  return match[1]!;
}

function failedProperties(stdout: string): string[] {
  return (
    /FAIL: \d+ propert(?:y|ies) violated(?:, the worst for a user first)?: (.+)/
      .exec(stdout)?.[1]
      ?.split(', ') ?? []
  );
}

describe('audit --intercept on send paths as written', () => {
  it(
    'catches the captured socket by the properties of its specimen, deterministically, and ' +
      'the failure replays',
    async () => {
      // Arrange
      const cwd = project();
      // Act
      const audit = await runCli(
        ['audit', fixture('captured-socket'), '--intercept', '--runs', '300'],
        cwd,
      );
      const file = failureFileIn(audit.stdout);
      const replay = await runCli(['replay', file], cwd);
      // Assert
      expect(audit.code, audit.stderr).toBe(1);
      expect(audit.stderr).toContain('captured-socket.ts, intercepted, seed 1, 300 runs');
      expect(audit.stdout).toMatch(
        /deterministic +held +0 +\d+ +- +- +\d+ runs? simulated twice, 0 differed/,
      );
      expect(audit.stdout).toContain(
        "settings          the path's own: reply deadline 60000 ms, reconnect 2000-30000 " +
          'ms x1.8 ±0.25, 12 attempts',
      );
      expect(audit.stdout).toContain(
        'intercepted       makeWASocket, setTimeout/setInterval, Date, Math.random and ' +
          'crypto randomness',
      );
      expect(failedProperties(audit.stdout)).toContain('live-socket');
      expect(catchingSpecimen('captured-socket').caughtBy).toContain('live-socket');
      expect(JSON.parse(readFileSync(join(cwd, file), 'utf8'))).toMatchObject({
        intercept: true,
        settings: { replyDeadlineMs: 60_000 },
      });
      expect(replay.code).toBe(1);
      expect(replay.stdout).toContain('history identical to the recorded one');
    },
  );

  it(
    'catches the regex-classified, fresh-id retry as written (interception chosen for a ' +
      'start/stop module)',
    async () => {
      // Act
      const audit = await runCli(['audit', fixture('regex-fresh-id'), '--runs', '300'], project());
      // Assert
      const caughtBy = [
        ...catchingSpecimen('regex-classify').caughtBy,
        ...catchingSpecimen('fresh-id-retry').caughtBy,
      ];
      expect(audit.code, audit.stderr).toBe(1);
      expect(audit.stderr).toContain('regex-fresh-id.ts, intercepted');
      expect(audit.stdout).toMatch(
        /deterministic +held +0 +\d+ +- +- +\d+ runs? simulated twice, 0 differed/,
      );
      expect(
        failedProperties(audit.stdout).filter((p) => caughtBy.includes(p as never)),
      ).not.toEqual([]);
    },
  );

  it('passes the correct one over 10,000 runs, every determinism re-run identical', async () => {
    // Act
    const audit = await runCli(
      ['audit', fixture('correct'), '--runs', '10000', '--workers', '2', '--json'],
      project(),
      240_000,
    );
    // Assert
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
    const summary = JSON.parse(audit.stdout) as {
      verdict: string;
      runs: number;
      intercepted: boolean;
      determinism: { checked: number; mismatches: number };
      settings: { declared: unknown; generated: string[] };
    };
    expect(summary).toMatchObject({
      verdict: 'clean',
      runs: 10_000,
      intercepted: true,
      determinism: { checked: 1000, mismatches: 0 },
    });
    expect(summary.settings).toEqual({
      declared: {
        replyDeadlineMs: 120_000,
        reconnect: { initialMs: 2000, maxMs: 30_000, factor: 1.8, jitter: 0.25, maxAttempts: 12 },
        socket: { keepAliveIntervalMs: 30_000, connectTimeoutMs: 20_000 },
      },
      generated: [],
    });
  }, 300_000);

  it(
    'names module state as the likely source when a module without reset() keeps state ' +
      'between runs',
    async () => {
      // Arrange: an echo bot whose connect delay grows with every run the process makes.
      const cwd = project();
      writeFileSync(
        join(cwd, 'leaky.mjs'),
        [
          "import makeWASocket from '@whiskeysockets/baileys';",
          'let sock;',
          'let runs = 0;',
          'export async function start({ onMessage }) {',
          '  runs += 1;',
          '  setTimeout(() => {',
          '    sock = makeWASocket({});',
          "    sock.ev.on('messages.upsert', ({ messages }) => {",
          '      for (const m of messages) if (!m.key.fromMe && m.message) onMessage({ ' +
            'chatJid: m.key.remoteJid, id: m.key.id, text: "", reply: (text) => ' +
            'sock.sendMessage(m.key.remoteJid, { text }) });',
          '    });',
          '  }, runs * 10);',
          '}',
          'export async function stop() {',
          '  await sock?.end(undefined);',
          '}',
        ].join('\n'),
      );
      // Act
      const audit = await runCli(['audit', './leaky.mjs', '--runs', '100'], cwd);
      // Assert
      expect(audit.code).toBe(1);
      expect(audit.stdout).toMatch(
        /^FAIL( \d+\/\d+)? {2}deterministic\b.*\n(.*\n)*? {2}the same timeline gave a different history the second time/m,
      );
      expect(audit.stdout).toMatch(
        /likely source: module-level state kept from one run to the next: export a reset\(\) from \S*leaky\.mjs/,
      );
    },
  );
});

describe('settings and the seam', () => {
  it(
    'says in one line which settings a path that declares none was judged by, and how to ' +
      'declare its own',
    async () => {
      // Arrange
      const cwd = project();
      writeFileSync(
        join(cwd, 'seam.mjs'),
        `export { referenceSendPath as default } from ` +
          `${JSON.stringify(pathToFileURL(join(repoRoot, 'dist/src/index.js')).href)};\n`,
      );
      // Act
      const audit = await runCli(['audit', './seam.mjs', '--runs', '20'], cwd);
      // Assert
      expect(audit.stdout).toContain(
        '  settings          generated reply deadline 30, 60 or 120 s, one of 4 reconnect ' +
          "policies, which the checkers judged by: declare the path's own as `export const " +
          'sendPathSettings` (see docs/audit-as-written.md)\n',
      );
    },
  );

  it('tells a seam path that calls Baileys itself to audit it with --intercept', async () => {
    // Arrange
    const cwd = project();
    writeFileSync(
      join(cwd, 'bypass.mjs'),
      "import makeWASocket from '@whiskeysockets/baileys';\n" +
        'export const createSendPath = () => ({ start() { makeWASocket({}); }, async ' +
        'stop() ' +
        '{} });\n',
    );
    // Act
    const audit = await runCli(['audit', './bypass.mjs', '--runs', '10'], cwd);
    // Assert
    expect(audit.code).toBe(1);
    expect(audit.stdout).toContain(
      'thrown in start: Error: baileys-sim: makeWASocket was called outside an intercepted run',
    );
    expect(audit.stdout).toContain('(audit it with --intercept)');
  });

  it('refuses --intercept for a built-in path in one line', async () => {
    // Act
    const result = await runCli(
      ['run', '--path', 'reference', '--intercept', '--runs', '5'],
      project(),
    );
    // Assert
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'baileys-sim: --path: reference: a built-in send path runs on the seam; ' +
        'interception is for a module file\n',
    );
  });
});
