/**
 * The specimens on a hand-driven socket: the shared host hands inbound messages over correctly,
 * and each specimen breaks exactly the one rule it exists to show (the property suite shows
 * each is caught on the simulator; these show where the bug is, one interleaving at a time).
 */
import { describe, expect, it } from 'vitest';
import { busyLoop } from '../../properties/specimens/busyLoop.js';
import { specimenPath, retryingSend } from '../../properties/specimens/host.js';
import { builtInSendPathNames } from '../../properties/paths/sendPaths.js';
import { specimenByName, specimens, verdictSpecimens } from '../../properties/specimens/index.js';
import { warmUpMs } from '../../properties/specimens/reliesOnRedelivery.js';
import type { InboundMessage, SendPathFactory } from '../../src/ports.js';
import { HandWorld } from '../unit/support/handSocket.js';

const c1 = '15550000001@s.whatsapp.net';
const c2 = '15550000002@s.whatsapp.net';

/**
 * A path of `factory` started in a fresh world, its first socket open; the messages it hands over.
 */
async function started(factory: SendPathFactory) {
  const world = new HandWorld();
  const handed: InboundMessage[] = [];
  const path = factory(world.env());
  await path.start((m) => handed.push(m));
  world.latest.open();
  await world.settle();
  return { world, path, handed };
}

const upsert = (type: 'notify' | 'append', ...messages: object[]) => ({ type, messages });
const text = (id: string, body: string, fromMe = false) => ({
  key: { remoteJid: c1, id, fromMe },
  message: { conversation: body },
});
const factoryOf = (name: string) => specimenByName(name).factory;
const host: SendPathFactory = (env) => specimenPath(env, retryingSend);

describe('the specimen host', () => {
  it(
    'hands notify and append messages over once each, never its own, and reads text from ' +
      'any shape',
    async () => {
      // Arrange
      const { world, handed } = await started(host);
      // Act: live, offline, own echo, redelivery, media, reaction, no message.
      world.latest.emit('messages.upsert', upsert('notify', text('A', 'hi')));
      world.latest.emit(
        'messages.upsert',
        upsert('append', text('B', 'while you were away'), text('OWN', 'my reply', true)),
      );
      world.latest.emit('messages.upsert', upsert('append', text('A', 'hi')));
      world.latest.emit(
        'messages.upsert',
        upsert(
          'notify',
          { key: { remoteJid: c1, id: 'M' }, message: { imageMessage: { caption: 'look' } } },
          { key: { remoteJid: c1, id: 'R' }, message: { reactionMessage: { text: '👍' } } },
          { key: { remoteJid: c1, id: 'E' } },
        ),
      );
      // Assert
      expect(handed.map((m) => [m.id, m.text])).toEqual([
        ['A', 'hi'],
        ['B', 'while you were away'],
        ['M', 'look'],
        ['R', ''],
        ['E', ''],
      ]);
    },
  );
});

describe('inbound specimens: each breaks one handover rule', () => {
  it('notify-only never hands over an append', async () => {
    const { world, handed } = await started(factoryOf('notify-only'));
    world.latest.emit('messages.upsert', upsert('append', text('B', 'while you were away')));
    world.latest.emit('messages.upsert', upsert('notify', text('A', 'hi')));
    expect(handed.map((m) => m.id)).toEqual(['A']);
  });

  it('answers-itself hands over its own echo', async () => {
    const { world, handed } = await started(factoryOf('answers-itself'));
    world.latest.emit('messages.upsert', upsert('append', text('OWN', 'my reply', true)));
    expect(handed.map((m) => m.id)).toEqual(['OWN']);
  });

  it('skip-by-timestamp skips a message stamped before its connection opened', async () => {
    // Arrange
    const { world, handed } = await started(factoryOf('skip-by-timestamp'));
    const openedAtS = Math.floor(world.env().clock.now() / 1000);
    const stamped = (id: string, body: string, atS: number) => ({
      ...text(id, body),
      messageTimestamp: atS,
    });
    // Act: an offline message sent a minute before the open, then a live one.
    world.latest.emit(
      'messages.upsert',
      upsert('append', stamped('B', 'while you were away', openedAtS - 60)),
    );
    world.latest.emit('messages.upsert', upsert('notify', stamped('A', 'hi', openedAtS)));
    // Assert
    expect(handed.map((m) => m.id)).toEqual(['A']);
  });

  it(
    'relies-on-redelivery throws on a message in its warm-up, and takes it only if emitted ' +
      'again',
    async () => {
      // Arrange
      const { world, handed } = await started(factoryOf('relies-on-redelivery'));
      // Act
      const early = () =>
        world.latest.emit('messages.upsert', upsert('append', text('B', 'while you were away')));
      expect(early).toThrow(/not ready/);
      await world.advance(warmUpMs);
      world.latest.emit(
        'messages.upsert',
        upsert('notify', text('B', 'while you were away'), text('A', 'hi')),
      );
      // Assert
      expect(handed.map((m) => m.id)).toEqual(['B', 'A']);
    },
  );

  it('no-inbound-dedupe hands a redelivery over again', async () => {
    const { world, handed } = await started(factoryOf('no-inbound-dedupe'));
    world.latest.emit('messages.upsert', upsert('notify', text('A', 'hi')));
    world.latest.emit('messages.upsert', upsert('append', text('A', 'hi')));
    expect(handed.map((m) => m.id)).toEqual(['A', 'A']);
  });

  it(
    'throws-on-unusual throws on a reaction: the rest of the batch waits for rc14 to emit ' +
      'it again',
    async () => {
      // Arrange
      const { world, handed } = await started(factoryOf('throws-on-unusual'));
      const batch = upsert(
        'notify',
        text('A', 'hi'),
        { key: { remoteJid: c1, id: 'R' }, message: { reactionMessage: { text: '👍' } } },
        text('C', 'still there?'),
      );
      // Act / Assert
      expect(() => world.latest.emit('messages.upsert', batch)).toThrow(TypeError);
      expect(handed.map((m) => m.id)).toEqual(['A']);
      world.latest.emit('messages.upsert', batch);
      expect(handed.map((m) => m.id)).toEqual(['A', 'C']);
    },
  );
});

