import { z } from 'zod';
import { loadConfigFileWith, parseConfigTextWith } from '../config/load.js';
import { configReference as referenceOf } from '../config/reference.js';
import { configSchemaFor } from '../config/schema.js';
import { KITS } from './index.js';
import type { AnyKit } from './kit.js';

/**
 * The assembled config schema: config/ holds everything but the channels' networks and cannot name the
 * platforms (it sits below them), so the channel union is built here from the kits' channel schemas, and
 * the loader and the README's reference are bound to the result. The schema stays the one source of truth.
 */

type ChannelSchemas<K extends readonly AnyKit[]> = { -readonly [I in keyof K]: K[I]['channelSchema'] };

function channelSchemasOf<const K extends readonly [AnyKit, ...AnyKit[]]>(kits: K): ChannelSchemas<K> {
  // Array.prototype.map does not keep a tuple's positions; the mapped type states them.
  return kits.map((kit) => kit.channelSchema) as ChannelSchemas<K>;
}

/** A channel of any kit, told apart by `platform`: a typo there is one error naming the known platforms. */
export const ChannelSchema = z.discriminatedUnion('platform', channelSchemasOf(KITS));
export const ConfigSchema = configSchemaFor(ChannelSchema);

/** The config with each channel typed by its kit (tests and tools narrow on `platform`); src/ reads `Config`. */
export type KitConfig = z.output<typeof ConfigSchema>;

export function parseConfigText(text: string, file: string, env: NodeJS.ProcessEnv = process.env) {
  return parseConfigTextWith(ConfigSchema, text, file, env);
}

export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env) {
  return loadConfigFileWith(ConfigSchema, file, env);
}

/** The README's config reference (markdown), generated from the assembled schema. */
export function configReference(): string {
  return referenceOf(ConfigSchema);
}
