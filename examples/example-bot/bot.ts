/**
 * A WhatsApp bot the way Baileys' own example (`Example/example.ts`) builds one, and with the bugs
 * such bots have. It keeps its session in a folder, asks for the latest WhatsApp version, caches
 * its signal keys, handles every event in one `ev.process` batch handler, reconnects whenever the
 * connection closes unless it was logged out, answers new messages, and says so when it is online.
 *
 * What goes wrong (each shows up as a property of its own under `npx baileys-sim audit`):
 * - a reply is sent on the `sock` of the closure that received the message, after the bot thought
 *   about it: by then that connection may be dead and another one live (live-socket, exactly-once);
 * - only `notify` upserts are answered: messages that arrived while the bot was offline, and those
 *   WhatsApp delivers again after a lost receipt, come as `append` (inbound-handover);
 * - every close but 401 reconnects, at once: after 403 (banned) and 440 (another session took
 *   over) too (terminal-respected), and with no pause when connects keep failing (bounded);
 * - a close the bot asked for itself (its stop) reconnects as well (clean).
 *
 * The last section is the glue baileys-sim needs: the three exports it calls. `bot-fixed.ts` is
 * the same bot with these bugs fixed.
 */
import makeWASocket, {
  DisconnectReason,
  fetchLatestBaileysVersion,
  makeCacheableSignalKeyStore,
  useMultiFileAuthState,
  type WAMessage,
  type WASocket,
} from '@whiskeysockets/baileys';
import type { AsWrittenHost, AsWrittenMessage } from 'baileys-sim';
import { pino } from 'pino';

const logger = pino({ level: 'silent' });

/** What the bot does with a message it answers: think, then reply. */
type Brain = (message: AsWrittenMessage) => void;

/** Thinks for a second and echoes: a real bot asks a model or a database here. */
let brain: Brain = (message) => {
  setTimeout(() => void message.reply(`you said: ${message.text}`).catch(() => undefined), 1000);
};

let sock: WASocket | undefined;

const textOf = (msg: WAMessage): string | undefined =>
  msg.message?.conversation ?? msg.message?.extendedTextMessage?.text ?? undefined;

/** Connects, and handles everything that happens on the connection. */
async function startSock(): Promise<void> {
  const { state, saveCreds } = await useMultiFileAuthState('auth_info_baileys');
  const { version } = await fetchLatestBaileysVersion();
  const socket = makeWASocket({
    version,
    logger,
    auth: { creds: state.creds, keys: makeCacheableSignalKeyStore(state.keys, logger) },
  });
  sock = socket;

  socket.ev.process(async (events) => {
    const update = events['connection.update'];
    if (update?.connection === 'close') {
      const code = (
        update.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined
      )?.output?.statusCode;
      if (code !== DisconnectReason.loggedOut) void startSock();
      else console.log('connection closed: logged out');
    }
    if (update?.connection === 'open') console.log('opened connection');

    if (events['creds.update']) await saveCreds();

    const upsert = events['messages.upsert'];
    if (upsert?.type === 'notify') {
      for (const msg of upsert.messages) {
        const text = textOf(msg);
        const chatJid = msg.key.remoteJid;
        if (msg.key.fromMe || !text || !chatJid) continue;
        await socket.readMessages([msg.key]);
        brain({
          chatJid,
          id: msg.key.id ?? '',
          text,
          reply: (answer) => socket.sendMessage(chatJid, { text: answer }),
        });
      }
    }
  });
}

// ---- baileys-sim glue: the three exports the audit calls ------------------------------------
export async function start({ onMessage }: AsWrittenHost): Promise<void> {
  brain = onMessage;
  await startSock();
}
export async function stop(): Promise<void> {
  await sock?.end(undefined);
}
export function reset(): void {
  sock = undefined;
}
