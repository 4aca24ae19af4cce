/**
 * At most N requests in flight per (tracking identifier, endpoint) in this process: Autotask's
 * thread limit is 3 per that pair, shared with every other integration of the MSP.
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

export function limited<T>(trackingIdentifier: string, endpoint: string, fn: () => Promise<T>): Promise<T> {
  const key = `${trackingIdentifier}|${endpoint.toLowerCase()}`;
  let semaphore = semaphores.get(key);
  if (!semaphore) {
    semaphore = new Semaphore(AUTOTASK_THREADS_PER_ENDPOINT);
    semaphores.set(key, semaphore);
  }
  return semaphore.run(fn);
}
