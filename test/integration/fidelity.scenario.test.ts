/**
 * The fidelity suite's own machinery: scenario validation (one clear line per problem, naming
 * the place), error shapes, and the trace comparison with its time tolerance.
 */
import { Boom } from '@hapi/boom';
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../fidelity/scenario.js';
import {
  compareTraces,
  emptyTrace,
  errorShape,
  timeTolerated,
  type Trace,
} from '../fidelity/trace.js';

const socket = { keepAliveIntervalMs: 1000, connectTimeoutMs: 2000, defaultQueryTimeoutMs: 1500 };
const valid = {
  name: 'ok',
  socket,
  endAt: 2000,
  steps: [
    { at: 0, do: 'connect' },
    { at: 500, do: 'send', key: 'r1' },
  ],
};

function issuesOf(input: unknown): readonly string[] {
  try {
    parseScenario(input);
  } catch (error) {
    if (error instanceof ScenarioError) return error.issues;
    throw error;
  }
  return [];
}

describe('parseScenario', () => {
  it('returns a typed copy of a valid scenario', () => {
    const scenario = parseScenario(valid);
    expect(scenario).toEqual(valid);
    expect(scenario).not.toBe(valid);
  });

  it.each([
    [
      'an unknown step',
      { ...valid, steps: [{ at: 0, do: 'teleport' }] },
      'ok: steps[0].do: unknown step "teleport" (expected one of: connect, send, end, ' +
        'presence, inbound',
    ],
    [
      'time going backwards',
      {
        ...valid,
        steps: [
          { at: 100, do: 'connect' },
          { at: 50, do: 'end' },
        ],
      },
      'ok: steps[1].at: time goes backwards (50 < 100)',
    ],
    [
      'a send before any connect',
      { ...valid, steps: [{ at: 0, do: 'send', key: 'r1' }] },
      'ok: steps[0].do: "send" before any "connect"',
    ],
    [
      'a duplicate send key',
      {
        ...valid,
        steps: [
          { at: 0, do: 'connect' },
          { at: 1, do: 'send', key: 'r' },
          { at: 2, do: 'send', key: 'r' },
        ],
      },
      'ok: steps[2].key: duplicate key "r"',
    ],
    [
      'a window that ends before it starts',
      { ...valid, steps: [{ at: 100, do: 'refuse', untilAt: 50 }] },
      'ok: steps[0].untilAt: before at (50 < 100)',
    ],
    [
      'a step after endAt',
      { ...valid, endAt: 100, steps: [{ at: 200, do: 'connect' }] },
      'ok: steps[0].at: after endAt (200 > 100)',
    ],
    [
      'an unknown field',
      { ...valid, steps: [{ at: 0, do: 'connect', when: 1 }] },
      'ok: steps[0]: Unrecognized key: "when"',
    ],
    [
      'an unread reset with no send to meet it',
      {
        ...valid,
        steps: [
          { at: 0, do: 'connect' },
          { at: 400, do: 'reset', unread: true },
          { at: 500, do: 'send', key: 'r1' },
        ],
      },
      'ok: steps[1].unread: an unread reset needs a send at the same time (400)',
    ],
  ])('names the place of %s', (_what, input, issue) => {
    const issues = issuesOf(input);
    expect(
      issues.some((line) => line.startsWith(issue)),
      `${issue} in ${JSON.stringify(issues)}`,
    ).toBe(true);
  });

  it('rejects socket settings Baileys cannot run with', () => {
    const issues = issuesOf({ ...valid, socket: { ...socket, keepAliveIntervalMs: 5 } });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^socket\.keepAliveIntervalMs: /);
  });
});

describe('errorShape', () => {
  it('tells a Boom, a bare close code, another Error and anything else apart', () => {
    expect(errorShape(new Boom('Connection Closed', { statusCode: 428 }))).toEqual({
      kind: 'boom',
      statusCode: 428,
      message: 'Connection Closed',
    });
    expect(errorShape(1006)).toEqual({ kind: 'number', value: 1006 });
    expect(errorShape(new TypeError('x'))).toEqual({
      kind: 'error',
      name: 'TypeError',
      message: 'x',
    });
    expect(errorShape('text')).toEqual({ kind: 'other', value: 'text' });
  });

  it('writes the loopback port as <port>', () => {
    const shape = errorShape(
      new Boom('WebSocket Error (connect ECONNREFUSED 127.0.0.1:40123)', { statusCode: 408 }),
    );
    expect(shape).toEqual({
      kind: 'boom',
      statusCode: 408,
      message: 'WebSocket Error (connect ECONNREFUSED 127.0.0.1:<port>)',
    });
  });
});

describe('compareTraces', () => {
  const base: Trace = {
    ...emptyTrace(),
    connection: [
      { at: 0, socket: 1, event: 'connecting' },
      { at: 250, socket: 1, event: 'open' },
      { at: 37_500, socket: 1, event: 'close', error: null },
    ],
  };

  it('finds nothing between a trace and itself', () => {
    expect(compareTraces(base, structuredClone(base))).toEqual([]);
  });

  it('tolerates 500 ms + 5 % of the expected time, no more', () => {
    expect(timeTolerated(37_500, 37_500 + 2375)).toBe(true);
    expect(timeTolerated(37_500, 37_500 + 2376)).toBe(false);
    expect(timeTolerated(0, 500)).toBe(true);
    expect(timeTolerated(0, 501)).toBe(false);
    expect(timeTolerated(1000, 3550, 2000)).toBe(true);
    expect(timeTolerated(1000, 3551, 2000)).toBe(false);
  });

  it('reports a time out of tolerance with both figures', () => {
    const actual = structuredClone(base);
    actual.connection[2]!.at = 8000;
    expect(compareTraces(base, actual)).toEqual([
      'connection[2] 1:close.at: expected 37500 ms, got 8000 ms',
    ]);
  });

  it('reports a different sequence once, and a close error', () => {
    const missing = structuredClone(base);
    missing.connection.splice(1, 1);
    expect(compareTraces(base, missing)).toEqual([
      'connection: expected [1:connecting, 1:open, 1:close], got [1:connecting, 1:close]',
    ]);
    const otherError = structuredClone(base);
    otherError.connection[2]!.error = { kind: 'number', value: 1006 };
    expect(compareTraces(base, otherError)).toEqual([
      'connection[2] 1:close.error: expected null, got {"kind":"number","value":1006}',
    ]);
  });

  it('compares notifications apart from the lifecycle', () => {
    const withNotification = structuredClone(base);
    withNotification.connection.splice(1, 0, { at: 250, socket: 1, event: 'pending:true' });
    expect(compareTraces(withNotification, base)).toEqual([
      'notifications: expected [1:pending:true], got []',
    ]);
  });
});
