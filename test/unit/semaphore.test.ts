import { describe, expect, it } from "vitest";
import { mapLimited, Semaphore } from "../../lib/util/semaphore.js";

describe("Semaphore", () => {
  it("hands a released turn to the first waiter: a caller in the same tick does not take it as well", async () => {
    const semaphore = new Semaphore(1);
    const first = await semaphore.acquire();
    const waiting = semaphore.acquire();
    first();
    let late = false;
    const sneaky = semaphore.acquire().then((release) => {
      late = true;
      return release;
    });
    const second = await waiting;
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(late).toBe(false);
    second();
    (await sneaky)();
    expect(late).toBe(true);
  });

  it("runs at most `limit` jobs at once, results in input order", async () => {
    let running = 0;
    let peak = 0;
    const results = await mapLimited([5, 1, 4, 2, 3], 2, async (n) => {
      peak = Math.max(peak, ++running);
      await new Promise((resolve) => setTimeout(resolve, n * 5));
      running--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });
});
