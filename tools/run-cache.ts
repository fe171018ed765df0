// Results that are deterministic and expensive (a Helm render, an offline plan), computed once per
// run and shared by every process of it: npm test's mocha workers and the commands they start. The
// run names a folder in RUN_CACHE_DIR (tools/test.sh makes one and removes it afterwards); without
// it nothing is cached across processes. Keys name every input of the result; the folder lives for
// one run only, so the program's source cannot change under it.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

export const RUN_CACHE_ENV = "RUN_CACHE_DIR";

/** A lock older than this is left over by a process that died: the next caller takes over. */
const STALE_LOCK_MS = 180_000;
const POLL_MS = 25;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function lockAge(lock: string): number | undefined {
    try {
        return Date.now() - fs.statSync(lock).mtimeMs;
    } catch {
        return undefined;
    }
}

/**
 * `compute()`'s text for `key`, computed by the first process that asks and read from the run's
 * folder by every later one (one that asks meanwhile waits for it). A failed computation is not
 * kept: each caller sees its own error.
 */
export async function runCached(kind: string, key: string, compute: () => Promise<string>): Promise<string> {
    const dir = process.env[RUN_CACHE_ENV];
    if (!dir) return compute();
    const file = path.join(dir, `${kind}-${createHash("sha256").update(key).digest("hex")}`);
    const lock = `${file}.lock`;
    for (;;) {
        if (fs.existsSync(file)) return fs.readFileSync(file, "utf8");
        let fd: number;
        try {
            fd = fs.openSync(lock, "wx");
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
            const age = lockAge(lock);
            if (age !== undefined && age > STALE_LOCK_MS) fs.rmSync(lock, { force: true });
            else await sleep(POLL_MS);
            continue;
        }
        fs.closeSync(fd);
        try {
            // Another process may have written it between the look above and taking the lock.
            if (fs.existsSync(file)) return fs.readFileSync(file, "utf8");
            const text = await compute();
            // Written whole, then renamed: a reader never sees half a file.
            fs.writeFileSync(`${file}.${process.pid}`, text);
            fs.renameSync(`${file}.${process.pid}`, file);
            return text;
        } finally {
            fs.rmSync(lock, { force: true });
        }
    }
}
