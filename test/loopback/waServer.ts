/**
 * A WhatsApp-like server on 127.0.0.1 that the *real* Baileys 7.0.0-rc14 `makeWASocket` logs in
 * to (`waWebSocketUrl: server.url`). Test-only; no network beyond loopback.
 *
 * ## How the handshake works in rc14, and why a self-made certificate is accepted
 *
 * Transport: one WebSocket; every frame is `3-byte big-endian length + bytes`. The client's very
 * first WS message is prefixed with the intro header `WA 6 3` (`NOISE_WA_HEADER`, or an `ED…`
 * routing header when `creds.routingInfo` is set).
 *
 * Noise XX (`Utils/noise-handler.js`), protocol name `Noise_XX_25519_AESGCM_SHA256\0\0\0\0`
 * (exactly 32 bytes, so it *is* the initial hash h and chaining key ck):
 *   1. client → `HandshakeMessage{clientHello{ephemeral: e_c}}`; both sides mixHash(header),
 *      mixHash(e_c).
 *   2. server → `serverHello{ephemeral: e_s, static: enc(s_s), payload: enc(CertChain)}` with
 *      mixHash(e_s), mixKey(DH(e_s,e_c)), enc(s_s), mixKey(DH(s_s,e_c)), enc(cert).
 *      AES-256-GCM, IV = 8 zero bytes + a 32-bit counter reset by every mixKey, AAD = h;
 *      every ciphertext is mixed into h. mixKey = HKDF-SHA256(ikm, salt=ck) → 64 bytes: ck | k.
 *   3. client → `clientFinish{static: enc(noiseKey.public), payload: enc(ClientPayload)}`, with
 *      mixKey(DH(noiseKey, e_s)) between the two. A client with `creds.me` sends a *login*
 *      payload (`generateLoginNode`: username + device, passive), not a registration.
 *   4. split: HKDF(empty, salt=ck) → (w, r); the client encrypts with w and decrypts with r,
 *      each with its own counter; frames after this are encrypted WABinary nodes
 *      (`encodeBinaryNode` / `decodeBinaryNode`, first byte = compression flag).
 *   The server then answers `<success>` (or `<failure reason=…>`) and Baileys starts its
 *   post-login iq queries (see "Stanzas" below). `connection: 'open'` is emitted after
 *   `uploadPreKeysToServerIfRequired` (iq encrypt/count), `sendPassiveIq('active')` and
 *   `digestKeyBundle` (iq encrypt/digest) have returned.
 *
 * Certificate check (`processHandshake`): Baileys decodes `CertChain`, requires `leaf` and
 * `intermediate` to have `details` + `signature`, then calls
 *   `Curve.verify(intermediate.key, leaf.details, leaf.signature)` and
 *   `Curve.verify(WA_CERT_DETAILS.PUBLIC_KEY, intermediate.details, intermediate.signature)`
 * and finally requires `intermediate.issuerSerial === 0`. CONFIRMED: the check does not reject
 * a self-made chain, by accident. `Curve.verify` in `Utils/crypto.js` is
 *   `try { curve.verifySignature(pub, msg, sig); return true } catch { return false }`
 * but libsignal 6.0.0's `verifySignature` (`libsignal/src/curve.js`) *returns* `false` for a
 * wrong signature and only throws for malformed input (key not 32/33 bytes, signature not 64
 * bytes, empty message). So any well-formed 64-byte signature "verifies". Here the leaf is
 * signed properly by our own intermediate key and the intermediate is signed by our own fake
 * root key; the WhatsApp root signature check is the one that passes only because of this.
 * Two things *are* enforced: `issuerSerial` must be explicitly encoded as 0 (an absent field
 * decodes as `null` → "certification match failed"), and the signatures must be 64 bytes.
 * The server static key is never compared with the leaf certificate's key.
 * `test/integration/fidelity.real.test.ts` asserts this, so a Baileys/libsignal upgrade that fixes
 * it fails loudly with a pointer here.
 *
 * ## Stanzas answered (what rc14 sends for login and for a 1:1 text `sendMessage`)
 *
 * After `<success>`: iq `encrypt`/get `<count>` (we answer 100 > MIN_PREKEY_COUNT, so no
 * upload), iq `passive`/set `<active>`, iq `encrypt`/get `<digest>` (answered with `<digest/>`),
 * then on open: iq `abt` `<props>`, iq `blocklist`, iq `privacy`/get, `ib unified_session`,
 * `presence` (only when `me.name` is set). The server also pushes `<ib><offline count="0"/>`.
 *
 * `sendMessage(pnJid, { text })` → `relayMessage` → `getUSyncDevices([own user, peer])`: one iq
 * `usync` (context `message`, protocols `devices` + `lid`; cached per socket for 5 min), then
 * `resolveTcTokenJid` → `getLIDForPN` → one iq `usync` (context `background`, protocol `lid`) while
 * no LID mapping is known, then the `<message>` frame (with a `<reporting>` child). DECISION: we
 * answer every user with an *empty* device list and no LID. Then `extractDeviceJids` yields no
 * devices, `assertSessions([])` sends no `encrypt`/`key` iq, `createParticipantNodes([])` encrypts
 * nothing, and Baileys writes `<message id to type="text">` with no `<participants>`. Why: the
 * harness needs Baileys' own *socket* behaviour (query round trip before the frame, write, errors,
 * ids, close ordering); the Signal session layer adds a prekey iq on the first send only and
 * server-side decryption, but nothing the send path under test can observe. Consequence: the server
 * records message *ids* (and `to`/`type`), not the text. After the frame Baileys fires-and-forgets
 * iq `privacy`/set `<tokens>` (tctoken issuance), which we answer too.
 *
 * Inbound: the server pushes `<message from=peer id type="text"><plaintext>proto.Message
 * </plaintext></message>`. `decryptMessageNode` treats a `plaintext` child as already
 * decrypted for any sender (it is meant for newsletters), so Baileys emits `messages.upsert`
 * (`type: 'notify'`) without a Signal session and replies with a `<receipt>`. Decoding calls
 * `getLIDForPN`, i.e. one more iq `usync` (context `background`, protocol `lid`) — answered.
 *
 * Every iq gets an answer (unknown ones a bare `type="result"`, listed in `unansweredKinds`): an
 * unanswered Baileys query keeps a `defaultQueryTimeoutMs` timer alive even after the socket
 * ended, because `end()` removes the ws `close` listeners the pending query would have rejected
 * on. Faults that stall iqs on purpose use `holdIq`.
 *
 * ## Faults at the TCP / WebSocket level
 *
 * - {@link ServerConnection.silence}: the server stops reading (the TCP socket is paused) and
 *   writing. Nothing is answered, not even ws close frames, so the client's `ws.close()` waits
 *   for ws's 30 s `closeTimeout` (`ws/lib/websocket.js` `setCloseTimer`).
 * - {@link ServerConnection.terminate} (FIN) and {@link ServerConnection.reset} (RST).
 * - connect plans ({@link ConnectPlan}): HTTP status instead of the upgrade, never answer the
 *   upgrade, `<failure reason>` instead of `<success>`.
 * - {@link WaServer.hangUpgrades}, {@link WaServer.refuseConnections}, {@link WaServer.latencyMs},
 *   {@link WaServer.holdIq}, {@link WaServer.nackNext}, {@link WaServer.media}.
 * - Offline queue and redelivery: an inbound pushed while no connection is logged in, or pushed on
 *   a connection that ended before the client's `<receipt>`/`<ack>` for it came back, is delivered
 *   at the next login with the `offline` attribute, before `<ib><offline count=N/>` (what WhatsApp
 *   does with stanzas a device has not acknowledged; rc14 reads the attribute in
 *   `Socket/messages-recv.js` `handleMessage`: `upsertMessage(msg, node.attrs.offline ? 'append' :
 *   'notify')`).
 *
 * What rc14 does under each fault is in `test/fidelity/scenarios.ts` (measured by
 * `test/integration/fidelity.real.test.ts`).
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  aesDecryptGCM,
  aesEncryptGCM,
  Curve,
  decodeBinaryNode,
  encodeBinaryNode,
  getBinaryNodeChild,
  getBinaryNodeChildren,
  NOISE_MODE,
  NOISE_WA_HEADER,
  proto,
  sha256,
  type BinaryNode,
} from '@whiskeysockets/baileys';
import { Recipient } from './recipient.js';

// `ws` is Baileys' own dependency (hoisted); it ships no types and @types/ws is not installed,
// so load it through require with the few members used here typed locally.
interface WsSocket extends EventEmitter {
  readyState: number;
  send(data: Uint8Array, cb?: (err?: Error) => void): void;
  close(code?: number): void;
  terminate(): void;
}
interface WsServer extends EventEmitter {
  handleUpgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    cb: (ws: WsSocket) => void,
  ): void;
  close(cb?: () => void): void;
}
const requireCjs = createRequire(import.meta.url);
const { WebSocketServer } = requireCjs('ws') as {
  WebSocketServer: new (opts: { noServer: true }) => WsServer;
};
const WS_OPEN = 1;

const S_WHATSAPP_NET = 's.whatsapp.net';

/** What the server does with a new connection. */
type ConnectPlan =
  /** full handshake, `<success>`, answer everything */
  | 'serve'
  /** accept the WebSocket upgrade, then close at once (Baileys: 428 `Connection Terminated`) */
  | 'closeOnAccept'
  /**
   * handshake, then `<failure reason=…>` instead of `<success>` (401 = logged out); `null`: no
   * reason attribute
   */
  | { failure: number | null }
  /** answer the HTTP upgrade request with this status and close the TCP connection */
  | { upgradeStatus: number }
  /** full handshake, then `<success>` only this much later (iqs are answered meanwhile) */
  | { loginDelayMs: number }
  /** accept the TCP connection and never answer the upgrade request */
  | 'hang';

