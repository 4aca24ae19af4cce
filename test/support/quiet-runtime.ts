// Keeps the SDK's INFO chatter (bundle sizes, worker state changes) out of test output.
import { DefaultLogger, Runtime } from '@temporalio/worker';

Runtime.install({ logger: new DefaultLogger('WARN') });
