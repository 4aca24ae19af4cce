/**
 * Reads the Dockerfile's stages as data, so tests can check what the images run without a Docker
 * engine: each stage's base, its exec-form CMD and HEALTHCHECK, and its ENV with the ENV of the
 * stages it is built FROM.
 */
import { readFileSync } from 'node:fs';

export interface Stage {
  name: string;
  from: string;
  instructions: Array<{ keyword: string; args: string }>;
}

export const dockerfilePath = new URL('../../Dockerfile', import.meta.url);

export function readStages(text = readFileSync(dockerfilePath, 'utf8')): Map<string, Stage> {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const stages = new Map<string, Stage>();
  let current: Stage | undefined;
  for (const line of lines) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === 'FROM') {
      const [, from = '', name] = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args) ?? [];
      current = { name: name ?? `#${stages.size}`, from, instructions: [] };
      stages.set(current.name, current);
    } else if (current) {
      current.instructions.push({ keyword: keyword.toUpperCase(), args: args.replace(/\s+/g, ' ') });
    }
  }
  return stages;
}

/** The last JSON (exec-form) argument list of an instruction in a stage, e.g. CMD. */
export function execForm(stage: Stage, keyword: 'CMD' | 'ENTRYPOINT' | 'HEALTHCHECK'): string[] | undefined {
  const found = stage.instructions.filter((i) => i.keyword === keyword).at(-1);
  if (!found) return undefined;
  const json = /\[.*\]$/.exec(found.args)?.[0];
  if (!json) throw new Error(`${keyword} in stage ${stage.name} is not in exec form: ${found.args}`);
  return JSON.parse(json) as string[];
}

/** ENV of a stage, including what it inherits from the stages it is built on. */
export function stageEnv(stages: Map<string, Stage>, name: string): Record<string, string> {
  const stage = stages.get(name);
  if (!stage) return {};
  const env = stageEnv(stages, stage.from);
  for (const i of stage.instructions.filter((x) => x.keyword === 'ENV')) {
    for (const m of i.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[m[1]!] = m[2]!.replace(/^"|"$/g, '');
  }
  return env;
}
