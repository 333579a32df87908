/**
 * Every error the fake raises, compared with what Baileys 7.0.0-rc14's own code produces: by
 * calling Baileys' helpers where they are exported, and otherwise by reading the exact `new Boom`
 * call out of Baileys' source, so a Baileys upgrade that changes a shape fails here.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { Boom } from '@hapi/boom';
import {
  assertNodeErrorFree,
  DisconnectReason,
  getCodeFromWSError,
  getErrorCodeFromStreamError,
  promiseTimeout,
} from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { queryRefusals } from '../../src/baileysFacts.js';
import {
  allEncryptionsFailedError,
  connectionClosedError,
  connectRefusedError,
  dropError,
  groupMetadataMissingError,
  handshakeTimedOutError,
  mediaConnError,
  queryRefusedError,
  timedOutError,
} from '../../sim/network/baileysErrors.js';

/** The stream:error nodes a server sends for the drops `dropError` makes as Baileys does. */
const streamErrorNodes = Object.freeze({
  restartRequired: { tag: 'stream:error', attrs: { code: '515' } },
  conflict: {
    tag: 'stream:error',
    attrs: {},
    content: [{ tag: 'conflict', attrs: { type: 'replaced' } }],
  },
  loggedOut: {
    tag: 'stream:error',
    attrs: { code: '401' },
    content: [{ tag: 'conflict', attrs: { type: 'device_removed' } }],
  },
});

const baileysLib = dirname(createRequire(import.meta.url).resolve('@whiskeysockets/baileys'));
const socketSource = readFileSync(join(baileysLib, 'Socket', 'socket.js'), 'utf8');

/**
 * The status code of `new Boom('<message>', { statusCode: DisconnectReason.<name> })` in socket.js.
 */
function statusInSource(message: string): number {
  const escaped = message.replace(/[()]/g, '\\$&');
  const match = new RegExp(
    `new Boom\\('${escaped}', \\{ statusCode: DisconnectReason\\.(\\w+) \\}\\)`,
  ).exec(socketSource);
  expect(match, `Baileys socket.js builds Boom('${message}')`).not.toBeNull();
  return DisconnectReason[match![1] as keyof typeof DisconnectReason];
}

const shape = (e: Boom) => ({
  isBoom: e.isBoom,
  message: e.message,
  statusCode: e.output.statusCode,
});

