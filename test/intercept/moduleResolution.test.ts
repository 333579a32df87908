/**
 * Interception of Baileys' module, in a process of its own started from the build, as the CLI
 * runs it: a module loaded for interception gets the stand-in, whose `makeWASocket` reaches the
 * run's fake network; during a run Baileys resolves to the stand-in; after a run, and after a run
 * that throws, it resolves and imports as the real module again and every global is back; and
 * the stand-in never opens a real connection outside a run.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../cli/runCli.js';

const script =
  `
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ` +
  `pathToFileURL } from 'node:url';
const [repo, dir, fixture] = ` +
  `process.argv.slice(2);
const dist = (file) => pathToFileURL(join(repo, 'dist', ` +
  `file)).href;
const { interceptBaileysImports } = await ` +
  `import(dist('properties/paths/interceptLoader.js'));
const { loadTypeScriptWithTsx } = ` +
  `await import(dist('properties/paths/typescriptLoader.js'));
const { loadSendPath } = ` +
  `await import(dist('properties/paths/loadSendPath.js'));
const { simulate, parseTimeline } ` +
  `= await import(dist('sim/index.js'));
const { baileysBridge } = await ` +
  `import(dist('sim/intercept/baileysBridge.js'));
interceptBaileysImports();
loadTypeScriptWithTsx();
const ` +
  `real = (await import('@whiskeysockets/baileys')).makeWASocket;
const realUrl = ` +
  `import.meta.resolve('@whiskeysockets/baileys');
// A module imported for the first time ` +
  `now: what does its import of Baileys bind?
let probes = 0;
const freshImport = async () ` +
  `=> {
  const file = join(dir, 'probe-' + ++probes + '.mjs');
  writeFileSync(file, ` +
  `"export { makeWASocket } from '@whiskeysockets/baileys';");
  return (await ` +
  `import(pathToFileURL(file).href)).makeWASocket;
};
const globals = () => ` +
  `[globalThis.setTimeout, globalThis.setInterval, globalThis.Date, Math.random, ` +
  `performance.now, process.hrtime];
const saved = globals();
const after = async () => ` +
  `({
  ` +
  `resolvesReal: import.meta.resolve('@whiskeysockets/baileys') === realUrl,
  importsReal: ` +
  `(await freshImport()) === real,
  globals: globals().every((g, i) => g === saved[i]),
  ` +
  `redirecting: baileysBridge().redirecting,
});
const path = await loadSendPath(fixture, ` +
  `dir);
const timeline = (events) => parseTimeline({ format: 'baileys-sim/timeline@1', ` +
  `seed: 5, config: { reconnect: { initialMs: 1000, maxMs: 5000, factor: 2, jitter: 0.5, ` +
  `maxAttempts: 3 }, replyDeadlineMs: 30000 }, events });
const report = { intercept: ` +
  `path.intercept, resets: path.resets };
const history = await simulate(timeline([{ at: ` +
  `0, ` +
  `do: 'inbound', chat: 'c1', msg: 'm1' }, { at: 100, do: 'reply', to: 'm1', key: 'r1' ` +
  `}]), ` +
  `path.factory, { globals: 'intercept' });
report.run = { sockets: ` +
  `history.sockets.length, ` +
  `reply: history.requests[0].outcome, visible: history.server.visible.c1?.length ?? 0 ` +
  `};
let during;
const probing = () => ({
  start() {
    during = { standIn: ` +
  `import.meta.resolve('@whiskeysockets/baileys') === realUrl + ` +
  `'?baileys-sim-intercepted', ` +
  `redirecting: baileysBridge().redirecting };
  },
  async stop() {},
});
await ` +
  `simulate(timeline([]), probing, { globals: 'intercept' });
report.duringRun = ` +
  `during;
report.afterRun = await after();
const queueOverflow = [{ at: 0, do: 'inbound', ` +
  `chat: 'c1', msg: 'm1' }, { at: 1, do: 'inbound', chat: 'c1', msg: 'm2' ` +
  `}];
report.thrown ` +
  `= await simulate(timeline(queueOverflow), probing, { globals: 'intercept', ` +
  `inboundQueueMax: 1 }).then(() => 'resolved', (error) => ` +
  `error.message);
report.afterThrow ` +
  `= await after();
report.outsideRun = (() => { try { baileysBridge().makeWASocket({}); ` +
  `return 'made a socket'; } catch (error) { return error.message; } ` +
  `})();
process.stdout.write(JSON.stringify(report));
`;

let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bsim-intercept-'));
  writeFileSync(join(dir, 'check.mjs'), script);
  // The probes import Baileys from here, as a user's module resolves it from its project.
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runCheck(): Promise<{ code: number; stdout: string; stderr: string }> {
  const fixture = join(repoRoot, 'test/fixtures/as-written/correct.ts');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(dir, 'check.mjs'), repoRoot, dir, fixture],
      { cwd: dir, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({
          code: typeof error?.code === 'number' ? error.code : error ? -1 : 0,
          stdout,
          stderr,
        }),
    );
  });
}

describe('Baileys intercepted through a module hook', () => {
  it(
    'redirects makeWASocket during runs only, and restores resolution and globals after a ' +
      'run and after a run that throws',
    async () => {
      // Act
      const result = await runCheck();
      // Assert
      expect(result.code, result.stderr).toBe(0);
      const restored = { resolvesReal: true, importsReal: true, globals: true, redirecting: false };
      expect(JSON.parse(result.stdout)).toEqual({
        intercept: true,
        resets: true,
        run: { sockets: 1, reply: 'ok', visible: 1 },
        duringRun: { standIn: true, redirecting: true },
        afterRun: restored,
        thrown: 'server: inbound queue over its limit of 1',
        afterThrow: restored,
        outsideRun: expect.stringContaining('makeWASocket was called outside an intercepted run'),
      });
    },
    90_000,
  );
});
