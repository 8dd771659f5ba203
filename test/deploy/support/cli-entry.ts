/**
 * certdeck run from source, so the deploy CLI tests run the real commander wiring (the whole program: option
 * placement and exit codes are program-wide) and process handling without depending on a build.
 */
import { buildProgram } from '../../../src/commands/program.js';

await buildProgram('0.0.0-test').parseAsync(process.argv);
