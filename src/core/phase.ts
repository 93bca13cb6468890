/** Scan phases in execution order. `static` runs no code and produces no trace events. */
export type Phase = "fetch" | "static" | "install" | "import";

export const PHASES: readonly Phase[] = ["fetch", "static", "install", "import"];