/**
 * The `<stream:error>` variants: `conflict` (another session replaced this one: 440),
 * `restartRequired` (`code="515"`), `deviceRemoved` (`code="401"` + `<conflict
 * type="device_removed"/>`, what WhatsApp sends when the linked device is removed while connected:
 * 401).
 */
type StreamErrorKind =
  | 'conflict'
  | 'restartRequired'
  | 'deviceRemoved'
  /** no code, no child: `getErrorCodeFromStreamError` falls back to badSession 500 'unknown' */
  | 'unknown'
  /** `code="503"`, no child */
  | 'serviceUnavailable';

/** The `<stream:error>` node for `kind`. */
const streamErrorNode = (kind: StreamErrorKind): BinaryNode => {
  switch (kind) {
    case 'conflict':
      return {
        tag: 'stream:error',
        attrs: {},
        content: [{ tag: 'conflict', attrs: { type: 'replaced' } }],
      };
    case 'restartRequired':
      return { tag: 'stream:error', attrs: { code: '515' } };
    case 'deviceRemoved':
      return {
        tag: 'stream:error',
        attrs: { code: '401' },
        content: [{ tag: 'conflict', attrs: { type: 'device_removed' } }],
      };
    case 'unknown':
      return { tag: 'stream:error', attrs: {} };
    case 'serviceUnavailable':
      return { tag: 'stream:error', attrs: { code: '503' } };
  }
};

/**
 * An inbound text the server delivers to the bot: 1:1, or in a group (`from` the group) by
 * `participant`.
 */
interface InboundText {
  from: string;
  id: string;
  text: string;
  pushName?: string;
  /**
   * When the sender sent it (unix seconds): set when the server first takes the message, and
   * kept for an offline delivery and every redelivery, as the stanza's `t` (rc14 reads it into
   * `messageTimestamp`: `decryptMessageNode`, `Utils/decode-wa-message.js`).
   */
  t?: number;
  participant?: string;
}

