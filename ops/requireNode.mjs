// Runs before every entry point (`node --import ./ops/requireNode.mjs …` in package.json, and
// jest.config.js), in plain JavaScript so that any Node can parse it. The project's TypeScript runs
// on Node's own type stripping, on by default from Node 22.18 (PostGraphile needs 22 or newer); an
// older Node would otherwise stop with a stack trace about a ".ts" file instead of saying what to do.
export const MINIMUM_NODE = '22.18.0';

function atLeast(version, minimum) {
  const have = version.replace(/^v/, '').split('.').map(Number);
  const need = minimum.split('.').map(Number);
  for (let i = 0; i < need.length; i += 1) {
    if ((have[i] ?? 0) !== need[i]) return (have[i] ?? 0) > need[i];
  }
  return true;
}

/** Why this Node cannot run the project and what to do, or null when it can. */
export function nodeProblem(version = process.version, typescript = process.features?.typescript, execPath = process.execPath) {
  if (!atLeast(version, MINIMUM_NODE)) {
    return (
      `clerk-pg-sync needs Node.js ${MINIMUM_NODE} or newer; this is Node ${version} (${execPath}).\n` +
      'Install a newer Node (22.18+ or 24) from https://nodejs.org, nvm, fnm, Homebrew or your package manager.\n' +
      'On Linux x64, `npm ci` also installs a Node 24 that the npm scripts use.'
    );
  }
  if (!typescript) {
    return `clerk-pg-sync runs its TypeScript with Node's type stripping, which is turned off here (${execPath}): drop --no-experimental-strip-types from the command or NODE_OPTIONS.`;
  }
  return null;
}

const problem = nodeProblem();
if (problem) {
  console.error(problem);
  process.exit(1);
}
