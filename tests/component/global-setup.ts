import type { TestProject } from 'vitest/node';
import { startTestServer } from '../server/server';

declare module 'vitest' {
  export interface ProvidedContext {
    testServerUrl: string;
  }
}

/** One test server for the component suite, started in Node (jsdom cannot host it); tests use sessions. */
export default async function setup(project: TestProject) {
  const server = await startTestServer({ port: 0 });
  project.provide('testServerUrl', server.url);
  return () => server.close();
}
