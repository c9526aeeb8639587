/**
 * The compiled module under dist/ for a file under src/, typed as its source: what `npm start` runs. Speed figures
 * are taken on it, not on src/ compiled on the fly by tsx, whose esbuild pass wraps every function it creates (each
 * closure made per feed entry, say) in a naming helper that the shipped build does not have: measured on the ingest
 * bench, ours ran about 8 % slower that way. dist/ is brought up to date first (tests/support/build-cli.ts).
 */
import buildCli from '../../tests/support/build-cli.js';

let built = false;

export async function shipped<Module>(srcPath: `${string}.js`): Promise<Module> {
  if (!built) {
    buildCli(); // rebuilds dist/ only when a file under src/ is newer than it
    built = true;
  }
  return (await import(new URL(`../../dist/${srcPath}`, import.meta.url).href)) as Module;
}
