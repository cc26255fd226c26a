/**
 * Touches to the help text yargs writes. yargs shows an option named with one letter as `-y`,
 * even when the project documents it as `--y` (both parse alike); the help should show the form
 * the examples and the README use.
 */

/** `help` with every one-letter option that has no alias shown in its long form (`--y`), columns kept. */
export function longFormsOfLetterOptions(help: string): string {
  // "  -y" + padding becomes "      --y" + the padding less five characters, so the
  // descriptions stay in their column; it lines up with the long options yargs indents by
  // four when some option has a short form.
  return help.replace(/^ {2}-([A-Za-z]) {6}/gm, "      --$1 ");
}
