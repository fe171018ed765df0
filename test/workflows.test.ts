// The CI workflows as GitHub will run them: permissions, pinned actions, one job per stack, one
// concurrency group per stack, prod behind an environment, a clean skip without cloud credentials.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

const ROOT = path.resolve(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");

interface Step {
    id?: string;
    if?: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}
interface Job {
    needs?: string | string[];
    permissions?: Record<string, string>;
    environment?: string | { name: string };
    concurrency?: { group: string; "cancel-in-progress"?: boolean };
    strategy?: { matrix?: { stack?: string[] } };
    steps: Step[];
}
interface Workflow {
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    jobs: Record<string, Job>;
}

const load = (file: string): Workflow => parse(fs.readFileSync(path.join(WORKFLOWS, file), "utf8"));
const stacks = fs
    .readdirSync(ROOT)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => Boolean(s))
    .sort();
const pulumiSteps = (job: Job) => job.steps.filter((s) => s.uses?.startsWith("pulumi/actions@"));
/** The stacks a job runs Pulumi for: its matrix, or the literal stack names of its steps. */
function stacksOf(job: Job): string[] {
    return pulumiSteps(job).flatMap((s) => {
        const name = String(s.with?.["stack-name"]);
        return name === "${{ matrix.stack }}" ? (job.strategy?.matrix?.stack ?? []) : [name];
    });
}

