import { handlerRegistry } from "../../handlers/registry";
import type { OncallConfig } from "../core/config";
import { type HandlerMap, readConfig } from "./read";

export interface LoadConfigOptions {
  /** Remediation handlers runbooks may name; defaults to the registry in handlers/registry.ts. */
  readonly handlers?: HandlerMap;
}

/**
 * Reads and validates `<dir>/schedules/` and `<dir>/runbooks/`. Returns the deeply frozen config, or
 * throws a `ConfigError` whose `issues` list every problem in every file (with lines where known).
 */
export function loadConfig(dir: string, options: LoadConfigOptions = {}): OncallConfig {
  return readConfig(dir, options.handlers ?? handlerRegistry);
}
