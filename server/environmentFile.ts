// Imported first by every entry point, before any module reads process.env. Loads an env file with
// Node's own parser (process.loadEnvFile): the file named by ENV_FILE, in any environment, else
// `.env` in the working directory when NODE_ENV is unset or development. Variables already set in
// the environment win over the file. ENV_FILE set to nothing reads no file.
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface EnvironmentFile {
  /** The file whose variables were loaded, if any. */
  loaded: string | null;
  /** Why ENV_FILE (or .env) could not be read: reported with the other configuration problems. */
  problem: string | null;
}

export function loadEnvironmentFile(cwd = process.cwd()): EnvironmentFile {
  const named = process.env.ENV_FILE;
  let file: string;
  if (named !== undefined) {
    if (named.trim() === '') return { loaded: null, problem: null };
    file = path.resolve(cwd, named);
  } else {
    if ((process.env.NODE_ENV ?? 'development') !== 'development') return { loaded: null, problem: null };
    file = path.resolve(cwd, '.env');
    if (!existsSync(file)) return { loaded: null, problem: null };
  }
  try {
    process.loadEnvFile(file);
    return { loaded: file, problem: null };
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return { loaded: null, problem: `${named !== undefined ? 'ENV_FILE' : '.env'}: cannot read ${file} (${reason})` };
  }
}

export const environmentFile = loadEnvironmentFile();

// Grafast decides its mode when first imported, from GRAPHILE_ENV or else NODE_ENV, and prints a
// notice on every start when neither is set. Making the same choice explicit keeps the mode and
// drops the notice; GRAPHILE_ENV=development still opts in to Grafast's extra checks.
process.env.GRAPHILE_ENV ??= process.env.NODE_ENV ?? 'production';
