/** Settings are read, never written, once resolved: every level of them is readonly. */
export type DeepReadonly<T> = T extends (infer E)[]
    ? ReadonlyArray<DeepReadonly<E>>
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;
