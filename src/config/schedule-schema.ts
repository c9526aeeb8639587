import { Cron } from 'croner';
import { z } from 'zod';

/**
 * When a channel speaks. Part of the config schema (src/config/schema.ts); kept apart so the pure
 * scheduling code can import it without the rest of config.
 */
const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

/** Whether croner reads `expr` (5 fields, or 6 with seconds first): the one cron library, for slots and `run`'s timers. */
export const isCron = (expr: string) => {
  try {
    new Cron(expr, { paused: true });
    return true;
  } catch {
    return false;
  }
};

const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM (24 h)');

export const ScheduleSchema = z
  .object({
    timezone: z.string().refine(isTimeZone, 'not an IANA time zone, e.g. "Europe/Berlin"').default('UTC').describe('IANA time zone for slots and quiet hours.'),
    slots: z
      .array(z.string().refine(isCron, 'not a valid cron expression, e.g. "0 9 * * 1-5"'))
      .optional()
      .describe('Posting slots (cron, in `timezone`); each slot lets one thread out. Without slots the channel posts as soon as it can.'),
    minSpacingMinutes: z.number().min(0).default(0).describe('Least time between two threads.'),
    maxPerHour: z.number().int().min(1).optional().describe('Most threads in any 60 minutes.'),
    maxPerDay: z.number().int().min(1).optional().describe('Most threads in any 24 hours.'),
    quietHours: z
      .object({ from: ClockTime.describe('Start (HH:MM, in `timezone`).'), to: ClockTime.describe('End (HH:MM); may be earlier than `from` to span midnight.') })
      .strict()
      .optional()
      .describe('A daily window in which nothing is posted.'),
    catchUp: z
      .enum(['skip', 'post'])
      .default('skip')
      .describe('After downtime: `skip` missed slots (only the latest one still counts), or `post` each missed slot in turn.'),
  })
  .strict();

export type Schedule = z.infer<typeof ScheduleSchema>;
