/**
 * The work a campaign hands to its workers (workers/workers.ts), as plain data: the **search** of
 * one chunk (a plain search over a fixed slice of runs, with a seed derived from the campaign
 * seed and the chunk index), the **shrink** of one property's first failing run, and the
 * **replay** of a failure file. The default export serves one in this thread: every worker loads
 * this module ({@link tasksModule}) to serve them, and a campaign's own process serves its lane
 * with the same {@link runTask}, so a campaign gives the same summary on one process or many.
 */
import type { VerdictProperty } from '../judging/verdictProperties.js';
import { loadSendPath } from '../paths/loadSendPath.js';
import { checkConstruction } from '../paths/construction.js';
import type { NamedSendPath } from '../paths/sendPaths.js';
import { replayWith, type FailureFile } from './failureFile.js';
import { shrinkFailure, shrinkOptionsOf, type CampaignFailure } from './propertyFailure.js';
import { search, type FirstFailure, type SearchResult } from './search.js';
import type { ServeHooks } from './workers/workers.js';

/** What every task names: the send path and where to resolve it. Plain data. */
interface TaskBase {
  pathSpec: string;
  /** Directory a module spec is resolved against (the parent's cwd). */
  cwd: string;
}

/** Search one chunk of a campaign. */
export interface SearchTask extends TaskBase {
  kind: 'search';
  /** fast-check seed of this chunk. */
  seed: number;
  numRuns: number;
  stepsMax?: number;
  /** Wall budget left for this chunk, ms. */
  timeBudgetMs?: number;
  /** Stop at the chunk's first failing run. */
  failFast?: boolean;
  only?: readonly VerdictProperty[];
  skip?: readonly VerdictProperty[];
  /** Load the module's path intercepted even if it exports a factory (`--intercept`). */
  intercept?: boolean;
}

/** Shrink one property's first failing run. */
export interface ShrinkTask extends TaskBase {
  kind: 'shrink';
  first: FirstFailure;
  /** The run's index in the whole campaign. */
  runIndex: number;
  shrinkSimulationsMax?: number;
  /** Load the module's path intercepted even if it exports a factory (`--intercept`). */
  intercept?: boolean;
}

/** Replay a failure file against the send path `pathSpec` names (the file's, or an override). */
export interface ReplayTask extends TaskBase {
  kind: 'replay';
  failure: FailureFile;
}

/** A job for a worker. */
export type CampaignTask = SearchTask | ShrinkTask | ReplayTask;

/** A shrunk failure and its replay check, as a shrink task answers. */
export interface ShrinkOutcome {
  failure: CampaignFailure;
  /** A shrink candidate that made no progress (the watchdog stopped it): a failure of its own. */
  stall?: CampaignFailure;
}

/** A replay as a replay task answers: the send path replayed, and what `replayWith` found. */
export interface ReplayOutcome {
  pathName: string;
  result: Awaited<ReturnType<typeof replayWith>>;
}

/** What a task answers: a search result, a shrunk failure, a replay. */
type TaskOutcome<T extends CampaignTask> = T extends SearchTask
  ? SearchResult
  : T extends ShrinkTask
    ? ShrinkOutcome
    : ReplayOutcome;

/** How {@link runTask} reports and where it runs. */
interface TaskHooks extends ServeHooks {
  /** The path `task.pathSpec` names, already loaded. */
  sendPath?: NamedSendPath;
}

/** The URL of this module: what a worker loads to serve a campaign's tasks. */
export const tasksModule = import.meta.url;

/** Send paths loaded by this thread, by spec (a module is imported once per worker process). */
const loaded = new Map<string, Promise<NamedSendPath>>();
/** At most this many specs cached per worker: a long-lived pool must not grow without bound. */
const loadedMax = 32;

function pathFor(spec: string, cwd: string, intercept: boolean): Promise<NamedSendPath> {
  const key = `${cwd}\u0000${spec}\u0000${intercept}`;
  let path = loaded.get(key);
  if (path === undefined) {
    if (loaded.size >= loadedMax) loaded.clear();
    path = loadSendPath(spec, cwd, { intercept });
    // A failed load is not cached: the error goes to the caller, the next task tries again.
    path.catch(() => loaded.delete(key));
    loaded.set(key, path);
  }
  return path;
}

/** Whether `task` loads its path intercepted: as asked, or as the failure it replays was found. */
function interceptOf(task: CampaignTask): boolean {
  return task.kind === 'replay' ? task.failure.intercept === true : task.intercept === true;
}

/** Runs one task in this thread and returns its outcome. */
export async function runTask<T extends CampaignTask>(
  task: T,
  hooks: TaskHooks = {},
): Promise<TaskOutcome<T>> {
  const path = hooks.sendPath ?? (await pathFor(task.pathSpec, task.cwd, interceptOf(task)));
  // Loading a module may take seconds (tsx compiles it): the watchdog judges the runs only.
  hooks.progress?.setBusy(true);
  // A module that cannot even be constructed is a load error, not a finding of every run.
  await checkConstruction(path, task.cwd, hooks.progress);
  return (await runLoaded(task, path, hooks)) as TaskOutcome<T>;
}

/** The default export a worker calls: {@link runTask}. */
export default function serveTask(task: CampaignTask, hooks: ServeHooks): Promise<unknown> {
  return runTask(task, hooks);
}

async function runLoaded(
  task: CampaignTask,
  path: NamedSendPath,
  hooks: TaskHooks,
): Promise<unknown> {
  switch (task.kind) {
    case 'search':
      return searchChunk(task, path, hooks);
    case 'shrink': {
      const options = shrinkOptionsOf({
        progress: hooks.progress,
        shrinkSimulationsMax: task.shrinkSimulationsMax,
      });
      const outcome: ShrinkOutcome = {
        failure: await shrinkFailure(task.first, task.runIndex, path, options),
      };
      return outcome;
    }
    case 'replay': {
      const result = await replayWith(task.failure, path.factory, { progress: hooks.progress });
      const outcome: ReplayOutcome = { pathName: path.name, result };
      return outcome;
    }
  }
}

function searchChunk(
  task: SearchTask,
  path: NamedSendPath,
  { onRuns, progress }: TaskHooks,
): Promise<SearchResult> {
  return search({
    path,
    seed: task.seed,
    numRuns: task.numRuns,
    stepsMax: task.stepsMax,
    timeBudgetMs: task.timeBudgetMs,
    failFast: task.failFast,
    ...(task.only && { only: task.only }),
    ...(task.skip && { skip: task.skip }),
    progress,
    onRun: onRuns === undefined ? undefined : () => onRuns(1),
  });
}
