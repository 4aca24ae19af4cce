/**
 * The product's workflow shape with no work in it, for `npm run bench -- floor`: a parent that
 * keeps a window of children in flight, each child one local activity that returns at once.
 * Same child options as partnerSync (business ID reused run after run, search attribute, summary,
 * an input and a result of the product's sizes), so what remains is Temporal's own cost.
 */
import { ParentClosePolicy, WorkflowIdReusePolicy, condition, proxyLocalActivities, startChild } from '@temporalio/workflow';
import { PartnerIdKey } from '../workflows/search-attributes.ts';

export interface FloorActivities {
  floorWork(input: FloorChildInput): Promise<{ index: number; detail: string }>;
}

export interface FloorChildInput {
  index: number;
  /** Stands in for a company's plan: about the size of the product's child input. */
  filler: string;
}

const { floorWork } = proxyLocalActivities<FloorActivities>({ startToCloseTimeout: '30 seconds' });

export async function floorChild(input: FloorChildInput): Promise<{ index: number; detail: string }> {
  return floorWork(input);
}

export async function floorParent(input: { partnerId: string; n: number; window: number; fillerBytes: number }): Promise<number> {
  let done = 0;
  let inFlight = 0;
  for (let index = 0; index < input.n; index++) {
    await condition(() => inFlight < input.window);
    inFlight++;
    void (async () => {
      const child = await startChild(floorChild, {
        workflowId: `floor-child/${input.partnerId}/${index}`,
        args: [{ index, filler: 'x'.repeat(input.fillerBytes) }],
        parentClosePolicy: ParentClosePolicy.TERMINATE,
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        typedSearchAttributes: [{ key: PartnerIdKey, value: input.partnerId }],
        staticSummary: `company ${index} → contract #${index}`,
      });
      await child.result();
      done++;
      inFlight--;
    })();
  }
  await condition(() => inFlight === 0);
  return done;
}
