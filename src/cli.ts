// The command line of `scalekit-local`: a command, its arguments, and options that set the environment variables
// of the same meaning (so everything the README says about a variable holds for its option).
export const USAGE = `Usage: scalekit-local [command] [options]

Commands:
  start            run the server (default)
  migrate          apply pending database migrations and exit
  reset            empty the environment back to a fresh one (default roles, Test Organization) and exit
  seed FILE        apply a seed file (JSON) to the environment and exit

Options (each sets the environment variable named beside it):
  --port N               PORT (default 8080)
  --host ADDRESS         HOST (default 127.0.0.1)
  --data-dir DIR         DATA_DIR (default ./.scalekit-data): embedded database, generated keys and certificates
  --database-url URL     DATABASE_URL (postgresql://…; unset: the embedded database in DATA_DIR)
  --environment-url URL  SCALEKIT_ENVIRONMENT_URL (default http://HOST:PORT)
  --log-level LEVEL      LOG_LEVEL (fatal, error, warn, info, debug, trace, silent)
  -h, --help             show this help

Every other setting is an environment variable (see the README); ./.env is read if present.
`;

export class CliError extends Error {}

const COMMANDS = ["start", "migrate", "reset", "seed"] as const;
export type Command = (typeof COMMANDS)[number];

const OPTIONS: Record<string, string> = {
  "--port": "PORT",
  "--host": "HOST",
  "--data-dir": "DATA_DIR",
  "--database-url": "DATABASE_URL",
  "--environment-url": "SCALEKIT_ENVIRONMENT_URL",
  "--log-level": "LOG_LEVEL",
};

export interface Cli {
  command: Command;
  args: string[];
  env: Record<string, string>;
  help: boolean;
}

export function parseCli(argv: string[]): Cli {
  const env: Record<string, string> = {};
  const positional: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-h" || a === "--help") { help = true; continue; }
    if (a === "--") { positional.push(...argv.slice(i + 1)); break; }
    if (a.startsWith("-")) {
      const eq = a.indexOf("=");
      const name = eq > 0 ? a.slice(0, eq) : a;
      const variable = OPTIONS[name];
      if (!variable) throw new CliError(`unknown option ${name}`);
      const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined || (eq < 0 && value.startsWith("--"))) throw new CliError(`${name} needs a value`);
      env[variable] = value;
      continue;
    }
    positional.push(a);
  }
  const [command = "start", ...args] = positional;
  if (help) return { command: "start", args: [], env, help };
  if (!(COMMANDS as readonly string[]).includes(command)) throw new CliError(`unknown command "${command}"`);
  const wanted = command === "seed" ? 1 : 0;
  if (args.length !== wanted) {
    throw new CliError(command === "seed" ? "seed needs exactly one FILE" : `${command} takes no arguments, got "${args.join(" ")}"`);
  }
  return { command: command as Command, args, env, help };
}
