// The optional .env file of `cp .env.example .env && npm start`, read with Node's own loader.

import { existsSync } from "node:fs";

/**
 * Loads the variables of the .env file at `path` into process.env when the file exists; returns
 * whether it did. The environment wins: Node's loader leaves every variable that is already set,
 * even to an empty string, as it is, so a process manager's settings override the file.
 */
export function loadDotEnv(path: string): boolean {
  if (!existsSync(path)) return false;
  process.loadEnvFile(path);
  return true;
}
