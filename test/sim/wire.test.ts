/**
 * The wire under a fake socket: frames take the one-way latency, and each way is FIFO as TCP is.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../sim/clock.js';
import { Wire } from '../../sim/network/wire.js';

describe('Wire', () => {
  it('keeps each direction in order when the latency falls between two frames', async () => {
    // Arrange
    const clock = new VirtualClock();
    let latencyMs = 9;
    const wire = new Wire(clock.network, () => latencyMs);
    const arrived: string[] = [];
    // Act: the first frame needs 9 ms; the second, sent 3 ms later at 1 ms latency, must not
    // overtake it.
    wire.send('toServer', () => arrived.push(`a@${clock.now()}`));
    clock.harness.setTimeout(() => {
      latencyMs = 1;
      wire.send('toServer', () => arrived.push(`b@${clock.now()}`));
      wire.send('toBot', () => arrived.push(`up@${clock.now()}`));
    }, 3);
    await clock.run(() => false);
    // Assert
    expect(arrived).toEqual(['up@4', 'a@9', 'b@9']);
  });

  it('delivers a frame one latency after it was sent when nothing is ahead of it', async () => {
    // Arrange
    const clock = new VirtualClock();
    const wire = new Wire(clock.network, () => 25);
    const arrived: number[] = [];
    // Act
    wire.send('toServer', () => arrived.push(clock.now()));
    clock.harness.setTimeout(() => wire.send('toServer', () => arrived.push(clock.now())), 100);
    await clock.run(() => false);
    // Assert
    expect(arrived).toEqual([25, 125]);
  });
});