/**
 * What the server does with `iq xmlns="w:m"` `<media_conn/>` and with uploads to its media host.
 */
interface MediaPolicy {
  /**
   * `answer`: hosts = the loopback media host; `hold`: never answered; `error`: an `<error
   * code=500>` child
   */
  conn: 'answer' | 'hold' | 'error';
  /**
   * `ok`: 200 with `url` + `direct_path`; `fail`: 500 with an empty JSON object; `hang`: read,
   * never answered
   */
  upload: 'ok' | 'fail' | 'hang';
}

/** How the server acknowledges `<message>` stanzas. Baileys' `sendMessage` never waits for it. */
type AckPolicy = { kind: 'immediate' } | { kind: 'delay'; ms: number } | { kind: 'drop' };

interface RecordedMessage {
  /** connection (socket) number that carried the frame, 1-based in connect order */
  conn: number;
  id: string;
  to: string;
  type: string;
  /** `<to>` children inside `<participants>` (0 with the empty device lists we serve) */
  participants: number;
  /** ms since the server started */
  at: number;
}

interface RecordedStanza {
  conn: number;
  tag: string;
  attrs: Record<string, string>;
  /** first child tag, if any */
  child?: string;
  at: number;
}

interface WaServerOptions {
  /** delay before answering each iq, ms (default 0) */
  iqDelayMs?: number;
  /** number of prekeys the server claims to hold (default 100: Baileys does not upload) */
  preKeyCount?: number;
}

const frame = (data: Uint8Array): Buffer => {
  const out = Buffer.alloc(3 + data.byteLength);
  out.writeUIntBE(data.byteLength, 0, 3);
  out.set(data, 3);
  return out;
};

const ivFor = (counter: number): Buffer => {
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(counter, 8);
  return iv;
};

const hkdf64 = (ikm: Uint8Array, salt: Uint8Array): [Buffer, Buffer] => {
  const out = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.alloc(0), 64));
  return [out.subarray(0, 32), out.subarray(32)];
};

/** The responder side of Baileys' Noise XX (mirror of `Utils/noise-handler.js`). */
class NoiseResponder {
  private hash: Buffer = Buffer.from(NOISE_MODE);
  private salt: Buffer = this.hash;
  private key: Buffer = this.hash;
  private counter = 0;
  private enc?: { key: Buffer; counter: number };
  private dec?: { key: Buffer; counter: number };

  mixHash(data: Uint8Array): void {
    this.hash = sha256(Buffer.concat([this.hash, data]));
  }
  mixKey(ikm: Uint8Array): void {
    [this.salt, this.key] = hkdf64(ikm, this.salt);
    this.counter = 0;
  }
  encryptHs(plaintext: Uint8Array): Buffer {
    const ct = aesEncryptGCM(plaintext, this.key, ivFor(this.counter++), this.hash);
    this.mixHash(ct);
    return ct;
  }
  decryptHs(ciphertext: Uint8Array): Buffer {
    const pt = aesDecryptGCM(ciphertext, this.key, ivFor(this.counter++), this.hash);
    this.mixHash(ciphertext);
    return pt;
  }
  split(): void {
    const [clientWrite, clientRead] = hkdf64(new Uint8Array(0), this.salt);
    this.enc = { key: clientRead, counter: 0 };
    this.dec = { key: clientWrite, counter: 0 };
  }
  encrypt(plaintext: Uint8Array): Buffer {
    if (!this.enc) throw new Error('noise: transport not ready');
    return aesEncryptGCM(plaintext, this.enc.key, ivFor(this.enc.counter++), Buffer.alloc(0));
  }
  decrypt(ciphertext: Uint8Array): Buffer {
    if (!this.dec) throw new Error('noise: transport not ready');
    return aesDecryptGCM(ciphertext, this.dec.key, ivFor(this.dec.counter++), Buffer.alloc(0));
  }
}

/**
 * A self-made certificate chain: leaf signed by our intermediate (valid), intermediate "signed"
 * by our fake root (Baileys checks it against WhatsApp's root key and, in rc14, accepts it —
 * see the header comment).
 */
function makeCertChain(serverStaticPublic: Uint8Array): Uint8Array {
  const fakeRoot = Curve.generateKeyPair();
  const intermediateKey = Curve.generateKeyPair();
  const now = Math.floor(Date.now() / 1000);
  const intermediateDetails = proto.CertChain.NoiseCertificate.Details.encode({
    serial: 1,
    issuerSerial: 0,
    key: intermediateKey.public,
    notBefore: now - 3600,
    notAfter: now + 86_400,
  }).finish();
  const leafDetails = proto.CertChain.NoiseCertificate.Details.encode({
    serial: 2,
    issuerSerial: 1,
    key: serverStaticPublic,
    notBefore: now - 3600,
    notAfter: now + 86_400,
  }).finish();
  return proto.CertChain.encode({
    leaf: { details: leafDetails, signature: Curve.sign(intermediateKey.private, leafDetails) },
    intermediate: {
      details: intermediateDetails,
      signature: Curve.sign(fakeRoot.private, intermediateDetails),
    },
  }).finish();
}

let identity:
  { staticKey: { public: Uint8Array; private: Uint8Array }; certChain: Uint8Array } | undefined;
/**
 * The server's static key and certificate chain, made once per process: signing the chain with
 * the pure-JS curve25519 costs tens of ms, and loopback tests start many servers at once.
 */
function serverIdentity(): NonNullable<typeof identity> {
  if (identity === undefined) {
    const staticKey = Curve.generateKeyPair();
    identity = { staticKey, certChain: makeCertChain(staticKey.public) };
  }
  return identity;
}