describe('connection specimens', () => {
  it('ignores-terminal reconnects after a 440, where the host stops', async () => {
    // Arrange
    const correct = await started(host);
    const buggy = await started(factoryOf('ignores-terminal'));
    // Act
    for (const { world } of [correct, buggy]) {
      world.latest.close(440, 'Stream Errored (conflict)');
      await world.advance(10_000); // past the first backoff, short of the connect watchdog
    }
    // Assert
    expect(correct.world.sockets).toHaveLength(1);
    expect(buggy.world.sockets).toHaveLength(2);
  });

  it('stop-keeps-socket leaves its socket open after stop(), where the host ends it', async () => {
    const correct = await started(host);
    const buggy = await started(factoryOf('stop-keeps-socket'));
    await correct.path.stop();
    await buggy.path.stop();
    expect(correct.world.latest.ended).toBe(true);
    expect(buggy.world.latest.ended).toBe(false);
  });

  it('abandons-socket opens a socket of its own for a reply in a reconnect gap', async () => {
    // Arrange
    const { world, handed } = await started(factoryOf('abandons-socket'));
    world.latest.deliver(c1, 'A', 'hi');
    world.latest.close(408, 'Connection was lost');
    // Act: the reply comes while the supervisor waits out its backoff.
    void handed[0]!.reply('hello');
    await world.settle();
    // Assert: a second socket, not the supervisor's, made at once.
    expect(world.sockets).toHaveLength(2);
    await world.advance(10_000); // the supervisor's own reconnect, after its backoff
    expect(world.sockets).toHaveLength(3);
    expect(world.sockets[1]!.ended).toBe(false);
  });

  it(
    'stop-strands-replies leaves a reply waiting in a gap pending forever, and stop() ' +
      'resolves',
    async () => {
      // Arrange
      const { world, path, handed } = await started(factoryOf('stop-strands-replies'));
      world.latest.deliver(c1, 'A', 'hi');
      world.latest.close(408, 'Connection was lost');
      let settled = false;
      handed[0]!.reply('hello').then(
        () => (settled = true),
        () => (settled = true),
      );
      // Act
      await path.stop();
      await world.advance(600_000);
      // Assert
      expect(settled).toBe(false);
      expect(world.clock.countTimers()).toBe(0);
    },
  );

  it('never-connects makes no socket at all', async () => {
    const world = new HandWorld();
    const path = specimenByName('never-connects').factory(world.env());
    await path.start(() => undefined);
    await world.advance(60_000);
    await path.stop();
    expect(world.sockets).toHaveLength(0);
  });
});

