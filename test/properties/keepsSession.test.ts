/**
 * keeps-session: a path must not log out the session it was given. Must-flag and must-not-flag
 * cases on hand-written histories, then on simulated runs: the specimen that logs out on stop,
 * and the reference, which never does.
 */
import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../properties/campaigns/campaign.js';
import { checkers, judgedBy, checkProperty } from '../../properties/judging/checkers.js';
import { builtInSendPath } from '../../properties/paths/sendPaths.js';
import { logsOutOnStop } from '../../properties/specimens/logsOutOnStop.js';
import { simulate } from '../../sim/simulate.js';
import type { SendPathFactory, SocketLike } from '../../src/ports.js';
import { timelineOf } from '../sim/helpers.js';
import { baseHistory, endedSocket, socket } from './historyBuilder.js';

describe('keeps-session on written histories', () => {
  it(
    'flags a logout() that unlinked the session, ' + 'naming the socket, the time and the effect',
    () => {
      // Arrange
      const history = baseHistory();
      history.sockets[0]!.logoutCalledAt = 9000;
      history.server.session.unlinkedAt = 9010;
      // Act
      const violations = checkProperty('keeps-session', history);
      // Assert
      expect(violations).toEqual([
        {
          property: 'keeps-session',
          generation: 1,
          at: 9000,
          message:
            'logout() called on socket 1 at 9000 ms; the server removed the companion ' +
            'device at 9010 ms: every later login fails 401 until the bot is paired again. ' +
            'Stop with end(), not logout()',
        },
      ]);
    },
  );

  it(
    'flags a logout() rc14 refused (socket not open): on an open socket the same call ' + 'unlinks',
    () => {
      // Arrange
      const history = baseHistory();
      history.sockets[0]!.logoutCalledAt = 9500;
      // Act
      const violations = checkProperty('keeps-session', history);
      // Assert
      expect(violations.map((v) => v.message)).toEqual([
        'logout() called on socket 1 at 9500 ms; it was refused (the socket was not open), ' +
          'but a logout on an open socket removes the companion device. Stop with end(), not ' +
          'logout()',
      ]);
    },
  );

  it(
    'does not flag a run without logout(), nor a logout() after the session ended from ' +
      'outside',
    () => {
      // Arrange
      const clean = baseHistory();
      const afterOutside = baseHistory();
      afterOutside.sockets = [
        socket({
          generation: 1,
          openedAt: 10,
          state: 'closed',
          cause: 'drop',
          dropReason: 'loggedOut',
          diedAt: 500,
          closeEmittedAt: 510,
          closeError: { name: 'Error', message: 'Stream Errored (conflict)', statusCode: 401 },
          logoutCalledAt: 600,
        }),
      ];
      // Act
      const violations = [
        ...checkProperty('keeps-session', clean),
        ...checkProperty('keeps-session', afterOutside),
      ];
      // Assert
      expect(violations).toEqual([]);
    },
  );

  it('judges every run in which a socket opened', () => {
    // Arrange
    const opened = baseHistory();
    const neverOpened = baseHistory();
    neverOpened.sockets = [endedSocket({ generation: 1, endAt: 100, openedAt: undefined })];
    delete neverOpened.sockets[0]!.openedAt;
    // Act
    const judged = [judgedBy(opened)['keeps-session'], judgedBy(neverOpened)['keeps-session']];
    // Assert
    expect(judged).toEqual([true, false]);
    expect(checkers['keeps-session'].definition).toContain('stopping is end()');
  });
});

describe('keeps-session on simulated runs', () => {
  it('catches the specimen that logs out on stop', async () => {
    // Arrange: logout() resolves once its frame is written and begins Baileys' own end(), so the
    // stop()'s end() after it resolves at once (rc14's `if (closed) return`); the run goes on
    // until the frame has reached the server.
    const timeline = timelineOf([
      { at: 1000, do: 'stop' },
      { at: 2000, do: 'heal' },
    ]);
    // Act
    const history = await simulate(timeline, logsOutOnStop);
    // Assert
    expect(history.server.session.unlinkedAt).toBeGreaterThan(1000);
    expect(checkProperty('keeps-session', history).map((v) => v.generation)).toEqual([1]);
  });

  it(
    "a login refused 401 after the path's own logout() is no close from outside: " +
      "reconnecting after it is the path's business",
    async () => {
      // Arrange: logs out at 500 ms, then reconnects after every close, three sockets in all.
      const relogin: SendPathFactory = (env) => {
        const sockets: SocketLike[] = [];
        const connect = (): void => {
          const sock = env.makeSocket();
          sockets.push(sock);
          sock.ev.on('connection.update', ({ connection }) => {
            if (connection === 'close' && sockets.length < 3) env.clock.setTimeout(connect, 100);
          });
        };
        return {
          start() {
            connect();
            env.clock.setTimeout(
              () => void (sockets[0] as SocketLike & { logout(): Promise<void> }).logout(),
              500,
            );
          },
          async stop() {
            await Promise.all(sockets.map((sock) => sock.end(undefined)));
          },
        };
      };
      // Act
      const history = await simulate(timelineOf([{ at: 5000, do: 'stop' }]), relogin);
      // Assert
      expect(history.sockets.map((s) => s.closeError?.statusCode)).toEqual([401, 401, 401]);
      expect(checkProperty('keeps-session', history).map((v) => v.at)).toEqual([500]);
      expect(checkProperty('terminal-respected', history)).toEqual([]);
    },
  );

  it('never flags the reference over a campaign', async () => {
    // Arrange
    const path = builtInSendPath('reference');
    // Act
    const result = await runCampaign({
      path,
      seed: 9,
      numRuns: 300,
      only: ['keeps-session'],
      determinismEvery: 0,
    });
    // Assert
    expect(result.failures).toEqual([]);
    expect(result.judgedByProperty['keeps-session']).toBeGreaterThan(250);
  });
});