/** One accepted WebSocket = one Baileys socket. */
class ServerConnection {
  readonly received: RecordedStanza[] = [];
  /** `ClientPayload` of the login, once the handshake finished */
  loginPayload?: proto.ClientPayload;
  /** true once `<success>` was sent */
  loggedIn = false;
  /** true once the server stops reading and writing (a silently dead link) */
  blackholed = false;
  closed = false;
  /** Inbound delivered on this connection whose receipt has not come back, by id. */
  readonly unacked = new Map<string, InboundText>();

  private readonly noise = new NoiseResponder();
  private readonly ephemeral = Curve.generateKeyPair();
  private state: 'hello' | 'finish' | 'transport' = 'hello';
  private inBytes = Buffer.alloc(0);
  private sawIntro = false;
  private chain: Promise<void> = Promise.resolve();
  private tag = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** ids whose receipt the server ignores (a receipt lost on the way) */
  private readonly receiptsLost = new Set<string>();

  constructor(
    readonly id: number,
    private readonly ws: WsSocket,
    private readonly socket: Duplex,
    private readonly server: WaServer,
    private readonly plan: ConnectPlan,
  ) {
    ws.on('message', (data: Buffer) => {
      if (this.blackholed) return;
      // One-way latency on the way in; equal delays keep the order (timers fire in order).
      this.later(this.server.latencyMs, () => {
        if (this.blackholed) return;
        this.chain = this.chain
          .then(() => this.onData(data))
          .catch((err) => this.server.recordError(this.id, err));
      });
    });
    ws.on('close', () => {
      this.closed = true;
      for (const t of this.timers) clearTimeout(t);
      this.timers.clear();
      this.server.requeueUnacked(this);
      this.server.emit('change');
    });
    ws.on('error', () => undefined);
  }

  get isOpen(): boolean {
    return !this.closed && this.ws.readyState === WS_OPEN;
  }

  /** Close the WebSocket (clean close frame). Baileys: 428 `Connection Terminated`. */
  close(): void {
    this.ws.close();
  }
  /**
   * Destroy the TCP connection without a close frame (FIN). Baileys: 428 `Connection Terminated`.
   */
  terminate(): void {
    this.ws.terminate();
  }
  /** Reset the TCP connection (RST). */
  reset(): void {
    (this.socket as Socket).resetAndDestroy();
  }
  /** Stop reading and writing but keep TCP open: Baileys only notices via its keep-alive. */
  blackhole(): void {
    this.blackholed = true;
  }
  /**
   * A silent link: stop writing and pause the TCP socket, so not even ws control frames (the
   * answer to a close frame) are read or written. The client's writes still succeed (they fill
   * the kernel buffers), and its `ws.close()` waits for ws's close timeout.
   */
  silence(): void {
    this.blackholed = true;
    this.socket.pause();
  }
  /** The silent link comes back: what the client wrote meanwhile is read now, in order. */
  resume(): void {
    this.blackholed = false;
    this.socket.resume();
  }
  /**
   * A `<stream:error>` (see {@link StreamErrorKind}). The server leaves the socket open: Baileys
   * closes it itself. Closing here would race Baileys' async frame decoding, and the close could
   * win (428 instead of the stream error's code).
   */
  streamError(kind: StreamErrorKind): void {
    this.sendNode(streamErrorNode(kind));
  }
  /** `<failure reason=…>`: 401 = logged out; `null` sends no reason attribute. */
  failure(reason: number | null): void {
    this.sendNode({
      tag: 'failure',
      attrs: { ...(reason === null ? {} : { reason: String(reason) }), location: 'loopback' },
    });
  }
  /** The `xmlstreamend` token. Baileys: 428 `Connection Terminated by Server`. */
  streamEnd(): void {
    this.sendNode({ tag: 'xmlstreamend', attrs: {} });
  }

  /**
   * Push an inbound 1:1 text message (a `plaintext` child; see the header comment). It counts as
   * delivered once the client's `<receipt>` or `<ack>` for its id comes back; `receiptLost`
   * makes the server ignore them (so the message is redelivered after this connection ends).
   */
  pushText(msg: InboundText, opts: { offline?: boolean; receiptLost?: boolean } = {}): void {
    this.unacked.set(msg.id, msg);
    if (opts.receiptLost) this.receiptsLost.add(msg.id);
    const body = proto.Message.encode({ conversation: msg.text }).finish();
    this.sendNode({
      tag: 'message',
      attrs: {
        from: msg.from,
        ...(msg.participant ? { participant: msg.participant } : {}),
        id: msg.id,
        type: 'text',
        t: String(msg.t ?? Math.floor(Date.now() / 1000)),
        ...(msg.pushName ? { notify: msg.pushName } : {}),
        ...(opts.offline ? { offline: '1' } : {}),
      },
      content: [{ tag: 'plaintext', attrs: {}, content: body }],
    });
  }

  /** Encrypt and write `node` after the one-way latency (nothing once silenced or closed). */
  sendNode(node: BinaryNode): void {
    this.later(this.server.latencyMs, () => {
      if (this.blackholed || !this.isOpen || this.state !== 'transport') return;
      this.ws.send(frame(this.noise.encrypt(encodeBinaryNode(node))));
    });
  }

