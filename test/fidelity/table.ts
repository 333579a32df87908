/**
 * The fidelity table README shows: one row per fidelity scenario, what the server and network
 * do (the scenario's faults) and what real rc14 did (its measured trace, in words). Generated
 * from the suite itself, so it says what the tests check: `fidelity.real.test.ts` re-measures
 * every row on real rc14 and `fidelity.diff.test.ts` requires the fake to do the same.
 */
import { clientStepKinds, type Step } from './scenario.js';
import { fidelityCases, type FidelityCase } from './scenarios.js';
import type { ConnectionEntry, ErrorShape, SendEntry, Trace } from './trace.js';

/** The markers around the generated table in README. */
export const tableMarkers = Object.freeze({
  start: '<!-- fidelity-table:start -->',
  end: '<!-- fidelity-table:end -->',
});

/** The whole table, as markdown. */
export function fidelityTableMarkdown(cases: readonly FidelityCase[] = fidelityCases): string {
  const rows = cases.map(
    (c) => `| ${c.scenario.name} | ${faultsOf(c.scenario.steps)} | ${behaviourOf(c.rc14)} |`,
  );
  return [
    '| scenario | server and network | what rc14 did (times from the scenario start) |',
    '|---|---|---|',
    ...rows,
  ].join('\n');
}

function faultsOf(steps: readonly Step[]): string {
  const faults = steps.filter((s) => !clientStepKinds.has(s.do)).map(describeStep);
  return faults.length === 0 ? 'healthy' : faults.join('; ');
}

function describeStep(step: Step): string {
  const { at, do: kind, ...rest } = step as Step & Record<string, unknown>;
  const fields = Object.entries(rest).map(
    ([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`,
  );
  return [`${kind} at ${seconds(at)}`, ...fields].join(' ').replace(/\|/g, '\\|');
}

function behaviourOf(trace: Trace): string {
  const parts = [
    ...trace.connection
      .filter((c) => c.event === 'close' || c.event === 'open')
      .map(connectionWords),
    ...trace.sends.map(sendWords),
  ];
  const appends = trace.upserts.filter((u) => u.type === 'append' && !u.fromMe).map((u) => u.name);
  const echoes = trace.upserts.filter((u) => u.fromMe).length;
  const repeated = trace.upserts
    .filter(
      (u, i) => !u.fromMe && trace.upserts.findIndex((v) => v.name === u.name && !v.fromMe) !== i,
    )
    .map((u) => u.name);
  if (appends.length > 0) parts.push(`${appends.join(', ')} upserted as append`);
  if (repeated.length > 0) parts.push(`${[...new Set(repeated)].join(', ')} upserted again`);
  if (echoes > 0) parts.push(`each write echoed (append, fromMe)`);
  const inGroups = trace.upserts.filter((u) => u.participant).map((u) => u.name);
  if (inGroups.length > 0) parts.push(`${inGroups.join(', ')} upserted with a participant`);
  for (const update of trace.updates) {
    const stub =
      update.stubParameters === undefined
        ? ''
        : ` messageStubParameters ${JSON.stringify(update.stubParameters)}`;
    parts.push(
      `${update.name}: messages.update status ${update.status}${stub} at ${seconds(update.at)}`,
    );
  }
  for (const receipt of trace.receipts ?? [])
    parts.push(`${receipt.name}: message-receipt.update ${receipt.type} at ${seconds(receipt.at)}`);
  for (const thrown of trace.thrown)
    parts.push(
      `the throw in ${thrown.event} is an unhandled ${thrown.surfaced}, later listeners ` +
        `${thrown.laterListenerRan ? 'ran' : 'skipped'}`,
    );
  for (const u of trace.upserts) {
    // A message that reached the bot a second or more after it was sent: its timestamp tells.
    if (!u.fromMe && u.sentAt !== undefined && u.at - u.sentAt >= 1000)
      parts.push(
        `${u.name} upserted at ${seconds(u.at)} stamped with its send time, ${seconds(u.sentAt)}`,
      );
  }
  for (const end of trace.ends)
    parts.push(
      `end() at ${seconds(end.at)} ` +
        (end.outcome === 'resolved'
          ? `resolved at ${seconds(end.settledAt ?? end.at)}`
          : 'never resolved'),
    );
  return parts.join('; ').replace(/\|/g, '\\|');
}

function connectionWords(entry: ConnectionEntry): string {
  if (entry.event === 'open') return `socket ${entry.socket} open at ${seconds(entry.at)}`;
  return (
    `socket ${entry.socket} close ` +
    (entry.error === undefined || entry.error === null
      ? 'with no error'
      : errorWords(entry.error)) +
    ` at ${seconds(entry.at)}`
  );
}

function sendWords(send: SendEntry): string {
  const outcome =
    send.outcome === 'resolved'
      ? `resolved at ${seconds(send.settledAt ?? send.at)}`
      : send.outcome === 'rejected'
        ? `rejected ${errorWords(send.error!)} at ${seconds(send.settledAt ?? send.at)}`
        : 'never settled';
  const frame =
    send.frames === 0
      ? 'no frame reached the server'
      : `frame at ` +
        `${[send.frameAt ?? send.at, ...(send.laterFramesAt ?? [])].map(seconds).join(', ')}` +
        `${send.frames > 1 ? ' (same id)' : ''}`;
  return `${send.key} (sent at ${seconds(send.at)}) ${outcome}, ${frame}`;
}

function errorWords(error: ErrorShape): string {
  switch (error.kind) {
    case 'boom':
      return (
        `${error.statusCode} '${error.message}'` +
        `${error.data === undefined ? '' : ` (data ${error.data})`}`
      );
    case 'number':
      return `with the bare number ${error.value}`;
    case 'error':
      return `${error.name} '${error.message}'`;
    case 'other':
      return error.value;
  }
}

function seconds(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(2).replace(/0+$/, '')} s`;
}
