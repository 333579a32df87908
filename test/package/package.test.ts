/**
 * baileys-sim as a devDependency of someone else's project. One `npm pack` (from a copy of the
 * repository's files, so `prepack` builds from the sources alone) and one install into a
 * scratch project serve every case: the tarball's contents, the CLI on a correct and a buggy
 * path, the library from plain Node, a consumer's TypeScript, a consumer's vitest suite, a bot
 * module as written (audited intercepted, tested with the drop-in for a Baileys mock, typed
 * with the as-written types and audited from a script), bots as written that log (their console
 * stays out of stdout and --json) and that exit (a finding), and each example of the README's
 * "Use it in your project" section, run as written there.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../cli/runCli.js';
import {
  installConsumer,
  packFromClone,
  readmeSnippet,
  sh,
  type Packed,
} from './consumerProject.js';

/** Packing (a full build) and installing on a 2-core machine with a cold cache. */
const setupTimeoutMs = 600_000;
/** One case: a few CLI and vitest processes in the scratch project. */
const caseTimeoutMs = 180_000;

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  exports: Record<string, string | { types: string; default: string }>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};

/** A correct send path and a buggy one, as a user writes them, in TypeScript and JavaScript. */
const sendPaths = {
  'correct.ts':
    "import { referenceSendPath, type SendPathFactory } from 'baileys-sim';\n\n" +
    'export const createSendPath: SendPathFactory = (env) => referenceSendPath(env);\n',
  'buggy.ts':
    "import type { SendPathFactory } from 'baileys-sim';\n" +
    "import { specimens } from 'baileys-sim/properties';\n\n" +
    '// Keeps the socket it started with: replies after a reconnect go to a dead ' +
    'socket.\n' +
    'export const createSendPath: SendPathFactory = specimens.find((s) => s.name === ' +
    "'captured-socket')!.factory;\n",
  'correct.mjs':
    "import { referenceSendPath } from 'baileys-sim';\n\nexport default referenceSendPath;\n",
  'buggy.mjs':
    "import { specimens } from 'baileys-sim/properties';\n\n" +
    'export const createSendPath = specimens.find((s) => s.name === ' +
    "'captured-socket').factory;\n",
};

let work = '';
let packed: Packed;
let consumer = '';

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'bsim-package-'));
  const started = performance.now();
  packed = await packFromClone(work);
  const packedAt = performance.now();
  consumer = await installConsumer(work, packed.tarball);
  // The two set-up steps' wall times, for the README's figures and the report.
  console.info(
    `package test set-up: npm pack ${Math.round(packedAt - started)} ms, npm install ` +
      `${Math.round(performance.now() - packedAt)} ms`,
  );
  for (const [name, source] of Object.entries(sendPaths))
    writeFileSync(join(consumer, name), source);
  mkdirSync(join(consumer, 'src'));
  mkdirSync(join(consumer, 'test'));
}, setupTimeoutMs);

// The scratch project holds a whole install (about 140 MB): not left behind in the temp folder.
afterAll(() => rmSync(work, { recursive: true, force: true }), 120_000);

/**
 * A consumer project's TypeScript options, as a Baileys project sets them: `skipLibCheck`, as
 * every Baileys project needs it (Baileys' own declarations do not check).
 */
const consumerCompilerOptions = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: ['node'],
};

/** Makes `src/sendPath.ts` (the module the README's examples use) the correct or the buggy path. */
function useSendPath(which: 'correct' | 'buggy'): void {
  copyFileSync(join(consumer, `${which}.ts`), join(consumer, 'src/sendPath.ts'));
}

/** The failure file and replay command a failed `audit`, `merge` or vitest test printed. */
function failureIn(output: string): { file: string; replay: string } {
  const file = /failure file: (\S+)/.exec(output)?.[1];
  const replay = /replay: +(npx baileys-sim replay \S+)/.exec(output)?.[1];
  if (file === undefined || replay === undefined)
    throw new Error(`no failure file and replay command in:\n${output}`);
  return { file, replay };
}

