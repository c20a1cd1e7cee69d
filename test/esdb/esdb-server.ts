import { GenericContainer, Wait, getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';

/**
 * `npm run test:esdb`: Jest's globalSetup. Starts a single insecure KurrentDB node in Docker (Testcontainers) and
 * hands its connection string to the contract suite and the adapter's specs through EVENTSTORE_CONNECTION_STRING.
 * Without a container runtime it says so and fails: this command exists to run against a real server.
 */

/** Pinned: an existing tag of KurrentDB 25.1 (linux/amd64). Override with ESDB_TEST_IMAGE, e.g. on ARM. */
export const ESDB_TEST_IMAGE = 'kurrentplatform/kurrentdb:25.1.3';

const HTTP_AND_GRPC = 2113;

interface WithContainer {
  esdbContainer?: StartedTestContainer;
}

export default async function startServer(): Promise<void> {
  try {
    await getContainerRuntimeClient();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(
      `\nnpm run test:esdb needs Docker (or another container runtime Testcontainers can reach): ${reason}`,
    );
    throw new Error('test:esdb: no container runtime, no EventStoreDB/KurrentDB server started, nothing tested');
  }
  const image = process.env.ESDB_TEST_IMAGE ?? ESDB_TEST_IMAGE;
  const container = await new GenericContainer(image)
    .withEnvironment({
      KURRENTDB_CLUSTER_SIZE: '1',
      KURRENTDB_INSECURE: 'true',
      KURRENTDB_RUN_PROJECTIONS: 'None',
      KURRENTDB_MEM_DB: 'true',
    })
    .withExposedPorts(HTTP_AND_GRPC)
    .withWaitStrategy(
      Wait.forHttp('/health/live', HTTP_AND_GRPC).forStatusCodeMatching((code) => code >= 200 && code < 300),
    )
    .withStartupTimeout(120_000)
    .start();
  (globalThis as WithContainer).esdbContainer = container;
  const connectionString = `esdb://${container.getHost()}:${container.getMappedPort(HTTP_AND_GRPC)}?tls=false`;
  process.env.EVENTSTORE_CONNECTION_STRING = connectionString;
  console.log(`\n${image} at ${connectionString}`);
}

/** Jest's globalTeardown. */
export async function stopServer(): Promise<void> {
  await (globalThis as WithContainer).esdbContainer?.stop();
}
