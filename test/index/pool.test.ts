import { expect, test } from "bun:test";
import { createLimiter } from "../../src/index/pool.ts";

test("never runs more tasks at once than the limit, and runs them all", async () => {
  const limiter = createLimiter(3);
  let running = 0;
  let peak = 0;
  const releases: Array<() => void> = [];
  const tasks = Array.from({ length: 10 }, (_, index) =>
    limiter.run(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise<void>((resolve) => releases.push(resolve));
      running--;
      return index;
    }),
  );
  let released = 0;
  while (released < 10) {
    await Bun.sleep(1);
    expect(limiter.active).toBeLessThanOrEqual(3);
    const started = releases.splice(0);
    released += started.length;
    started.forEach((release) => release());
  }
  expect(await Promise.all(tasks)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  expect(peak).toBe(3);
  expect(limiter.active).toBe(0);
});

test("a failing task frees its slot", async () => {
  const limiter = createLimiter(1);
  await expect(limiter.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
  expect(await limiter.run(async () => "next")).toBe("next");
});

test("rejects a limit below one", () => {
  expect(() => createLimiter(0)).toThrow(RangeError);
});
