// Runs the real Pulumi program (index.ts) in this process under Pulumi's runtime mocks, the way the
// engine would run it for `pulumi up`, and records every resource it registers. No cloud, no CLI.
import { createHash } from "node:crypto";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as runtimeSettings from "@pulumi/pulumi/runtime/settings";

export interface RecordedResource {
    type: string;
    name: string;
    urn: string;
    custom: boolean;
    parentUrn?: string;
    providerUrn?: string;
    protect: boolean;
    /** Left in the cloud or cluster when Pulumi deletes it (retainOnDelete). */
    retainOnDelete: boolean;
    /** URNs of the resources this one waits for (explicit dependsOn and input dependencies). */
    dependencyUrns: string[];
    /** Inputs as registered, with secrets replaced by "[secret]" and resource references by their URN. */
    inputs: Record<string, unknown>;
}

export interface ProgramRun {
    resources: RecordedResource[];
    /** Stack outputs, secrets masked as in `inputs`. */
    outputs: Record<string, unknown>;
}

/** How the offline plan stands in for a GKE cluster lookup; tests override it per cluster. */
export interface FakeCluster {
    endpoint?: string;
    workloadPool?: string | null;
}

export interface ProgramRunOptions {
    project: string;
    stack: string;
    /** Flat config map as the engine passes it: "namespace:key" -> string. */
    config: Record<string, string>;
    secretKeys: readonly string[];
    /** Path of the program's entry module (index.ts). */
    program: string;
    /** Cluster lookup results by cluster name; unspecified clusters get a healthy fake. */
    clusters?: Readonly<Record<string, FakeCluster>>;
    /** Receives every registration as it happens, also when the run then fails. */
    onRegistered?: (resource: RecordedResource) => void;
    /**
     * The outputs of the stack's last deployment, which a StackReference to the stack itself reads
     * (the data-loss guard); none stands for a first deployment.
     */
    previousOutputs?: Readonly<Record<string, unknown>>;
}

/** The organization of a DIY backend, which is what `pulumi.getOrganization()` returns there. */
export const OFFLINE_ORGANIZATION = "organization";

export const SECRET_MASK = "[secret]";
// The key under which Pulumi's wire format marks secrets, resource references and output values.
const SPECIAL_SIG = "4dabf18193072939515e22adb298388d";
const SIG = {
    secret: "1b47061264138c4ac30d75fd1eb44270",
    resourceReference: "5cf8f73096256a8f31e491e813e4eb8e",
    outputValue: "d0e6a833031e9bbcd3f4e8bde6ca49a4",
} as const;
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Serialized Pulumi property values -> plain JSON with secrets masked. */
export function maskSerialized(value: unknown): unknown {
    if (value === UNKNOWN) return "[unknown]";
    if (Array.isArray(value)) return value.map(maskSerialized);
    if (typeof value === "object" && value !== null) {
        const obj = value as Record<string, unknown>;
        const sig = obj[SPECIAL_SIG];
        if (sig === SIG.secret) return SECRET_MASK;
        if (sig === SIG.resourceReference) return { resourceUrn: obj.urn };
        if (sig === SIG.outputValue) return obj.secret ? SECRET_MASK : maskSerialized(obj.value);
        return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, maskSerialized(v)]));
    }
    return value;
}

const shortHash = (text: string, length: number) => createHash("sha256").update(text).digest("hex").slice(0, length);

export function fakeState(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
    switch (type) {
        case "gcp:serviceaccount/account:Account": {
            const email = `${inputs.accountId}@${inputs.project}.iam.gserviceaccount.com`;
            return { email, name: `projects/${inputs.project}/serviceAccounts/${email}`, member: `serviceAccount:${email}` };
        }
        case "random:index/randomId:RandomId":
            return { hex: shortHash(name, 2 * (inputs.byteLength ?? 4)) };
        case "random:index/randomPassword:RandomPassword":
            return { result: `offline-${shortHash(name, 24)}` };
        // The fleet's TLS material (components/fleet/credentials.ts): placeholders, not PEM.
        case "tls:index/privateKey:PrivateKey":
            return { privateKeyPem: `offline plan key of ${name}`, publicKeyPem: `offline plan public key of ${name}` };
        case "tls:index/certRequest:CertRequest":
            return { certRequestPem: `offline plan request of ${name}` };
        case "tls:index/selfSignedCert:SelfSignedCert":
        case "tls:index/locallySignedCert:LocallySignedCert":
            return { certPem: `offline plan certificate of ${name}` };
        case "gcp:storage/bucket:Bucket":
            return { url: `gs://${inputs.name}`, selfLink: `https://www.googleapis.com/storage/v1/b/${inputs.name}` };
        default:
            return {};
    }
}

function fakeClusterLookup(inputs: Record<string, any>, overrides: Readonly<Record<string, FakeCluster>>) {
    const o = overrides[inputs.name] ?? {};
    const h = createHash("sha256").update(`${inputs.project}/${inputs.location}/${inputs.name}`).digest();
    const pool = o.workloadPool === undefined ? `${inputs.project}.svc.id.goog` : o.workloadPool;
    return {
        name: inputs.name,
        location: inputs.location,
        project: inputs.project,
        endpoint: o.endpoint ?? `34.${h[0]}.${h[1]}.${h[2]}`,
        masterAuths: [{ clusterCaCertificate: Buffer.from(`offline plan CA of ${inputs.name}`).toString("base64") }],
        workloadIdentityConfigs: pool === null ? [] : [{ workloadPool: pool }],
    };
}

const STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference";

/**
 * The engine's answer to a StackReference: the referenced stack's outputs. Only the stack itself can
 * be referenced offline; its last outputs are the previous plan's.
 */
function stackReferenceRead(name: string, options: ProgramRunOptions) {
    const self = `${OFFLINE_ORGANIZATION}/${options.project}/${options.stack}`;
    if (name !== self) throw new Error(`the offline plan can read only the stack's own outputs (${self}), not those of ${name}`);
    return { id: name, state: { name, outputs: { ...(options.previousOutputs ?? {}) }, secretOutputNames: [] } };
}

interface MonitorLike {
    registerResource(req: any, callback: (err: unknown, resp: any) => void): void;
    registerResourceOutputs(req: any, callback: (err: unknown, resp: any) => void): void;
}

/**
 * Runs the program once. Pulumi's runtime is process-global, so runs must not overlap; each run
 * resets the mocks and reloads the program module.
 */
export async function runProgram(options: ProgramRunOptions): Promise<ProgramRun> {
    const recorded = new Map<string, RecordedResource>();
    const outputsByUrn = new Map<string, unknown>();
    const failures: unknown[] = [];
    // An error thrown inside an apply (say, a failed check on a lookup result) surfaces as an
    // unhandled rejection and leaves its resource's registration pending forever: stop at once.
    let failed: (reason: unknown) => void = () => undefined;
    const failure = new Promise<never>((_, reject) => (failed = reject));
    failure.catch(() => undefined);
    const onRejection = (reason: unknown) => {
        failures.push(reason);
        failed(reason);
    };
    process.on("unhandledRejection", onRejection);
    // Pulumi records a stack trace for every promise it creates (runtime/debuggable), for leak reports
    // the offline plan never prints. Under ts-node each is source-mapped frame by frame: that was
    // most of the plan's time at fleet scale. So during the run stacks are off; errors still carry
    // their messages. OFFLINE_PLAN_STACK_TRACES=1 keeps full stacks to debug the program itself.
    const stackTraces = { limit: Error.stackTraceLimit, prepare: Error.prepareStackTrace };
    if (process.env.OFFLINE_PLAN_STACK_TRACES !== "1") {
        Error.stackTraceLimit = 0;
        (Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined;
    }

    try {
        pulumi.runtime.setAllConfig(options.config, [...options.secretKeys]);
        await pulumi.runtime.setMocks(
            {
                newResource: (args) => {
                    if (args.type === STACK_REFERENCE_TYPE) return stackReferenceRead(args.inputs.name, options);
                    return {
                        id: args.custom === false ? undefined : `${args.name}-id`,
                        state: { ...args.inputs, ...fakeState(args.type, args.name, args.inputs) },
                    };
                },
                call: (args) => {
                    if (args.token === "gcp:container/getCluster:getCluster") {
                        return fakeClusterLookup(args.inputs, options.clusters ?? {});
                    }
                    throw new Error(`the offline plan has no stand-in for the function ${args.token}`);
                },
            },
            options.project,
            options.stack,
            false,
            OFFLINE_ORGANIZATION,
        );
        const monitor = runtimeSettings.getMonitor() as unknown as MonitorLike;
        const register = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req, callback) => {
            register(req, (err, resp) => {
                if (!err && resp) {
                    const provider: string = req.getProvider();
                    const resource: RecordedResource = {
                        type: req.getType(),
                        name: req.getName(),
                        urn: resp.getUrn(),
                        custom: req.getCustom(),
                        parentUrn: req.getParent() || undefined,
                        providerUrn: provider ? provider.slice(0, provider.lastIndexOf("::")) : undefined,
                        protect: req.getProtect() === true,
                        retainOnDelete: req.getRetainondelete() === true,
                        dependencyUrns: req.getDependenciesList(),
                        inputs: maskSerialized(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
                    };
                    recorded.set(resource.urn, resource);
                    options.onRegistered?.(resource);
                }
                callback(err, resp);
            });
        };
        const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
        monitor.registerResourceOutputs = (req, callback) => {
            outputsByUrn.set(req.getUrn(), maskSerialized(req.getOutputs()?.toJavaScript() ?? {}));
            registerOutputs(req, callback);
        };

        const program = path.resolve(options.program);
        delete require.cache[require.resolve(program)];
        await Promise.race([
            (async () => {
                // As the CLI does: a program that exports a function is run by calling it, and what
                // it returns (awaited) are the stack outputs.
                await pulumi.runtime.runInPulumiStack(async () => {
                    const exported = require(program);
                    return exported instanceof Function ? await exported() : exported;
                });
                await runtimeSettings.disconnect();
            })(),
            failure,
        ]);
    } catch (err) {
        if (!failures.includes(err)) failures.unshift(err);
    } finally {
        // Let late rejections of this run arrive before the handler goes.
        await new Promise((resolve) => setImmediate(resolve));
        process.off("unhandledRejection", onRejection);
        Error.stackTraceLimit = stackTraces.limit;
        (Error as { prepareStackTrace?: unknown }).prepareStackTrace = stackTraces.prepare;
    }
    if (failures.length > 0) throw failures[0];

    const resources = [...recorded.values()];
    const stack = resources.find((r) => r.type === "pulumi:pulumi:Stack");
    const outputs = (stack && (outputsByUrn.get(stack.urn) as Record<string, unknown>)) ?? {};
    return { resources, outputs };
}
