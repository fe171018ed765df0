// The data-loss guard: before the program declares anything, the stack's inventory of stored data is
// compared with the one its last deployment exported. A change that deletes stored data is refused,
// naming every loss, unless the stack sets allowDataLoss for that run.
import * as pulumi from "@pulumi/pulumi";
import type { Settings } from "../config/schema";
import type { PlatformModel } from "../platform/model";
import { dataLoss } from "./compare";
import { dataInventory, readInventory, type DataInventory } from "./inventory";

/** The stack output that carries the inventory from one deployment to the next. */
export const DATA_INVENTORY_OUTPUT = "dataInventory";

export type GuardVerdict =
    | { outcome: "accepted" }
    | { outcome: "refused"; message: string }
    /** Losses the stack allowed: deployed, with a warning naming them. */
    | { outcome: "allowed"; message: string }
    /** allowDataLoss set although nothing is lost: deployed, with a warning to remove the key. */
    | { outcome: "needless"; message: string };

export interface GuardInput {
    stack: string;
    /** The project's config namespace, to name the key as `pulumi config` spells it. */
    namespace: string;
    /** The inventory output of the last deployment, as read (undefined when there is none). */
    previous: unknown;
    next: DataInventory;
    allowDataLoss: boolean;
}

export function judgeDataLoss(input: GuardInput): GuardVerdict {
    const key = `${input.namespace}:allowDataLoss`;
    const read = readInventory(input.previous);
    const losses =
        read === undefined
            ? []
            : "unreadable" in read
              ? [`the last deployment's inventory of stored data (output ${DATA_INVENTORY_OUTPUT}) cannot be read: ${read.unreadable}; what this change deletes is unknown`]
              : dataLoss(read, input.next);
    const list = losses.map((l) => `  - ${l}`).join("\n");
    if (losses.length === 0) {
        if (!input.allowDataLoss) return { outcome: "accepted" };
        return { outcome: "needless", message: `${key} is true but this deployment deletes no stored data: remove it (pulumi config rm allowDataLoss) so that the next change that does is refused` };
    }
    const count = `${losses.length} loss${losses.length === 1 ? "" : "es"}`;
    if (input.allowDataLoss) {
        return { outcome: "allowed", message: `Stack "${input.stack}" deletes stored data, as ${key} allows (${count}):\n${list}\nRemove ${key} after this run.` };
    }
    return {
        outcome: "refused",
        message:
            `Stack "${input.stack}": this change deletes stored data (${count}):\n${list}\n` +
            `Nothing was deployed. If the loss is intended, run once with \`pulumi config set allowDataLoss true\`, then ` +
            `\`pulumi config rm allowDataLoss\` (README, "The data-loss guard").`,
    };
}

/** A refused change: a clean exit with the message, no stack trace (RunError). */
export class DataLossError extends pulumi.RunError {
    override name = "DataLossError";
}

/**
 * The inventory output of this stack's last deployment. A stack may reference itself: the engine
 * reads the stack's last checkpoint, which holds the previous deployment's outputs until this run
 * ends (none at all on a first deployment).
 */
async function lastDeployedInventory(): Promise<unknown> {
    const self = new pulumi.StackReference("data-loss-guard-last-deployment", {
        name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
    });
    const details = await self.getOutputDetails(DATA_INVENTORY_OUTPUT);
    return details.value ?? details.secretValue;
}

/** Refuses (throws) or warns per the verdict; returns the inventory this deployment exports. */
export async function guardStoredData(settings: Settings, model: PlatformModel): Promise<DataInventory> {
    const next = dataInventory(settings, model);
    const verdict = judgeDataLoss({
        stack: settings.stack,
        namespace: pulumi.getProject(),
        previous: await lastDeployedInventory(),
        next,
        allowDataLoss: settings.allowDataLoss,
    });
    if (verdict.outcome === "refused") throw new DataLossError(verdict.message);
    if (verdict.outcome !== "accepted") pulumi.log.warn(verdict.message);
    return next;
}