  /** Run `fn` later unless the connection closes first (no timer outlives the connection). */
  later(ms: number, fn: () => void): void {
    if (ms <= 0) {
      fn();
      return;
    }
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private async onData(data: Buffer): Promise<void> {
    let chunk = data;
    if (!this.sawIntro) {
      this.sawIntro = true;
      if (chunk[0] === 0x45 && chunk[1] === 0x44) {
        // 'ED' 0 1 <3-byte length> <routing info> then the WA header
        const len = (chunk[4]! << 16) | chunk.readUInt16BE(5);
        chunk = chunk.subarray(7 + len);
      }
      if (!chunk.subarray(0, NOISE_WA_HEADER.length).equals(NOISE_WA_HEADER)) {
        throw new Error('bad intro header');
      }
      chunk = chunk.subarray(NOISE_WA_HEADER.length);
    }
    this.inBytes = this.inBytes.length ? Buffer.concat([this.inBytes, chunk]) : Buffer.from(chunk);
    while (this.inBytes.length >= 3) {
      const size = this.inBytes.readUIntBE(0, 3);
      if (this.inBytes.length < size + 3) return;
      const body = this.inBytes.subarray(3, size + 3);
      this.inBytes = this.inBytes.subarray(size + 3);
      if (this.blackholed || this.closed) return;
      await this.onFrame(body);
    }
  }

  private async onFrame(body: Buffer): Promise<void> {
    if (this.state === 'hello') {
      const hello = proto.HandshakeMessage.decode(body).clientHello;
      if (!hello?.ephemeral) throw new Error('expected clientHello');
      const n = this.noise;
      const s = this.server.staticKey;
      n.mixHash(NOISE_WA_HEADER);
      n.mixHash(hello.ephemeral);
      n.mixHash(this.ephemeral.public);
      n.mixKey(Curve.sharedKey(this.ephemeral.private, hello.ephemeral));
      const staticCt = n.encryptHs(s.public);
      n.mixKey(Curve.sharedKey(s.private, hello.ephemeral));
      const payloadCt = n.encryptHs(this.server.certChain);
      this.state = 'finish';
      const out = proto.HandshakeMessage.encode({
        serverHello: { ephemeral: this.ephemeral.public, static: staticCt, payload: payloadCt },
      }).finish();
      this.later(this.server.latencyMs, () => {
        if (!this.blackholed && this.isOpen) this.ws.send(frame(out));
      });
      return;
    }
    if (this.state === 'finish') {
      const finish = proto.HandshakeMessage.decode(body).clientFinish;
      if (!finish?.static || !finish.payload) throw new Error('expected clientFinish');
      const n = this.noise;
      const clientStatic = n.decryptHs(finish.static);
      n.mixKey(Curve.sharedKey(this.ephemeral.private, clientStatic));
      this.loginPayload = proto.ClientPayload.decode(n.decryptHs(finish.payload));
      n.split();
      this.state = 'transport';
      this.afterHandshake();
      return;
    }
    const node = await decodeBinaryNode(this.noise.decrypt(body));
    this.onNode(node);
  }

  private afterHandshake(): void {
    const plan = this.plan;
    if (typeof plan === 'object' && 'failure' in plan) {
      this.failure(plan.failure);
      return;
    }
    if (this.server.companionRemoved) {
      this.failure(401);
      return;
    }
    if (typeof plan === 'object' && 'loginDelayMs' in plan) {
      this.later(plan.loginDelayMs, () => this.logIn());
      return;
    }
    this.logIn();
  }

  /** `<success>`, then what the bot missed and the offline count. */
  private logIn(): void {
    this.server.loggingIn(this);
    const t = String(Math.floor(Date.now() / 1000));
    this.sendNode({
      tag: 'success',
      attrs: { t, props: '1', abprops: '1', location: 'loopback', creation: t },
    });
    const offline = this.server.takeOffline();
    for (const msg of offline) this.pushText(msg, { offline: true });
    const stanzas = this.server.takeOfflineStanzas();
    for (const node of stanzas) this.sendNode({ ...node, attrs: { ...node.attrs, offline: '1' } });
    const count = offline.length + stanzas.length;
    this.sendNode({
      tag: 'ib',
      attrs: {},
      content: [{ tag: 'offline', attrs: { count: String(count) } }],
    });
    this.loggedIn = true;
    this.server.emit('change');
  }

  private onNode(node: BinaryNode): void {
    const children = Array.isArray(node.content) ? node.content : [];
    const rec: RecordedStanza = {
      conn: this.id,
      tag: node.tag,
      attrs: { ...node.attrs },
      at: this.server.now(),
    };
    if (children[0]) rec.child = children[0].tag;
    this.received.push(rec);
    switch (node.tag) {
      case 'iq':
        this.onIq(node);
        break;
      case 'message':
        this.onMessage(node);
        break;
      case 'receipt':
        this.acknowledged(node.attrs.id);
        this.sendNode({
          tag: 'ack',
          attrs: {
            id: node.attrs.id ?? '',
            class: 'receipt',
            from: node.attrs.to ?? S_WHATSAPP_NET,
          },
        });
        break;
      case 'ack':
        this.acknowledged(node.attrs.id);
        break;
      default:
        break;
    }
    this.server.emit('change');
  }

  /** The client confirmed inbound `id` (receipt or ack), unless that receipt is to be lost. */
  private acknowledged(id: string | undefined): void {
    if (id !== undefined && !this.receiptsLost.has(id)) this.unacked.delete(id);
  }

  private onMessage(node: BinaryNode): void {
    const participants = getBinaryNodeChild(node, 'participants');
    const msg: RecordedMessage = {
      conn: this.id,
      id: node.attrs.id ?? '',
      to: node.attrs.to ?? '',
      type: node.attrs.type ?? '',
      participants: getBinaryNodeChildren(participants, 'to').length,
      at: this.server.now(),
    };
    this.server.recordMessage(msg);
    this.server.recipient.received(msg);
    const nack = this.server.nackNext.shift();
    const policy = this.server.ackPolicy;
    if (nack === undefined && policy.kind === 'drop') return;
    const ack: BinaryNode = {
      tag: 'ack',
      attrs: {
        id: msg.id,
        class: 'message',
        from: msg.to,
        t: String(Math.floor(Date.now() / 1000)),
        ...(nack === undefined ? {} : { error: nack }),
      },
    };
    this.later(policy.kind === 'delay' ? policy.ms : 0, () => this.sendNode(ack));
  }

  private onIq(node: BinaryNode): void {
    const id = node.attrs.id ?? `srv-${++this.tag}`;
    const xmlns = node.attrs.xmlns ?? '';
    const type = node.attrs.type ?? '';
    const children = Array.isArray(node.content) ? node.content : [];
    const first = children[0]?.tag ?? '';
    if (this.server.holdIq?.({ xmlns, type, child: first }, this)) return;
    const refusal = this.server.iqError?.({ xmlns, type, child: first });
    if (refusal !== undefined) {
      const error: BinaryNode = {
        tag: 'error',
        attrs: { code: String(refusal.code), text: refusal.text },
      };
      this.later(this.server.options.iqDelayMs ?? 0, () =>
        this.sendNode({
          tag: 'iq',
          attrs: { id, type: 'error', from: node.attrs.to ?? S_WHATSAPP_NET },
          content: [error],
        }),
      );
      return;
    }
    const custom = this.server.answerIq?.(node);
    let content: BinaryNode[] | undefined;
    if (custom !== undefined) {
      content = custom;
    } else if (xmlns === 'encrypt' && first === 'count') {
      content = [
        { tag: 'count', attrs: { value: String(this.server.options.preKeyCount ?? 100) } },
      ];
    } else if (xmlns === 'encrypt' && first === 'digest') {
      content = [{ tag: 'digest', attrs: {} }];
    } else if (xmlns === 'encrypt' && first === 'key') {
      content = [{ tag: 'list', attrs: {} }];
    } else if (xmlns === 'usync') {
      content = [this.usyncAnswer(children[0]!)];
    } else if (xmlns === 'abt') {
      content = [{ tag: 'props', attrs: { protocol: '1' } }];
    } else if (xmlns === 'blocklist') {
      content = [{ tag: 'list', attrs: {} }];
    } else if (xmlns === 'privacy' && type === 'get') {
      content = [
        {
          tag: 'privacy',
          attrs: {},
          content: [{ tag: 'category', attrs: { name: 'readreceipts', value: 'all' } }],
        },
      ];
    } else if (xmlns === 'privacy' && first === 'tokens') {
      content = [{ tag: 'tokens', attrs: {} }];
    } else if (xmlns === 'w:m' && first === 'media_conn') {
      const answer = this.server.mediaConnAnswer();
      if (answer === undefined) return;
      content = [answer];
    } else if (xmlns === 'w:g2' && first === 'query') {
      content = [groupNode(node.attrs.to ?? '', this.server.groups.get(node.attrs.to ?? '') ?? [])];
    } else if (xmlns === 'w:p' && first === 'ping') {
      content = undefined;
    } else if (xmlns === 'md' && first === 'remove-companion-device') {
      this.server.companionRemoved = true;
    } else {
      this.server.unansweredKinds.add(`${xmlns}/${type}/${first}`);
    }
    const reply: BinaryNode = {
      tag: 'iq',
      attrs: { id, type: 'result', from: S_WHATSAPP_NET },
      ...(content ? { content } : {}),
    };
    this.later(this.server.options.iqDelayMs ?? 0, () => this.sendNode(reply));
  }

  /**
   * Every user: an empty device list and no LID (see the header comment for why), unless
   * `server.devices` lists device ids for the user (then a send to it needs a Signal session).
   */
  private usyncAnswer(usync: BinaryNode): BinaryNode {
    const list = getBinaryNodeChild(usync, 'list');
    const users = getBinaryNodeChildren(list, 'user').map((u) => ({
      tag: 'user',
      attrs: { jid: u.attrs.jid ?? '' },
      content: [
        {
          tag: 'devices',
          attrs: {},
          content: [
            { tag: 'device-list', attrs: {}, content: this.deviceNodes(u.attrs.jid ?? '') },
          ],
        },
      ],
    }));
    return {
      tag: 'usync',
      attrs: { ...usync.attrs },
      content: [{ tag: 'list', attrs: {}, content: users }],
    };
  }

  /** `<device id>` nodes of a user's devices (`server.devices`; none by default). */
  private deviceNodes(jid: string): BinaryNode[] {
    const ids = this.server.devices.get(jid.split('@')[0]!.split(':')[0]!) ?? [];
    return ids.map((id) => ({
      tag: 'device',
      attrs: { id: String(id), ...(id === 0 ? {} : { 'key-index': '1' }) },
    }));
  }
}

/**
 * The answer to a group metadata query (`groupMetadata`, `Socket/groups.js`): the group and its
 * participants, addressed by phone number so rc14 encrypts for them without LID mappings.
 */
function groupNode(jid: string, participants: readonly string[]): BinaryNode {
  const t = String(Math.floor(Date.now() / 1000));
  return {
    tag: 'group',
    attrs: {
      id: jid.split('@')[0]!,
      subject: 'loopback group',
      creation: t,
      s_t: t,
      addressing_mode: 'pn',
    },
    content: participants.map((p) => ({ tag: 'participant', attrs: { jid: p } })),
  };
}

/** Inbound messages held for the bot while it has no logged-in connection (limit on everything). */
const offlineQueueMax = 1000;

/** The loopback server. Start with {@link startWaServer}; always `await server.close()`. */
export class WaServer extends EventEmitter {
  readonly connections: ServerConnection[] = [];
  readonly messages: RecordedMessage[] = [];
  readonly errors: { conn: number; error: unknown }[] = [];
  /** iq kinds (`xmlns/type/child`) answered with a bare result: to spot stanzas rc14 added */
  readonly unansweredKinds = new Set<string>();
  readonly staticKey: { public: Uint8Array; private: Uint8Array };
  readonly certChain: Uint8Array;
  ackPolicy: AckPolicy = { kind: 'immediate' };
  /**
   * Error codes for the acks of the next `<message>` frames (`<ack error=…>`: a nack), in order;
   * sent even under a `drop` ack policy, after a `delay` one's delay.
   */
  readonly nackNext: string[] = [];
  /** One-way latency added to every frame in both directions, ms. */
  latencyMs = 0;
  /** While true, new TCP connections are accepted but their upgrade is never answered. */
  hangUpgrades = false;
  /** Media policy (the media host starts with {@link startMediaHost}). */
  media: MediaPolicy = { conn: 'answer', upload: 'ok' };
  /** `media_conn` iqs received. */
  mediaConnQueries = 0;
  /** Uploads received by the media host. */
  uploads = 0;
  /** HTTP upgrade requests received (every connect attempt that reached the server). */
  upgradeRequests = 0;
  /** Return true to never answer an iq (a stalled server): Baileys' query times out (408). */
  holdIq:
    | ((iq: { xmlns: string; type: string; child: string }, conn: ServerConnection) => boolean)
    | undefined;
  /**
   * The content of the answer to an iq the server does not answer itself (profile pictures, group
   * metadata, contact lookups); undefined: a bare result.
   */
  answerIq: ((iq: BinaryNode) => BinaryNode[] | undefined) | undefined;
  /**
   * A `remove-companion-device` iq (rc14's `logout()`) removed the bot's device: from then on
   * every login is answered with `<failure reason="401">`, as WhatsApp answers an unlinked device.
   */
  companionRemoved = false;
  /** Plan for the next connections, consumed in order; then {@link defaultPlan}. */
  readonly plans: ConnectPlan[] = [];
  defaultPlan: ConnectPlan = 'serve';
  /**
   * Return `{ code, text }` to answer an iq with `<error>` (403 `forbidden`, 429 `rate-overlimit`):
   * rc14's query throws a Boom 500 with the code in `data`.
   */
  iqError:
    | ((iq: {
        xmlns: string;
        type: string;
        child: string;
      }) => { code: number; text: string } | undefined)
    | undefined;
  /** Group chats: JID to participant JIDs, answered to the group metadata query. */
  readonly groups = new Map<string, string[]>();
  /** Device ids per user (the JID's user part) in usync answers; absent: none. */
  readonly devices = new Map<string, number[]>();
  /** The recipient's phone: delivery, read and retry receipts (see recipient.ts). */
  readonly recipient = new Recipient({
    later: (ms, fn) => this.later(ms, fn),
    deliver: (node) => this.pushStanza(node),
    memberOf: (jid) => this.groups.get(jid)?.[0],
  });

