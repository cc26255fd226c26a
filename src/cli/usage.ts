/**
 * Mistakes in how a command line is written (an unknown command or option, a missing argument),
 * said in one line each that names the command and points at its --help, exit code 2.
 */
import type { Argv, CommandModule } from "yargs";
import { suggestKey } from "../config/errors.ts";

/** A mistake in the command line: its lines are printed as they are and the exit code is 2. */
export class UsageError extends Error {
  /** One printable line per problem. */
  readonly lines: readonly string[];

  constructor(lines: readonly string[]) {
    super(lines.join("\n"));
    this.name = "UsageError";
    this.lines = lines;
  }
}

/** The command yargs is parsing: its words after `hopsim`, its positional arguments, its options. */
interface CommandContext {
  words: string;
  positionals: string[];
  options: () => string[];
}

const topLevel: CommandContext = { words: "", positionals: [], options: () => [] };
let current = topLevel;
const commandNames: string[] = [];

/** The option names (with aliases) a yargs instance declares. */
function optionNames(y: Argv): string[] {
  const o = (y as unknown as { getOptions(): { key: Record<string, unknown>; alias: Record<string, string[]> } }).getOptions();
  return [...Object.keys(o.key), ...Object.values(o.alias).flat()];
}

/** Remembers the program itself, so that mistakes before any command is known can list its options. */
export function trackProgram<T>(y: Argv<T>): Argv<T> {
  topLevel.options = () => optionNames(y as Argv);
  return y;
}

/** Wraps a command module so that, once yargs has picked it, usage mistakes name it (`parent` for subcommands: "sweep"). */
export function tracked<T, U>(module: CommandModule<T, U>, parent = ""): CommandModule<T, U> {
  const spec = typeof module.command === "string" ? module.command : (module.command?.[0] ?? "");
  const name = spec.split(" ")[0] ?? "";
  const words = [parent, name === "$0" ? "" : name].filter((w) => w !== "").join(" ");
  if (parent === "" && name !== "") commandNames.push(name);
  const positionals = [...spec.matchAll(/[<[]([^>\]]+)[>\]]/g)].map((m) => m[1]!);
  const builder = module.builder;
  return {
    ...module,
    builder: (y: Argv<T>) => {
      const out = typeof builder === "function" ? builder(y) : builder === undefined ? y : y.options(builder);
      const options = optionNames(out as Argv);
      current = { words, positionals, options: () => options };
      return out as Argv<U>;
    },
  };
}

/** True when `name` was written as an option (`--name`, `-n`, `--name=...`, `--no-name`) rather than as a plain word. */
function writtenAsOption(name: string, args: readonly string[]): boolean {
  return args.some((a) => a === `--${name}` || a === `-${name}` || a.startsWith(`--${name}=`) || a === `--no-${name}`);
}

/** The option as the user wrote it, or else in its long form (yargs takes `--y` for `-y`). */
function flag(name: string, args: readonly string[]): string {
  return name.length === 1 && args.includes(`-${name}`) ? `-${name}` : `--${name}`;
}

/** The problems behind yargs' "Unknown argument(s): a, b". */
function unknownProblems(names: string[], args: readonly string[]): string[] {
  const options = names.filter((n) => writtenAsOption(n, args));
  const words = names.filter((n) => !options.includes(n));
  if (current === topLevel && words.length > 0) {
    // The first word names the command; the other words and the options are its arguments.
    const word = args.find((a) => words.includes(a)) ?? words[0]!;
    const hint = suggestKey(word, commandNames);
    return [`unknown command "${word}"${hint === undefined ? "" : ` (did you mean "${hint}"?)`}`];
  }
  return [
    ...options.map((o) => {
      const hint = suggestKey(o, current.options().filter((k) => k.length > 1));
      return `unknown option ${flag(o, args)}${hint === undefined ? "" : ` (did you mean --${hint}?)`}`;
    }),
    ...words.map((w) => `unexpected argument "${w}"`),
  ];
}

/** The problems a yargs failure message stands for, one phrase each. */
function problemsOf(msg: string, args: readonly string[]): string[] {
  let m: RegExpExecArray | null;
  if ((m = /^Unknown arguments?: (.*)$/.exec(msg))) return unknownProblems(m[1]!.split(", "), args);
  if ((m = /^Not enough non-option arguments: got (\d+), need at least (\d+)$/.exec(msg))) {
    const missing = current.positionals.slice(Number(m[1]), Number(m[2]));
    if (missing.length > 0) return missing.map((p) => `missing the <${p}> argument`);
  }
  if ((m = /^Missing required arguments?: (.*)$/.exec(msg))) return m[1]!.split(", ").map((k) => `missing the ${flag(k, args)} option`);
  if ((m = /^Not enough arguments following: (.*)$/.exec(msg))) return [`${flag(m[1]!, args)} needs a value`];
  if (msg.startsWith("Invalid values:")) {
    const choices = [...msg.matchAll(/Argument: (\S+), Given: (.*), Choices: (.*)/g)];
    if (choices.length > 0) return choices.map(([, k, given, allowed]) => `${current.positionals.includes(k!) ? `<${k}>` : flag(k!, args)} must be one of ${allowed}, got ${given}`);
  }
  return [msg.replace(/\s*\n\s*/g, "; ")];
}

/**
 * The lines to print for a yargs failure message: one per problem, each naming the command and
 * ending with where its help is (`hopsim topo: missing the <machine> argument; see hopsim topo --help`).
 */
export function usageLines(msg: string, args: readonly string[]): string[] {
  const where = current.words === "" ? "hopsim" : `hopsim ${current.words}`;
  return problemsOf(msg, args).map((p) => `${where}: ${p}; see ${where} --help`);
}
