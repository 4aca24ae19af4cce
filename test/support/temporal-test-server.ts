/**
 * Temporal's time-skipping test server (part of the Java SDK), for workflow tests that need a
 * server of their own. The SDK would download a native build from GitHub, which locked-down
 * machines cannot reach; the same server is published on Maven Central as
 * `io.temporal:temporal-test-server`, so Maven fetches it and its dependencies once into the
 * git-ignored `.tools/` folder and a small script runs it with the machine's Java.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';

export const TEMPORAL_TEST_SERVER_VERSION = '1.31.0';

const projectRoot = path.resolve(import.meta.dirname, '..', '..');
const installDir = path.join(projectRoot, '.tools', `temporal-test-server-${TEMPORAL_TEST_SERVER_VERSION}`);
const launcher = path.join(installDir, 'temporal-test-server');

function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The launcher's path, installing the server first if needed (about 35 MB of jars, seconds). */
export function resolveTemporalTestServer(): string {
  if (existsSync(launcher)) return launcher;
  for (const tool of ['java', 'mvn']) {
    if (!onPath(tool)) throw new Error(`the Temporal test server needs \`${tool}\` on PATH (Debian: apt-get install default-jdk-headless maven)`);
  }
  // Installed beside its final place and renamed at the end, so a run cut short leaves no half install.
  const staging = `${installDir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeFileSync(path.join(staging, 'pom.xml'), `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.pb-autotask-sync</groupId>
  <artifactId>temporal-test-server-install</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${TEMPORAL_TEST_SERVER_VERSION}</version>
    </dependency>
    <!-- The server logs through SLF4J; without a binding it prints a warning at every start. -->
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-nop</artifactId>
      <version>1.7.36</version>
    </dependency>
  </dependencies>
</project>
`);
  process.stderr.write(`Installing the Temporal test server ${TEMPORAL_TEST_SERVER_VERSION} into ${path.relative(projectRoot, installDir)} (Maven Central)…\n`);
  const mvn = spawnSync('mvn', ['-q', '-B', '-Dstyle.color=never', '-f', path.join(staging, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${path.join(staging, 'lib')}`, '-DincludeScope=runtime'], {
    stdio: ['ignore', 2, 2],
    timeout: 600_000,
  });
  if (mvn.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`installing the Temporal test server with Maven failed (exit ${mvn.status ?? mvn.signal})`);
  }
  // The SDK starts the server as `<path> <port>`; the script resolves its jars next to itself.
  writeFileSync(
    path.join(staging, 'temporal-test-server'),
    '#!/bin/sh\nhere=$(cd "$(dirname "$0")" && pwd)\nexec java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -cp "$here/lib/*" io.temporal.testserver.TestServer "$@"\n',
    { mode: 0o755 }
  );
  try {
    renameSync(staging, installDir);
  } catch (err) {
    // Another test process finished the same install first: use its copy.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(launcher)) throw err;
  }
  return launcher;
}

/**
 * A time-skipping environment on that server. The SDK waits a fixed 5 s for the server to answer,
 * and a cold JVM on a busy 2-core machine can take longer, so a start that times out is tried
 * again (the JVM's files are in the page cache by then).
 */
export async function createTimeSkippingEnvironment(attempts = 3): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: resolveTemporalTestServer() } } });
    } catch (err) {
      if (attempt >= attempts || !/did not start within/.test((err as Error).message)) throw err;
    }
  }
}