describe('send specimens', () => {
  it(
    'listener-per-reply leaves one connection.update ' + 'listener per reply on the socket',
    async () => {
      const { world, handed } = await started(factoryOf('listener-per-reply'));
      world.latest.deliver(c1, 'A', 'hi');
      const before = world.latest.listeners.get('connection.update')!.size;
      await Promise.all([
        handed[0]!.reply('one'),
        handed[0]!.reply('two'),
        handed[0]!.reply('three'),
      ]);
      expect(world.latest.listeners.get('connection.update')!.size).toBe(before + 3);
    },
  );

  it(
    'one-queue holds a reply to c2 behind a stuck send to c1, where the host sends it at ' + 'once',
    async () => {
      for (const [factory, c2Waits] of [
        [host, false],
        [factoryOf('one-queue'), true],
      ] as const) {
        // Arrange: c1's send hangs (its pre-write queries stalled).
        const { world, handed } = await started(factory);
        world.latest.deliver(c1, 'A', 'hi');
        world.latest.deliver(c2, 'B', 'hi');
        world.scripts.push('hang');
        // Act
        void handed[0]!.reply('to c1');
        void handed[1]!.reply('to c2');
        await world.settle();
        // Assert
        expect(world.sends.map((s) => s.jid)).toEqual(c2Waits ? [c1] : [c1, c2]);
      }
    },
  );

  it(
    'short-confirm-window resends a write its socket lost within 65 s of it, and forgets ' +
      'an older one',
    async () => {
      for (const [closeAfterMs, resent] of [
        [60_000, true],
        [70_000, false],
      ] as const) {
        // Arrange: a reply written on socket 1.
        const { world, handed } = await started(factoryOf('short-confirm-window'));
        world.latest.deliver(c1, 'A', 'hi');
        await handed[0]!.reply('hello');
        // Act: socket 1's close comes `closeAfterMs` after the write; socket 2 opens.
        await world.advance(closeAfterMs);
        world.latest.close(408, 'Connection was lost');
        await world.advance(3000);
        world.latest.open();
        await world.settle();
        // Assert
        expect(world.sends.map((s) => [s.generation, s.messageId])).toEqual(
          resent
            ? [
                [1, world.sends[0]!.messageId],
                [2, world.sends[0]!.messageId],
              ]
            : [[1, world.sends[0]!.messageId]],
        );
      }
    },
  );

  it(
    'fresh-id-retry resends a write its socket lost within the reference window (95 s on), ' +
      'under a new id',
    async () => {
      // Arrange: a reply written on socket 1.
      const { world, handed } = await started(factoryOf('fresh-id-retry'));
      world.latest.deliver(c1, 'A', 'hi');
      await handed[0]!.reply('hello');
      // Act: socket 1's close comes 95 s after the write; socket 2 opens.
      await world.advance(95_000);
      world.latest.close(408, 'Connection was lost');
      await world.advance(3000);
      world.latest.open();
      await world.settle();
      // Assert: sent twice; Baileys minted each id (the path gave none).
      expect(world.sends.map((s) => [s.generation, s.messageId])).toEqual([
        [1, undefined],
        [2, undefined],
      ]);
    },
  );
});

describe('the catalog', () => {
  it(
    'keeps verdict specimens out of the list every suite and audit runs, yet resolvable by ' +
      'name',
    () => {
      const names = new Set(specimens.map((s) => s.name));
      for (const v of verdictSpecimens) {
        expect(names.has(v.name)).toBe(false);
        expect(builtInSendPathNames).not.toContain(`specimen:${v.name}`);
        expect(specimenByName(v.name)).toBe(v);
      }
      expect(verdictSpecimens.filter((v) => v.hangs).map((v) => v.name)).toEqual(['busy-loop']);
    },
  );

  it('busy-loop handles its first three messages normally (it only spins past them)', async () => {
    const { world, handed } = await started(busyLoop);
    for (const id of ['A', 'B', 'C']) world.latest.deliver(c1, id, 'hi');
    expect(handed.map((m) => m.id)).toEqual(['A', 'B', 'C']);
  });
});

describe('specimens of what recipients and groups do', () => {
  it(
    'no-get-message gives Baileys a getMessage that finds nothing, even for a reply it ' + 'wrote',
    async () => {
      // Arrange
      const { world, handed } = await started(factoryOf('no-get-message'));
      world.latest.deliver(c1, 'A', 'hi');
      await world.settle();
      const receipt = (await handed[0]!.reply('answer')) as { messageId: string };
      const { getMessage } = world.configs[0] as {
        getMessage: (key: { id: string }) => Promise<unknown>;
      };
      // Act / Assert
      expect(await getMessage({ id: receipt.messageId })).toBeUndefined();
    },
  );

  it(
    'group-failure-sent reports a group reply sent when rc14 rejected it with a 500, and a ' +
      "1:1 one's rejection as rc14 gave it",
    async () => {
      // Arrange
      const { world, handed } = await started(factoryOf('group-failure-sent'));
      const group = '120363000000000001@g.us';
      world.latest.deliver(group, 'G', 'in the group');
      world.latest.deliver(c1, 'A', 'direct');
      await world.settle();
      const unanswered = () => ({
        rejectWith: Object.assign(
          new Error('Invalid group metadata response: missing <group> node'),
          { isBoom: true, output: { statusCode: 500 } },
        ),
      });
      world.scripts.push(
        unanswered(),
        unanswered(),
        unanswered(),
        unanswered(),
        unanswered(),
        unanswered(),
        unanswered(),
        unanswered(),
        unanswered(),
      );
      // Act
      const inGroup = await handed[0]!.reply('to the group').then(
        () => 'sent',
        (e: Error) => e.name,
      );
      const direct = await handed[1]!.reply('to the person').then(
        () => 'sent',
        (e: Error) => e.name,
      );
      await world.advance(1000);
      // Assert
      expect(inGroup).toBe('sent');
      expect(direct).toBe('SendAttemptsExhaustedError');
      expect(world.sends.map((s) => s.jid)).toEqual([group, ...Array(8).fill(c1)]);
    },
  );
});
