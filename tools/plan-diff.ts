// npm run plan:diff -- --stack <name> [--base <git-ref>] [--render] [--format text|markdown] [--expect-no-changes]
// Plans the stack at the base revision (in a temporary git worktree) and in the working tree, and
// prints what changes between the two plans. --render also renders both plans' Helm releases with
// this working tree's renderer and chart cache (whatever the base revision could do), and compares
// the manifests per Kubernetes object. Exit 0: no changes; 2: changes; 1: error, or changes with
// --expect-no-changes.
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs, promisify } from "node:util";
import { ChartNotFoundError } from "./charts/cache";
import { RenderError, type RenderedRelease } from "./charts/render";
import { diffPlanDirs, hasChanges } from "./diff/plan-diff";
import { renderMarkdown, renderText } from "./diff/render";
import { renderPlanDir } from "./offline/manifests";
import { command, runCli } from "./cli";

const run = promisify(execFile);
const PROJECT_DIR = path.resolve(__dirname, "..");

export const EXIT = { unchanged: 0, failed: 1, changed: 2 } as const;

async function git(args: string[], cwd = PROJECT_DIR): Promise<string> {
    const { stdout } = await run("git", args, { cwd, encoding: "utf8" });
    return stdout.trim();
}

/** The merge base with main (local branch first, then the remote's). */
async function defaultBase(): Promise<string> {
    for (const ref of ["main", "origin/main"]) {
        try {
            return await git(["merge-base", "HEAD", ref]);
        } catch {
            // Try the next candidate.
        }
    }
    throw new Error("no --base given and no merge base with main or origin/main: pass --base <git-ref>");
}

/** Runs the plan command of the project checked out in `projectDir`; a missing stack file is an empty plan. */
async function planAt(projectDir: string, stack: string, out: string, label: string): Promise<"planned" | "no stack"> {
    if (!fs.existsSync(path.join(projectDir, `Pulumi.${stack}.yaml`))) return "no stack";
    try {
        await run(process.execPath, ["-r", "ts-node/register", "tools/plan.ts", "--stack", stack, "--out", out], {
            cwd: projectDir,
            encoding: "utf8",
            env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
            maxBuffer: 64 * 1024 * 1024,
        });
    } catch (err) {
        const e = err as { stderr?: string; stdout?: string; message: string };
        throw new Error(`planning stack ${stack} at ${label} failed:\n${e.stderr || e.stdout || e.message}`);
    }
    return "planned";
}

/**
 * Renders a plan's releases into its manifests/ with this process's renderer and chart cache, so both
 * revisions are rendered alike; a chart version only the base pins is fetched like any other.
 */
async function renderAt(planDir: string, label: string): Promise<RenderedRelease[]> {
    try {
        return await renderPlanDir(planDir);
    } catch (err) {
        // A chart found nowhere or a chart that does not render is the user's to fix: its message, no stack.
        if (err instanceof ChartNotFoundError || err instanceof RenderError) {
            throw new Error(`rendering the Helm releases of ${label} failed:\n${err.message}`);
        }
        throw err;
    }
}

