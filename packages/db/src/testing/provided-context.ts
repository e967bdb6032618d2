/** What the global setup hands to every test file through Vitest's `inject`. */
declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the one embedded PostgreSQL cluster shared by this test run. */
    postgresAdminUrl: string;
  }
}

export {};
