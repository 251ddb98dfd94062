// Filled in by its work item; re-exported from lib/index.ts.
export {};