  private readonly http: Server;
  private readonly wss: WsServer;
  private readonly started = Date.now();
  private listening = false;
  private portNumber = 0;
  private readonly offline: InboundText[] = [];
  /** Stanzas other than messages (receipts) held for the next login. */
  private readonly offlineStanzas: BinaryNode[] = [];
  /** The server's own timers (receipts), cleared at close. */
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly heldSockets = new Set<Duplex>();
  private mediaHost: HttpsServer | undefined;
  private mediaPort = 0;

  constructor(readonly options: WaServerOptions = {}) {
    super();
    this.setMaxListeners(0);
    ({ staticKey: this.staticKey, certChain: this.certChain } = serverIdentity());
    this.wss = new WebSocketServer({ noServer: true });
    this.http = createServer((_req, res) => {
      res.statusCode = 426;
      res.end();
    });
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.onUpgrade(req, socket, head),
    );
  }

  get port(): number {
    return this.portNumber;
  }
  get url(): string {
    return `ws://127.0.0.1:${this.portNumber}`;
  }
  /** The newest connection, if any. */
  get current(): ServerConnection | undefined {
    return this.connections[this.connections.length - 1];
  }
  /** The `hostname` of the media host in `media_conn` answers (`127.0.0.1:<port>`). */
  get mediaHostname(): string {
    return `127.0.0.1:${this.mediaPort}`;
  }
  now(): number {
    return Date.now() - this.started;
  }