describe("CI workflows", () => {
    const pr = load("pull-request.yml");
    const deploy = load("deploy.yml");
    const all = { "pull-request.yml": pr, "deploy.yml": deploy };

    it("run on pull requests and on pushes to main", () => {
        assert.deepEqual((pr.on.pull_request as { branches: string[] }).branches, ["main"]);
        assert.deepEqual((deploy.on.push as { branches: string[] }).branches, ["main"]);
    });

    it("pin every action to an exact release or commit", () => {
        for (const [file, wf] of Object.entries(all)) {
            for (const [name, job] of Object.entries(wf.jobs)) {
                for (const step of job.steps.filter((s) => s.uses)) {
                    assert.match(step.uses!, /^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@(v\d+\.\d+\.\d+|[0-9a-f]{40})$/, `${file} ${name}: ${step.uses}`);
                }
            }
        }
    });

    it("grant only read access by default, id-token only where Google auth runs, and pull-request writes where comments are made", () => {
        for (const [file, wf] of Object.entries(all)) {
            assert.deepEqual(wf.permissions, { contents: "read" }, file);
            for (const [name, job] of Object.entries(wf.jobs)) {
                const authenticates = job.steps.some((s) => s.uses?.startsWith("google-github-actions/auth@"));
                assert.equal(job.permissions?.["id-token"] === "write", authenticates, `${file} ${name}: id-token: write iff it authenticates`);
                const comments = job.steps.some((s) => s.uses?.startsWith("actions/github-script@") || s.with?.["comment-on-pr"] === true);
                assert.equal(job.permissions?.["pull-requests"] === "write", comments, `${file} ${name}: pull-requests: write iff it comments`);
            }
        }
        assert.equal(pr.jobs.preview.permissions?.["id-token"], "write");
        assert.equal(pr.jobs.preview.permissions?.["pull-requests"], "write");
    });

    it("test every change with npm ci and npm test on Node 20 before anything else", () => {
        for (const wf of [pr, deploy]) {
            const runs = wf.jobs.test.steps.map((s) => s.run ?? "");
            assert.ok(runs.some((r) => r.startsWith("npm ci")));
            assert.ok(runs.includes("npm test"));
            for (const job of Object.values(wf.jobs)) {
                for (const s of job.steps.filter((x) => x.uses?.startsWith("actions/setup-node@"))) assert.equal(s.with?.["node-version"], 20);
            }
        }
        for (const [name, job] of Object.entries({ ...pr.jobs, ...deploy.jobs })) {
            if (name !== "test") assert.ok(job.needs, `${name} waits for something`);
        }
    });

    it("give every stack file an offline plan diff, a preview and a deploy", () => {
        assert.ok(stacks.length >= 2);
        assert.deepEqual([...(pr.jobs["plan-diff"].strategy?.matrix?.stack ?? [])].sort(), stacks);
        assert.deepEqual(stacksOf(pr.jobs.preview).sort(), stacks);
        assert.deepEqual(Object.values(deploy.jobs).flatMap(stacksOf).sort(), stacks);
        for (const s of pulumiSteps(pr.jobs.preview)) {
            assert.equal(s.with?.command, "preview");
            assert.equal(s.with?.diff, true);
        }
        for (const job of Object.values(deploy.jobs)) for (const s of pulumiSteps(job)) assert.equal(s.with?.command, "up");
    });

    it("publish the plan diff as the job summary and a pull-request comment, failing only when the diff itself fails", () => {
        const job = pr.jobs["plan-diff"];
        const script = job.steps.map((s) => s.run ?? "").join("\n");
        assert.match(script, /npm run --silent plan:diff -- --stack "\$STACK" --base "\$BASE_REF" --render --format markdown/);
        // The manifest diff needs Helm 3 before the diff runs.
        assert.ok(script.indexOf("bash tools/install-helm.sh") >= 0 && script.indexOf("bash tools/install-helm.sh") < script.indexOf("plan:diff"));
        assert.match(script, />> "\$GITHUB_STEP_SUMMARY"/);
        assert.match(script, /-ne 0 \] && \[ "\$code" -ne 2 \]/);
        assert.ok(job.steps.some((s) => s.with && /fetch-depth/.test(JSON.stringify(s.with))), "the base revision needs history");
        assert.ok(job.steps.some((s) => s.uses?.startsWith("actions/github-script@")));
        assert.match(script, /npm run --silent policy -- --stack "\$STACK"/, "forks get the policy pack offline");
    });

    it("run only npm scripts that exist", () => {
        const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts);
        for (const wf of Object.values(all)) {
            for (const job of Object.values(wf.jobs)) {
                for (const m of job.steps.map((s) => s.run ?? "").join("\n").matchAll(/npm run (?:--silent )?([\w:-]+)/g)) {
                    assert.ok(scripts.includes(m[1]), `npm run ${m[1]}`);
                }
            }
        }
    });

    it("serialize previews and updates of a stack in one concurrency group per stack, never cancelling an update", () => {
        const groups = new Map<string, string>();
        for (const wf of [pr, deploy]) {
            for (const job of Object.values(wf.jobs).filter((j) => pulumiSteps(j).length > 0)) {
                assert.equal(job.concurrency?.["cancel-in-progress"], false);
                for (const stack of stacksOf(job)) {
                    const group: string = job.concurrency!.group.replace("${{ matrix.stack }}", stack);
                    assert.equal(group, `pulumi-${stack}`);
                    groups.set(stack, group);
                }
            }
        }
        assert.equal(new Set(groups.values()).size, stacks.length);
    });

    it("deploy prod only after dev, behind the prod environment's approval", () => {
        const prod = Object.values(deploy.jobs).find((j) => stacksOf(j).includes("prod"))!;
        assert.equal(prod.environment, "prod");
        const devJob = Object.entries(deploy.jobs).find(([, j]) => stacksOf(j).includes("dev"))![0];
        assert.deepEqual([prod.needs].flat(), [devJob]);
    });

    it("skip Pulumi with a notice when the cloud secrets are absent, authenticating through Workload Identity Federation", () => {
        for (const wf of [pr, deploy]) {
            for (const [name, job] of Object.entries(wf.jobs).filter(([, j]) => pulumiSteps(j).length > 0)) {
                const check = job.steps[0];
                assert.equal(check.id, "credentials", name);
                assert.match(check.run ?? "", /::notice title=pulumi (preview|up) skipped/);
                assert.ok(Object.values(check.env ?? {}).some((v) => v.includes("secrets.GCP_WORKLOAD_IDENTITY_PROVIDER")));
                for (const step of job.steps.slice(1)) assert.equal(step.if, "steps.credentials.outputs.available == 'true'", `${name}: ${step.uses ?? step.run}`);
                const auth = job.steps.find((s) => s.uses?.startsWith("google-github-actions/auth@"));
                assert.ok(auth?.with?.workload_identity_provider, `${name} uses Workload Identity Federation`);
                assert.equal(auth?.with?.credentials_json, undefined, "no service-account key");
            }
        }
    });

    it("apply the policy pack on every preview and update", () => {
        assert.ok(fs.existsSync(path.join(ROOT, "policy", "PulumiPolicy.yaml")));
        for (const wf of [pr, deploy]) {
            for (const job of Object.values(wf.jobs)) for (const s of pulumiSteps(job)) assert.equal(s.with?.policyPacks, "policy");
        }
    });
});