async function main(args: string[]): Promise<number> {
    const { values } = parseArgs({
        args,
        options: {
            stack: { type: "string" },
            base: { type: "string" },
            format: { type: "string", default: "text" },
            render: { type: "boolean", default: false },
            "expect-no-changes": { type: "boolean", default: false },
        },
        strict: true,
    });
    const stack = values.stack;
    if (!stack) throw new Error("--stack <name> is required");
    if (values.format !== "text" && values.format !== "markdown") {
        throw new Error(`--format must be "text" or "markdown", got "${values.format}"`);
    }
    const baseRef = values.base ?? (await defaultBase());
    const baseCommit = await git(["rev-parse", "--verify", "--quiet", `${baseRef}^{commit}`]).catch(() => {
        throw new Error(`--base ${baseRef} is not a commit in this repository`);
    });
    const repoRoot = await git(["rev-parse", "--show-toplevel"]);
    // The project may live in a subfolder of the repository.
    const projectPrefix = path.relative(fs.realpathSync(repoRoot), fs.realpathSync(PROJECT_DIR));

    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `plan-diff-${stack.replace(/[^A-Za-z0-9_.-]/g, "_")}-`));
    const worktree = path.join(tmp, "base");
    let worktreeAdded = false;
    let linkedModules: string | undefined;
    const cleanUp = () => {
        if (worktreeAdded) {
            // The symlink first, so nothing can follow it into the real node_modules.
            if (linkedModules) fs.rmSync(linkedModules, { force: true });
            try {
                execFileSync("git", ["worktree", "remove", "--force", worktree], { cwd: PROJECT_DIR, stdio: "ignore" });
            } catch {
                // Delete the folder, then let git forget the registration of a worktree that is gone.
                fs.rmSync(tmp, { recursive: true, force: true });
                execFileSync("git", ["worktree", "prune"], { cwd: PROJECT_DIR, stdio: "ignore" });
            }
            worktreeAdded = false;
        }
        fs.rmSync(tmp, { recursive: true, force: true });
    };
    const onSignal = (signal: NodeJS.Signals) => {
        cleanUp();
        process.exit(signal === "SIGINT" ? 130 : 143);
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
        await git(["worktree", "add", "--detach", "--quiet", worktree, baseCommit]);
        worktreeAdded = true;
        const baseProject = path.join(worktree, projectPrefix);
        // The base revision runs with today's dependencies: plans compare code, not installs.
        if (!fs.existsSync(path.join(baseProject, "node_modules"))) {
            linkedModules = path.join(baseProject, "node_modules");
            fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), linkedModules, "dir");
        }

        // Both plans finish (or fail) before anything is cleaned up, so none writes into a removed folder.
        const [base, head] = await Promise.allSettled([
            planAt(baseProject, stack, path.join(tmp, "plan-base"), `base ${baseRef}`),
            planAt(PROJECT_DIR, stack, path.join(tmp, "plan-head"), "the working tree"),
        ]);
        if (base.status === "rejected") throw base.reason;
        if (head.status === "rejected") throw head.reason;
        if (head.value === "no stack") throw new Error(`there is no Pulumi.${stack}.yaml in the working tree`);
        const baseResult = base.value;
        // Releases left unrendered (charts known to be unavailable), said in the diff: their objects are not compared.
        const unrendered = new Set<string>();
        if (values.render) {
            const rendered = await Promise.allSettled([
                baseResult === "planned" ? renderAt(path.join(tmp, "plan-base"), `base ${baseRef}`) : Promise.resolve([]),
                renderAt(path.join(tmp, "plan-head"), "the working tree"),
            ]);
            const failed = rendered.filter((r): r is PromiseRejectedResult => r.status === "rejected");
            if (failed.length > 0) throw new Error(failed.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason))).join("\n"));
            for (const r of rendered) {
                if (r.status !== "fulfilled") continue;
                for (const x of r.value.filter((y) => y.skipped)) unrendered.add(`${x.resource} (${x.chart} ${x.version}): ${x.skipped}`);
            }
        }
        const diff = diffPlanDirs(path.join(tmp, "plan-base"), path.join(tmp, "plan-head"));
        const short = baseCommit.slice(0, 12);
        const heading = {
            stack,
            base: `${values.base === undefined ? `merge base with main (${short})` : baseRef === baseCommit ? short : `${baseRef} (${short})`}${baseResult === "no stack" ? " (stack not defined there)" : ""}`,
            head: "working tree",
            ...(values.render ? { rendered: true as const, unrendered: [...unrendered].sort() } : {}),
        };
        console.log(values.format === "markdown" ? renderMarkdown(diff, heading) : renderText(diff, heading));
        if (!hasChanges(diff)) return EXIT.unchanged;
        if (values["expect-no-changes"]) {
            console.error(`Stack ${stack}: expected no changes against ${baseRef}, but the plan changed (diff above).`);
            return EXIT.failed;
        }
        return EXIT.changed;
    } finally {
        cleanUp();
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
    }
}

export const planDiffCommand = command("plan:diff", main, { failure: EXIT.failed });

if (require.main === module) runCli(planDiffCommand);
