/**
 * Drives the real `makeWASocket` against the loopback server: socket config for tests, a
 * connect helper, and one function per fault that reproduces it and reports what Baileys raised.
 */
import makeWASocket, { type UserFacingSocketConfig, type WASocket } from '@whiskeysockets/baileys';
import { pino } from 'pino';
import { makeLoggedInAuthState } from './auth.js';
import type { BaileysFault, SendFault } from './fidelity.js';
import { startWaServer, type WaServer } from './waServer.js';

/** A peer (the chat the bot talks to). Only ever a fake number. */
export const PEER_JID = '15550000002@s.whatsapp.net';

export const silentLogger = pino({ level: 'silent' });

/**
 * Socket config for a loopback test: silent logger, a fresh logged-in auth state, short
 * timeouts (an unanswered query keeps a timer for `defaultQueryTimeoutMs` even after the
 * socket ended, so keep it short), no presence, no history sync.
 */
export function loopbackSocketConfig(server: WaServer, overrides: Partial<UserFacingSocketConfig> = {}): UserFacingSocketConfig {
  return {
    waWebSocketUrl: server.url,
    auth: makeLoggedInAuthState(),
    logger: silentLogger,
    connectTimeoutMs: 2000,
    defaultQueryTimeoutMs: 1000,
    keepAliveIntervalMs: 30_000,
    markOnlineOnConnect: false,
    syncFullHistory: false,
    ...overrides,
  };
}

export interface Observed {
  statusCode: number | undefined;
  message: string | undefined;
}

export const observe = (err: unknown): Observed => ({
  statusCode: (err as { output?: { statusCode?: number } } | undefined)?.output?.statusCode,
  message: (err as Error | undefined)?.message,
});

export interface RawConnection {
  sock: WASocket;
  opened: Promise<void>;
  /** `lastDisconnect.error` of the close (rejects `opened` if the close comes first) */
  closed: Promise<Error | undefined>;
}

/** `makeWASocket` with {@link loopbackSocketConfig}; `opened`/`closed` follow `connection.update`. */
export function connectRaw(server: WaServer, overrides: Partial<UserFacingSocketConfig> = {}): RawConnection {
  const sock = makeWASocket(loopbackSocketConfig(server, overrides));
  let resolveOpen!: () => void;
  let rejectOpen!: (err: unknown) => void;
  const opened = new Promise<void>((res, rej) => {
    resolveOpen = res;
    rejectOpen = rej;
  });
  opened.catch(() => undefined);
  const closed = new Promise<Error | undefined>(resolve => {
    sock.ev.on('connection.update', update => {
      if (update.connection === 'open') resolveOpen();
      if (update.connection === 'close') {
        const error = update.lastDisconnect?.error;
        rejectOpen(error ?? new Error('closed before open'));
        resolve(error);
      }
    });
  });
  return { sock, opened, closed };
}

const sleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

/** Reproduce `fault` against a fresh server with the real Baileys and report what it raised. */
export async function observeFault(fault: BaileysFault): Promise<Observed> {
  const server = await startWaServer();
  try {
    switch (fault) {
      case 'acceptThenClose': {
        server.plans.push('closeOnAccept');
        return observe(await connectRaw(server).closed);
      }
      case 'connectionClosed': {
        const c = connectRaw(server);
        await c.opened;
        server.current!.terminate();
        return observe(await c.closed);
      }
      case 'connectRefused': {
        server.refuseConnections();
        return observe(await connectRaw(server).closed);
      }
      case 'conflict':
      case 'restartRequired':
      case 'loggedOut': {
        const c = connectRaw(server);
        await c.opened;
        server.current!.streamError(fault === 'loggedOut' ? 'deviceRemoved' : fault);
        return observe(await c.closed);
      }
      case 'loginFailure401': {
        server.plans.push({ failure: 401 });
        return observe(await connectRaw(server).closed);
      }
      case 'serverStreamEnd': {
        const c = connectRaw(server);
        await c.opened;
        server.current!.streamEnd();
        return observe(await c.closed);
      }
      case 'connectionLost': {
        // keep-alive every 250 ms; Baileys ends when > interval + 5 s pass without a frame
        const c = connectRaw(server, { keepAliveIntervalMs: 250, defaultQueryTimeoutMs: 500 });
        await c.opened;
        server.current!.blackhole();
        const err = await c.closed;
        await sleep(600); // let the unanswered pings' query timers (500 ms) run out
        return observe(err);
      }
      case 'sendWhileClosed': {
        const c = connectRaw(server);
        await c.opened;
        server.current!.terminate();
        await c.closed;
        return await c.sock.sendMessage(PEER_JID, { text: 'late' }).then(
          () => ({ statusCode: undefined, message: 'resolved' }),
          observe,
        );
      }
    }
  } finally {
    await server.close();
  }
}

export interface SendObservation {
  outcome: 'resolved' | 'rejected';
  /** the rejection value when it is not an object (a ws close code) */
  rejection?: unknown;
  rejectionIsError?: boolean;
  frameWritten: boolean;
  elapsedMs: number;
}

/** Reproduce a send-side fault; the socket uses `defaultQueryTimeoutMs` = `queryTimeoutMs`. */
export async function observeSendFault(fault: SendFault, queryTimeoutMs = 400): Promise<SendObservation> {
  const server = await startWaServer();
  try {
    const c = connectRaw(server, { defaultQueryTimeoutMs: queryTimeoutMs });
    await c.opened;
    if (fault === 'ackDropped') server.ackPolicy = { kind: 'drop' };
    if (fault === 'ackDelayed') server.ackPolicy = { kind: 'delay', ms: 1000 };
    if (fault === 'iqStalled' || fault === 'terminateDuringQuery' || fault === 'closeDuringQuery' || fault === 'endDuringQuery') {
      server.holdIq = iq => iq.xmlns === 'usync';
    }
    const conn = server.current!;
    const usyncCount = () => conn.received.filter(s => s.tag === 'iq' && s.attrs.xmlns === 'usync').length;
    const usyncBefore = usyncCount();
    const id = '3EB0F1DE11700000000001';
    const started = Date.now();
    const result = c.sock.sendMessage(PEER_JID, { text: 'probe' }, { messageId: id }).then(
      (): Omit<SendObservation, 'frameWritten'> => ({ outcome: 'resolved', elapsedMs: Date.now() - started }),
      (err: unknown): Omit<SendObservation, 'frameWritten'> => ({
        outcome: 'rejected',
        rejection: typeof err === 'object' && err !== null ? observe(err) : err,
        rejectionIsError: err instanceof Error,
        elapsedMs: Date.now() - started,
      }),
    );
    if (fault === 'terminateDuringQuery' || fault === 'closeDuringQuery' || fault === 'endDuringQuery') {
      await server.waitFor(() => usyncCount() > usyncBefore, 2000, 'the usync iq of the send');
      if (fault === 'terminateDuringQuery') conn.terminate();
      else if (fault === 'closeDuringQuery') conn.close();
      else void c.sock.end(undefined);
    }
    const r = await result;
    // give the frame (if any) time to arrive
    await sleep(50);
    const frameWritten = server.framesWithId(id).length > 0;
    c.sock.end(undefined);
    await c.closed;
    return { ...r, frameWritten };
  } finally {
    await server.close();
  }
}