  async listen(port = this.portNumber): Promise<void> {
    if (this.listening) return;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.http.once('error', onError);
      this.http.listen(port, '127.0.0.1', () => {
        this.http.off('error', onError);
        resolve();
      });
    });
    this.portNumber = (this.http.address() as AddressInfo).port;
    this.listening = true;
  }

  /**
   * Stop listening (new connects get ECONNREFUSED; Baileys: 408 `WebSocket Error (connect
   * ECONNREFUSED 127.0.0.1:<port>)`). Existing connections stay up. {@link listen} reopens the
   * same port.
   */
  refuseConnections(): void {
    if (!this.listening) return;
    this.listening = false;
    this.http.close();
  }

  /** Drop every live connection (TCP destroy). Baileys: 428 `Connection Terminated`. */
  dropAll(): void {
    for (const c of this.connections) if (!c.closed) c.terminate();
  }

  /**
   * An inbound message for the bot: pushed on the newest logged-in connection that is still open
   * (even a silenced one: the server cannot tell, and the message waits there unacknowledged),
   * or held for the next login.
   */
  pushInbound(msg: InboundText, opts: { receiptLost?: boolean } = {}): void {
    msg.t ??= Math.floor(Date.now() / 1000);
    const live = [...this.connections].reverse().find((c) => c.loggedIn && !c.closed);
    if (live !== undefined) live.pushText(msg, opts);
    else this.queueOffline([msg]);
  }

  /** A stanza for the bot: on the newest logged-in connection still open, or at the next login. */
  pushStanza(node: BinaryNode): void {
    const live = [...this.connections].reverse().find((c) => c.loggedIn && !c.closed);
    if (live !== undefined) live.sendNode(node);
    else if (this.offlineStanzas.length < offlineQueueMax) this.offlineStanzas.push(node);
    else throw new Error(`waServer: offline stanza queue over its limit of ${offlineQueueMax}`);
  }

  /** @internal Stanzas the next login delivers with the `offline` attribute. */
  takeOfflineStanzas(): BinaryNode[] {
    return this.offlineStanzas.splice(0, this.offlineStanzas.length);
  }

  /** Runs `fn` after `ms` unless the server closes first. */
  later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  /** @internal Messages the next login delivers with the `offline` attribute. */
  takeOffline(): InboundText[] {
    return this.offline.splice(0, this.offline.length);
  }

  /**
   * @internal A connection ended: what it delivered without a receipt is delivered again at the
   * next login.
   */
  requeueUnacked(conn: ServerConnection): void {
    this.queueOffline([...conn.unacked.values()]);
    conn.unacked.clear();
  }

  /**
   * @internal A connection is logging in: an older one still open is replaced, as WhatsApp does
   * to a second session of the same device (440 on the old one; a silenced one never hears it),
   * and whatever it delivered without a receipt is delivered again on the new one.
   */
  loggingIn(conn: ServerConnection): void {
    for (const other of this.connections) {
      if (other === conn || other.closed || !other.loggedIn) continue;
      if (!other.blackholed) other.streamError('conflict');
      this.requeueUnacked(other);
    }
  }

  private queueOffline(msgs: InboundText[]): void {
    for (const msg of msgs) {
      if (this.offline.some((m) => m.id === msg.id)) continue;
      if (this.offline.length >= offlineQueueMax)
        throw new Error(`waServer: offline queue over its limit of ${offlineQueueMax}`);
      this.offline.push(msg);
    }
  }

  /**
   * @internal The `<media_conn>` answer for the current policy; undefined = hold (never answer).
   */
  mediaConnAnswer(): BinaryNode | undefined {
    this.mediaConnQueries++;
    switch (this.media.conn) {
      case 'hold':
        return undefined;
      case 'error':
        return { tag: 'error', attrs: { code: '500', text: 'internal-server-error' } };
      case 'answer':
        return {
          tag: 'media_conn',
          attrs: { auth: 'loopback-auth', ttl: '3600' },
          content: [
            {
              tag: 'host',
              attrs: { hostname: this.mediaHostname, maxContentLengthBytes: '104857600' },
            },
          ],
        };
    }
  }

  /**
   * Starts the HTTPS media host (TLS with the test certificate in `tls/`, valid for 127.0.0.1).
   * Baileys uploads to `https://<hostname><path>` with `fetchAgent` as the agent
   * (`Utils/messages-media.js` `getWAUploadToServer`, `uploadWithNodeHttp`): give the socket
   * {@link mediaAgentOptions} so it trusts the certificate.
   */
  async startMediaHost(): Promise<void> {
    if (this.mediaHost) return;
    const host = createHttpsServer(mediaTls(), (req, res) => {
      this.uploads++;
      req.resume();
      req.on('end', () => {
        if (this.media.upload === 'hang') return; // closeAllConnections() ends it at close
        const path = (req.url ?? '').split('?')[0] ?? '';
        const ok = this.media.upload === 'ok';
        res.statusCode = ok ? 200 : 500;
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify(
            ok ? { url: `https://${this.mediaHostname}${path}`, direct_path: `/v/t62${path}` } : {},
          ),
        );
        this.emit('change');
      });
    });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    this.mediaPort = (host.address() as AddressInfo).port;
    this.mediaHost = host;
  }

  recordMessage(msg: RecordedMessage): void {
    this.messages.push(msg);
  }
  recordError(conn: number, error: unknown): void {
    this.errors.push({ conn, error });
    this.emit('change');
  }
  /** How many `<message>` frames carried this id (a retry with the same id counts again). */
  framesWithId(id: string): RecordedMessage[] {
    return this.messages.filter((m) => m.id === id);
  }

  /**
   * Resolve when `predicate()` holds (checked on every server event), or reject after `timeoutMs`.
   */
  waitFor<T>(
    predicate: () => T | undefined | false,
    timeoutMs = 3000,
    what = 'condition',
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const v = predicate();
        if (v !== undefined && v !== false) {
          cleanup();
          resolve(v);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`waFakeServer: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.off('change', check);
      };
      this.on('change', check);
      check();
    });
  }

  /** Close every connection, held socket and listener; resolves when all sockets are gone. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.refuseConnections();
    for (const c of this.connections) if (!c.closed) c.terminate();
    for (const s of this.heldSockets) s.destroy();
    this.heldSockets.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    if (this.mediaHost) {
      const host = this.mediaHost;
      host.closeAllConnections();
      await new Promise<void>((resolve) => host.close(() => resolve()));
    }
    await this.waitFor(
      () => this.connections.every((c) => c.closed),
      2000,
      'all connections closed',
    ).catch(() => undefined);
    this.removeAllListeners();
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    this.upgradeRequests++;
    this.emit('change');
    const plan = this.hangUpgrades ? 'hang' : (this.plans.shift() ?? this.defaultPlan);
    if (plan === 'hang') {
      // Read nothing more and answer nothing: the client's handshake timeout ends it.
      socket.pause();
      this.heldSockets.add(socket);
      socket.on('close', () => this.heldSockets.delete(socket));
      return;
    }
    if (typeof plan === 'object' && 'upgradeStatus' in plan) {
      socket.end(
        `HTTP/1.1 ${plan.upgradeStatus} Loopback\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, socket, plan));
  }

  private onConnection(ws: WsSocket, socket: Duplex, plan: ConnectPlan): void {
    const conn = new ServerConnection(this.connections.length + 1, ws, socket, this, plan);
    this.connections.push(conn);
    this.emit('connection', conn);
    this.emit('change');
    if (plan === 'closeOnAccept') ws.close();
  }
}

/** Options for an `https.Agent` that trusts the loopback media host's certificate. */
export function mediaAgentOptions(): { ca: Buffer } {
  return { ca: mediaTls().cert };
}

let tlsFiles: { key: Buffer; cert: Buffer } | undefined;
/** The media host's test-only key and self-signed certificate (subjectAltName IP:127.0.0.1). */
function mediaTls(): { key: Buffer; cert: Buffer } {
  tlsFiles ??= {
    key: readFileSync(new URL('./tls/mediaHost.key.pem', import.meta.url)),
    cert: readFileSync(new URL('./tls/mediaHost.cert.pem', import.meta.url)),
  };
  return tlsFiles;
}

export async function startWaServer(options: WaServerOptions = {}): Promise<WaServer> {
  const server = new WaServer(options);
  await server.listen(0);
  return server;
}
