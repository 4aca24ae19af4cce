/** `npm run bench [-- autotask|sync|api]`: benchmarks that print tables (no assertions). */
import { benchAutotask } from './autotask.ts';

const suites: Record<string, () => Promise<void>> = {
  autotask: benchAutotask,
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : Object.keys(suites);
for (const name of names) {
  const suite = suites[name];
  if (!suite) {
    process.stderr.write(`unknown benchmark "${name}"; choose from: ${Object.keys(suites).join(', ')}\n`);
    process.exit(2);
  }
  await suite();
}
process.exit(0);
