// Types of contract.mjs (plain JavaScript so every runtime runs it unchanged) for the TypeScript tests.
export type ContractCase = readonly [name: string, run: ((socketHost?: unknown) => Promise<void>) | null, skipReason?: string];
export declare const CASES: readonly ContractCase[];
export declare function runContract(socketHost?: unknown): Promise<Array<{ name: string; ok: boolean; error?: string; skipped?: string }>>;