describe('the tarball', () => {
  it(
    'holds only dist/, bin/, docs/, the sources its maps point at, README.md, LICENSE and ' +
      'package.json',
    () => {
      const shipped =
        /^(dist\/.+\.(js|mjs|d\.ts|d\.mts|js\.map|mjs\.map)|bin\/baileys-sim\.js|docs\/[\w.-]+\.md|(src|sim|properties|cli|report|vitest)\/.+\.(ts|mjs)|README\.md|LICENSE|package\.json)$/;
      expect(packed.files.filter((file) => !shipped.test(file))).toEqual([]);
      expect(
        packed.files.filter((file) =>
          /(^|\/)(test|scripts|\.ci)\/|config|tsconfig|stryker/.test(file),
        ),
      ).toEqual([]);
    },
  );

  it('has no source map that points at a file it does not hold', () => {
    // Arrange
    const maps = packed.files.filter((file) => file.endsWith('.map'));
    // Act
    const missing = maps.flatMap((map) => {
      const { sources } = JSON.parse(
        readFileSync(join(consumer, 'node_modules/baileys-sim', map), 'utf8'),
      ) as { sources: string[] };
      return sources
        .map((source) => posix.normalize(posix.join(posix.dirname(map), source)))
        .filter((file) => !packed.files.includes(file));
    });
    // Assert
    expect(maps.length).toBeGreaterThan(50);
    expect(missing).toEqual([]);
  });

  it('holds every document its messages, its code and its README point at', () => {
    // Arrange
    const installed = join(consumer, 'node_modules/baileys-sim');
    const texts = [
      readFileSync(join(installed, 'README.md'), 'utf8'),
      ...packed.files
        .filter((file) => /\.(m?js|md)$/.test(file))
        .map((file) => readFileSync(join(installed, file), 'utf8')),
    ];
    // Act
    const linked = new Set(
      texts.flatMap((text) => [...text.matchAll(/\b(docs\/[\w-]+\.md)\b/g)].map((m) => m[1]!)),
    );
    // Assert
    expect(linked.size).toBeGreaterThan(2);
    expect([...linked].filter((doc) => !packed.files.includes(doc))).toEqual([]);
  });

  it('holds every file the manifest points at, and the .mjs helpers that run from dist/', () => {
    const targets = Object.values(manifest.exports).flatMap((target) =>
      typeof target === 'string' ? [target] : [target.types, target.default],
    );
    const expected = [
      ...targets,
      ...Object.values(manifest.bin),
      'dist/properties/campaigns/workers/entry.mjs',
      'dist/properties/paths/typescriptEsmHooks.mjs',
      'dist/properties/paths/baileysInterceptHooks.mjs',
    ];
    expect(
      expected
        .map((file) => file.replace(/^\.\//, ''))
        .filter((file) => !packed.files.includes(file)),
    ).toEqual([]);
  });

  it(
    'imports nothing at run time but its dependencies and Node built-ins (vitest only from ' +
      'dist/vitest)',
    () => {
      // Arrange
      const installed = join(consumer, 'node_modules/baileys-sim');
      const code = packed.files.filter((file) => /\.m?js$/.test(file));
      // Act: every bare specifier of a static or dynamic import, as TypeScript's scanner reads
      // them (a string that merely contains `from '` is no import).
      const imported = code.flatMap((file) =>
        ts
          .preProcessFile(readFileSync(join(installed, file), 'utf8'), true, true)
          .importedFiles.filter(({ fileName }) => !/^[./]/.test(fileName))
          .map(({ fileName }) => ({ file, specifier: fileName })),
      );
      // Assert
      const packageOf = (specifier: string) =>
        specifier
          .split('/')
          .slice(0, specifier.startsWith('@') ? 2 : 1)
          .join('/');
      const allowed = (file: string, name: string) =>
        name.startsWith('node:') ||
        name in manifest.dependencies ||
        (file.startsWith('dist/vitest/') && name in manifest.peerDependencies);
      expect(imported.length).toBeGreaterThan(10);
      expect(
        imported.filter(({ file, specifier }) => !allowed(file, packageOf(specifier))),
      ).toEqual([]);
    },
  );
});

describe('installed into a project', () => {
  it('the README install command put it in devDependencies', () => {
    const installed = JSON.parse(readFileSync(join(consumer, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    expect(installed.devDependencies['baileys-sim']).toMatch(/^file:.*baileys-sim-.*\.tgz$/);
  });

  it(
    'npx baileys-sim audit exits 0 on a correct .mjs path and 1 on a buggy one, with a ' +
      'replayable failure file',
    async () => {
      // Act
      // Two workers on three chunks: one chunk runs in a worker process started from dist/.
      const [correct, buggy] = await Promise.all([
        sh('npx baileys-sim audit ./correct.mjs --runs 300 --workers 2', consumer),
        sh('npx baileys-sim audit ./buggy.mjs --runs 300', consumer),
      ]);
      const failure = failureIn(buggy.stdout);
      const replay = await sh(failure.replay, consumer);
      // Assert
      expect(correct.code, correct.stderr).toBe(0);
      expect(correct.stdout).toContain('OK: every property held in 300 runs (seed 1)');
      expect(buggy.code, buggy.stderr).toBe(1);
      expect(failure.file).toMatch(
        /^\.baileys-sim\/failures\/buggy-mjs-[a-z-]+-[0-9a-f]{12}\.json$/,
      );
      expect(replay.code).toBe(1);
      expect(replay.stdout).toContain('FAIL: still violates');
    },
    caseTimeoutMs,
  );

  it(
    'imports every entry point from plain Node ESM (and CommonJS require), and loads a ' +
      '.ts send path once asked to',
    async () => {
      // Arrange
      writeFileSync(
        join(consumer, 'entries.mjs'),
        [
          "import * as main from 'baileys-sim';",
          "import * as sim from 'baileys-sim/sim';",
          "import * as properties from 'baileys-sim/properties';",
          "import * as vitest from 'baileys-sim/vitest';",
          'console.log(JSON.stringify([typeof main.referenceSendPath, typeof ' +
            'sim.simulate, typeof properties.runCampaign, properties.specimens.length, ' +
            'typeof vitest.describeSendPath]));',
        ].join('\n'),
      );
      writeFileSync(
        join(consumer, 'load.mjs'),
        [
          "import { loadSendPath, loadTypeScriptWithTsx } from 'baileys-sim/properties';",
          "const refused = await loadSendPath('./correct.ts').then(() => 'loaded', " +
            '(error) => error.message);',
          'loadTypeScriptWithTsx();',
          "const loaded = typeof (await loadSendPath('./buggy.ts')).factory;",
          'console.log(JSON.stringify([refused, loaded]));',
        ].join('\n'),
      );
      // Act
      const esm = await sh('node entries.mjs', consumer);
      const cjs = await sh(
        `node -e "console.log(typeof require('baileys-sim').referenceSendPath)"`,
        consumer,
      );
      const load = await sh('node load.mjs', consumer);
      // Assert
      expect(load.code, load.stderr).toBe(0);
      expect(JSON.parse(load.stdout)).toEqual([
        './correct.ts: this process has no TypeScript loader: start node with --import ' +
          'tsx, or call loadTypeScriptWithTsx() first',
        'function',
      ]);
      expect(esm.code, esm.stderr).toBe(0);
      expect(JSON.parse(esm.stdout)).toEqual([
        'function',
        'function',
        'function',
        expect.any(Number),
        'function',
      ]);
      expect(JSON.parse(esm.stdout)[3]).toBeGreaterThanOrEqual(9);
      expect(cjs.code, cjs.stderr).toBe(0);
      expect(cjs.stdout.trim()).toBe('function');
    },
    caseTimeoutMs,
  );

  it(
    "type-checks a consumer's TypeScript against the declarations, which are not `any`",
    async () => {
      // Arrange: each @ts-expect-error fails the check if the type it tests were `any`.
      writeFileSync(
        join(consumer, 'consumer.ts'),
        [
          "import { referenceSendPath, type SendPathFactory } from 'baileys-sim';",
          "import { parseTimeline, simulate, type History } from 'baileys-sim/sim';",
          "import { runCampaign, type CampaignResult } from 'baileys-sim/properties';",
          'import { describeSendPath, replayFailures, fakeBaileysModule, whatsapp, type ' +
            "SendPathSuiteOptions } from 'baileys-sim/vitest';",
          "import type { SendPathSettings } from 'baileys-sim/sim';",
          "import * as baileys from '@whiskeysockets/baileys';",
          '',
          'export const createSendPath: SendPathFactory = (env) => referenceSendPath(env);',
          'export const options: SendPathSuiteOptions = { runs: 500, seed: 1 };',
          'export const campaign: Promise<CampaignResult> = runCampaign({ path: { name: ' +
            "'mine', factory: createSendPath }, seed: 1 });",
          'export const endedAt = async (timeline: unknown): Promise<History["endedAt"]> ' +
            '=> (await simulate(parseTimeline(timeline), createSendPath)).endedAt;',
          'export const api = [describeSendPath, replayFailures] as const;',
          'export const sendPathSettings: SendPathSettings = { replyDeadlineMs: 120_000 };',
          'export const mocked = fakeBaileysModule(baileys);',
          'export const sent: string[] = whatsapp.sent("alice");',
          '// @ts-expect-error a reply deadline is a number of ms',
          "export const wrongSettings: SendPathSettings = { replyDeadlineMs: '2m' };",
          '// @ts-expect-error runs is a number',
          "export const wrongRuns: SendPathSuiteOptions = { runs: '500' };",
          '// @ts-expect-error a send path has start and stop',
          'export const notAPath: SendPathFactory = () => ({ start() {} });',
          '// @ts-expect-error a campaign result has no such field',
          'export const nothing = (r: CampaignResult) => r.noSuchField;',
        ].join('\n'),
      );
      writeFileSync(
        join(consumer, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: consumerCompilerOptions,
          files: ['consumer.ts'],
        }),
      );
      // Act
      const checked = await sh('npx tsc -p tsconfig.json', consumer);
      // Assert
      expect(checked.stdout + checked.stderr).toBe('');
      expect(checked.code).toBe(0);
    },
    caseTimeoutMs,
  );

  it(
    "runs a consumer's vitest suite: fails on the buggy path with the replay command, " +
      'passes once fixed with the failure kept as a regression',
    async () => {
      // Arrange: the README's vitest example, as the project's test file.
      writeFileSync(join(consumer, 'test/sendPath.test.ts'), `${readmeSnippet('vitest')}\n`);
      useSendPath('buggy');
      // Act 1: the bug is found.
      const failing = await sh('npx vitest run', consumer);
      const failure = failureIn(failing.stdout + failing.stderr);
      const replay = await sh(failure.replay, consumer);
      // Assert 1
      expect(failing.code).toBe(1);
      expect(failing.stdout + failing.stderr).toMatch(
        /SendPathFailure: my send path: \d+ propert(y|ies) violated \(seed 1, 500 runs\)/,
      );
      expect(failing.stdout + failing.stderr).toMatch(
        /^ *FAIL( \d+\/\d+)? {2}live-socket: \d+ runs? violated it$/m,
      );
      expect(failing.stdout + failing.stderr).toContain('timeline (▶ = timeline event');
      expect(failure.file).toMatch(
        /^\.baileys-sim\/failures\/src-sendPath-ts-[a-z-]+-[0-9a-f]{12}\.json$/,
      );
      expect(failure.replay).toBe(`npx baileys-sim replay ${failure.file}`);
      expect(replay.code).toBe(1);
      // Act 2: the path fixed, and its failure kept as a regression.
      useSendPath('correct');
      mkdirSync(join(consumer, 'test/send-path-failures'));
      copyFileSync(
        join(consumer, failure.file),
        join(consumer, 'test/send-path-failures/captured-socket.json'),
      );
      const fixed = await sh('npx vitest run --reporter=verbose', consumer);
      // Assert 2
      expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
      expect(fixed.stdout).toContain('captured-socket.json replays with no property violated');
      expect(fixed.stdout).toMatch(/Tests +2 passed \(2\)/);
    },
    caseTimeoutMs,
  );
});

describe('a send path as written, in the project', () => {
  /** Copies an as-written fixture into the project as its WhatsApp module, `src/whatsapp.ts`. */
  function useBotModule(fixture: 'correct' | 'captured-socket'): void {
    copyFileSync(
      join(repoRoot, 'test/fixtures/as-written', `${fixture}.ts`),
      join(consumer, 'src/whatsapp.ts'),
    );
  }

  /** Copies as-written fixtures into the project's `src/` under their own names. */
  function copyBotModules(...fixtures: string[]): void {
    for (const fixture of fixtures)
      copyFileSync(
        join(repoRoot, 'test/fixtures/as-written', `${fixture}.ts`),
        join(consumer, `src/${fixture}.ts`),
      );
  }

  it(
    "keeps a bot's console out of stdout: --json is one JSON document, also from worker processes",
    async () => {
      // Arrange: a bot that logs on start, per message (with the sender's JID) and per reply.
      copyBotModules('correct', 'logs');
      // Act
      const [json, text] = await Promise.all([
        sh('npx baileys-sim audit ./src/logs.ts --runs 200 --workers 2 --json', consumer),
        sh('npx baileys-sim audit ./src/logs.ts --runs 100', consumer),
      ]);
      // Assert
      expect(json.code, json.stderr).toBe(0);
      expect(JSON.parse(json.stdout)).toMatchObject({ verdict: 'clean', runs: 200 });
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toContain('OK: every property held in 100 runs (seed 1)');
      expect(text.stdout + text.stderr).not.toMatch(
        /bot starting|message from|replying to|reply under way/,
      );
    },
    caseTimeoutMs,
  );

  it(
    'reports a bot that exits its process as a finding, with a failure file whose replay ' +
      'shows the exit',
    async () => {
      // Arrange: a bot that calls process.exit(1) when its connection closes, for pm2 to restart
      // it.
      copyBotModules('exits-on-close');
      // Act
      const audit = await sh('npx baileys-sim audit ./src/exits-on-close.ts --runs 300', consumer);
      expect(audit.code, audit.stderr).toBe(1);
      const file = /failure file: (\S+-clean-[0-9a-f]{12}\.json)/.exec(audit.stdout)?.[1];
      const replay = await sh(`npx baileys-sim replay ${file}`, consumer);
      // Assert
      expect(audit.stdout).toMatch(/FAIL \d+\/\d+ +clean: \d+ runs? violated it/);
      expect(audit.stdout).toContain('the bot exited the process with code 1 (process.exit)');
      expect(audit.stdout + audit.stderr).not.toContain('internal error');
      expect(replay.code).toBe(1);
      expect(replay.stdout).toContain(
        'stdout: connection closed: exiting for the process manager to restart the bot',
      );
      expect(replay.stdout).toContain(
        'FAIL the bot exited the process with code 1 (process.exit): the run ended here',
      );
    },
    caseTimeoutMs,
  );

  it(
    'npx baileys-sim audit intercepts a module that imports makeWASocket itself: exit 1 ' +
      'on the captured socket, 0 on the correct one',
    async () => {
      // Act
      useBotModule('captured-socket');
      const buggy = await sh('npx baileys-sim audit ./src/whatsapp.ts --runs 300', consumer);
      useBotModule('correct');
      const correct = await sh(
        'npx baileys-sim audit ./src/whatsapp.ts --runs 300 --workers 2',
        consumer,
      );
      // Assert
      expect(buggy.code, buggy.stderr).toBe(1);
      expect(buggy.stderr).toContain('./src/whatsapp.ts, intercepted');
      expect(buggy.stdout).toMatch(
        /FAIL: \d+ propert(y|ies) violated(, the worst for a user first)?: .*live-socket/,
      );
      expect(correct.code, correct.stdout + correct.stderr).toBe(0);
      expect(correct.stdout).toContain('OK: every property held in 300 runs (seed 1)');
      expect(correct.stdout).toMatch(
        /deterministic +held +0 +\d+ .* \d+ runs simulated twice, 0 differed/,
      );
      expect(correct.stdout).toContain(
        "settings          the path's own: reply deadline 120000 ms",
      );
    },
    caseTimeoutMs,
  );

  it(
    "runs the drop-in for a Baileys mock in the project's own vitest file: passes on the " +
      'correct bot, fails readably on the captured socket',
    async () => {
      // Arrange: docs/audit-as-written.md's example, as the project's test file (and no other
      // tests).
      rmSync(join(consumer, 'test'), { recursive: true, force: true });
      mkdirSync(join(consumer, 'test'));
      writeFileSync(
        join(consumer, 'test/whatsapp.test.ts'),
        `${readmeSnippet('drop-in', 'docs/audit-as-written.md')}\n`,
      );
      // Act
      useBotModule('correct');
      const passing = await sh('npx vitest run', consumer);
      useBotModule('captured-socket');
      const failing = await sh('npx vitest run', consumer);
      // Assert
      expect(passing.code, passing.stdout + passing.stderr).toBe(0);
      expect(failing.code).toBe(1);
      const output = failing.stdout + failing.stderr;
      expect(output).toContain('SendPathFailure: whatsapp: live-socket violated');
      expect(output).toMatch(
        /live-socket +at +\d+ ms {2}message attempt #1 for "the weather is fine" on socket 1 after its close was emitted/,
      );
      expect(output).toContain('drop connectionClosed');
    },
    caseTimeoutMs,
  );
});

describe('auditing as written from a library script, typed', () => {
  it(
    "type-checks a bot module against the as-written types and the interception's " +
      "exports, the docs' auth state included, and audits the example bot from a script as " +
      'the docs write it',
    async () => {
      // Arrange: the example bot (fixed) as the project's WhatsApp module, the docs' in-memory
      // auth state, and a file typing the module as an entry (each @ts-expect-error fails the
      // check if the type it tests were `any`).
      copyFileSync(
        join(repoRoot, 'examples/example-bot/bot-fixed.ts'),
        join(consumer, 'src/whatsapp.ts'),
      );
      writeFileSync(
        join(consumer, 'src/auth.ts'),
        `${readmeSnippet('auth', 'docs/audit-as-written.md')}\n`,
      );
      writeFileSync(
        join(consumer, 'src/entry.ts'),
        [
          'import type { AsWrittenHost, AsWrittenMessage, AsWrittenModule, SocketStubs } ' +
            "from 'baileys-sim';",
          'import { interceptBaileysImports, loadSendPath, unmodelledLine } from ' +
            "'baileys-sim/properties';",
          "import { inMemoryAuthState } from './auth.js';",
          "import * as bot from './whatsapp.js';",
          '',
          'export const entry: AsWrittenModule = bot;',
          'export const socketStubs: SocketStubs = { fetchBlocklist: async () => [] };',
          'export const host: AsWrittenHost = { onMessage: (message: AsWrittenMessage) ' +
            '=> void message.reply(message.text) };',
          'export const auth = inMemoryAuthState();',
          'export const creds: string = auth.creds.advSecretKey;',
          'export const load = async () => { interceptBaileysImports(); return ' +
            'loadSendPath("./src/whatsapp.ts"); };',
          "export const line: string = unmodelledLine({ method: 'fetchBlocklist', at: 0, " +
            'generation: 1 });',
          '// @ts-expect-error a message names its chat by a string',
          "export const wrongMessage: AsWrittenMessage = { chatJid: 1, id: 'a', text: " +
            "'t', reply: async () => undefined };",
          '// @ts-expect-error an entry has start and stop',
          'export const notAnEntry: AsWrittenModule = { start() {} };',
        ].join('\n'),
      );
      writeFileSync(
        join(consumer, 'tsconfig.entry.json'),
        JSON.stringify({
          compilerOptions: consumerCompilerOptions,
          files: ['src/entry.ts'],
        }),
      );
      writeFileSync(
        join(consumer, 'audit.mjs'),
        `${readmeSnippet('library-as-written', 'docs/audit-as-written.md')}\n`,
      );
      // Act
      const checked = await sh('npx tsc -p tsconfig.entry.json', consumer);
      const audited = await sh('node audit.mjs', consumer);
      // Assert
      expect(checked.stdout + checked.stderr).toBe('');
      expect(checked.code).toBe(0);
      expect(audited.code, audited.stderr).toBe(0);
      expect(audited.stdout).toContain('200 runs, broken: nothing');
      expect(readdirSync(consumer)).not.toContain('auth_info_baileys');
    },
    caseTimeoutMs,
  );
});

describe('the example bot, audited from the tarball as written', () => {
  it(
    'lists each of its bugs as a failure of its own in one valid --json summary, its ' +
      'console kept out of stdout',
    async () => {
      // Arrange: examples/example-bot/bot.ts, Baileys' example style with its ten lines of glue.
      copyFileSync(
        join(repoRoot, 'examples/example-bot/bot.ts'),
        join(consumer, 'src/example-bot.ts'),
      );
      // Act
      const audit = await sh(
        'npx baileys-sim audit ./src/example-bot.ts --runs 300 --json',
        consumer,
      );
      // Assert
      expect(audit.code, audit.stderr).toBe(1);
      const summary = JSON.parse(audit.stdout) as {
        failures: { property: string; file: string }[];
      };
      expect(summary.failures.map((f) => f.property)).toEqual(
        expect.arrayContaining(['live-socket', 'inbound-handover', 'terminal-respected', 'clean']),
      );
      for (const failure of summary.failures)
        expect(existsSync(join(consumer, failure.file))).toBe(true);
      expect(audit.stdout).not.toContain('opened connection');
      expect(readdirSync(consumer)).not.toContain('auth_info_baileys');
    },
    caseTimeoutMs,
  );
});

describe("the README's examples, run as written", () => {
  it(
    'the CLI example exits 0 on a correct path and 1 on a buggy one',
    async () => {
      const line = readmeSnippet('cli');
      useSendPath('correct');
      const correct = await sh(line, consumer);
      useSendPath('buggy');
      const buggy = await sh(line, consumer);
      expect(correct.code, correct.stderr).toBe(0);
      expect(correct.stdout).toContain('OK: every property held in 2000 runs');
      expect(buggy.code, buggy.stderr).toBe(1);
      expect(buggy.stdout).toContain(
        'replay:       npx baileys-sim replay .baileys-sim/failures/src-sendPath-ts-',
      );
    },
    caseTimeoutMs,
  );

  it(
    'the library example runs a campaign from plain Node',
    async () => {
      writeFileSync(join(consumer, 'campaign.mjs'), `${readmeSnippet('library')}\n`);
      const result = await sh('node campaign.mjs', consumer);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout.trim()).toBe('200 runs, broken: nothing');
    },
    caseTimeoutMs,
  );

  it(
    "the CI matrix's commands: every shard, then the merge, fail a buggy path and leave " +
      'its failure file where the merged summary says',
    async () => {
      // Arrange: the workflow's shell steps. `npm ci` is the install already made; artifacts
      // upload and download baileys-sim/ to the same place, so one directory stands for all
      // jobs, whose shards run side by side as in CI. RUNS is lowered from the workflow's value
      // to one chunk per shard, to keep the test short.
      const workflow = parseWorkflow(readmeSnippet('ci-matrix'));
      const env = { ...workflow.env, RUNS: String(100 * workflow.shards.length) };
      const shardJob = async (shard: number): Promise<number> => {
        let auditCode = -1;
        for (const step of workflow.steps.shard) {
          const ran = await sh(
            expand(step, {
              'matrix.shard': String(shard),
              'strategy.job-total': String(workflow.shards.length),
            }),
            consumer,
            env,
          );
          if (step.includes('baileys-sim audit')) auditCode = ran.code;
          else expect(ran.code, `${step}: ${ran.stderr}`).toBe(0);
        }
        return auditCode;
      };
      useSendPath('buggy');
      // Act
      const shards = await Promise.all(workflow.shards.map(shardJob));
      let merge = { code: -1, stdout: '' };
      for (const step of workflow.steps.merge) merge = await sh(expand(step, {}), consumer, env);
      // Assert: every shard wrote a summary the merge takes, and the merged failure file is where
      // it says.
      expect(shards).toContain(1);
      expect(merge.code).toBe(1);
      expect(merge.stdout).toContain(`baileys-sim: ./src/sendPath.ts · seed 1`);
      const { file } = failureIn(merge.stdout);
      expect(file).toMatch(/^baileys-sim\/failures\/src-sendPath-ts-[a-z-]+-[0-9a-f]{12}\.json$/);
      expect(readdirSync(join(consumer, 'baileys-sim/failures'))).toContain(file.split('/').at(-1));
    },
    caseTimeoutMs,
  );
});

/** The parts of the README's workflow a test can run: env, matrix, and each job's shell steps. */
function parseWorkflow(yaml: string): {
  env: Record<string, string>;
  shards: number[];
  steps: Record<'shard' | 'merge', string[]>;
} {
  const env = Object.fromEntries(
    [...(/^env:\n((?: {2}\w+: .+\n)+)/m.exec(yaml)?.[1] ?? '').matchAll(/^ {2}(\w+): (.+)$/gm)].map(
      (m) => [m[1]!, m[2]!],
    ),
  );
  const shards = JSON.parse(/^ +shard: (\[[\d, ]+\])$/m.exec(yaml)?.[1] ?? '[]') as number[];
  const jobs: Record<string, string[]> = {};
  let job: string[] | undefined;
  for (const line of yaml.slice(yaml.indexOf('\njobs:\n')).split('\n')) {
    const start = /^ {2}(\w+):$/.exec(line);
    if (start) jobs[start[1]!] = job = [];
    const run = /^ +(?:- )?run: (.+)$/.exec(line)?.[1];
    if (run !== undefined && run !== 'npm ci') job?.push(run);
  }
  if (!jobs.shard || !jobs.merge || shards.length === 0)
    throw new Error(`the README workflow has no shard matrix or no shard and merge jobs:\n${yaml}`);
  return { env, shards, steps: { shard: jobs.shard, merge: jobs.merge } };
}

/**
 * Replaces the workflow's `${{ … }}` expressions; an expression the test does not know fails it.
 */
function expand(step: string, values: Record<string, string>): string {
  return step.replace(/\$\{\{ *([\w.-]+) *\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined)
      throw new Error(`the workflow uses \${{ ${name} }}, which this test does not provide`);
    return value;
  });
}
