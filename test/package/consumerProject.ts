/**
 * The package as a user gets it: `npm pack` in a copy of the repository's files (so `prepack`
 * builds from the sources alone, as in a fresh clone), then the tarball installed into a scratch
 * project with the README's install command, plus the tools a user's project brings along
 * (vitest, TypeScript, Node's types) at the repository's own versions, from the npm cache when
 * it has them. Also: README snippets by name, and running commands in the scratch project.
 */
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../cli/runCli.js';

const execFileAsync = promisify(execFile);

/** What a command did. */
interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A command that takes longer than this is hung (a cold npm cache fetching every package included).
 */
const commandTimeoutMs = 240_000;

/**
 * The environment for commands in the scratch project: this process's, without what npm and
 * vitest set for their own children (a nested npm must find the scratch project, a nested
 * vitest must not think it runs inside this one), and without colours.
 */
function consumerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      /^(npm_lifecycle_|npm_package_|VITEST|TINYPOOL)/.test(key) ||
      ['npm_config_local_prefix', 'INIT_CWD', 'NODE_OPTIONS', 'FORCE_COLOR'].includes(key)
    )
      continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: '1', BAILEYS_SIM_DEBUG: '', ...extra };
}

/** Runs a shell command line (as a README or a CI step has it) in `cwd`. */
export function sh(line: string, cwd: string, extraEnv: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', line], {
      cwd,
      env: consumerEnv(extraEnv),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), commandTimeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === null) reject(new Error(`${line}: killed by ${signal}\n${stderr}`));
      else resolve({ code, stdout, stderr });
    });
  });
}

/**
 * The body of the README code block after `<!-- snippet: name -->` (or of another document of the
 * repository).
 */
export function readmeSnippet(name: string, document = 'README.md'): string {
  const readme = readFileSync(join(repoRoot, document), 'utf8');
  const match = new RegExp(
    `<!-- snippet: ${name} -->\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\\n\`\`\`\\n`,
  ).exec(readme);
  if (!match) throw new Error(`${document} has no snippet "${name}"`);
  return match[1]!;
}

/** Files a fresh clone has: tracked ones, and new ones not ignored (this checkout's work). */
async function cloneFiles(): Promise<string[]> {
  const { stdout } = await execFileAsync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 },
  );
  return stdout.split('\0').filter((file) => file !== '' && existsSync(join(repoRoot, file)));
}

/** The tarball `npm pack` made and the paths it holds. */
export interface Packed {
  tarball: string;
  files: string[];
}

/** Copies the repository's files to `workDir/clone` (dependencies linked) and packs them there. */
export async function packFromClone(workDir: string): Promise<Packed> {
  const clone = join(workDir, 'clone');
  for (const file of await cloneFiles()) {
    mkdirSync(dirname(join(clone, file)), { recursive: true });
    cpSync(join(repoRoot, file), join(clone, file));
  }
  symlinkSync(join(repoRoot, 'node_modules'), join(clone, 'node_modules'), 'dir');
  const packed = await sh(`npm pack --json --pack-destination ${JSON.stringify(workDir)}`, clone);
  if (packed.code !== 0)
    throw new Error(`npm pack exited ${packed.code}:\n${packed.stderr}\n${packed.stdout}`);
  // Lifecycle output may precede the JSON (the build's own lines go to stderr).
  const [report] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as [
    { filename: string; files: { path: string }[] },
  ];
  return { tarball: join(workDir, report.filename), files: report.files.map((f) => f.path) };
}

/** The version of a package installed in the repository. */
function repoVersionOf(name: string): string {
  return (
    JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
}

/**
 * Creates `workDir/consumer` (an ESM project) and runs the README's install command in it, the
 * tarball standing in for the registry's `baileys-sim`, with vitest, TypeScript and Node's types.
 */
export async function installConsumer(workDir: string, tarball: string): Promise<string> {
  const consumer = join(workDir, 'consumer');
  mkdirSync(consumer);
  writeFileSync(
    join(consumer, 'package.json'),
    `${JSON.stringify({ name: 'baileys-sim-consumer', private: true, type: 'module' }, null, 2)}\n`,
  );
  const snippet = readmeSnippet('install');
  const install = snippet.replace(/ baileys-sim$/, ` ${JSON.stringify(tarball)}`);
  if (install === snippet)
    throw new Error(`the README's install command does not end in "baileys-sim": ${snippet}`);
  const tools = ['vitest', 'typescript', '@types/node']
    .map((name) => `${name}@${repoVersionOf(name)}`)
    .join(' ');
  const installed = await sh(`${install} ${tools} --prefer-offline --no-audit --no-fund`, consumer);
  if (installed.code !== 0)
    throw new Error(`npm install exited ${installed.code}:\n${installed.stderr}`);
  return consumer;
}
