// The run cache npm test shares plans and renders through (tools/run-cache.ts): one computation per
// key for every caller of the run, nothing kept of a failure, nothing shared without a run folder.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RUN_CACHE_ENV, runCached } from "../tools/run-cache";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("run cache", () => {
    let dir: string;
    let saved: string | undefined;
    beforeEach(() => {
        saved = process.env[RUN_CACHE_ENV];
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "run-cache-test-"));
        process.env[RUN_CACHE_ENV] = dir;
    });
    afterEach(() => {
        if (saved === undefined) delete process.env[RUN_CACHE_ENV];
        else process.env[RUN_CACHE_ENV] = saved;
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("computes a key once for callers that ask at the same time and later, and keeps keys apart", async () => {
        let runs = 0;
        const slow = async () => {
            runs++;
            await sleep(100);
            return `text ${runs}`;
        };
        const [a, b] = await Promise.all([runCached("k", "one", slow), runCached("k", "one", slow)]);
        assert.deepEqual([a, b, await runCached("k", "one", slow)], ["text 1", "text 1", "text 1"]);
        assert.equal(runs, 1);
        assert.equal(await runCached("k", "two", slow), "text 2");
        // Only the results remain: no lock or partial file.
        assert.equal(fs.readdirSync(dir).length, 2);
    });

    it("keeps nothing of a failed computation: each caller sees its own error, the next one computes", async () => {
        await assert.rejects(
            runCached("k", "flaky", async () => {
                throw new Error("helm failed");
            }),
            /helm failed/,
        );
        assert.deepEqual(fs.readdirSync(dir), []);
        assert.equal(await runCached("k", "flaky", async () => "rendered"), "rendered");
    });

    it("shares nothing without a run folder", async () => {
        delete process.env[RUN_CACHE_ENV];
        let runs = 0;
        const count = async () => `run ${++runs}`;
        assert.deepEqual([await runCached("k", "same", count), await runCached("k", "same", count)], ["run 1", "run 2"]);
    });
});
