import { normalizeName } from "../core/names.ts";
import type { EventStream, ItemEvent, Stage } from "./stream.ts";

/**
 * Item events for a stage whose packages run one after another inside one traced sandbox step
 * (pip building sdists, the import phase's workers), where the host learns nothing else while
 * the step runs: the first traced event blamed on the next expected package starts its item and
 * ends the one before. Blame comes from the process tree (src/pipeline/attribution.ts), never from
 * what a package prints, and each package starts once, so package code can at most make the
 * display skip ahead. Returns the function that stops following and ends the last item.
 */
export function followAttributedItems(events: EventStream, stage: Stage, names: readonly string[]): () => void {
  const expected = new Set(names.map(normalizeName));
  const total = expected.size;
  let started = 0;
  let current: ItemEvent | undefined;
  const endCurrent = () => {
    if (current) events.publish("item-end", current);
    current = undefined;
  };
  const unsubscribe = events.on("syscall", ({ attribution }) => {
    // Called for every traced system call: once every package has started there is nothing to do.
    if (expected.size === 0) return;
    const name = attribution.package === undefined ? undefined : normalizeName(attribution.package);
    if (name === undefined || !expected.delete(name)) return;
    endCurrent();
    current = { stage, name, index: started++, total };
    events.publish("item-start", current);
  });
  return () => {
    unsubscribe();
    endCurrent();
  };
}
