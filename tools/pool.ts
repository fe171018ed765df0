// Runs asynchronous jobs a few at a time: Helm renders and promtool runs are child processes that
// each keep one core busy.
import * as os from "node:os";

/** Runs `jobs` with at most `limit` at a time (default: one per core), each result at its job's index. */
export async function pooled<T>(jobs: readonly (() => Promise<T>)[], limit = os.availableParallelism()): Promise<T[]> {
    const results: T[] = new Array(jobs.length);
    let next = 0;
    const worker = async () => {
        while (next < jobs.length) {
            const i = next++;
            results[i] = await jobs[i]();
        }
    };
    await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), jobs.length) }, worker));
    return results;
}
