// The key paths of a zod schema, read from the schema itself: "a.b", "list[].key", "map.<key>.x".
// Wrappers (optional, default, pipes of transforms, refinements) are looked through.
import type { z } from "zod";

interface Def {
    type: string;
    shape?: Record<string, z.ZodType>;
    element?: z.ZodType;
    innerType?: z.ZodType;
    in?: z.ZodType;
    out?: z.ZodType;
    valueType?: z.ZodType;
    options?: z.ZodType[];
}
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Every key path that leads to a value (not to an object of keys), objects' own paths included. */
export function schemaPaths(schema: z.ZodType, prefix = ""): string[] {
    const def = defOf(schema);
    switch (def.type) {
        case "optional":
        case "nullable":
        case "default":
        case "prefault":
        case "readonly":
        case "catch":
            return schemaPaths(def.innerType!, prefix);
        case "pipe":
            // A transform's output has no keys of its own: the input's are what a stack writes.
            return defOf(def.in!).type === "transform" ? schemaPaths(def.out!, prefix) : schemaPaths(def.in!, prefix);
        case "object":
            return Object.entries(def.shape!).flatMap(([k, v]) => {
                const path = prefix ? `${prefix}.${k}` : k;
                return [path, ...schemaPaths(v, path)];
            });
        case "array":
            return schemaPaths(def.element!, `${prefix}[]`);
        case "record":
            return schemaPaths(def.valueType!, `${prefix}.<key>`);
        case "union":
            return [...new Set(def.options!.flatMap((o) => schemaPaths(o, prefix)))];
        default:
            return [];
    }
}
