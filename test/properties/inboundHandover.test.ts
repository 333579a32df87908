/** inbound-handover: must-flag and must-not-flag histories. */
import { describe, expect, it } from 'vitest';
import { checkProperty } from '../../properties/judging/checkers.js';
import type { InboundDelivery } from '../../sim/history.js';
import { attempt, baseHistory, inbound, socket } from './historyBuilder.js';

const append = (at: number, generation: number): InboundDelivery => ({
  at,
  generation,
  type: 'append',
});

describe('inbound-handover', () => {
  it('accepts a message handed over once, however often it was delivered', () => {
    // Arrange: delivered live on socket 1, redelivered on socket 2 after a lost receipt.
    const h = baseHistory();
    h.inbound.push(
      inbound('m1', { deliveries: [{ at: 50, generation: 1, type: 'notify' }, append(3000, 2)] }),
    );
    // Act / Assert
    expect(checkProperty('inbound-handover', h)).toEqual([]);
  });

  it(
    'flags an answerable message delivered but never handed to the bot, naming its ' + 'deliveries',
    () => {
      // Arrange: queued while offline, delivered as append on socket 2: a notify-only path drops
      // it.
      const h = baseHistory();
      h.inbound.push(
        inbound('m1', {
          kind: 'media',
          deliveries: [append(3000, 2)],
          emittedAt: 3000,
          generation: 2,
          receivedAt: undefined,
          handedCount: 0,
        }),
      );
      // Act / Assert
      expect(checkProperty('inbound-handover', h)).toEqual([
        {
          property: 'inbound-handover',
          generation: 2,
          at: 3000,
          message: 'm1 (media in c1, delivered 1x: append@2) never reached the bot',
        },
      ]);
    },
  );

  it('flags a message handed over twice (a redelivery not deduplicated by id)', () => {
    const h = baseHistory();
    h.inbound.push(
      inbound('m1', {
        deliveries: [{ at: 50, generation: 1, type: 'notify' }, append(3000, 2)],
        handedCount: 2,
      }),
    );
    expect(checkProperty('inbound-handover', h)).toEqual([
      {
        property: 'inbound-handover',
        generation: 1,
        at: 51,
        message:
          'm1 (text in c1, delivered 2x: notify@1, append@2) reached the bot 2 times: ' +
          'deduplicate by message id',
      },
    ]);
  });

  it.each(['reaction', 'revoke', 'stub', 'empty', 'status'] as const)(
    'lets a %s go unanswered',
    (kind) => {
      const h = baseHistory();
      h.inbound.push(
        inbound('m1', { kind, answerable: false, receivedAt: undefined, handedCount: 0 }),
      );
      expect(checkProperty('inbound-handover', h)).toEqual([]);
    },
  );

  it('ignores a message never delivered to the path', () => {
    const h = baseHistory();
    h.inbound.push(
      inbound('m1', {
        deliveries: [],
        emittedAt: undefined,
        generation: undefined,
        receivedAt: undefined,
        handedCount: 0,
      }),
    );
    expect(checkProperty('inbound-handover', h)).toEqual([]);
  });

  it(
    'excuses a message first delivered after stop() was called, and flags one delivered ' +
      'just before',
    () => {
      // Arrange: stop() called at 9000.
      const after = baseHistory();
      after.inbound.push(
        inbound('m1', {
          at: 9000,
          deliveries: [{ at: 9000, generation: 1, type: 'notify' }],
          receivedAt: undefined,
          handedCount: 0,
        }),
      );
      const before = structuredClone(after);
      before.inbound[0]!.deliveries = [{ at: 8999, generation: 1, type: 'notify' }];
      // Act / Assert
      expect(checkProperty('inbound-handover', after)).toEqual([]);
      expect(checkProperty('inbound-handover', before)).toHaveLength(1);
    },
  );

  it(
    'excuses a message delivered once the session had ended from outside, but not after a ' +
      '440 the path provoked',
    () => {
      // Arrange: socket 1 closed with 401 (device removed) at 300; m1 was delivered at 300.
      const loggedOut = baseHistory();
      loggedOut.sockets[0] = socket({
        generation: 1,
        openedAt: 10,
        state: 'closed',
        cause: 'drop',
        dropReason: 'loggedOut',
        diedAt: 300,
        closeEmittedAt: 300,
        closeError: { name: 'Error', message: 'Stream Errored (conflict)', statusCode: 401 },
      });
      loggedOut.inbound.push(
        inbound('m1', {
          at: 300,
          deliveries: [{ at: 300, generation: 1, type: 'notify' }],
          receivedAt: undefined,
          handedCount: 0,
        }),
      );
      const replaced = structuredClone(loggedOut);
      replaced.sockets[0] = {
        ...replaced.sockets[0]!,
        cause: 'replaced',
        dropReason: 'conflict',
        closeError: { name: 'Error', message: 'Stream Errored (conflict)', statusCode: 440 },
      };
      // Act / Assert
      expect(checkProperty('inbound-handover', loggedOut)).toEqual([]);
      expect(checkProperty('inbound-handover', replaced)).toHaveLength(1);
    },
  );

  it("flags the path's own message handed to the bot (its echo), once per id", () => {
    // Arrange: reply r1 went out as 3EB0...01 and came back as an append with fromMe.
    const h = baseHistory();
    h.attempts.push(attempt(1, 'r1'));
    h.strayInbound = [
      { at: 300, id: h.attempts[0]!.messageId! },
      { at: 5000, id: h.attempts[0]!.messageId! },
    ];
    // Act / Assert
    expect(checkProperty('inbound-handover', h)).toEqual([
      {
        property: 'inbound-handover',
        key: 'r1',
        at: 300,
        message:
          "the bot was handed the path's own message 3EB0000000000000000001 (attempt #1 " +
          'for r1 in c1): filter key.fromMe',
      },
    ]);
  });

  it('flags a message the server never delivered', () => {
    const h = baseHistory();
    h.strayInbound = [{ at: 300, id: 'made-up' }];
    expect(checkProperty('inbound-handover', h)).toEqual([
      {
        property: 'inbound-handover',
        at: 300,
        message: 'the bot was handed message id made-up, which the server never delivered',
      },
    ]);
  });
});
