/**
 * A send path's own settings. A module may export `sendPathSettings`: its reply deadline, its
 * reconnect policy and the Baileys socket timings it runs with, in the shape of a timeline's
 * `config` and validated by the same schema. Declared fields are what every generated timeline
 * uses and what the checkers judge by; fields left out are generated, and a campaign says so.
 */
import { z } from 'zod';
import { reconnectChoices } from '../generation/arbitraries.js';
import {
  configIssues,
  formatConfigIssues,
  timelineConfigSchema,
  type SendPathSettings,
  type TimelineConfig,
} from '../../sim/timeline.js';

/** The export a module declares its settings with. */
export const settingsExportName = 'sendPathSettings';

/**
 * The settings the generator varies when a path does not declare them (the checkers then judge by
 * the generated values).
 */
const generatedSettingNames = ['replyDeadlineMs', 'reconnect'] as const;

/** A setting the generator varies unless declared. */
type GeneratedSettingName = (typeof generatedSettingNames)[number];

/** Most requests of one chat a path may declare it takes at once. */
const repliesPerChatMaxLimit = 1000;

/**
 * The declaration's schema: any of a timeline config's fields, each complete, and how many
 * requests of one chat the path takes at once. Failure files record a declaration with it.
 */
export const sendPathSettingsSchema = timelineConfigSchema.partial().extend({
  repliesPerChatMax: z.int().min(1).max(repliesPerChatMaxLimit).optional(),
});

/**
 * Validates a module's `sendPathSettings` export. Returns the settings, or the problems as one
 * line each (`sendPathSettings.reconnect.factor: must be >= 1, got 0.5`).
 */
export function parseSendPathSettings(
  value: unknown,
): { settings: SendPathSettings } | { issues: string[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      issues: [
        `${settingsExportName}: expected an object such as { replyDeadlineMs: 120000 }, ` +
          `got ` +
          `${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
      ],
    };
  }
  const parsed = sendPathSettingsSchema.safeParse(value, { reportInput: true });
  if (!parsed.success)
    return { issues: formatConfigIssues(parsed.error.issues, settingsExportName) };
  const issues = configIssues(parsed.data, settingsExportName);
  return issues.length > 0 ? { issues } : { settings: parsed.data };
}

/** The settings `declared` leaves to the generator. */
export function undeclaredSettings(declared: SendPathSettings | undefined): GeneratedSettingName[] {
  return generatedSettingNames.filter((name) => declared?.[name] === undefined);
}

/**
 * One line about the settings a campaign judged by: the path's own, or generated ones (and how to
 * declare them).
 */
export function settingsLine(declared: SendPathSettings | undefined): string {
  const generated = undeclaredSettings(declared);
  const own = describeSettings(declared ?? {});
  if (generated.length === 0) return `the path's own: ${own}`;
  const how =
    `declare the path's own as \`export const ${settingsExportName}\` (see ` +
    `docs/audit-as-written.md)`;
  const varied = generated
    .map((name) =>
      name === 'replyDeadlineMs'
        ? 'reply deadline 30, 60 or 120 s'
        : `one of ${reconnectChoices.length} reconnect policies`,
    )
    .join(', ');
  return (
    `${own === '' ? '' : `the path's own ${own}; `}generated ${varied}, which the checkers ` +
    `judged by: ${how}`
  );
}

/** The declared settings in words (empty when none). */
function describeSettings(settings: SendPathSettings): string {
  const parts: string[] = [];
  if (settings.replyDeadlineMs !== undefined)
    parts.push(`reply deadline ${settings.replyDeadlineMs} ms`);
  const perChat = settings.repliesPerChatMax;
  if (perChat === 1) parts.push('one reply at a time per chat');
  else if (perChat !== undefined) parts.push(`at most ${perChat} replies at a time per chat`);
  const r = settings.reconnect;
  if (r !== undefined)
    parts.push(
      `reconnect ${r.initialMs}-${r.maxMs} ms x${r.factor} ±${r.jitter}, ${r.maxAttempts} attempts`,
    );
  const socket = settings.socket;
  if (socket !== undefined) {
    const timings = Object.entries(socket)
      .filter(([, ms]) => ms !== undefined)
      .map(([name, ms]) => `${name} ${ms}`);
    if (timings.length > 0) parts.push(`socket ${timings.join(', ')}`);
  }
  return parts.join(', ');
}

/**
 * The settings a liveness violation's bound came from, by its words: a reply settled beyond its
 * deadline (the deadline), or not delivered after the network healed (the deadline and the
 * backoff). Other liveness violations (a reply that gave up for no cause, or never settled) are
 * the path's whatever its settings.
 */
export function settingsBehind(message: string): GeneratedSettingName[] {
  if (message.includes('although the network healed')) return ['replyDeadlineMs', 'reconnect'];
  return / settled after \d+ ms, beyond \d+ ms/.test(message) ? ['replyDeadlineMs'] : [];
}

/** How a generated value reads in a note. */
export function generatedValue(config: TimelineConfig, name: GeneratedSettingName): string {
  if (name === 'replyDeadlineMs') return `replyDeadlineMs ${config.replyDeadlineMs}`;
  const r = config.reconnect;
  return `reconnect ${r.initialMs}-${r.maxMs} ms, ${r.maxAttempts} attempts`;
}
