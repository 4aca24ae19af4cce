/**
 * At most N requests in flight per (tenant and tracking identifier, endpoint) in this process:
 * Autotask's thread limit is 3 per that pair in one tenant's database, shared with every other
 * integration of the MSP. The tenant is part of the key because partners usually share the
 * tracking identifier (the service's vendor code): keyed by the identifier alone, one partner's
 * long run took every slot and every other partner waited behind it.
 */
class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

const semaphores = new Map<string, Semaphore>();
export const AUTOTASK_THREADS_PER_ENDPOINT = 3;

/** `scope`: the tenant (zone `ci`, else its URL) and the tracking identifier, e.g. `29683|PBAUTOTASK…`. */
export function limited<T>(scope: string, endpoint: string, fn: () => Promise<T>): Promise<T> {
  const key = `${scope}|${endpoint.toLowerCase()}`;
  let semaphore = semaphores.get(key);
  if (!semaphore) {
    semaphore = new Semaphore(AUTOTASK_THREADS_PER_ENDPOINT);
    semaphores.set(key, semaphore);
  }
  return semaphore.run(fn);
}