describe('fake errors match Baileys', () => {
  it("pre-write 'Connection Closed' 428 is sendRawMessage's", () => {
    expect(socketSource).toContain(
      "if (!ws.isOpen) {\n            throw new Boom('Connection Closed'",
    );
    expect(shape(connectionClosedError())).toEqual({
      isBoom: true,
      message: 'Connection Closed',
      statusCode: statusInSource('Connection Closed'),
    });
    expect(connectionClosedError().output.statusCode).toBe(428);
  });

  it("a query's 'Timed Out' 408 is promiseTimeout's", async () => {
    const real = await promiseTimeout(1, () => {}).catch((e: Boom) => e);
    expect(shape(timedOutError())).toEqual(shape(real as Boom));
    expect(timedOutError().output.statusCode).toBe(408);
  });

  it('a refused connect is mapWebSocketError over a real ECONNREFUSED', async () => {
    // A real refused TCP connect on this machine (port 1 is closed in any sane sandbox).
    const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
      net.connect(1, '127.0.0.1').on('error', resolve);
    });
    expect(err.code).toBe('ECONNREFUSED');
    const real = new Boom(`WebSocket Error (${err.message})`, {
      statusCode: getCodeFromWSError(err),
    });
    const fake = connectRefusedError();
    expect(socketSource).toContain(
      'handler(new Boom(`WebSocket Error (${error?.message})`, { statusCode: ' +
        'getCodeFromWSError(error), data: error }));',
    );
    expect(fake.output.statusCode).toBe(real.output.statusCode);
    expect(fake.output.statusCode).toBe(408);
    expect(fake.message.replace(':443', ':1')).toBe(real.message);
    expect(getCodeFromWSError(fake.data as Error)).toBe(408);
  });

  it(
    "a connect into a blackhole is mapWebSocketError over ws's real opening-handshake " + 'timeout',
    async () => {
      // Arrange: a TCP server that accepts and never answers, like a connect into a blackhole.
      const accepted = new Set<net.Socket>();
      const silent = net.createServer((conn) => void accepted.add(conn));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as net.AddressInfo;
      const WebSocket = createRequire(import.meta.url)('ws') as new (
        url: string,
        opts: { handshakeTimeout: number },
      ) => {
        on(event: 'error', listener: (err: Error) => void): void;
      };
      // Act: ws with Baileys' option (handshakeTimeout = connectTimeoutMs), shortened.
      const err = await new Promise<Error>((resolve) =>
        new WebSocket(`ws://127.0.0.1:${port}`, { handshakeTimeout: 50 }).on('error', resolve),
      );
      for (const conn of accepted) conn.destroy();
      await new Promise((resolve) => silent.close(resolve));
      // Assert
      const real = new Boom(`WebSocket Error (${err.message})`, {
        statusCode: getCodeFromWSError(err),
      });
      expect(shape(handshakeTimedOutError())).toEqual(shape(real));
      expect(handshakeTimedOutError().output.statusCode).toBe(408);
    },
  );

  it.each([
    ['connectionLost', 'Connection was lost', 408],
    ['connectionClosed', 'Connection Terminated', 428],
  ] as const)('drop %s is socket.js Boom(%s) %i', (reason, message, status) => {
    expect(statusInSource(message)).toBe(status);
    expect(shape(dropError(reason))).toEqual({ isBoom: true, message, statusCode: status });
  });

  it.each([
    ['restartRequired', 'Stream Errored (restart required)', 515],
    ['conflict', 'Stream Errored (conflict)', 440],
    ['loggedOut', 'Stream Errored (conflict)', 401],
  ] as const)('drop %s is the stream:error Baileys maps to %s %i', (reason, message, status) => {
    const { reason: baileysReason, statusCode } = getErrorCodeFromStreamError(
      streamErrorNodes[reason],
    );
    expect(socketSource).toContain(
      'void end(new Boom(`Stream Errored (${reason})`, { statusCode, data: reasonNode || node }));',
    );
    expect({ message: `Stream Errored (${baileysReason})`, statusCode }).toEqual({
      message,
      statusCode: status,
    });
    expect(shape(dropError(reason))).toEqual({ isBoom: true, message, statusCode: status });
  });

  it('end(error) passes the error through unchanged as lastDisconnect.error', () => {
    // The fake's end(undefined) emits close with error undefined: that is what this code does.
    expect(socketSource).toContain(
      "connection: 'close',\n            lastDisconnect: {\n                error,\n" +
        '                date: new Date()',
    );
  });
});

describe('fake pre-write rejections match Baileys', () => {
  const full = (e: Boom) => ({ ...shape(e), data: e.data });

  it(
    "a query answered with an error is assertNodeErrorFree's Boom: 500, the text, the code " +
      'in data',
    () => {
      for (const refusal of [queryRefusals.forbidden, queryRefusals.rateOverlimit]) {
        // Act
        const real = (() => {
          try {
            assertNodeErrorFree({
              tag: 'iq',
              attrs: { type: 'error' },
              content: [
                { tag: 'error', attrs: { code: String(refusal.code), text: refusal.text } },
              ],
            });
          } catch (error) {
            return error as Boom;
          }
          throw new Error('assertNodeErrorFree accepted an error node');
        })();
        // Assert
        expect(full(queryRefusedError(refusal))).toEqual(full(real));
        expect(full(real)).toEqual({
          isBoom: true,
          message: refusal.text,
          statusCode: 500,
          data: refusal.code,
        });
      }
      expect(full(mediaConnError())).toMatchObject({ statusCode: 500, data: 500 });
    },
  );

  it(
    "an unanswered group metadata query and key fetch are groups.js's and " +
      "messages-send.js's Boom 500s",
    () => {
      const groupsSource = readFileSync(join(baileysLib, 'Socket', 'groups.js'), 'utf8');
      const sendSource = readFileSync(join(baileysLib, 'Socket', 'messages-send.js'), 'utf8');
      expect(groupsSource).toContain(
        "throw new Boom('Invalid group metadata response: missing <group> node', { data: " +
          'result });',
      );
      expect(sendSource).toContain(
        "throw new Boom('All encryptions failed', { statusCode: 500 });",
      );
      expect(full(groupMetadataMissingError())).toEqual(
        full(
          new Boom('Invalid group metadata response: missing <group> node', { data: undefined }),
        ),
      );
      expect(full(allEncryptionsFailedError())).toEqual(
        full(new Boom('All encryptions failed', { statusCode: 500 })),
      );
    },
  );
});
