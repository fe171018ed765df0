// Runs the policies on an offline plan, the way the Pulumi engine would hand resources to the pack,
// so forks and laptops without cloud credentials get the same checks (`npm run policy`).
import type { EnforcementLevel, PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { Plan } from "../offline/plan";
import { ALL_POLICIES } from "../../policy/policies";

export type AnyPolicy = ResourceValidationPolicy | StackValidationPolicy;

export interface Violation {
    policy: string;
    enforcementLevel: EnforcementLevel;
    /** The resource's name, or undefined for a stack-level finding. */
    resource?: string;
    message: string;
}

export function policyResource(
    stack: string,
    r: { type: string; name: string; inputs: Record<string, unknown>; protect?: boolean },
): PolicyResource {
    return {
        type: r.type,
        name: r.name,
        urn: `urn:pulumi:${stack}::observability-platform::${r.type}::${r.name}`,
        props: structuredClone(r.inputs),
        opts: {
            protect: r.protect === true,
            ignoreChanges: [],
            aliases: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            additionalSecretOutputs: [],
        },
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
    } as unknown as PolicyResource;
}

export const policyResources = (plan: Plan): PolicyResource[] => plan.resources.map((r) => policyResource(plan.stack, r));

const notApplicable = (): never => {
    throw new Error("not applicable");
};

/** Every violation of `policies` over a stack's resources. */
export function runPolicies(resources: readonly PolicyResource[], policies: readonly AnyPolicy[] = ALL_POLICIES): Violation[] {
    const found: Violation[] = [];
    for (const policy of policies) {
        const level = policy.enforcementLevel ?? "advisory";
        if ("validateResource" in policy) {
            for (const r of resources) {
                const args = { ...r, stackTags: new Map(), getConfig: () => ({}), notApplicable } as unknown as ResourceValidationArgs;
                for (const validate of [policy.validateResource].flat()) {
                    validate?.(args, (message: string) => found.push({ policy: policy.name, enforcementLevel: level, resource: r.name, message }));
                }
            }
        } else {
            const stackPolicy = policy as StackValidationPolicy;
            stackPolicy.validateStack?.(
                { resources: [...resources], stackTags: new Map(), getConfig: <C>() => ({}) as C, notApplicable } as never,
                (message: string) => found.push({ policy: policy.name, enforcementLevel: level, message }),
            );
        }
    }
    return found;
}
