// Colour for the CLI's human output, only where it helps: on a terminal, never in a pipe or a file,
// never when NO_COLOR is set (https://no-color.org); FORCE_COLOR forces it on (or off with 0/false),
// with the same precedence as Node's own tty colour detection.

export interface ColourStream {
  isTTY?: boolean;
}

/**
 * Whether output written to `stream` should carry ANSI colours.
 *
 * @example
 * colourEnabled(process.stdout) // false in `bw-codegen validate x.json | cat`
 */
export function colourEnabled(stream: ColourStream, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force !== "false";
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.NODE_DISABLE_COLORS !== undefined) return false;
  if (env.TERM === "dumb") return false;
  return stream.isTTY === true;
}

export interface Paint {
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

const code = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const COLOURS: Paint = { red: code(31, 39), green: code(32, 39), yellow: code(33, 39), bold: code(1, 22), dim: code(2, 22) };
const PLAIN: Paint = { red: (t) => t, green: (t) => t, yellow: (t) => t, bold: (t) => t, dim: (t) => t };

/**
 * Colour functions for `stream`: real ANSI codes when `colourEnabled`, identity functions otherwise.
 *
 * @example
 * const paint = painter(process.stdout);
 * process.stdout.write(`${paint.red("INVALID")}\n`);
 */
export function painter(stream: ColourStream, env: NodeJS.ProcessEnv = process.env): Paint {
  return colourEnabled(stream, env) ? COLOURS : PLAIN;
}

/**
 * Text from outside (a capture's paths, event names, field names) made safe to print on a terminal: control
 * characters (an escape sequence could retitle the window, hide lines, or worse) are shown as `\u001b`.
 *
 * @example
 * printable("/callbacks\u001b[2J") // "/callbacks\\u001b[2J"
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
