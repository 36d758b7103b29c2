// What every builder receives, and the one call that reads its options.

import { spec } from '../catalog.ts';
import { readArgs, type Args, type ReadOptions } from '../options.ts';
import type { Got } from '../result.ts';
import type { CommandName, ParseContext, ParseResult } from '../types.ts';

export interface Input {
  name: CommandName;
  /** The text after the command name. */
  body: string;
  ctx: ParseContext;
}

export type Builder = (input: Input) => ParseResult;

/** Reads the body with the option keys the catalog lists for this command. */
export function read(input: Input, ro?: ReadOptions): Got<Args> {
  return readArgs(input.body, spec(input.name).keys, input.ctx, ro);
}
