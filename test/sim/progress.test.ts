/**
 * The progress board a watchdog reads: a run ticks on it at every turn and event, and it says
 * where the run stands (run, events fired, the last one, virtual time, the held timeline).
 */
import { describe, expect, it } from 'vitest';
import { ProgressBoard } from '../../sim/progress.js';
import { simulate } from '../../sim/simulate.js';
import { referenceSendPath } from '../../src/reference.js';
import { timelineOf } from './helpers.js';

const timeline = timelineOf([
  { at: 1000, do: 'inbound', chat: 'c1', msg: 'm1' },
  { at: 1500, do: 'reply', to: 'm1', key: 'r1' },
  { at: 9000, do: 'drop', reason: 'connectionLost' },
]);

describe('ProgressBoard', () => {
  it('is ticked by a run at every event and turn, and ends where the run did', async () => {
    // Arrange
    const board = ProgressBoard.create();
    const before = board.ticks();
    // Act
    const history = await simulate(timeline, referenceSendPath, { progress: board });
    // Assert
    const after = board.snapshot();
    expect(after.ticks - before).toBeGreaterThan(history.timers.firedTotal);
    expect(after).toMatchObject({ eventsFired: 3, lastEventIndex: 2, virtualMs: history.endedAt });
  });

  it('leaves the history as it is without one', async () => {
    const watched = await simulate(timeline, referenceSendPath, {
      progress: ProgressBoard.create(),
    });
    const unwatched = await simulate(timeline, referenceSendPath);
    expect(watched).toEqual(unwatched);
  });

  it('holds the timeline of a run no seed describes, and drops it for the next run', () => {
    // Arrange
    const board = ProgressBoard.create();
    // Act
    board.locate('shrink', 4, timeline);
    const held = board.snapshot();
    board.locate('generated', 5);
    const dropped = board.snapshot();
    // Assert
    expect(held).toMatchObject({ phase: 'shrink', runIndex: 4 });
    expect(JSON.parse(held.timelineJson!)).toEqual(timeline);
    expect(dropped).toMatchObject({ phase: 'generated', runIndex: 5 });
    expect(dropped.timelineJson).toBeUndefined();
  });

  it('does not hold a timeline larger than its room', () => {
    const board = ProgressBoard.create(16);
    board.locate('replay', 0, timeline);
    expect(board.snapshot().timelineJson).toBeUndefined();
  });

  it('is read through its buffer from another board object, as another thread reads it', () => {
    // Arrange
    const writer = ProgressBoard.create();
    const reader = new ProgressBoard(writer.buffer);
    // Act
    writer.setBusy(true);
    writer.runStarted();
    writer.eventFired(7, 1234);
    // Assert
    expect(reader.busy()).toBe(true);
    expect(reader.snapshot()).toMatchObject({ eventsFired: 1, lastEventIndex: 7, virtualMs: 1234 });
    expect(() => new ProgressBoard(new ArrayBuffer(64) as unknown as SharedArrayBuffer)).toThrow(
      TypeError,
    );
  });
});
